"""Scorecard pages: who may open which, what they show, sorting, the period filter, the CSV
export, and query counts that do not grow with the number of employees."""

import csv
import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from followups.models import FollowUp, SurveyInvitation, SurveyResponse
from staff.models import MysteryShopResult
from tests.aftersales.factories import UserFactory
from tests.customers.factories import CustomerFactory, PurchaseFactory
from tests.followups.factories import FollowUpFactory
from tests.quality.factories import ComplaintCategoryFactory, ComplaintFactory
from tests.staff.factories import (
    AppointmentFactory,
    AssignmentFactory,
    CoachingActionFactory,
    RequiredCourseFactory,
    ResultFactory,
    TrainingRecordFactory,
)

MINE = reverse("staff:my-scorecard")
INDEX = reverse("staff:scorecards")


def employee_url(user):
    return reverse("staff:employee-scorecard", args=[user.pk])


def branch_url(branch):
    return reverse("staff:branch-scorecard", args=[branch.pk])


def accepted(branch, served_by, score, *, days_ago=10):
    return ResultFactory(
        assignment=AssignmentFactory(branch=branch),
        served_by=served_by,
        status=MysteryShopResult.Status.ACCEPTED,
        score=Decimal(score),
        visited_at=timezone.now() - timedelta(days=days_ago),
        accepted_at=timezone.now() - timedelta(days=days_ago - 1),
    )


# --- access --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("owner", 200),
        ("colleague", 200),
        ("outsider", 200),
        ("manager", 200),
        ("quality_manager", 200),
        ("admin_user", 200),
        ("shopper", 403),
    ],
)
def test_everyone_on_the_staff_sees_their_own_scorecard(request, login, persona, status):
    user = request.getfixturevalue(persona)

    response = login(user).get(MINE)

    assert response.status_code == status
    if status == 200:
        assert response.context["card"].employee == user
        assert response.context["own"]


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get(MINE)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("owner", 200),  # their own, by its number too
        ("colleague", 404),  # a colleague's scorecard does not exist for them
        ("outsider", 404),
        ("manager", 200),
        ("quality_manager", 200),
        ("admin_user", 200),
        ("shopper", 403),
    ],
)
def test_who_may_open_the_owners_scorecard(request, login, owner, persona, status):
    response = login(request.getfixturevalue(persona)).get(employee_url(owner))

    assert response.status_code == status


def test_a_manager_of_north_cannot_open_a_south_employee(login, manager, outsider, admin_user):
    assert login(manager).get(employee_url(outsider)).status_code == 404
    assert login(admin_user).get(employee_url(outsider)).status_code == 200


def test_a_mystery_shopper_has_no_scorecard_even_for_an_administrator(login, admin_user, shopper):
    assert login(admin_user).get(employee_url(shopper)).status_code == 404


@pytest.mark.parametrize(
    ("persona", "north_status", "south_status"),
    [
        ("owner", 403, 403),
        ("colleague", 403, 403),
        ("outsider", 403, 403),
        ("manager", 200, 404),
        ("quality_manager", 200, 404),
        ("admin_user", 200, 200),
        ("shopper", 403, 403),
    ],
)
def test_who_may_open_branch_scorecards(
    request, login, north, south, persona, north_status, south_status
):
    client = login(request.getfixturevalue(persona))

    assert client.get(branch_url(north)).status_code == north_status
    assert client.get(branch_url(south)).status_code == south_status
    export = reverse("staff:branch-scorecard-export", args=[north.pk])
    assert client.get(export).status_code == north_status


@pytest.mark.parametrize(
    ("persona", "status", "branches"),
    [
        ("owner", 403, None),
        ("manager", 200, ["North"]),
        ("quality_manager", 200, ["North"]),
        ("admin_user", 200, ["North", "South"]),
        ("shopper", 403, None),
    ],
)
def test_the_index_lists_the_branches_one_may_open(
    request, login, north, south, persona, status, branches
):
    response = login(request.getfixturevalue(persona)).get(INDEX)

    assert response.status_code == status
    if branches is not None:
        assert [branch.name for branch in response.context["page"]] == branches
        assert branch_url(north) in response.content.decode()


def test_the_index_searches_by_name(login, admin_user, north, south):
    response = login(admin_user).get(INDEX, {"q": "sou"})

    assert [branch.name for branch in response.context["page"]] == ["South"]


def test_post_is_not_allowed(login, owner):
    assert login(owner).post(MINE).status_code == 405


# --- what the pages show -------------------------------------------------------------------------


def test_the_employee_page_shows_figures_results_and_coaching(login, manager, north, owner):
    result = accepted(north, owner, 55)
    action = CoachingActionFactory(
        branch=north, employee=owner, due_on=timezone.localdate() - timedelta(days=1)
    )
    CoachingActionFactory(
        branch=north, employee=owner, due_on=timezone.localdate() + timedelta(days=7)
    )

    response = login(manager).get(employee_url(owner))

    page = response.content.decode()
    assert response.status_code == 200
    assert "55.0 %" in page
    assert result.get_absolute_url() in page
    assert action.get_absolute_url() in page
    assert page.count("overdue · ") == 1  # the past-due action, not the one due next week
    assert 'id="scorecard-chart-data"' in page
    assert "vendor/chartjs/chart.umd.js" in page
    assert response.context["card"].figures.coaching.overdue == 1


def test_an_empty_scorecard_says_so(login, owner):
    page = login(owner).get(MINE).content.decode()

    assert "No accepted mystery-shop results in this period." in page
    assert "No open coaching actions." in page


def test_the_period_filter_and_bad_input(login, owner, north):
    accepted(north, owner, 90, days_ago=200)
    client = login(owner)

    assert client.get(MINE).context["card"].figures.mystery_shop.count == 1
    assert client.get(MINE, {"months": "3"}).context["card"].figures.mystery_shop.count == 0
    # Nonsense falls back to the default period and says what is wrong; never a 500.
    response = client.get(MINE, {"months": "7", "branch": "x"})
    assert response.status_code == 200
    assert response.context["card"].period.months == 12
    assert response.context["filters"].errors


def test_the_branch_filter_narrows_an_employee_to_one_branch(login, admin_user, north, south):
    both = UserFactory(roles=["sales"], branches=[north, south])
    accepted(north, both, 40)
    accepted(south, both, 60)
    client = login(admin_user)

    assert client.get(employee_url(both)).context["card"].figures.mystery_shop.count == 2
    narrowed = client.get(employee_url(both), {"branch": south.pk}).context["card"]
    assert narrowed.figures.mystery_shop.average == Decimal("60.0")


def test_the_branch_page_compares_its_employees(login, manager, north, owner, colleague):
    accepted(north, owner, 90)
    accepted(north, colleague, 40)
    client = login(manager)

    response = client.get(branch_url(north), {"sort": "-mystery"})

    assert response.status_code == 200
    rows = response.context["card"].rows
    assert [row.employee for row in rows][:2] == [owner, colleague]
    page = response.content.decode()
    assert employee_url(owner) in page
    assert "?sort=mystery" in page  # the column's link sorts the other way round
    ascending = client.get(branch_url(north), {"sort": "mystery"}).context["card"].rows
    assert [row.employee for row in ascending][:2] == [colleague, owner]


def test_the_export_is_the_table_as_csv(login, manager, north, owner):
    accepted(north, owner, 90)

    response = login(manager).get(reverse("staff:branch-scorecard-export", args=[north.pk]))

    assert response["Content-Type"].startswith("text/csv")
    # A byte-order mark for Excel, every cell defused against formulas (aftersales.csv_export).
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[0][0] == "Employee"
    assert {len(row) for row in rows} == {14}
    owner_row = next(row for row in rows if row[0] == str(owner))
    assert owner_row[1:3] == ["90.0", "1"]
    assert owner_row[9] == "yes"  # no required courses: compliant


# --- query counts --------------------------------------------------------------------------------


def staff_with_work(branch, count, category):
    """`count` salespeople of the branch, each with a result, an appointment, a follow-up, a
    complaint, a survey answer, a training record and a coaching action."""
    required = RequiredCourseFactory(role="sales").course
    recorder = UserFactory(roles=["quality"], branches=[branch])
    now = timezone.now()
    people = []
    for _number in range(count):
        person = UserFactory(roles=["sales"], branches=[branch])
        accepted(branch, person, 70)
        customer = CustomerFactory(branch=branch, salesperson=person)
        AppointmentFactory(
            customer=customer,
            employee=person,
            agreed_at=now - timedelta(days=3),
            started_at=now - timedelta(days=3),
            outcome="held",
        )
        purchase = PurchaseFactory(customer=customer, salesperson=person)
        FollowUpFactory(
            purchase=purchase,
            assignee=person,
            due_date=timezone.localdate() - timedelta(days=2),
            status=FollowUp.Status.DONE,
            completed_at=now - timedelta(days=2),
        )
        ComplaintFactory(customer=customer, category=category, by=recorder)
        invitation = SurveyInvitation.objects.create(
            customer=customer,
            purchase=purchase,
            branch=branch,
            sent_at=now - timedelta(days=5),
            expires_at=now + timedelta(days=5),
            answered_at=now,
        )
        SurveyResponse.objects.create(
            invitation=invitation, nps=9, satisfaction_purchase=4, satisfaction_handover=5
        )
        TrainingRecordFactory(employee=person, course=required)
        CoachingActionFactory(branch=branch, employee=person)
        people.append(person)
    return people


# The branch page: session, the user with their roles, branches and permissions, the branch,
# the customer-facing staff, mystery shop (grouped), complaints (grouped), surveys (grouped),
# coaching (grouped), punctuality, follow-up adherence, training compliance (roles, required
# courses, current records), the latest results, and the unread notifications of the navigation
# bar.
BRANCH_PAGE_QUERIES = 15


@pytest.mark.parametrize("employees", [1, 8])
def test_branch_page_queries_do_not_grow(
    login, manager, north, employees, django_assert_max_num_queries
):
    people = staff_with_work(north, employees, ComplaintCategoryFactory(code="noise"))
    client = login(manager)

    with django_assert_max_num_queries(BRANCH_PAGE_QUERIES) as captured:
        response = client.get(branch_url(north))

    assert response.status_code == 200
    assert len(captured) == BRANCH_PAGE_QUERIES
    rows = {row.employee: row for row in response.context["card"].rows}
    assert all(rows[person].figures.mystery_shop.count == 1 for person in people)
    assert all(rows[person].figures.complaints.total == 1 for person in people)
    assert all(rows[person].figures.satisfaction.nps == 100 for person in people)
    assert all(rows[person].figures.punctuality.on_time == 1 for person in people)
    assert all(rows[person].figures.adherence.on_time == 1 for person in people)
    assert all(rows[person].compliance.is_compliant for person in people)
    assert all(rows[person].figures.coaching.open == 1 for person in people)


# The employee page: session, the user with their roles, branches and permissions, the
# employee, mystery shop (grouped), complaints (grouped), surveys (grouped), the open coaching
# actions, punctuality, follow-up adherence, training compliance (roles, required courses,
# current records), the latest results, the unread notifications, and the employee's branches
# (the breadcrumb and the branch filter's options).
EMPLOYEE_PAGE_QUERIES = 15


@pytest.mark.parametrize("results", [1, 8])
def test_employee_page_queries_do_not_grow(
    login, manager, north, owner, results, django_assert_max_num_queries
):
    for number in range(results):
        accepted(north, owner, 50 + number, days_ago=10 + number * 30)
        CoachingActionFactory(branch=north, employee=owner)
    client = login(manager)

    with django_assert_max_num_queries(EMPLOYEE_PAGE_QUERIES) as captured:
        response = client.get(employee_url(owner))

    assert response.status_code == 200
    assert len(captured) == EMPLOYEE_PAGE_QUERIES
    assert response.context["card"].figures.mystery_shop.count == results


def test_numbers_link_to_their_lists(login, manager, owner, north):
    links = login(manager).get(employee_url(owner)).context["links"]

    assert links["coaching"] == (
        f"{reverse('staff:coaching-list')}?employee={owner.pk}&status=open"
    )
    assert links["results"] == (
        f"{reverse('staff:result-list')}?employee={owner.pk}&status=accepted"
    )
    assert links["appointments"].startswith(f"{reverse('staff:appointment-list')}?employee=")
    assert links["training"] == reverse("staff:training-employee", args=[owner.pk])
    assert links["complaints"].startswith(reverse("quality:dashboard-signals"))
    branch_links = login(manager).get(branch_url(north)).context["links"]
    assert branch_links["coaching"].endswith(f"?branch={north.pk}&status=open")


def test_a_salesperson_sees_only_the_lists_they_may_open(login, owner):
    links = login(owner).get(MINE).context["links"]

    assert links["training"] == reverse("staff:my-training")
    assert "complaints" not in links
    assert "results" not in links
