"""Fixtures for the browser journeys (see helpers.py for the shared steps)."""

import os

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection

from tests.aftersales.factories import UserFactory
from tests.conftest import CHROMIUM, require_service
from tests.e2e.helpers import AccessibilityWatch

# Fail fast: the live server answers locally in milliseconds, so a locator that has not matched
# after this long never will.
TIMEOUT_MS = 10_000


def _empty_database():
    # Without post_migrate, which would recreate content types and permissions under new ids
    # that clash with the ids of the serialized rows loaded afterwards.
    call_command("flush", verbosity=0, interactive=False, inhibit_post_migrate=True)


@pytest.fixture(scope="session", autouse=True)
def _migrated_data(django_db_setup, django_db_blocker):
    """The database content the migrations wrote (role groups and their permissions), as the
    test database setup serialized it for serialized_rollback.

    Django keeps it on the connection object. Once Playwright's sync API has started, an event
    loop counts as running in the test thread, and Django's thread-critical connection storage
    hands out another connection object, without the data, so serialized_rollback would be
    skipped silently. This fixture runs before Playwright starts (session autouse fixtures come
    first) and takes the data while the connection that holds it is still the visible one.
    """
    with django_db_blocker.unblock():
        contents = getattr(connection, "_test_serialized_contents", None)
        # Hidden once Playwright runs; left open, it would block dropping the test database.
        connection.close()
    if not contents:
        pytest.fail(
            "The test database was not serialized: e2e tests need "
            "django_db(transaction=True, serialized_rollback=True) (helpers.E2E)."
        )
    return contents


@pytest.fixture(scope="session", autouse=True)
def _serialized_rollback_while_playwright_runs(_migrated_data, playwright):
    """Give the connection the tests use while Playwright runs the serialized data, so that
    serialized_rollback loads it before each journey (and the flush after one keeps the
    post_migrate signal off, which would otherwise recreate content types and permissions).

    Set up after Playwright starts, this is torn down before it stops: then close that
    connection, which Django's test database teardown does not know about and which would block
    dropping the test database.
    """
    connection._test_serialized_contents = _migrated_data
    yield
    connection.close()


@pytest.fixture(scope="package", autouse=True)
def _migrated_data_around_the_journeys(_migrated_data, django_db_blocker):
    """Serialized rollback loads the migrated data into an empty database, and a journey's flush
    leaves it empty. A transactional test of another package that ran before without serialized
    rollback leaves content types and permissions behind, so empty the database before the first
    journey; after the last one, load the migrated data again for any test that runs later."""
    with django_db_blocker.unblock():
        _empty_database()
    yield
    with django_db_blocker.unblock():
        _empty_database()
        connection.creation.deserialize_db_from_string(_migrated_data)
        _reset_sequences()


def _reset_sequences():
    """The reloaded rows keep their ids; move each table's id sequence past them, or the next
    test's inserts collide with them."""
    statements = connection.ops.sequence_reset_sql(no_style(), apps.get_models())
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


@pytest.fixture(scope="session", autouse=True)
def _close_server_connections_after_each_request():
    """The live server's threads keep their database connection for CONN_MAX_AGE (60 s) while
    Chromium keeps its sockets alive; one still open when the session ends makes dropping the
    test database fail ("being accessed by other users"). Close them after every request."""
    settings_dict = connection.settings_dict  # shared with the connections the threads open
    conn_max_age = settings_dict["CONN_MAX_AGE"]
    settings_dict["CONN_MAX_AGE"] = 0
    yield
    settings_dict["CONN_MAX_AGE"] = conn_max_age


@pytest.fixture(scope="session")
def base_url(live_server):
    """The live server, so that page.goto("/login/") works.

    This also replaces pytest-playwright's fallback ``base_url`` fixture, which pytest 9 warns
    about (a session fixture defined as an instance method) and ``filterwarnings = error`` turns
    into an error for every test using ``page``.
    """
    return live_server.url


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """English and a desktop window unless a test says otherwise: the pages follow the browser's
    Accept-Language, and below Bootstrap's lg breakpoint the navigation collapses."""
    return {**browser_context_args, "locale": "en-US", "viewport": {"width": 1280, "height": 800}}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Check for Chromium before Playwright tries to launch it (session fixtures are set up
    before the tests' own chromium_available), so that a missing browser skips or fails in CI
    with the reason instead of erroring in the launch."""
    require_service(os.path.exists(CHROMIUM), "Chromium (Debian package 'chromium')")
    return browser_type_launch_args


@pytest.fixture
def page(chromium_available, page):
    """pytest-playwright's page with short timeouts, every page it loads checked by axe-core:
    a journey fails on any serious or critical accessibility violation."""
    page.set_default_timeout(TIMEOUT_MS)
    page.set_default_navigation_timeout(TIMEOUT_MS)
    watch = AccessibilityWatch(page)
    page.accessibility_watch = watch
    yield page
    watch.assert_clean(page)


@pytest.fixture
def accessibility(page):
    """The axe-core watch of the journey's page: how many pages it has checked."""
    return page.accessibility_watch


@pytest.fixture
def service_user(north):
    return UserFactory(username="sven", roles=["service"], branches=[north])
