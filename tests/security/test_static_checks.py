"""The security checks of issue 11 that look at the code and the configuration, as part of
`make test`: Django's deployment checks with production variables, bandit, and pip-audit."""

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent.parent
BIN = Path(sys.executable).parent
# Our code; tests and migrations are no attack surface (and tests assert with `assert`).
SCANNED = ["aftersales", "customers", "followups", "quality", "staff", "scripts"]
# The test session's own relaxation (tests/conftest.py) is none of production's settings.
INHERITED = {
    name: value for name, value in os.environ.items() if name != "DJANGO_ALLOW_ASYNC_UNSAFE"
}


def run(command, **env):
    return subprocess.run(  # noqa: S603 (our own fixed commands)
        command,
        cwd=BASE_DIR,
        capture_output=True,
        text=True,
        env={**INHERITED, **env},
        timeout=300,
        check=False,
    )


def production_environment():
    """What a production deployment sets (README, "Configuration"), with this test's database."""
    config = connection.settings_dict
    host = config["HOST"] or "127.0.0.1"
    return {
        "DEBUG": "false",
        "SECRET_KEY": secrets.token_urlsafe(60),
        "ALLOWED_HOSTS": "crm.example.com",
        "SITE_URL": "https://crm.example.com",
        "EMAIL_URL": "smtp+tls://crm:secret@mail.example.com:587",
        "DATABASE_URL": f"postgres://{config['USER']}@{host}:{config['PORT'] or 5432}/"
        f"{config['NAME']}",
    }


def test_the_deployment_checks_pass_with_production_settings(db):
    result = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **production_environment(),
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_bandit_finds_nothing_unexplained():
    """Medium and high findings fail unless the line says why it is fine with
    `# nosec <test id> (reason)`, next to ruff's matching `# noqa: S…`."""
    result = run([str(BIN / "bandit"), "-r", *SCANNED, "-ll", "-q", "-x", "*/migrations/*"])
    assert result.returncode == 0, (
        "Fix each finding below, or accept it with `# nosec <test id> (reason)` on the line "
        "bandit names (or the closing line of its string):\n" + result.stdout + result.stderr
    )
    unexplained = run(
        [str(BIN / "bandit"), "-r", *SCANNED, "-ll", "-q", "-x", "*/migrations/*", "--ignore-nosec"]
    )
    for line in unexplained.stdout.splitlines():
        if line.startswith("   Location: "):
            path, number, _column = line.removeprefix("   Location: ").rsplit(":", 2)
            source = (BASE_DIR / path).read_text().splitlines()
            marked = [text for text in source[int(number) - 1 :] if "# nosec" in text][:1]
            assert marked and "(" in marked[0].split("# nosec", 1)[1], (
                f"{path}:{number}: a # nosec without a reason in parentheses"
            )


def test_no_dependency_has_a_known_vulnerability():
    """pip-audit over the pinned production dependencies. Where its vulnerability database
    (PyPI's JSON API) cannot be reached, as on a machine that reaches only a package mirror,
    the test says so and is skipped instead of failing."""
    result = run(
        [
            str(BIN / "pip-audit"),
            "--requirement",
            "requirements.lock",
            "--no-deps",
            "--disable-pip",
            "--progress-spinner",
            "off",
            "--format",
            "json",
        ]
    )
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError:
        pytest.skip(f"pip-audit could not reach its vulnerability database: {result.stderr}")
    dependencies = report["dependencies"]
    audited = [dependency for dependency in dependencies if "skip_reason" not in dependency]
    if not audited:
        pytest.skip(
            "pip-audit's vulnerability database (PyPI's JSON API) is not reachable from this "
            f"machine: none of the {len(dependencies)} pinned dependencies could be audited."
        )
    vulnerable = {
        f"{dependency['name']} {dependency['version']}": [
            vuln["id"] for vuln in dependency["vulns"]
        ]
        for dependency in audited
        if dependency["vulns"]
    }
    assert not vulnerable, vulnerable
