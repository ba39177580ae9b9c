"""Issue 13: the outbox under faults, one fault at a time.

- Every attempt to send a row carries the row's one Message-ID (and date), so a resend is the
  same message to mail servers and clients; the attempt is recorded before the SMTP conversation
  and the row marked sent right after the server accepted it, before the connection is closed.
- A claim whose worker died is taken over when its lease runs out (time travel), a live sender's
  lease is renewed, and an accepted e-mail is marked sent through a database restart.
- A worker whose database connection was killed (pg_terminate_backend) runs its next task on a
  fresh connection.
- An on-commit enqueue to a broker that cannot be reached returns within 0.3 s.
"""

import ast
import os
import re
import smtplib
import socket
import threading
import time
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest
import time_machine
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection
from django.utils import timezone

from aftersales import services
from aftersales.celery import app as main_app
from aftersales.celery import close_quick_connection, resume_publishing
from aftersales.models import OutgoingEmail
from aftersales.services import CLAIM_LEASE
from aftersales.tasks import deliver_email, deliver_pending_emails
from tests.conftest import IN_CI, require_service
from tests.followups.reliability_helpers import (
    Worker,
    database_url,
    enqueuing_to,
    redis_reachable,
    reserved_broker,
    stop_workers,
    wait_until,
)

MESSAGE_ID = re.compile(r"^<[0-9a-f]{32}@[^<>@\s]+>$")


def queued(subject="Hello", to="buyer@example.com"):
    return services.queue_email(to=to, subject=subject, body="Text")


def row(email):
    return OutgoingEmail.objects.get(pk=email.pk)


def sent_ids():
    """The Message-ID headers of what the mail backend was given, in order."""
    return [message.message()["Message-ID"] for message in mail.outbox]


def libpq_dsn():
    """The test database for a psycopg connection of the test's own (beside Django's)."""
    config = connection.settings_dict
    options = {
        "dbname": config["NAME"],
        "user": config["USER"] or None,
        "password": config["PASSWORD"] or None,
        "host": config["HOST"] or config.get("OPTIONS", {}).get("host") or None,
        "port": config["PORT"] or None,
    }
    return " ".join(f"{key}='{value}'" for key, value in options.items() if value)


# --- The Message-ID: one per row, the same on every attempt ------------------------------------


class AcceptedButLostBackend(LocmemBackend):
    """A mail server that takes the message and then drops the connection before its reply
    arrives: the sender cannot know it was delivered. The next attempt goes through."""

    drop_next = True

    def send_messages(self, messages):
        sent = super().send_messages(messages)
        if AcceptedButLostBackend.drop_next:
            AcceptedButLostBackend.drop_next = False
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return sent


@pytest.fixture
def reply_lost_once(settings):
    settings.EMAIL_BACKEND = f"{__name__}.AcceptedButLostBackend"
    AcceptedButLostBackend.drop_next = True


def test_each_row_has_a_message_id_of_its_own(db, settings):
    settings.EMAIL_MESSAGE_ID_DOMAIN = "crm.example.com"
    first, second = queued("One"), queued("Two")
    bulk = OutgoingEmail.objects.bulk_create(
        OutgoingEmail(to_address="x@example.com", subject=f"Bulk {n}", body="") for n in range(3)
    )
    ids = [e.message_id for e in [row(first), row(second), *bulk]]
    assert all(MESSAGE_ID.match(message_id) for message_id in ids), ids
    assert all(message_id.endswith("@crm.example.com>") for message_id in ids)
    assert len(set(ids)) == 5


def test_a_resend_is_the_same_message_with_the_same_message_id(db, reply_lost_once):
    email = queued("Your survey")

    # The server took the message, but the sender never heard: the attempt counts as failed.
    assert services.deliver_email(email_id=email.pk) is False
    assert row(email).state == OutgoingEmail.State.PENDING
    # The tick sends it again: the recipient's server and client see the same message twice.
    assert services.deliver_pending_emails() == 1

    first, second = (message.message() for message in mail.outbox)
    assert row(email).state == OutgoingEmail.State.SENT
    assert row(email).attempts == 2
    assert first["Message-ID"] == second["Message-ID"] == row(email).message_id
    assert first["Date"] == second["Date"]
    assert first.as_bytes() == second.as_bytes()


def test_a_claim_taken_over_after_its_worker_died_resends_the_same_message_id(db):
    email = queued("Taken over")
    assert services.deliver_email(email_id=email.pk) is True
    # As if the worker had died right after the server accepted, before marking it sent.
    OutgoingEmail.objects.filter(pk=email.pk).update(
        state=OutgoingEmail.State.SENDING, lease_until=timezone.now() - timedelta(seconds=1)
    )
    assert services.deliver_pending_emails() == 1
    assert sent_ids() == [row(email).message_id] * 2


def test_different_rows_with_the_same_text_are_different_messages(db):
    queued("Same"), queued("Same")
    assert services.deliver_pending_emails() == 2
    first, second = sent_ids()
    assert first != second


# --- The attempt recorded before the conversation, the success right after it -----------------


class WatchingBackend(LocmemBackend):
    """Notes what the outbox row says while the server takes the message and when the
    connection is closed."""

    seen = []

    def send_messages(self, messages):
        WatchingBackend.seen.append(("send", *self._row()))
        return super().send_messages(messages)

    def close(self):
        WatchingBackend.seen.append(("close", *self._row()))
        super().close()

    @staticmethod
    def _row():
        email = OutgoingEmail.objects.get()
        return email.state, email.attempts, email.claimed_at is not None, email.lease_until


def test_the_attempt_is_recorded_before_and_the_success_before_the_connection_closes(db, settings):
    settings.EMAIL_BACKEND = f"{__name__}.WatchingBackend"
    WatchingBackend.seen = []
    queued()
    before = timezone.now()
    assert services.deliver_pending_emails() == 1

    (_, sending, attempts, claimed, lease), (_, closing, *_rest) = WatchingBackend.seen
    assert (sending, attempts, claimed) == (OutgoingEmail.State.SENDING, 1, True)
    assert before + CLAIM_LEASE <= lease <= timezone.now() + CLAIM_LEASE
    assert closing == OutgoingEmail.State.SENT
    assert OutgoingEmail.objects.get().lease_until is None


# --- Leases: a dead worker's claim runs out, a live sender's does not -------------------------


def test_a_dead_workers_claim_is_taken_over_once_its_lease_ran_out(db):
    email = queued("Killed mid-delivery")
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        # What a worker killed during the SMTP conversation leaves behind: its claim.
        OutgoingEmail.objects.filter(pk=email.pk).update(
            state=OutgoingEmail.State.SENDING,
            claimed_at=start,
            lease_until=start + CLAIM_LEASE,
            attempts=1,
        )
    with time_machine.travel(start + CLAIM_LEASE - timedelta(seconds=1), tick=False):
        assert services.deliver_pending_emails() == 0
        assert row(email).state == OutgoingEmail.State.SENDING
    with time_machine.travel(start + CLAIM_LEASE + timedelta(seconds=1), tick=False):
        assert services.deliver_pending_emails() == 1
    assert row(email).state == OutgoingEmail.State.SENT
    assert row(email).attempts == 2
    assert sent_ids() == [row(email).message_id]


class WorkerKilled(BaseException):
    """The worker process ends here (SIGKILL): no handler, no finally of ours runs after it."""


class KilledRightAfterAcceptance(LocmemBackend):
    """The mail server accepted the message, and the worker died before its next line."""

    def send_messages(self, messages):
        super().send_messages(messages)
        raise WorkerKilled


def test_a_dead_workers_claim_is_recovered_by_the_next_tick_within_two_minutes(db, settings):
    """The worst case: the worker dies right after the server accepted, and a tick comes just
    as its lease would run out (and finds nothing); the next tick, one interval later, sends the
    e-mail again, with the same Message-ID, less than two minutes after the worker died."""
    tick = settings.CELERY_BEAT_SCHEDULE["deliver-pending-emails"]["schedule"]
    settings.EMAIL_BACKEND = f"{__name__}.KilledRightAfterAcceptance"
    email = queued("Accepted, then the worker was killed")
    died = timezone.now()
    with time_machine.travel(died, tick=False), pytest.raises(WorkerKilled):
        services.deliver_email(email_id=email.pk)
    assert row(email).state == OutgoingEmail.State.SENDING

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    with time_machine.travel(died + CLAIM_LEASE, tick=False):
        assert services.deliver_pending_emails() == 0
    next_tick = died + CLAIM_LEASE + tick
    with time_machine.travel(next_tick, tick=False):
        assert services.deliver_pending_emails() == 1
    assert next_tick - died <= timedelta(minutes=2)
    assert row(email).state == OutgoingEmail.State.SENT
    assert row(email).attempts == 2
    assert sent_ids() == [row(email).message_id] * 2


def test_a_claim_of_the_code_before_leases_is_taken_over_after_a_lease(db):
    email = queued("Claimed by an old worker")
    start = timezone.now()
    OutgoingEmail.objects.filter(pk=email.pk).update(
        state=OutgoingEmail.State.SENDING, claimed_at=start, lease_until=None, attempts=1
    )
    with time_machine.travel(start + CLAIM_LEASE - timedelta(seconds=1), tick=False):
        assert services.deliver_pending_emails() == 0
    with time_machine.travel(start + CLAIM_LEASE + timedelta(seconds=1), tick=False):
        assert services.deliver_pending_emails() == 1


class SlowBackend(LocmemBackend):
    """A mail server that takes its time; notes the claim's lease while it talks."""

    leases = []

    def send_messages(self, messages):
        with psycopg.connect(libpq_dsn(), autocommit=True) as other:
            for _ in range(6):
                time.sleep(0.1)
                (lease,) = other.execute(
                    "SELECT lease_until FROM aftersales_outgoingemail"
                ).fetchone()
                SlowBackend.leases.append(lease)
        return super().send_messages(messages)


def test_a_live_sender_renews_its_lease(transactional_db, settings, monkeypatch):
    settings.EMAIL_BACKEND = f"{__name__}.SlowBackend"
    SlowBackend.leases = []
    monkeypatch.setattr(services, "LEASE_RENEWAL", timedelta(seconds=0.15))
    queued("Slow server")
    assert services.deliver_pending_emails() == 1
    assert row(OutgoingEmail.objects.get()).state == OutgoingEmail.State.SENT
    # Seen from outside, the lease moved forward while the conversation went on.
    assert len(set(SlowBackend.leases)) >= 3, SlowBackend.leases
    assert SlowBackend.leases == sorted(SlowBackend.leases)


class DatabaseRestartsDuringSend(LocmemBackend):
    """While the server takes the message, the database drops the sender's connection (as a
    PostgreSQL restart does)."""

    def send_messages(self, messages):
        pid = connection.connection.info.backend_pid
        with psycopg.connect(libpq_dsn(), autocommit=True) as other:
            other.execute("SELECT pg_terminate_backend(%s)", [pid])
        return super().send_messages(messages)


def test_an_accepted_email_is_marked_sent_through_a_database_restart(transactional_db, settings):
    settings.EMAIL_BACKEND = f"{__name__}.DatabaseRestartsDuringSend"
    email = queued("Accepted, then the database went away")
    assert services.deliver_email(email_id=email.pk) is True
    assert row(email).state == OutgoingEmail.State.SENT
    assert len(mail.outbox) == 1


# --- A worker's broken database connection heals on the next task ------------------------------


@pytest.fixture
def broker():
    url = os.environ.get("REDIS_URL", "")
    if IN_CI and not url:
        pytest.fail("CI must run the worker tests against Redis: set REDIS_URL.")
    require_service(url and redis_reachable(url), f"Redis ({url or 'REDIS_URL unset'})")
    with reserved_broker(url) as reserved:
        yield reserved


@pytest.fixture
def worker(transactional_db, broker, tmp_path):
    """One `celery worker` process with one pool child, reusing its database connection between
    tasks as in production (CELERY_DB_REUSE_MAX); the test's messages go to its broker."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("CELERY_")}
    env.update(
        DJANGO_SETTINGS_MODULE="aftersales.settings",
        DATABASE_URL=database_url(connection.settings_dict),
        REDIS_URL=broker.url,
        EMAIL_URL="consolemail://",
    )
    process = Worker(
        "heal", queues=[main_app.conf.task_default_queue], env=env, log_dir=tmp_path, concurrency=1
    )
    with enqueuing_to(broker.url):
        process.start().wait_ready()
        yield process
        stop_workers([process])


def other_backends():
    """Process ids of the other sessions on the test database: the worker's."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid()"
        )
        return [pid for (pid,) in cursor.fetchall()]


def test_a_worker_whose_connection_was_killed_runs_the_next_task_on_a_fresh_one(worker):
    def sent(email):
        return lambda: row(email).state == OutgoingEmail.State.SENT

    # Created directly (queue_email would enqueue a second delivery task on commit, which could
    # still be running when the connection is killed below and fail as a retry).
    first = OutgoingEmail.objects.create(to_address="a@example.com", subject="Before", body="")
    deliver_email.delay(first.pk)
    assert wait_until(sent(first), timeout=30), worker.log()
    (worker_backend,) = other_backends()

    # The database ends the worker's session, as a restart does; the worker does not notice.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [worker_backend])
    assert wait_until(lambda: worker_backend not in other_backends(), timeout=10)

    # The very next task succeeds (not a retry: the tick is not running, and no error logged).
    second = OutgoingEmail.objects.create(to_address="b@example.com", subject="After", body="")
    deliver_pending_emails.delay()
    assert wait_until(sent(second), timeout=30), worker.log()
    log = worker.log(last=100_000)
    assert "OperationalError" not in log and "InterfaceError" not in log, log
    assert "succeeded" in log.rsplit("deliver_pending_emails", 1)[-1], log
    # ...on one fresh connection, kept for the tasks after it.
    (fresh_backend,) = other_backends()
    assert fresh_backend != worker_backend
    third = queued("Later")
    deliver_email.delay(third.pk)
    assert wait_until(sent(third), timeout=30), worker.log()
    assert other_backends() == [fresh_backend]


# --- The on-commit enqueue never waits for a broker that is away --------------------------------


@pytest.fixture
def closed_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_server():
    """A port that takes connections and never answers (a hung broker, a half-open link)."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(16)
        yield listener.getsockname()[1]


@pytest.fixture
def publishing_resumed():
    resume_publishing()
    yield
    close_quick_connection()
    resume_publishing()


@pytest.mark.parametrize("server", ["closed_port", "silent_server"])
def test_an_on_commit_enqueue_to_an_unreachable_broker_returns_within_a_third_of_a_second(
    db, request, server, publishing_resumed, django_capture_on_commit_callbacks, caplog
):
    port = request.getfixturevalue(server)
    with enqueuing_to(f"redis://127.0.0.1:{port}/0"):
        with django_capture_on_commit_callbacks() as callbacks:
            email = queued("Written while Redis is away")
        started = time.monotonic()
        for callback in callbacks:
            callback()
        elapsed = time.monotonic() - started
        # The next one does not even try for a few seconds.
        with django_capture_on_commit_callbacks(execute=True):
            queued("And another")
        close_quick_connection()
    assert elapsed < 0.3, f"{elapsed:.3f} s"
    assert len(callbacks) == 1
    assert "periodic tick will pick it up" in caplog.text
    # Nothing is lost: the row waits, and the tick sends it.
    assert row(email).state == OutgoingEmail.State.PENDING
    assert services.deliver_pending_emails() == 2


def test_a_slow_publish_does_not_hold_the_request_longer_than_the_timeout(
    db, silent_server, publishing_resumed, django_capture_on_commit_callbacks, settings
):
    settings.ON_COMMIT_PUBLISH_TIMEOUT = 0.05
    with enqueuing_to(f"redis://127.0.0.1:{silent_server}/0"):
        started = time.monotonic()
        with django_capture_on_commit_callbacks(execute=True):
            queued()
        elapsed = time.monotonic() - started
        close_quick_connection()
    assert elapsed < 0.2, f"{elapsed:.3f} s"


def test_publishing_resumes_after_the_pause(db, publishing_resumed, monkeypatch, closed_port):
    from aftersales import celery as celery_module

    sent = []
    monkeypatch.setattr(celery_module, "PUBLISH_PAUSE_SECONDS", 0.2)
    with enqueuing_to(f"redis://127.0.0.1:{closed_port}/0") as app:
        assert celery_module.publish_quickly("aftersales.tasks.deliver_email", [1]) is False
        monkeypatch.setattr(app, "send_task", lambda *args, **kwargs: sent.append(args))
        assert celery_module.publish_quickly("aftersales.tasks.deliver_email", [1]) is False
        assert sent == []
        time.sleep(0.25)
        assert celery_module.publish_quickly("aftersales.tasks.deliver_email", [1]) is True
        assert sent == [("aftersales.tasks.deliver_email",)]
        close_quick_connection()


def test_queue_email_publishes_through_the_quick_enqueue(
    db, django_capture_on_commit_callbacks, monkeypatch
):
    from aftersales import celery as celery_module

    published = []
    monkeypatch.setattr(
        celery_module, "publish_quickly", lambda name, args, kwargs: published.append((name, args))
    )
    with django_capture_on_commit_callbacks(execute=True):
        email = queued()
    assert published == [("aftersales.tasks.deliver_email", [email.pk])]


# Where the project may talk to the broker itself; everything else enqueues on commit through it.
QUICK_ENQUEUE_MODULE = Path("aftersales/celery.py")
ENQUEUE_ATTRIBUTES = {"delay", "apply_async", "send_task"}


def enqueues(path):
    """`task.delay(...)`, `task.apply_async`, `app.send_task` in a module, called or handed on
    (as in `transaction.on_commit(task.delay)`)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ENQUEUE_ATTRIBUTES:
            yield f"{path}:{node.lineno} {node.attr}"


def test_every_enqueue_in_the_project_goes_through_the_quick_on_commit_path():
    """An enqueue of its own would wait for the broker's full connect timeout and retries while
    Redis is down, slowing the write behind it (`transaction.on_commit` for other work, such as
    deleting files, is fine)."""
    root = Path(__file__).resolve().parent.parent.parent
    modules = [
        path.relative_to(root)
        for app in ("aftersales", "customers", "followups", "quality", "staff", "scripts")
        for path in sorted((root / app).rglob("*.py"))
    ]
    assert QUICK_ENQUEUE_MODULE in modules
    found = [
        enqueue
        for module in modules
        if module != QUICK_ENQUEUE_MODULE
        for enqueue in enqueues(root / module)
    ]
    assert found == []
    assert [name.split()[-1] for name in enqueues(root / QUICK_ENQUEUE_MODULE)] == ["send_task"]


def test_the_lease_renewal_thread_does_not_outlive_the_send(db):
    before = {thread.name for thread in threading.enumerate()}
    queued()
    assert services.deliver_pending_emails() == 1
    assert {thread.name for thread in threading.enumerate()} <= before
