"""Deadline breaches escalate to the branch managers exactly once
(quality.services.escalate_breached_complaints, run by a Celery tick).

A medium complaint received on Tuesday 9 June 2026 at 10:00 in Berlin must be acknowledged within
4 working hours (14:00 the same day) and resolved within 10 working days (the branch works Monday
to Saturday by default: Saturday 20 June, end of the working day at 19:00).
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from aftersales.models import Notification
from quality import services, tasks
from quality.models import Complaint, ComplaintCategory, Nature, Severity
from tests.aftersales.factories import UserFactory
from tests.customers.factories import CustomerFactory

RECEIVED = datetime(2026, 6, 9, 8, 0, tzinfo=UTC)  # Tuesday 10:00 in Berlin
ACKNOWLEDGE_DUE = datetime(2026, 6, 9, 12, 0, tzinfo=UTC)  # 14:00 in Berlin
RESOLVE_DUE = datetime(2026, 6, 20, 17, 0, tzinfo=UTC)  # Saturday 19:00 in Berlin
MINUTE = timedelta(minutes=1)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(RECEIVED, tick=False) as traveller:
        yield traveller


@pytest.fixture
def sven(north):
    return UserFactory(username="sven", roles=["service"], branches=[north])


@pytest.fixture
def deputy(north):
    """A second manager of North: every manager of the branch is told."""
    return UserFactory(username="dora", roles=["manager"], branches=[north])


@pytest.fixture
def south_manager(south):
    return UserFactory(username="sue", roles=["manager"], branches=[south])


@pytest.fixture
def complaint(sven, north):
    category = ComplaintCategory.objects.create(name="Wind noise", code="test-wind-noise")
    return services.record_complaint(
        by=sven,
        customer=CustomerFactory(branch=north),
        category=category,
        description="A whistle from the driver's door above 100 km/h.",
        channel=Complaint.Channel.COUNTER,
        severity=Severity.MEDIUM,
        nature=Nature.SUBJECTIVE,
    )


def breach_notices(user, what=""):
    return Notification.objects.filter(
        recipient=user, kind="complaint_breach", subject__endswith=what
    )


NOT_ACKNOWLEDGED = "not acknowledged in time"
NOT_RESOLVED = "not resolved in time"


def test_the_deadlines_follow_the_branchs_working_time(complaint):
    assert complaint.acknowledge_due_at == ACKNOWLEDGE_DUE
    assert complaint.resolve_due_at == RESOLVE_DUE


def test_a_missed_acknowledgement_notifies_each_branch_manager_once(
    complaint, manager, deputy, south_manager, sven
):
    assert services.escalate_breached_complaints(now=ACKNOWLEDGE_DUE - MINUTE) == 0
    assert not Notification.objects.filter(kind="complaint_breach").exists()

    breached_at = ACKNOWLEDGE_DUE + MINUTE
    assert services.escalate_breached_complaints(now=breached_at) == 1

    for boss in (manager, deputy):
        notice = breach_notices(boss).get()
        assert notice.subject == f"Complaint {complaint.pk} {NOT_ACKNOWLEDGED}"
        assert notice.link == complaint.get_absolute_url()
    assert not breach_notices(south_manager).exists()
    assert not breach_notices(sven).exists()
    complaint.refresh_from_db()
    assert complaint.acknowledge_breach_escalated_at == breached_at
    assert complaint.resolve_breach_escalated_at is None

    # The next ticks find nothing new.
    assert services.escalate_breached_complaints(now=breached_at + MINUTE) == 0
    assert services.escalate_breached_complaints(now=breached_at + timedelta(hours=5)) == 0
    assert Notification.objects.filter(kind="complaint_breach").count() == 2


def test_a_complaint_acknowledged_in_time_does_not_breach_the_acknowledgement(
    clock, complaint, sven, manager
):
    clock.move_to(ACKNOWLEDGE_DUE - MINUTE)
    services.acknowledge_complaint(complaint=complaint, by=sven)

    assert services.escalate_breached_complaints(now=ACKNOWLEDGE_DUE + MINUTE) == 0
    assert not breach_notices(manager).exists()


def test_a_missed_resolution_notifies_each_branch_manager_once(
    clock, complaint, sven, manager, deputy
):
    services.acknowledge_complaint(complaint=complaint, by=sven)
    clock.move_to(RESOLVE_DUE - timedelta(days=3))
    services.start_complaint(complaint=complaint, by=sven)
    assert services.escalate_breached_complaints(now=RESOLVE_DUE - MINUTE) == 0

    assert services.escalate_breached_complaints(now=RESOLVE_DUE + MINUTE) == 1

    for boss in (manager, deputy):
        assert breach_notices(boss).get().subject == f"Complaint {complaint.pk} {NOT_RESOLVED}"
    complaint.refresh_from_db()
    assert complaint.resolve_breach_escalated_at == RESOLVE_DUE + MINUTE
    assert complaint.acknowledge_breach_escalated_at is None
    assert services.escalate_breached_complaints(now=RESOLVE_DUE + timedelta(days=2)) == 0
    assert Notification.objects.filter(kind="complaint_breach").count() == 2


def test_a_complaint_past_both_deadlines_escalates_each_once(complaint, manager):
    assert services.escalate_breached_complaints(now=RESOLVE_DUE + MINUTE) == 2

    assert breach_notices(manager, NOT_ACKNOWLEDGED).count() == 1
    assert breach_notices(manager, NOT_RESOLVED).count() == 1
    assert services.escalate_breached_complaints(now=RESOLVE_DUE + timedelta(days=1)) == 0
    assert breach_notices(manager).count() == 2


@pytest.mark.parametrize("close", [False, True])
def test_resolved_and_closed_complaints_do_not_breach(clock, complaint, sven, manager, close):
    clock.move_to(ACKNOWLEDGE_DUE - timedelta(hours=2))
    services.resolve_complaint(
        complaint=complaint,
        by=sven,
        resolution=Complaint.Resolution.ADJUSTMENT,
        customer_satisfied=True,
    )
    if close:
        services.close_complaint(complaint=complaint, by=sven)

    assert services.escalate_breached_complaints(now=RESOLVE_DUE + timedelta(days=30)) == 0
    assert not breach_notices(manager).exists()


def test_a_reopened_complaint_can_breach_again(clock, complaint, sven, manager):
    services.acknowledge_complaint(complaint=complaint, by=sven)
    assert services.escalate_breached_complaints(now=RESOLVE_DUE + MINUTE) == 1
    resolved_at = RESOLVE_DUE + timedelta(days=1)
    clock.move_to(resolved_at)
    services.resolve_complaint(complaint=complaint, by=sven, resolution=Complaint.Resolution.REPAIR)
    services.close_complaint(complaint=complaint, by=sven)
    # Thursday 25 June, 10:00 in Berlin: the customer calls back, the whistle is still there.
    reopened_at = datetime(2026, 6, 25, 8, 0, tzinfo=UTC)
    clock.move_to(reopened_at)

    complaint = services.reopen_complaint(complaint=complaint, by=sven, note="Still whistles.")

    # A fresh resolution deadline, 10 working days on: Tuesday 7 July, 19:00 in Berlin.
    new_due = datetime(2026, 7, 7, 17, 0, tzinfo=UTC)
    assert complaint.resolve_due_at == new_due
    assert complaint.resolve_breach_escalated_at is None
    assert services.escalate_breached_complaints(now=new_due - MINUTE) == 0

    assert services.escalate_breached_complaints(now=new_due + MINUTE) == 1

    assert breach_notices(manager, NOT_RESOLVED).count() == 2
    assert services.escalate_breached_complaints(now=new_due + timedelta(days=1)) == 0
    assert breach_notices(manager).count() == 2


def test_the_celery_tick_escalates_through_the_service(clock, complaint, manager):
    clock.move_to(ACKNOWLEDGE_DUE + MINUTE)

    assert tasks.escalate_breached_complaints() == 1
    assert tasks.escalate_breached_complaints() == 0
    assert breach_notices(manager).count() == 1
