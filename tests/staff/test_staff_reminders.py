"""Training and coaching reminders: sent at the right time (time travel), once each however
often the tick runs, to the employee and their branches' managers (deduplicated); superseded
records never remind."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.models import Notification, OutgoingEmail
from staff import tasks
from staff.models import TrainingRecord
from staff.people import services
from tests.aftersales.factories import UserFactory
from tests.staff.factories import CoachingActionFactory, CourseFactory, TrainingRecordFactory

BERLIN = ZoneInfo("Europe/Berlin")
EXPIRES = date(2026, 9, 30)


def at(day):
    return datetime.combine(day, time(9), tzinfo=BERLIN)


@pytest.fixture
def record(owner, manager):
    return TrainingRecordFactory(
        employee=owner,
        course=CourseFactory(title="Handover basics"),
        completed_on=date(2025, 9, 30),
        expires_on=EXPIRES,
    )


def kinds(user):
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def run(day):
    with time_machine.travel(at(day), tick=False):
        return services.send_training_reminders()


def test_nothing_31_days_before(record, owner):
    assert run(EXPIRES - timedelta(days=31)) == 0
    assert kinds(owner) == []


def test_warning_30_days_before_then_notice_on_the_day(record, owner, manager):
    assert run(EXPIRES - timedelta(days=30)) == 1
    assert kinds(owner) == ["training_expiring"] and kinds(manager) == ["training_expiring"]
    assert run(EXPIRES - timedelta(days=30)) == 0  # the next tick
    assert run(EXPIRES - timedelta(days=1)) == 0
    assert run(EXPIRES) == 1
    assert sorted(kinds(owner)) == ["training_expired", "training_expiring"]
    assert run(EXPIRES + timedelta(days=5)) == 0
    record.refresh_from_db()
    assert record.expiry_warning_sent_at and record.expiry_notice_sent_at
    assert OutgoingEmail.objects.filter(to_address=owner.email).count() == 2


def test_a_record_found_already_expired_gets_only_the_notice(record, owner):
    assert run(EXPIRES + timedelta(days=3)) == 1
    assert kinds(owner) == ["training_expired"]
    assert run(EXPIRES + timedelta(days=4)) == 0


def test_a_second_call_with_a_stale_marker_sends_nothing_twice(record, owner, manager):
    run(EXPIRES - timedelta(days=20))
    # As if a concurrent tick had read the row before the first one committed its marker:
    TrainingRecord.objects.filter(pk=record.pk).update(expiry_warning_sent_at=None)
    run(EXPIRES - timedelta(days=20))
    assert kinds(owner) == ["training_expiring"] and kinds(manager) == ["training_expiring"]


def test_renewed_records_never_remind(record, owner, manager):
    with time_machine.travel(at(EXPIRES - timedelta(days=40)), tick=False):
        services.record_training(
            by=manager,
            employee=owner,
            course=record.course,
            completed_on=EXPIRES - timedelta(days=40),
            result="passed",
        )
    assert run(EXPIRES) == 0
    assert kinds(owner) == []


def test_managers_of_each_branch_once(record, owner, manager, north, south):
    owner.branches.add(south)
    south_manager = UserFactory(roles=["manager"], branches=[north, south])
    run(EXPIRES - timedelta(days=10))
    assert kinds(south_manager) == ["training_expiring"]
    assert kinds(manager) == ["training_expiring"]


def test_coaching_reminder_once_on_the_due_day(north, owner, manager):
    action = CoachingActionFactory(branch=north, employee=owner, due_on=date(2026, 7, 1))
    with time_machine.travel(at(date(2026, 6, 30)), tick=False):
        assert tasks.send_coaching_reminders.apply().get() == 0
    with time_machine.travel(at(date(2026, 7, 1)), tick=False):
        assert tasks.send_coaching_reminders.apply().get() == 1
        assert tasks.send_coaching_reminders.apply().get() == 0
    # No coach: the branch's managers hear of it, and the employee.
    assert kinds(manager) == ["coaching_due"] and kinds(owner) == ["coaching_due"]
    action.refresh_from_db()
    assert action.due_reminder_sent_at is not None


def test_coaching_reminder_goes_to_the_coach(north, owner, manager, quality_manager):
    CoachingActionFactory(
        branch=north, employee=owner, coach=quality_manager, due_on=date(2026, 7, 1)
    )
    with time_machine.travel(at(date(2026, 7, 3)), tick=False):
        services.send_coaching_reminders()
    assert kinds(quality_manager) == ["coaching_due"] and kinds(manager) == []


def test_closed_coaching_is_not_reminded(north, owner, manager):
    CoachingActionFactory(branch=north, employee=owner, due_on=date(2026, 7, 1), status="done")
    with time_machine.travel(at(date(2026, 7, 3)), tick=False):
        assert services.send_coaching_reminders() == 0


def test_training_task(record, owner):
    with time_machine.travel(at(EXPIRES), tick=False):
        assert tasks.send_training_reminders.apply().get() == 1


def test_administrators_stand_in_for_a_branch_without_a_manager(south, outsider, admin_user):
    TrainingRecordFactory(employee=outsider, expires_on=EXPIRES)
    run(EXPIRES - timedelta(days=10))
    assert kinds(admin_user) == ["training_expiring"]
    assert kinds(outsider) == ["training_expiring"]


def test_a_managers_own_training_is_not_reported_to_himself(manager, admin_user):
    TrainingRecordFactory(employee=manager, expires_on=EXPIRES)
    run(EXPIRES - timedelta(days=10))
    # The only manager of North is the employee: the administrators hear of it instead.
    assert kinds(manager) == ["training_expiring"]
    assert kinds(admin_user) == ["training_expiring"]


def manager_lookups(people, north, expires):
    """Queries that look for managers (by role group) while reminding `people` employees."""
    for _number in range(people):
        TrainingRecordFactory(
            employee=UserFactory(roles=["sales"], branches=[north]), expires_on=expires
        )
    with CaptureQueriesContext(connection) as queries:
        run(expires - timedelta(days=10))
    return sum('"auth_group"."name"' in query["sql"] for query in queries)


def test_managers_are_looked_up_once_per_batch_however_many_reminders(north, manager):
    assert manager_lookups(1, north, EXPIRES) == 1
    assert manager_lookups(6, north, EXPIRES + timedelta(days=5)) == 1
    assert Notification.objects.filter(recipient=manager).count() == 7
