"""Follow-up adherence per person and branch: on time, late, missed, overdue now (and pending).

"Now" is Wednesday 10 June 2026, noon in Berlin; the period is the first two weeks of June.
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from aftersales.models import User
from followups.figures import Adherence, followup_adherence
from followups.models import AssigneeRole, FollowUp, StepKind
from tests.aftersales.factories import BranchFactory, UserFactory
from tests.customers.factories import CustomerFactory

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
START, END = date(2026, 6, 1), date(2026, 6, 14)
NOW = datetime(2026, 6, 10, 12, tzinfo=BERLIN)
Status = FollowUp.Status


def june(day, hour=None, zone=BERLIN):
    if hour is None:
        return date(2026, 6, day)
    return datetime.combine(date(2026, 6, day), time(hour), tzinfo=zone)


def make(branch, assignee, due, status=Status.OPEN, completed_at=None):
    return FollowUp.objects.create(
        customer=CustomerFactory(branch=branch),
        branch=branch,
        kind=StepKind.CHECK_IN,
        channel="phone",
        purpose="care",
        title="Check-in",
        assignee_role=AssigneeRole.SALESPERSON,
        assignee=assignee,
        planned_date=due,
        due_date=due,
        status=status,
        completed_at=completed_at,
        missed_at=NOW if status == Status.MISSED else None,
    )


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def manhattan(db):
    return BranchFactory(name="Manhattan", code="NYC", time_zone="America/New_York")


@pytest.fixture
def history(north, south, owner, colleague, outsider):
    done = Status.DONE
    # The owner in North.
    make(north, owner, june(2), done, june(2, 10))  # on time
    make(north, owner, june(2), done, june(2, 23))  # on time: 23:00 is still the 2nd in Berlin
    make(north, owner, june(2), done, datetime(2026, 6, 2, 22, 30, tzinfo=ZoneInfo("UTC")))
    make(north, owner, june(3), done, june(1, 15))  # early is on time
    make(north, owner, june(4), Status.MISSED)
    make(north, owner, june(5))  # overdue now
    make(north, owner, june(12))  # not due yet
    make(north, owner, june(4), Status.CANCELLED)  # counts nowhere
    make(north, owner, date(2026, 5, 31), done, june(3, 10))  # due before the period
    make(north, owner, date(2026, 6, 15))  # due after the period
    # The colleague in North, and a follow-up nobody was assigned to.
    make(north, colleague, june(8), done, june(9, 9))  # late
    make(north, colleague, june(9))  # overdue now
    make(north, None, june(9))  # overdue now
    # The outsider in South.
    make(south, outsider, june(2), done, june(2, 11))


def figures(**kwargs):
    return Adherence(**kwargs)


def test_adherence_per_person_and_branch(now, manager, owner, colleague, north, history):
    result = followup_adherence(manager, start=START, end=END)
    # 22:30 UTC on the 2nd is already the 3rd in Berlin: late.
    assert result.for_person(owner.pk) == figures(on_time=3, late=1, missed=1, overdue=1, pending=1)
    assert result.for_person(colleague.pk) == figures(late=1, overdue=1)
    assert result.for_person(None) == figures(overdue=1)
    assert [row.id for row in result.by_branch] == [north.pk]
    assert result.for_branch(north.pk) == figures(on_time=3, late=2, missed=1, overdue=3, pending=1)
    assert result.total == result.for_branch(north.pk)


def test_people_are_named_and_sorted_with_nobody_last(now, manager, owner, colleague, history):
    User.objects.filter(pk=owner.pk).update(first_name="Zoe", last_name="Zimmer")
    User.objects.filter(pk=colleague.pk).update(first_name="", last_name="")
    rows = followup_adherence(manager, start=START, end=END).by_person
    assert [(row.id, row.name) for row in rows] == [
        (colleague.pk, "bob"),
        (owner.pk, "Zoe Zimmer"),
        (None, "Not assigned"),
    ]


def test_figures_are_scoped_to_what_the_user_sees(
    now, outsider, admin_user, shopper, north, south, history
):
    southern = followup_adherence(outsider, start=START, end=END)
    assert [row.id for row in southern.by_branch] == [south.pk]
    assert southern.total == figures(on_time=1)

    everything = followup_adherence(admin_user, start=START, end=END)
    assert {row.name for row in everything.by_branch} == {"North", "South"}
    assert everything.total.total == 11

    assert followup_adherence(shopper, start=START, end=END).total == Adherence()


def test_one_branch_only(now, admin_user, south, history):
    result = followup_adherence(admin_user, start=START, end=END, branch=south)
    assert [row.name for row in result.by_branch] == ["South"]
    assert result.total == figures(on_time=1)
    assert followup_adherence(admin_user, start=START, end=END, branch=south.pk) == result


def test_one_person_only(now, manager, owner, colleague, history):
    result = followup_adherence(manager, start=START, end=END, assignee=owner)
    assert [row.id for row in result.by_person] == [owner.pk]
    assert result.total == figures(on_time=3, late=1, missed=1, overdue=1, pending=1)


def test_the_period_is_inclusive(now, manager, owner, north):
    make(north, owner, START, Status.MISSED)
    make(north, owner, END)
    make(north, owner, date(2026, 5, 31), Status.MISSED)
    result = followup_adherence(manager, start=START, end=END)
    assert result.total == figures(missed=1, pending=1)


def test_dates_are_the_branchs_local_dates(manhattan):
    boss = UserFactory(username="nora", roles=["manager"], branches=[manhattan])
    # 02:00 UTC on the 3rd is 22:00 on the 2nd in New York: done on time there.
    make(manhattan, boss, june(2), Status.DONE, datetime(2026, 6, 3, 2, tzinfo=ZoneInfo("UTC")))
    make(manhattan, boss, june(9))
    # 01:00 in Berlin on the 10th is still the 9th in New York: due today, not overdue.
    with time_machine.travel(june(10, 1), tick=False):
        result = followup_adherence(boss, start=START, end=END)
    assert result.total == figures(on_time=1, pending=1)
    with time_machine.travel(june(10, 12), tick=False):
        result = followup_adherence(boss, start=START, end=END)
    assert result.total == figures(on_time=1, overdue=1)


def test_rates(now):
    assert Adherence().on_time_rate is None
    mixed = figures(on_time=3, late=1, missed=0, overdue=0, pending=5)
    assert (mixed.total, mixed.settled, mixed.on_time_rate) == (9, 4, 0.75)
    assert mixed + figures(missed=2) == figures(on_time=3, late=1, missed=2, pending=5)


def test_nothing_due_means_empty_figures(now, manager):
    result = followup_adherence(manager, start=START, end=END)
    assert (result.by_person, result.by_branch, result.total) == ((), (), Adherence())
    assert result.for_person(manager.pk) == Adherence()


def test_one_query_however_many_followups(now, manager, history, django_assert_num_queries):
    manager = User.objects.get(pk=manager.pk)
    # 1 the caller's groups (administrator?), 2 their branches (scope), 3 the grouped counts.
    with django_assert_num_queries(3):
        followup_adherence(manager, start=START, end=END)
    # The caller's roles and branches are now known: just the grouped counts.
    with django_assert_num_queries(1):
        followup_adherence(manager, start=START, end=END)
