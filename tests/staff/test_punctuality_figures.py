"""Punctuality per person and branch against hand-computed data: the tolerance boundary (exactly
five minutes late is on time, one second more is late), a branch policy of ten minutes, the
branch's local date deciding the period, and one query whatever the data size.

"Now" is Wednesday 10 June 2026, noon in Berlin; the period is the first two weeks of June.
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from staff.models import Appointment
from staff.people.figures import Punctuality, punctuality
from tests.aftersales.factories import BranchFactory, UserFactory
from tests.staff.factories import AppointmentFactory, StaffPolicyFactory

BERLIN = ZoneInfo("Europe/Berlin")
START, END = date(2026, 6, 1), date(2026, 6, 14)
NOW = datetime(2026, 6, 10, 12, tzinfo=BERLIN)
Outcome = Appointment.Outcome


def june(day, hour, zone=BERLIN):
    return datetime.combine(date(2026, 6, day), time(hour), tzinfo=zone)


def held(branch, employee, agreed_at, late_by):
    return AppointmentFactory(
        customer__branch=branch,
        employee=employee,
        agreed_at=agreed_at,
        started_at=agreed_at + late_by,
        outcome=Outcome.HELD,
    )


def other(branch, employee, agreed_at, outcome):
    return AppointmentFactory(
        customer__branch=branch, employee=employee, agreed_at=agreed_at, outcome=outcome
    )


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def history(north, south, owner, colleague, outsider):
    StaffPolicyFactory(branch=south, punctuality_tolerance_minutes=10)
    # The owner in North (no policy row: the default of five minutes).
    held(north, owner, june(2, 10), timedelta(minutes=5))  # on time: exactly the tolerance
    held(north, owner, june(2, 11), timedelta(minutes=5, seconds=1))  # late
    held(north, owner, june(3, 9), timedelta(minutes=-10))  # early is on time
    other(north, owner, june(4, 9), Outcome.NO_SHOW)
    other(north, owner, june(5, 9), Outcome.SCHEDULED)  # passed, nothing recorded
    other(north, owner, june(5, 10), Outcome.CANCELLED)  # counts nowhere
    other(north, owner, june(12, 9), Outcome.SCHEDULED)  # still ahead: counts nowhere
    held(north, owner, datetime(2026, 5, 31, 21, tzinfo=ZoneInfo("UTC")), timedelta(0))
    # (23:00 on 31 May in Berlin: before the period although it is 1 June nowhere else)
    held(north, owner, datetime(2026, 6, 14, 21, 30, tzinfo=ZoneInfo("UTC")), timedelta(hours=1))
    # (23:30 on 14 June in Berlin: inside the period, and late)
    # The colleague in North.
    held(north, colleague, june(8, 9), timedelta(minutes=6))  # late
    # The outsider in South, whose branch allows ten minutes.
    held(south, outsider, june(2, 10), timedelta(minutes=10))  # on time
    held(south, outsider, june(2, 11), timedelta(minutes=10, seconds=1))  # late
    held(south, outsider, june(2, 12), timedelta(minutes=7))  # on time in South


def test_figures_per_person_branch_and_total(now, history, admin_user, north, south, owner):
    figures = punctuality(admin_user, start=START, end=END)

    assert figures.for_person(owner.pk) == Punctuality(on_time=2, late=2, no_show=1, not_recorded=1)
    assert figures.for_branch(north.pk) == Punctuality(on_time=2, late=3, no_show=1, not_recorded=1)
    assert figures.for_branch(south.pk) == Punctuality(on_time=2, late=1)
    assert figures.total == Punctuality(on_time=4, late=4, no_show=1, not_recorded=1)
    assert figures.for_person(owner.pk).on_time_rate == 0.5
    assert figures.for_branch(south.pk).on_time_rate == pytest.approx(2 / 3)
    assert [row.name for row in figures.by_branch] == ["North", "South"]


def test_scoped_to_the_users_branches_and_filters(now, history, manager, north, owner, colleague):
    figures = punctuality(manager, start=START, end=END)
    assert [row.id for row in figures.by_branch] == [north.pk]
    assert figures.total == Punctuality(on_time=2, late=3, no_show=1, not_recorded=1)

    mine = punctuality(manager, start=START, end=END, employee=colleague)
    assert mine.total == Punctuality(late=1)
    assert mine.for_person(owner.pk) == Punctuality()
    assert punctuality(manager, start=START, end=END, branch=north).total.settled == 5


def test_a_policy_of_ten_minutes_moves_the_boundary(now, north, owner, admin_user):
    held(north, owner, june(2, 10), timedelta(minutes=8))
    assert punctuality(admin_user, start=START, end=END).total == Punctuality(late=1)
    StaffPolicyFactory(branch=north, punctuality_tolerance_minutes=10)
    assert punctuality(admin_user, start=START, end=END).total == Punctuality(on_time=1)


def test_no_appointments_no_rate(now, admin_user):
    figures = punctuality(admin_user, start=START, end=END)
    assert figures.total == Punctuality()
    assert figures.total.on_time_rate is None
    assert figures.by_person == ()


@pytest.mark.parametrize("people", [1, 6])
def test_one_query_whatever_the_data_size(now, admin_user, people, django_assert_num_queries):
    for index in range(people):
        branch = BranchFactory()
        StaffPolicyFactory(branch=branch, punctuality_tolerance_minutes=index)
        person = UserFactory(roles=["sales"], branches=[branch])
        for day in range(1, 4):
            held(branch, person, june(day, 9), timedelta(minutes=day))
    assert admin_user.is_administrator  # the roles are read once per request, not measured here
    with django_assert_num_queries(1):  # the appointments grouped by branch and employee
        figures = punctuality(admin_user, start=START, end=END)
    assert figures.total.settled == 3 * people
    assert len(figures.by_person) == people
