import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db.utils import OperationalError

from aftersales.celery import app
from aftersales.models import Branch, User

BASE_DIR = Path(__file__).resolve().parents[2]
PRODUCTION_ENV = {
    "DEBUG": "false",
    "SECRET_KEY": "kV9#pL2$wQ7@zR4!mN8^tY3&bH6*cJ1(dF5)gS0-xA_eU" * 2,
    "ALLOWED_HOSTS": "crm.example.com",
    "DATABASE_URL": "postgres://aftersales@db.example.com:5432/aftersales",
    "REDIS_URL": "redis://redis.example.com:6379/0",
    "EMAIL_URL": "smtp+tls://crm:pw@mail.example.com:587",
    "SITE_URL": "https://crm.example.com",
}


def run_manage(*args, env):
    # The test session's own switches (async-unsafe for Playwright) are not production's.
    clean_env = {
        key: value
        for key, value in os.environ.items()
        if key not in PRODUCTION_ENV and key != "DJANGO_ALLOW_ASYNC_UNSAFE"
    }
    return subprocess.run(  # noqa: S603 (our own manage.py with fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**clean_env, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_production_settings_pass_the_deploy_check():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr + result.stdout


@pytest.mark.parametrize(
    ("misconfigured", "check_id"),
    [
        ({"EMAIL_URL": "consolemail://"}, "aftersales.W001"),
        ({"EMAIL_URL": "dummymail://"}, "aftersales.W001"),
        ({"SITE_URL": "http://127.0.0.1:8000"}, "aftersales.W002"),
        ({"SITE_URL": "http://localhost"}, "aftersales.W002"),
    ],
)
def test_the_deploy_check_warns_about_console_email_and_a_local_site_url(misconfigured, check_id):
    result = run_manage(
        "check", "--deploy", "--fail-level", "WARNING", env={**PRODUCTION_ENV, **misconfigured}
    )
    assert result.returncode != 0
    assert check_id in result.stderr + result.stdout


@pytest.mark.parametrize(
    "missing",
    [{"SECRET_KEY": ""}, {"SECRET_KEY": "short"}, {"ALLOWED_HOSTS": ""}],
)
def test_production_refuses_to_start_without_secret_key_or_hosts(missing):
    result = run_manage("check", env={**PRODUCTION_ENV, **missing})
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_healthz_reports_database_and_broker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok", "broker": "ok"}


def test_healthz_is_503_when_the_broker_is_down(client, db, monkeypatch):
    # Nothing listens on port 1: the broker is unreachable like a stopped Redis.
    monkeypatch.setattr(app.conf, "broker_url", "redis://127.0.0.1:1/0")
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"] == "down"


def test_healthz_is_503_when_the_database_is_down(client, db, monkeypatch):
    def refuse(*args, **kwargs):
        raise OperationalError("connection refused")

    # Undone before the test database is torn down, which needs a working cursor itself.
    with monkeypatch.context() as patch:
        patch.setattr("aftersales.views.connection.cursor", refuse)
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_demo_data_loads_once(db, settings):
    settings.DEBUG = True
    call_command("load_demo_data")
    call_command("load_demo_data")
    assert Branch.objects.count() == 2
    manager = User.objects.get(username="manager")
    assert manager.branches.count() == 2
    assert User.objects.get(username="sales").branches.get().code == "MUC"
    assert User.objects.get(username="sales2").branches.get().code == "VIE"
    assert User.objects.get(username="shopper").role_names == {"mystery_shopper"}
    for username in ("admin", "manager", "sales", "sales2", "service", "quality", "shopper"):
        assert User.objects.get(username=username).check_password("aftersales-demo")


def test_demo_data_refuses_to_run_in_production(db, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("load_demo_data")
    assert not User.objects.exists()
