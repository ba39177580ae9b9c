"""Shared fixtures: the personas every access test uses, and the CI rules for real services.

Personas (healthchecks' alice/bob/charlie): two branches, North and South; an administrator; a
manager of North; a salesperson in North (the owner of North's work), a salesperson in North (the
colleague) and one in South (the outsider); a quality manager in North; a mystery shopper.
"""

import os
import shutil
import sys
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.apps import apps as django_apps
from django.conf import settings as django_settings
from django.contrib.auth.models import Group
from django.core.cache import cache, caches
from django.db import connections
from django.db.migrations.loader import MigrationLoader
from django.utils import translation
from rest_framework.test import APIClient

from aftersales.celery import app as celery_app
from aftersales.migration_helpers import grant_role_permissions
from aftersales.pagination import ESTIMATES_CACHE
from tests.aftersales.factories import BranchFactory, UserFactory

IN_CI = os.environ.get("CI", "").lower() == "true"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

# Playwright's sync API runs an event loop in the test thread; Django's ORM calls made by the
# tests themselves (fixtures, assertions) are still synchronous and safe there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


# Tests that cannot share the machine with another test process: real Celery workers on the
# shared broker (another process's worker would take their tasks, against its own database),
# the chaos run and the reliability runs with their own workers and deadlines, the backup round
# trips. `make test` runs them alone after the rest, which runs in parallel (scripts/dev.py).
SERIAL_MODULES = {
    "tests.aftersales.test_backup",
    "tests.aftersales.test_celery_worker",
    "tests.aftersales.test_chaos",
    "tests.aftersales.test_outbox_reliability",
    "tests.followups.test_offer_tasks",
    "tests.followups.test_reliability",
}


def pytest_collection_modifyitems(items):
    for item in items:
        if item.module.__name__ in SERIAL_MODULES or "celery_worker" in item.fixturenames:
            item.add_marker(pytest.mark.serial)


def require_service(available, what):
    """A test that needs a real service fails in CI when it is missing, and skips elsewhere."""
    if available:
        return
    if IN_CI:
        pytest.fail(f"{what} is required in CI but is not available.")
    pytest.skip(f"{what} is not available on this machine.")


def restore_role_groups():
    """Re-create the role groups exactly as the data migrations do (their ROLE_PERMISSIONS)."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    for migration in loader.disk_migrations.values():
        module = sys.modules[type(migration).__module__]
        if hasattr(module, "ROLE_PERMISSIONS"):
            grant_role_permissions(django_apps, module.ROLE_PERMISSIONS)


@pytest.fixture(autouse=True)
def role_groups_exist(django_db_setup, django_db_blocker):
    """A transactional test (the real Celery worker's) ends with a flush, which also empties what
    the data migrations wrote; put the role groups back before the next test needs them."""
    with django_db_blocker.unblock():
        if not Group.objects.exists():
            restore_role_groups()


@pytest.fixture(autouse=True)
def uploads_in_a_temporary_folder(settings, tmp_path):
    """Files the tests upload never land in the project's var/ folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


@pytest.fixture(autouse=True)
def empty_cache():
    """The throttles count in the cache (the process's memory in tests): every test starts with
    no request counted, whatever the tests before it sent from the same address; and with no
    big list's estimated total of an earlier test's rows (aftersales.pagination)."""
    cache.clear()
    caches[ESTIMATES_CACHE].clear()


@pytest.fixture(autouse=True)
def default_language():
    """A request's LocaleMiddleware leaves its language active in the thread; translatable
    names are read and written in the active language, so every test starts in the default."""
    yield
    translation.activate(django_settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The production hasher is slow by design; tests create many users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def north(db):
    return BranchFactory(name="North", code="NORTH")


@pytest.fixture
def south(db):
    return BranchFactory(name="South", code="SOUTH", time_zone="Europe/Vienna")


@pytest.fixture
def admin_user(db):
    return UserFactory(username="ada", roles=["admin"], branches=[])


@pytest.fixture
def manager(north):
    return UserFactory(username="mia", roles=["manager"], branches=[north])


@pytest.fixture
def owner(north):
    return UserFactory(username="alice", roles=["sales"], branches=[north])


@pytest.fixture
def colleague(north):
    return UserFactory(username="bob", roles=["sales"], branches=[north])


@pytest.fixture
def outsider(south):
    return UserFactory(username="charlie", roles=["sales"], branches=[south])


@pytest.fixture
def quality_manager(north):
    return UserFactory(username="quinn", roles=["quality"], branches=[north])


@pytest.fixture
def shopper(db):
    return UserFactory(username="sam", roles=["mystery_shopper"], branches=[])


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def client_for(api_client):
    """An API client authenticated as the given user."""

    def _client_for(user):
        api_client.force_authenticate(user)
        return api_client

    return _client_for


@pytest.fixture
def login(client):
    """Log the test client in as the given user and return the client."""

    def _login(user):
        client.force_login(user)
        return client

    return _login


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Playwright drives Debian's Chromium, never a browser it downloaded itself."""
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture
def chromium_available():
    require_service(os.path.exists(CHROMIUM), "Chromium (Debian package 'chromium')")


# --- a real Celery worker ---


def _broker_is_reachable():
    try:
        with celery_app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # noqa: BLE001 (any failure means no broker)
        return False
    return True


@pytest.fixture
def celery_worker(transactional_db):
    """A real Celery worker, in a thread of the test process, on the configured broker."""
    # The worker thread has its own database connection, so the data must really be committed.
    if IN_CI and not os.environ.get("REDIS_URL"):
        pytest.fail("CI must run the Celery tests against Redis: set REDIS_URL.")
    require_service(_broker_is_reachable(), f"The Celery broker ({celery_app.conf.broker_url})")
    # Workers keep their database connection between tasks (CELERY_DB_REUSE_MAX); this one lives
    # in a thread that ends with the test, so close its connection after each task.
    task_postrun.connect(close_worker_connection)
    try:
        with start_worker(
            celery_app, pool="solo", perform_ping_check=False, shutdown_timeout=10
        ) as worker:
            yield worker
    finally:
        task_postrun.disconnect(close_worker_connection)


def close_worker_connection(**kwargs):
    connections.close_all()


def wait_until(condition, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False
