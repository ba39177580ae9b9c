"""A real Celery worker on the configured broker (Redis in CI) delivers the outbox."""

import os
import time

import pytest
from celery.contrib.testing.worker import start_worker
from celery.signals import task_postrun
from django.core import mail
from django.db import connections

from aftersales import services
from aftersales.celery import app
from aftersales.models import OutgoingEmail
from aftersales.tasks import deliver_email, deliver_pending_emails
from tests.conftest import IN_CI, require_service


def _broker_is_reachable():
    try:
        with app.connection_for_write() as connection:
            connection.ensure_connection(max_retries=1, timeout=2)
    except Exception:  # noqa: BLE001 (any failure means no broker)
        return False
    return True


@pytest.fixture
def celery_worker(transactional_db):
    # The worker thread has its own database connection, so the data must really be committed.
    if IN_CI and not os.environ.get("REDIS_URL"):
        pytest.fail("CI must run the Celery tests against Redis: set REDIS_URL.")
    require_service(_broker_is_reachable(), f"The Celery broker ({app.conf.broker_url})")
    # Workers keep their database connection between tasks (CELERY_DB_REUSE_MAX); this one lives
    # in a thread that ends with the test, so close its connection after each task.
    task_postrun.connect(close_worker_connection)
    try:
        with start_worker(
            app, pool="solo", perform_ping_check=False, shutdown_timeout=10
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


def _sent(email_id):
    return OutgoingEmail.objects.filter(pk=email_id, state=OutgoingEmail.State.SENT).exists()


def test_worker_delivers_a_notification_after_commit(celery_worker, owner):
    notification = services.notify(recipient=owner, kind="info", subject="Worker says hello")
    assert wait_until(lambda: _sent(notification.email_id))
    assert [message.subject for message in mail.outbox] == ["Worker says hello"]


def test_delivering_the_same_notification_twice_sends_one_email(celery_worker, owner):
    notification = services.notify(recipient=owner, kind="info", subject="Only once")
    assert wait_until(lambda: _sent(notification.email_id))
    # A duplicated message (a retry, a second beat) reaches the worker again...
    deliver_email.delay(notification.email_id)
    deliver_pending_emails.delay()
    # ...and the single-process worker handles messages in order, so once a later notification
    # is sent, the duplicates have been processed.
    sentinel = services.notify(recipient=owner, kind="info", subject="Sentinel")
    assert wait_until(lambda: _sent(sentinel.email_id))
    assert [message.subject for message in mail.outbox] == ["Only once", "Sentinel"]


def test_the_tick_delivers_what_a_lost_message_left_behind(celery_worker, owner):
    # Written without enqueueing, as if Redis had lost the message.
    email = OutgoingEmail.objects.create(to_address=owner.email, subject="Lost", body="")
    deliver_pending_emails.delay()
    assert wait_until(lambda: _sent(email.pk))
    assert len(mail.outbox) == 1
