"""Issue 4, "Reliability requirements": the follow-up ticks and the outbox against real
PostgreSQL, real Redis and real `celery -A aftersales worker` processes.

Each test runs its workers on a Redis database of its own (reliability_helpers.reserved_broker),
routes the ticks to a queue of its own, and lets the workers send e-mail through django's file
backend, so that what separate processes sent can be counted message by message. The workers
read the test database, so the tests use transactional database access: what the test writes is
committed, and the tables are emptied afterwards.

The ticks read `timezone.now()` in the workers, which time-machine cannot move across processes.
The data is therefore laid out around the real now, in branches whose local time is at least two
hours away from midnight (so "today" cannot change during a test), with the digest time at 00:00.
"""

import os
import re
import uuid
from collections import Counter
from datetime import time, timedelta
from decimal import Decimal
from time import monotonic
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.db.models import F, Q
from django.utils import timezone

from aftersales import services as core
from aftersales.celery import app as main_app
from aftersales.models import Notification, OutgoingEmail
from aftersales.services import CLAIM_LEASE
from aftersales.tasks import deliver_email, deliver_pending_emails
from customers import services as customer_services
from customers.models import Customer, Purchase
from customers.signals import purchase_logged
from followups.models import (
    AssigneeRole,
    BranchPolicy,
    ContactChannel,
    FollowUp,
    Playbook,
    PlaybookStep,
    Purpose,
    StepKind,
)
from followups.tasks import escalate_overdue_followups, mark_missed_followups, send_daily_digests
from tests.aftersales.factories import BranchFactory, UserFactory
from tests.conftest import IN_CI, require_service
from tests.customers.factories import ProductCategoryFactory, ProductFactory
from tests.followups.reliability_helpers import (
    Mailbox,
    Worker,
    database_url,
    enqueuing_to,
    file_email_url,
    redis_reachable,
    reserved_broker,
    stop_workers,
    wait_until,
)

pytestmark = pytest.mark.django_db(transaction=True)

# Zones spread around the globe: at any moment some of them are far from midnight.
ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Asia/Tokyo",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "Pacific/Auckland",
]
# Large enough that the kill falls in the middle, small enough for a two-core CI machine.
BATCH = 1000
ESCALATE_AFTER_DAYS = 3  # BranchPolicy's default, which the tests keep
DIGEST = "followup_digest"
ESCALATION = "followup_escalation"
ESCALATION_SUBJECT = re.compile(r"^(\d+) follow-ups? overdue in (.+)$")
LISTED_TITLE = re.compile(r"^- \S+ (FU \d+):", re.MULTILINE)
QUIET_SECONDS = 0.5


# Fixtures: broker, queues, workers, mailbox


@pytest.fixture
def broker():
    url = os.environ.get("REDIS_URL", "")
    if IN_CI and not url:
        pytest.fail("CI must run the reliability tests against Redis: set REDIS_URL.")
    require_service(bool(url) and redis_reachable(url), f"Redis at REDIS_URL ({url or 'unset'})")
    with reserved_broker(url) as reserved:
        yield reserved


@pytest.fixture
def queue():
    """The tick messages of this test go here, apart from anyone else's."""
    return f"reliability-{uuid.uuid4().hex[:8]}"


@pytest.fixture
def queues(queue):
    # The outbox enqueues its on-commit deliveries on the default queue; the workers take both.
    return [queue, main_app.conf.task_default_queue]


@pytest.fixture
def producer(broker):
    with enqueuing_to(broker.url) as app:
        yield app


@pytest.fixture
def mailbox(tmp_path):
    return Mailbox(tmp_path / "mail")


@pytest.fixture
def start_worker(transactional_db, broker, queues, mailbox, tmp_path):
    """Start `celery -A aftersales worker` processes on the test database and the test's Redis
    database; all of them are stopped (or killed) before the tables are emptied."""
    env = {name: value for name, value in os.environ.items() if not name.startswith("CELERY_")}
    env.update(
        DJANGO_SETTINGS_MODULE="aftersales.settings",
        DATABASE_URL=database_url(connection.settings_dict),
        REDIS_URL=broker.url,
        EMAIL_URL=file_email_url(mailbox.folder),
    )
    started = []

    def start(name, *, concurrency=2):
        worker = Worker(name, queues=queues, env=env, log_dir=tmp_path, concurrency=concurrency)
        started.append(worker)
        return worker.start()

    yield start
    stop_workers(started)


def settle(condition, *, broker, queues, timeout, beat=None, ignore_unacked=()):
    """Wait until `condition` holds and no message waits or is being worked on, for half a
    second in a row (a message is briefly in neither place while a worker takes it)."""
    quiet_since = []

    def quiet():
        if condition() and broker.is_idle(queues, ignore_unacked=ignore_unacked):
            quiet_since.append(monotonic())
            return quiet_since[-1] - quiet_since[0] >= QUIET_SECONDS
        quiet_since.clear()
        return False

    return wait_until(quiet, timeout=timeout, interval=0.2, beat=beat)


def logs(*workers):
    return "\n".join(f"--- {worker.name}\n{worker.log()}" for worker in workers)


# Data


def zones_far_from_midnight(count):
    now = timezone.now()
    zones = [zone for zone in ZONES if 2 <= now.astimezone(ZoneInfo(zone)).hour < 22]
    return zones[:count]


def local_today(branch):
    return timezone.now().astimezone(branch.zone).date()


def make_branch(code, zone):
    branch = BranchFactory(name=code.title(), code=code, time_zone=zone)
    BranchPolicy.objects.create(branch=branch, digest_time=time(0, 0))
    return branch


def make_customers(branch, count):
    return Customer.objects.bulk_create(
        [
            Customer(first_name="Kundin", last_name=f"{branch.code}-{number}", branch=branch)
            for number in range(count)
        ],
        batch_size=2000,
    )


def followup(*, number, branch, customer, assignee, due, status=FollowUp.Status.OPEN):
    return FollowUp(
        customer=customer,
        branch=branch,
        kind=StepKind.CHECK_IN,
        channel=ContactChannel.PHONE,
        purpose=Purpose.CARE,
        title=f"FU {number:05d}",
        assignee_role=AssigneeRole.SALESPERSON,
        assignee=assignee,
        planned_date=due,
        due_date=due,
        status=status,
    )


def expected_digest_subjects(branches):
    """{assignee pk: subject} from the open follow-ups due by each branch's local today."""
    due, overdue = Counter(), Counter()
    for branch in branches:
        today = local_today(branch)
        rows = FollowUp.objects.filter(
            branch=branch, status=FollowUp.Status.OPEN, due_date__lte=today, assignee__isnull=False
        ).values_list("assignee_id", "due_date")
        for assignee_id, due_date in rows:
            due[assignee_id] += 1
            overdue[assignee_id] += due_date < today
    return {
        pk: f"{count} follow-up{'s' if count != 1 else ''} for today ({overdue[pk]} overdue)"
        for pk, count in due.items()
    }


def sent_once_each(mailbox):
    """Every outbox row is sent, claimed once, and the workers' mail folder holds each exactly
    once (compared as a multiset of recipient, subject and text)."""
    rows = list(OutgoingEmail.objects.values_list("to_address", "subject", "body", "state"))
    assert {state for *_message, state in rows} <= {OutgoingEmail.State.SENT}
    assert not OutgoingEmail.objects.exclude(attempts=1).exists()
    expected = Counter((to, subject, body.strip()) for to, subject, body, _state in rows)
    written = mailbox.counter()
    assert written == expected, {
        "sent twice or more": {key: n for key, n in written.items() if n > expected[key]},
        "never sent": {key: n for key, n in expected.items() if written[key] < n},
    }
    return len(rows)


def undelivered():
    return OutgoingEmail.objects.filter(
        state__in=[OutgoingEmail.State.PENDING, OutgoingEmail.State.SENDING]
    ).exists()


# 1. Two workers, two beats


def test_two_workers_and_two_beats_send_one_digest_each_and_escalate_once(
    start_worker, producer, broker, queue, queues, mailbox
):
    north_zone, south_zone = zones_far_from_midnight(2)
    branches = [make_branch("NORTH", north_zone), make_branch("SOUTH", south_zone)]
    sellers = {
        branch: [
            UserFactory(username=f"{branch.code.lower()}{n}", roles=["sales"], branches=[branch])
            for n in range(25)
        ]
        for branch in branches
    }
    managers = {
        branches[0]: [
            UserFactory(username="mia", roles=["manager"], branches=[branches[0]]),
            UserFactory(username="max", roles=["manager"], branches=[branches[0]]),
        ],
        branches[1]: [UserFactory(username="sue", roles=["manager"], branches=[branches[1]])],
    }
    customers = {branch: make_customers(branch, 1000) for branch in branches}
    rows = []
    for number in range(10_000):
        branch = branches[number % 2]
        # Due today down to nine days ago: six days in ten are past the escalation limit.
        rows.append(
            followup(
                number=number,
                branch=branch,
                customer=customers[branch][number // 2 % 1000],
                assignee=sellers[branch][number // 2 % 25],
                due=local_today(branch) - timedelta(days=number // 50 % 10),
            )
        )
    # Beside them, per branch, what must stay out of the digests or the escalations.
    extras = [
        # (how many, days from today, status, assigned)
        (40, +2, FollowUp.Status.OPEN, True),  # not due yet
        (40, -8, FollowUp.Status.DONE, True),  # done already
        (20, -6, FollowUp.Status.OPEN, False),  # unassigned: escalates, in nobody's digest
    ]
    number = 10_000
    for branch in branches:
        for count, days, status, assigned in extras:
            for n in range(count):
                number += 1
                rows.append(
                    followup(
                        number=number,
                        branch=branch,
                        customer=customers[branch][n],
                        assignee=sellers[branch][n % 25] if assigned else None,
                        due=local_today(branch) + timedelta(days=days),
                        status=status,
                    )
                )
    FollowUp.objects.bulk_create(rows, batch_size=2000)
    overdue = {
        branch: set(
            FollowUp.objects.filter(
                branch=branch,
                status=FollowUp.Status.OPEN,
                due_date__lt=local_today(branch) - timedelta(days=ESCALATE_AFTER_DAYS),
            ).values_list("pk", flat=True)
        )
        for branch in branches
    }
    assert [len(pks) for pks in overdue.values()] == [3020, 3020]
    digest_subjects = expected_digest_subjects(branches)
    assert len(digest_subjects) == 50

    workers = [start_worker("twin-a"), start_worker("twin-b")]
    for worker in workers:
        worker.wait_ready()
    # Two beats fire the same ticks at the same moment, plus the outbox's safety net.
    for task in (
        send_daily_digests,
        escalate_overdue_followups,
        send_daily_digests,
        escalate_overdue_followups,
        deliver_pending_emails,
    ):
        task.apply_async(queue=queue)

    def finished():
        late = [
            Q(branch=branch, due_date__lt=local_today(branch) - timedelta(days=ESCALATE_AFTER_DAYS))
            for branch in branches
        ]
        return (
            Notification.objects.filter(kind=DIGEST).count() >= 50
            and not FollowUp.objects.filter(
                late[0] | late[1], status=FollowUp.Status.OPEN, escalated_at__isnull=True
            ).exists()
            and not undelivered()
        )

    assert settle(
        finished,
        broker=broker,
        queues=queues,
        timeout=90,
        beat=lambda: deliver_pending_emails.apply_async(queue=queue),
    ), logs(*workers)

    # Every assignee: exactly one digest, for the branch's today, counting what was due.
    digests = Notification.objects.filter(kind=DIGEST)
    assert Counter(digests.values_list("recipient_id", flat=True)) == dict.fromkeys(
        digest_subjects, 1
    )
    assert {d.recipient_id: d.subject for d in digests} == digest_subjects
    today_of = {seller.pk: local_today(b) for b, people in sellers.items() for seller in people}
    assert {d.dedupe_key for d in digests} == {
        f"followup-digest:{pk}:{today_of[pk].isoformat()}" for pk in digest_subjects
    }

    # Every overdue follow-up escalated, nothing else; each manager was told of each once.
    escalated = FollowUp.objects.filter(escalated_at__isnull=False).values_list("pk", flat=True)
    assert set(escalated) == overdue[branches[0]] | overdue[branches[1]]
    for branch in branches:
        for manager in managers[branch]:
            notifications = Notification.objects.filter(kind=ESCALATION, recipient=manager)
            told = [ESCALATION_SUBJECT.match(n.subject) for n in notifications]
            assert {match[2] for match in told} == {branch.name}
            assert sum(int(match[1]) for match in told) == len(overdue[branch])
            listed = [title for n in notifications for title in LISTED_TITLE.findall(n.body)]
            assert len(listed) == len(set(listed))
    assert not Notification.objects.exclude(kind__in=[DIGEST, ESCALATION]).exists()

    # Every e-mail (digests and escalations) left exactly once, whichever process sent it.
    assert sent_once_each(mailbox) == Notification.objects.count()


# 2. A worker killed in the middle of a batch


def test_a_worker_killed_mid_batch_loses_nothing_and_sends_nothing_twice(
    start_worker, producer, broker, queue, queues, mailbox
):
    emails = OutgoingEmail.objects.bulk_create(
        OutgoingEmail(to_address=f"buyer{n}@example.com", subject=f"Batch {n:04d}", body="Hi")
        for n in range(BATCH)
    )
    # The batch as it reaches a worker: the beat's delivery tick, which walks the outbox, and
    # the delivery message that the outbox enqueued on commit for each e-mail. Both race for the
    # same rows.
    with producer.producer_or_acquire() as publisher:
        deliver_pending_emails.apply_async(queue=queue, producer=publisher)
        for outgoing in emails:
            deliver_email.apply_async(args=[outgoing.pk], queue=queue, producer=publisher)
    assert broker.queue_length(queue) == BATCH + 1

    def sent():
        return OutgoingEmail.objects.filter(state=OutgoingEmail.State.SENT).count()

    victim = start_worker("victim")
    assert wait_until(lambda: sent() >= BATCH // 10, timeout=60), logs(victim)
    victim.kill()
    sent_before_kill = sent()
    assert sent_before_kill < BATCH, "The batch was done before the kill: make it larger."

    # What the dead worker left: messages it had taken but not acknowledged (Redis gives them
    # back only after the visibility timeout, an hour), and claims it held ("sending").
    dead_unacked = broker.unacked()
    claimed = {e.pk for e in OutgoingEmail.objects.filter(state=OutgoingEmail.State.SENDING)}
    assert len(claimed) <= victim.concurrency
    # A claim whose message is already in the mail folder was killed between the hand-over to
    # the mail backend and the update to "sent". The design accepts that such an e-mail goes
    # out again once its claim is taken over (the backend accepted it, the database never
    # heard of it); every other e-mail must leave exactly once.
    on_disk = {subject for _to, subject, _text in mailbox.messages()}
    ambiguous = {e.pk for e in emails if e.pk in claimed and e.subject in on_disk}

    # A claim is taken over once its lease (CLAIM_LEASE, which only a live sender renews) ran
    # out. Time cannot be moved for other processes, so the leases are ended instead: exactly
    # what waiting for them would do to these rows, and nothing else changes.
    OutgoingEmail.objects.filter(state=OutgoingEmail.State.SENDING).update(
        lease_until=F("lease_until") - CLAIM_LEASE - timedelta(seconds=1)
    )
    rescuer = start_worker("rescuer")
    assert settle(
        lambda: not undelivered(),
        broker=broker,
        queues=queues,
        timeout=90,
        beat=lambda: deliver_pending_emails.apply_async(queue=queue),
        ignore_unacked=dead_unacked,
    ), logs(victim, rescuer)

    assert sent() == BATCH
    written = Counter(subject for _to, subject, _text in mailbox.messages())
    assert written == {e.subject: 2 if e.pk in ambiguous else 1 for e in emails}, {
        "twice": sorted(subject for subject, n in written.items() if n > 1),
        "ambiguous": sorted(ambiguous),
    }
    # A resend is the same message: every copy carries its row's one Message-ID.
    message_ids = {e.subject: e.message_id for e in OutgoingEmail.objects.all()}
    assert mailbox.message_ids() == Counter(
        {(subject, message_ids[subject]): n for subject, n in written.items()}
    )
    # Only the dead worker's claims were taken over; no e-mail was claimed twice otherwise.
    assert set(OutgoingEmail.objects.filter(attempts=2).values_list("pk", flat=True)) == claimed
    assert not OutgoingEmail.objects.exclude(attempts__in=[1, 2]).exists()


# 3. The broker's contents lost


def test_the_next_tick_sends_what_a_flushed_broker_lost(
    start_worker, producer, broker, queue, queues, mailbox
):
    (zone,) = zones_far_from_midnight(1)
    branch = make_branch("NORTH", zone)
    sellers = [
        UserFactory(username=f"seller{n}", roles=["sales"], branches=[branch]) for n in range(5)
    ]
    customers = make_customers(branch, 20)
    FollowUp.objects.bulk_create(
        followup(
            number=n,
            branch=branch,
            customer=customers[n],
            assignee=sellers[n % 5],
            due=local_today(branch) - timedelta(days=n % 3),
        )
        for n in range(20)
    )
    # Work written while Redis is up: notifications whose deliveries are enqueued on commit, and
    # a digest tick that beat has just sent.
    for n in range(40):
        core.notify(recipient=sellers[n % 5], kind="info", subject=f"Before the flush {n}")
    send_daily_digests.apply_async(queue=queue)
    default_queue = main_app.conf.task_default_queue
    assert (broker.queue_length(default_queue), broker.queue_length(queue)) == (40, 1)

    broker.flush()  # Redis flushed, or restarted without persistence, before any worker ran
    assert broker.client.dbsize() == 0

    worker = start_worker("after-flush")

    def beat():
        send_daily_digests.apply_async(queue=queue)
        deliver_pending_emails.apply_async(queue=queue)

    beat()
    assert settle(
        lambda: Notification.objects.filter(kind=DIGEST).count() >= 5 and not undelivered(),
        broker=broker,
        queues=queues,
        timeout=60,
        beat=beat,
    ), logs(worker)

    assert Notification.objects.filter(kind="info").count() == 40
    assert Counter(
        Notification.objects.filter(kind=DIGEST).values_list("recipient_id", flat=True)
    ) == {seller.pk: 1 for seller in sellers}
    assert sent_once_each(mailbox) == 45


# 4. Re-delivered signals and repeated ticks


def test_a_repeated_purchase_signal_or_tick_changes_nothing(
    start_worker, producer, broker, queue, queues, mailbox
):
    (zone,) = zones_far_from_midnight(1)
    branch = make_branch("NORTH", zone)
    seller = UserFactory(username="alice", roles=["sales"], branches=[branch])
    UserFactory(username="mia", roles=["manager"], branches=[branch])
    cars = ProductCategoryFactory(code="cars")
    car = ProductFactory(category=cars, list_price=Decimal("30000"))
    playbook = Playbook.objects.create(name="Cars", category=cars)
    for offset, kind in [(1, StepKind.THANK_YOU), (7, StepKind.CHECK_IN), (30, StepKind.CUSTOM)]:
        PlaybookStep.objects.create(playbook=playbook, offset_days=offset, kind=kind, title=kind)
    [customer, *others] = make_customers(branch, 10)
    today = timezone.localdate()
    purchase = customer_services.log_purchase(
        by=seller,
        customer=customer,
        branch=branch,
        salesperson=seller,
        purchase_date=today - timedelta(days=12),
        handover_date=today - timedelta(days=10),
        lines=[(car, 1, car.list_price)],
    )

    def plan():
        return sorted(
            FollowUp.objects.filter(purchase=purchase).values_list(
                "pk", "step_id", "due_date", "assignee_id", "status"
            )
        )

    planned = plan()
    assert len(planned) == 3
    purchase_logged.send(sender=Purchase, purchase=purchase)
    purchase_logged.send(sender=Purchase, purchase=purchase)
    assert plan() == planned

    # Beside the purchase's own plan: due today, past the escalation limit, past the deadline.
    local = local_today(branch)
    FollowUp.objects.bulk_create(
        followup(
            number=n,
            branch=branch,
            customer=others[n],
            assignee=seller,
            due=local - timedelta(days=days),
        )
        for n, days in enumerate([0, 0, 5, 5, 20, 20])
    )

    def state():
        return {
            "follow-ups": sorted(
                FollowUp.objects.values_list(
                    "pk", "status", "due_date", "escalated_at", "missed_at", "updated_at"
                )
            ),
            "notifications": sorted(
                Notification.objects.values_list("pk", "kind", "recipient_id", "subject")
            ),
            "e-mails": sorted(
                OutgoingEmail.objects.values_list("pk", "state", "attempts", "sent_at")
            ),
            "mail folder": sorted(mailbox.messages()),
        }

    # One worker process with one child runs the ticks in the order they were sent: each tick
    # finishes before the next starts, so that the second round meets a finished first one.
    worker = start_worker("repeat", concurrency=1)

    def every_tick_once():
        for task in (
            send_daily_digests,
            escalate_overdue_followups,
            mark_missed_followups,
            deliver_pending_emails,
        ):
            task.apply_async(queue=queue)
        assert settle(
            lambda: not undelivered(),
            broker=broker,
            queues=queues,
            timeout=40,
            beat=lambda: deliver_pending_emails.apply_async(queue=queue),
        ), logs(worker)

    every_tick_once()
    first = state()
    assert Counter(kind for _pk, kind, *_rest in first["notifications"]) == {
        DIGEST: 1,
        ESCALATION: 1,
    }
    statuses = Counter(status for _pk, status, *_rest in first["follow-ups"])
    assert statuses == {FollowUp.Status.OPEN: 7, FollowUp.Status.MISSED: 2}
    assert len(first["mail folder"]) == 2

    every_tick_once()
    assert state() == first
