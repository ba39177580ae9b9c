"""Scorecard figures against hand-computed data: one employee (the owner, sales in North), and
the branch North with its comparison table."""

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
import time_machine
from django.utils import timezone

from followups.models import FollowUp, SurveyInvitation, SurveyResponse
from quality.models import Complaint
from staff.models import CoachingAction, MysteryShopResult
from staff.scorecards import selectors as scorecards
from staff.scorecards.selectors import Period
from tests.aftersales.factories import UserFactory
from tests.customers.factories import CustomerFactory, PurchaseFactory
from tests.followups.factories import FollowUpFactory
from tests.quality.factories import ComplaintCategoryFactory, ComplaintFactory
from tests.staff.factories import (
    AppointmentFactory,
    AssignmentFactory,
    CoachingActionFactory,
    CourseFactory,
    RequiredCourseFactory,
    ResultFactory,
    TrainingRecordFactory,
)

NOW = datetime(2026, 3, 15, 11, 0, tzinfo=UTC)
TODAY = date(2026, 3, 15)
Accepted = MysteryShopResult.Status.ACCEPTED


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def moment(day, hour=10, minute=0):
    return timezone.make_aware(datetime.combine(day, datetime.min.time())).replace(
        hour=hour, minute=minute
    )


def result(branch, served_by, score, *, visited, status=Accepted):
    return ResultFactory(
        assignment=AssignmentFactory(branch=branch, employee=served_by),
        served_by=served_by,
        status=status,
        score=Decimal(score),
        visited_at=moment(visited),
    )


def appointment(branch, employee, *, agreed, late_minutes=None, no_show=False):
    agreed_at = moment(agreed)
    fields = {}
    if no_show:
        fields["outcome"] = "no_show"
    elif late_minutes is not None:
        fields.update(outcome="held", started_at=agreed_at + timedelta(minutes=late_minutes))
    return AppointmentFactory(
        customer=CustomerFactory(branch=branch), employee=employee, agreed_at=agreed_at, **fields
    )


def followup(branch, employee, *, due, done_days_late=None, status=FollowUp.Status.DONE):
    purchase = PurchaseFactory(customer=CustomerFactory(branch=branch), salesperson=employee)
    completed = None if done_days_late is None else moment(due + timedelta(days=done_days_late))
    return FollowUpFactory(
        purchase=purchase, assignee=employee, due_date=due, status=status, completed_at=completed
    )


def survey(branch, seller, *, nps, purchase_score, handover_score, answered):
    purchase = PurchaseFactory(customer=CustomerFactory(branch=branch), salesperson=seller)
    invitation = SurveyInvitation.objects.create(
        customer=purchase.customer,
        purchase=purchase,
        branch=branch,
        sent_at=moment(answered) - timedelta(days=2),
        expires_at=moment(answered) + timedelta(days=20),
        answered_at=moment(answered),
    )
    answer = SurveyResponse.objects.create(
        invitation=invitation,
        nps=nps,
        satisfaction_purchase=purchase_score,
        satisfaction_handover=handover_score,
    )
    SurveyResponse.objects.filter(pk=answer.pk).update(created_at=moment(answered))
    return answer


@pytest.fixture
def categories(db):
    staff = ComplaintCategoryFactory(code="staff-attention", name="Staff attention")
    noise = ComplaintCategoryFactory(code="noise", name="Noise")
    return SimpleNamespace(
        staff=staff,
        staff_rude=ComplaintCategoryFactory(code="staff-rude", name="Rude", parent=staff),
        noise=noise,
        wind=ComplaintCategoryFactory(code="noise-wind", name="Wind", parent=noise),
    )


def complaint(branch, seller, category, *, received, closed=False):
    # Recorded by a quality manager: no extra customer-facing person in the branch.
    recorder = UserFactory(username=f"recorder-{branch.code}", roles=["quality"], branches=[branch])
    made = ComplaintFactory(
        customer=CustomerFactory(branch=branch, salesperson=seller),
        category=category,
        received_at=moment(received),
        by=recorder,
    )
    if closed:
        Complaint.objects.filter(pk=made.pk).update(status=Complaint.Status.CLOSED)
    return made


@pytest.fixture
def world(now, north, south, owner, colleague, outsider, manager, categories):
    """The owner's year, hand-counted in the comments; a little of the colleague's besides."""
    # Mystery shop: 80, 60 (January) and 100 (March) accepted → 80.0 from 3; a submitted 10, an
    # accepted 0 before the period and the colleague's 50 do not count for the owner.
    result(north, owner, 80, visited=date(2026, 1, 10))
    result(north, owner, 60, visited=date(2026, 1, 20))
    result(north, owner, 100, visited=date(2026, 3, 1))
    result(north, owner, 10, visited=date(2026, 3, 2), status=MysteryShopResult.Status.SUBMITTED)
    result(north, owner, 0, visited=date(2025, 3, 31))
    result(north, colleague, 50, visited=date(2026, 2, 5))
    # Appointments: on time (3 min late, within the 5-minute tolerance), late (20 min), a no-show
    # → 1 of 2 held on time (50 %); the colleague: 1 on time (100 %).
    appointment(north, owner, agreed=date(2026, 2, 1), late_minutes=3)
    appointment(north, owner, agreed=date(2026, 2, 2), late_minutes=20)
    appointment(north, owner, agreed=date(2026, 2, 3), no_show=True)
    appointment(north, colleague, agreed=date(2026, 2, 3), late_minutes=0)
    # Follow-ups: two done on the day, one a day late, one missed → 2 of 4 on time (50 %).
    followup(north, owner, due=date(2026, 2, 10), done_days_late=0)
    followup(north, owner, due=date(2026, 2, 11), done_days_late=0)
    followup(north, owner, due=date(2026, 2, 12), done_days_late=1)
    followup(north, owner, due=date(2026, 2, 13), status=FollowUp.Status.MISSED)
    # Complaints naming the owner: one rude (staff attention, open; it opens a coaching action),
    # one wind noise (closed) and one noise (open) → 3: 1 staff attention, 2 other (Noise);
    # 2 open, 1 closed. One before the period and one of the colleague's do not count.
    complaint(north, owner, categories.staff_rude, received=date(2026, 2, 20))
    complaint(north, owner, categories.wind, received=date(2026, 2, 21), closed=True)
    complaint(north, owner, categories.noise, received=date(2026, 2, 22))
    complaint(north, owner, categories.noise, received=date(2025, 1, 5))
    complaint(north, colleague, categories.noise, received=date(2026, 2, 22))
    # Surveys on the owner's sales: NPS 10, 9, 3 → (2 − 1) / 3 = +33; means 7.3, 3.7, 4.0.
    survey(north, owner, nps=10, purchase_score=5, handover_score=5, answered=date(2026, 1, 5))
    survey(north, owner, nps=9, purchase_score=4, handover_score=5, answered=date(2026, 2, 5))
    survey(north, owner, nps=3, purchase_score=2, handover_score=2, answered=date(2026, 3, 5))
    survey(north, colleague, nps=0, purchase_score=1, handover_score=1, answered=date(2026, 3, 5))
    # Training: sales must hold A and B; the owner holds A only → 1 valid, 1 missing.
    course_a, course_b = CourseFactory(title="Handover"), CourseFactory(title="Complaints")
    RequiredCourseFactory(course=course_a, role="sales")
    RequiredCourseFactory(course=course_b, role="sales")
    TrainingRecordFactory(employee=owner, course=course_a, completed_on=date(2026, 1, 1))
    TrainingRecordFactory(employee=colleague, course=course_a, completed_on=date(2026, 1, 1))
    TrainingRecordFactory(employee=colleague, course=course_b, completed_on=date(2026, 1, 1))
    # Coaching: an overdue one, the complaint's (due in 14 days), a done one → 2 open, 1 overdue.
    CoachingActionFactory(branch=north, employee=owner, due_on=date(2026, 3, 1))
    CoachingActionFactory(
        branch=north,
        employee=owner,
        due_on=date(2026, 2, 1),
        status=CoachingAction.Status.DONE,
    )
    # South's work of South's people never shows up for North.
    result(south, outsider, 10, visited=date(2026, 2, 1))
    return SimpleNamespace(course_a=course_a, course_b=course_b)


def test_period_is_whole_months_up_to_today():
    period = Period.last(3, today=TODAY)

    assert (period.start, period.end) == (date(2026, 1, 1), TODAY)
    assert period.month_starts == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert Period.last(12, today=TODAY).start == date(2025, 4, 1)


def test_employee_figures(world, manager, owner):
    card = scorecards.employee_scorecard(manager, owner, period=Period.last(12, today=TODAY))
    figures = card.figures

    shop = figures.mystery_shop
    assert (shop.average, shop.count) == (Decimal("80.0"), 3)
    trend = {month.month: (month.count, month.average) for month in shop.trend}
    assert len(trend) == 12
    assert trend[date(2026, 1, 1)] == (2, Decimal("70.0"))
    assert trend[date(2026, 2, 1)] == (0, None)
    assert trend[date(2026, 3, 1)] == (1, Decimal("100.0"))
    assert [r.score for r in card.results] == [Decimal(100), Decimal(60), Decimal(80)]

    punctuality = figures.punctuality
    assert (punctuality.on_time, punctuality.late, punctuality.no_show) == (1, 1, 1)
    assert punctuality.on_time_rate == 0.5

    adherence = figures.adherence
    assert (adherence.on_time, adherence.late, adherence.missed) == (2, 1, 1)
    assert adherence.on_time_rate == 0.5

    complaints = figures.complaints
    assert (complaints.total, complaints.staff_attention, complaints.others) == (3, 1, 2)
    assert (complaints.open, complaints.closed) == (2, 1)
    assert [(c.name, c.total, c.open) for c in complaints.categories] == [
        ("Noise", 2, 1),
        ("Staff attention", 1, 1),
    ]

    satisfaction = figures.satisfaction
    assert satisfaction.count == 3
    assert satisfaction.nps == 33
    assert satisfaction.mean_nps == Decimal("7.3")
    assert satisfaction.mean_purchase == Decimal("3.7")
    assert satisfaction.mean_handover == Decimal("4.0")

    assert (card.compliance.valid, card.compliance.missing) == (1, 1)
    assert not card.compliance.is_compliant

    assert (figures.coaching.open, figures.coaching.overdue) == (2, 1)
    assert {action.source for action in figures.coaching.actions} == {
        CoachingAction.Source.MANUAL,
        CoachingAction.Source.COMPLAINT,
    }


def test_a_shorter_period_leaves_out_older_work(world, manager, owner):
    figures = scorecards.employee_scorecard(
        manager, owner, period=Period.last(3, today=TODAY)
    ).figures

    # January to March: all of the owner's results, complaints and surveys are in it anyway;
    # with one month only March is left.
    assert figures.mystery_shop.count == 3
    march = scorecards.employee_scorecard(manager, owner, period=Period.last(1, today=TODAY))
    assert (march.figures.mystery_shop.count, march.figures.mystery_shop.average) == (
        1,
        Decimal("100.0"),
    )
    assert march.figures.complaints.total == 0
    assert march.figures.satisfaction.nps == -100
    assert march.figures.punctuality.settled == 0


def test_a_manager_sees_an_employee_only_in_their_own_branches(world, manager, outsider):
    figures = scorecards.employee_scorecard(
        manager, outsider, period=Period.last(12, today=TODAY)
    ).figures

    assert figures.mystery_shop.count == 0


def test_branch_figures_and_rows(world, manager, north, owner, colleague):
    card = scorecards.branch_scorecard(manager, north, period=Period.last(12, today=TODAY))

    # The branch: 80, 60, 100 and the colleague's 50 → 290 / 4 = 72.5.
    assert (card.figures.mystery_shop.count, card.figures.mystery_shop.average) == (
        4,
        Decimal("72.5"),
    )
    assert card.figures.punctuality.on_time == 2
    assert card.figures.complaints.total == 4
    # 10, 9, 3, 0 → (2 − 2) / 4 = 0.
    assert card.figures.satisfaction.nps == 0
    # Rows: the customer-facing people of North (the quality manager is not one of them).
    assert [row.employee for row in card.rows] == sorted(
        [owner, colleague, manager], key=lambda u: (u.last_name.lower(), u.first_name.lower())
    )
    by_person = {row.employee: row for row in card.rows}
    assert by_person[owner].figures.mystery_shop.average == Decimal("80.0")
    assert by_person[colleague].figures.mystery_shop.average == Decimal("50.0")
    assert by_person[colleague].figures.punctuality.on_time_rate == 1
    assert by_person[colleague].compliance.is_compliant
    assert by_person[owner].figures.coaching.open == 2
    assert by_person[manager].figures.mystery_shop.average is None
    # Training: owner missing B, colleague compliant, the manager has no required courses.
    assert (card.training.people, card.training.compliant, card.training.missing) == (3, 2, 1)


@pytest.mark.parametrize(
    ("sort", "first"),
    [("mystery", "colleague"), ("-mystery", "owner"), ("complaints", "manager"), ("-nps", "owner")],
)
def test_rows_sort_by_a_column_with_missing_figures_last(
    world, manager, north, owner, colleague, sort, first
):
    card = scorecards.branch_scorecard(
        manager, north, period=Period.last(12, today=TODAY), sort=sort
    )

    people = {"owner": owner, "colleague": colleague, "manager": manager}
    assert card.rows[0].employee == people[first]
    if sort.lstrip("-") == "mystery":
        assert card.rows[-1].employee == manager  # no results: last either way


def test_an_unknown_sort_sorts_by_name(world, manager, north):
    card = scorecards.branch_scorecard(
        manager, north, period=Period.last(12, today=TODAY), sort="password"
    )

    assert card.rows == scorecards.sort_rows(card.rows, "name")
