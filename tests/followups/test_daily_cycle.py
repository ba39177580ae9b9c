"""The daily cycle with time travel: digests, escalations, missed follow-ups, retries."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from aftersales.errors import DomainError
from aftersales.models import Notification
from aftersales.services import deliver_pending_emails
from followups import services
from followups.models import BranchPolicy, ContactEvent, FollowUp, StepKind
from followups.signals import followup_completed, followup_missed
from tests.aftersales.factories import BranchFactory, UserFactory
from tests.customers.factories import CustomerFactory

BERLIN = ZoneInfo("Europe/Berlin")
MONDAY = date(2026, 6, 8)


def at(day, hour, minute=0, zone=BERLIN):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)


@pytest.fixture
def signals():
    received = []

    def receiver(signal, **kwargs):
        received.append((signal, kwargs))

    followup_completed.connect(receiver)
    followup_missed.connect(receiver)
    yield received
    followup_completed.disconnect(receiver)
    followup_missed.disconnect(receiver)


def make_followup(branch, assignee, due, **fields):
    with time_machine.travel(at(due - timedelta(days=20), 12), tick=False):
        return services.schedule_followup(
            customer=CustomerFactory(branch=branch),
            branch=branch,
            kind=StepKind.CHECK_IN,
            title="Check-in",
            due_date=due,
            assignee=assignee,
            **fields,
        )


class TestDigest:
    def test_one_digest_per_assignee_after_the_branch_digest_time(self, owner, colleague, north):
        make_followup(north, owner, MONDAY)
        make_followup(north, owner, MONDAY - timedelta(days=2))
        make_followup(north, colleague, MONDAY + timedelta(days=3))  # not due yet
        Notification.objects.all().delete()
        assert services.send_daily_digests(now=at(MONDAY, 7, 29)) == 0
        assert services.send_daily_digests(now=at(MONDAY, 7, 31)) == 1
        assert services.send_daily_digests(now=at(MONDAY, 9, 0)) == 0
        digest = Notification.objects.get(kind="followup_digest")
        assert digest.recipient == owner
        assert digest.subject == "2 follow-ups for today (1 overdue)"
        deliver_pending_emails()
        digests = [message for message in mail.outbox if "for today" in message.subject]
        assert [message.to for message in digests] == [[owner.email]]

    def test_next_day_brings_a_new_digest(self, owner, north):
        make_followup(north, owner, MONDAY)
        assert services.send_daily_digests(now=at(MONDAY, 8)) == 1
        assert services.send_daily_digests(now=at(MONDAY + timedelta(days=1), 8)) == 1

    def test_digest_time_is_the_branchs_local_time(self, db):
        new_york = BranchFactory(code="NYC", time_zone="America/New_York")
        seller = UserFactory(username="nina", roles=["sales"], branches=[new_york])
        make_followup(new_york, seller, MONDAY)
        # 07:31 in Berlin is 01:31 in New York: too early there.
        assert services.send_daily_digests(now=at(MONDAY, 7, 31)) == 0
        assert services.send_daily_digests(now=at(MONDAY, 7, 31, ZoneInfo("America/New_York"))) == 1

    def test_digest_is_in_the_recipients_language(self, owner, north):
        owner.language = "de"
        owner.save()
        make_followup(north, owner, MONDAY)
        services.send_daily_digests(now=at(MONDAY, 8))
        digest = Notification.objects.get(kind="followup_digest")
        assert digest.subject == "1 Kontakt für heute (0 überfällig)"


class TestEscalation:
    def test_overdue_beyond_the_limit_escalates_to_the_manager_once(self, owner, manager, north):
        late = make_followup(north, owner, MONDAY - timedelta(days=4))
        make_followup(north, owner, MONDAY - timedelta(days=2))  # within the 3 days
        assert services.escalate_overdue_followups(now=at(MONDAY, 10)) == 1
        assert services.escalate_overdue_followups(now=at(MONDAY, 11)) == 0
        late.refresh_from_db()
        assert late.escalated_at is not None
        escalation = Notification.objects.get(kind="followup_escalation")
        assert escalation.recipient == manager
        assert "1 follow-up overdue in North" in escalation.subject

    def test_the_limit_is_configurable_per_branch(self, owner, manager, north):
        BranchPolicy.objects.create(branch=north, escalate_after_days=1)
        make_followup(north, owner, MONDAY - timedelta(days=2))
        assert services.escalate_overdue_followups(now=at(MONDAY, 10)) == 1


class TestMissed:
    def test_open_past_the_deadline_becomes_missed_and_says_so(self, owner, north, signals):
        forgotten = make_followup(north, owner, MONDAY - timedelta(days=16))  # a Saturday
        recent = make_followup(north, owner, MONDAY - timedelta(days=13))
        assert services.mark_missed_followups(now=at(MONDAY, 3)) == 1
        assert services.mark_missed_followups(now=at(MONDAY, 4)) == 0
        forgotten.refresh_from_db()
        recent.refresh_from_db()
        assert forgotten.status == FollowUp.Status.MISSED
        assert recent.status == FollowUp.Status.OPEN
        assert [(signal, kwargs["followup"]) for signal, kwargs in signals] == [
            (followup_missed, forgotten)
        ]


class TestCompletion:
    def test_not_reached_tries_again_then_gives_up(self, owner, north, signals):
        BranchPolicy.objects.create(branch=north, max_attempts=2)
        followup = make_followup(north, owner, MONDAY)
        with time_machine.travel(at(MONDAY, 10), tick=False):
            services.complete_followup(followup=followup, by=owner, outcome="not_reached")
            followup.refresh_from_db()
            assert followup.status == FollowUp.Status.OPEN
            assert followup.due_date == MONDAY + timedelta(days=1)
            services.complete_followup(followup=followup, by=owner, outcome="not_reached")
        followup.refresh_from_db()
        assert followup.status == FollowUp.Status.MISSED
        assert [signal for signal, _kwargs in signals] == [
            followup_completed,
            followup_missed,
            followup_completed,
        ]
        assert not ContactEvent.objects.exists()

    def test_a_concern_is_announced_with_its_description(self, owner, north, signals):
        followup = make_followup(north, owner, MONDAY)
        with pytest.raises(DomainError) as error:
            services.complete_followup(followup=followup, by=owner, outcome="concern")
        assert error.value.field == "concern"
        services.complete_followup(
            followup=followup, by=owner, outcome="concern", concern="Wind noise at 120 km/h"
        )
        signal, kwargs = signals[-1]
        assert signal is followup_completed
        assert kwargs["outcome"] == "concern"
        assert kwargs["followup"].concern == "Wind noise at 120 km/h"
        assert ContactEvent.objects.get().followup == followup

    def test_done_cannot_be_completed_again(self, owner, north):
        followup = make_followup(north, owner, MONDAY)
        services.complete_followup(followup=followup, by=owner, outcome="satisfied", satisfaction=4)
        with pytest.raises(DomainError):
            services.complete_followup(followup=followup, by=owner, outcome="satisfied")

    def test_outsider_cannot_complete(self, owner, outsider, north):
        followup = make_followup(north, owner, MONDAY)
        with pytest.raises(DomainError):
            services.complete_followup(followup=followup, by=outsider, outcome="satisfied")

    def test_snooze_and_reassign(self, owner, colleague, outsider, north):
        followup = make_followup(north, owner, MONDAY)
        with time_machine.travel(at(MONDAY, 10), tick=False):
            with pytest.raises(DomainError):
                services.snooze_followup(
                    followup=followup, by=owner, until=MONDAY + timedelta(days=6), reason=""
                )
            services.snooze_followup(
                followup=followup,
                by=owner,
                until=MONDAY + timedelta(days=6),  # a Sunday
                reason="Customer on holiday",
            )
        followup.refresh_from_db()
        assert followup.due_date == MONDAY + timedelta(days=7)
        with pytest.raises(DomainError):
            services.reassign_followup(followup=followup, to=outsider, by=owner)
        services.reassign_followup(followup=followup, to=colleague, by=owner)
        followup.refresh_from_db()
        assert followup.assignee == colleague
        assert Notification.objects.filter(recipient=colleague, kind="followup_assigned").exists()


def test_escalation_goes_to_administrators_when_a_branch_has_no_manager(owner, admin_user, north):
    make_followup(north, owner, MONDAY - timedelta(days=5))
    assert services.escalate_overdue_followups(now=at(MONDAY, 10)) == 1
    assert Notification.objects.get(kind="followup_escalation").recipient == admin_user
