"""Coaching: opened by hand, from a staff-attention complaint (exactly once), updated,
completed with an outcome, cancelled; the list and detail pages and who sees what."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.errors import DomainError
from aftersales.models import Notification
from quality import services as quality_services
from staff.people import services
from staff.people.models import CoachingAction
from tests.aftersales.factories import BranchFactory, UserFactory
from tests.customers.factories import CustomerFactory, PurchaseFactory
from tests.quality.factories import ComplaintCategoryFactory
from tests.staff.factories import CoachingActionFactory, CourseFactory
from tests.staff.mystery_helpers import handover_assignment, submit

Status = CoachingAction.Status


@pytest.fixture
def action(north, owner, manager):
    return CoachingActionFactory(branch=north, employee=owner, coach=manager)


def due_in(days):
    return timezone.localdate() + timedelta(days=days)


def test_manager_opens_coaching_by_hand(manager, owner, north):
    course = CourseFactory()
    action = services.create_coaching_action(
        by=manager,
        employee=owner,
        branch=north,
        goal="Greet within two minutes",
        measures="Shadow Bob for a day",
        course=course,
        due_on=due_in(10),
    )
    assert (action.source, action.status, action.coach, action.created_by) == (
        CoachingAction.Source.MANUAL,
        Status.OPEN,
        manager,
        manager,
    )
    assert Notification.objects.filter(recipient=manager, kind="coaching_opened").count() == 1


@pytest.mark.parametrize("persona", ["colleague", "shopper"])
def test_others_may_not_open_coaching(request, persona, owner, north):
    with pytest.raises(DomainError):
        services.create_coaching_action(
            by=request.getfixturevalue(persona),
            employee=owner,
            branch=north,
            goal="x",
            due_on=due_in(3),
        )


def test_without_a_branch_the_first_of_the_leads_branches_the_employee_works_in(
    manager, owner, outsider
):
    augsburg = BranchFactory(name="Augsburg")  # before North by name, not by id
    manager.branches.add(augsburg)
    owner.branches.add(augsburg)
    action = services.create_coaching_action(
        by=manager, employee=owner, goal="Greet", due_on=due_in(3)
    )
    assert action.branch == augsburg
    with pytest.raises(DomainError) as error:
        services.create_coaching_action(by=manager, employee=outsider, goal="x", due_on=due_in(3))
    assert error.value.field == "employee"


def test_not_for_people_of_other_branches_nor_in_the_past(manager, outsider, owner, north, south):
    with pytest.raises(DomainError):
        services.create_coaching_action(
            by=manager, employee=outsider, branch=south, goal="x", due_on=due_in(3)
        )
    with pytest.raises(DomainError) as error:
        services.create_coaching_action(
            by=manager, employee=owner, branch=north, goal="x", due_on=due_in(-1)
        )
    assert error.value.field == "due_on"


def test_update_complete_and_nothing_after(action, manager):
    services.update_coaching_action(
        action=action,
        by=manager,
        goal=action.goal,
        measures="Role play on Friday",
        due_on=action.due_on,
        status=Status.IN_PROGRESS,
    )
    done = services.complete_coaching_action(action=action, by=manager, outcome="Greets everyone")
    assert (done.status, done.outcome) == (Status.DONE, "Greets everyone")
    assert done.completed_at is not None
    with pytest.raises(DomainError):
        services.cancel_coaching_action(action=action, by=manager)
    with pytest.raises(DomainError):
        services.complete_coaching_action(action=action, by=manager, outcome="again")


def test_complete_needs_an_outcome_and_employees_cannot_complete(action, manager, owner):
    with pytest.raises(DomainError) as error:
        services.complete_coaching_action(action=action, by=manager, outcome="  ")
    assert error.value.field == "outcome"
    with pytest.raises(DomainError):
        services.complete_coaching_action(action=action, by=owner, outcome="I did it")


def test_cancel(action, quality_manager):
    cancelled = services.cancel_coaching_action(action=action, by=quality_manager, reason="Left us")
    assert (cancelled.status, cancelled.outcome) == (Status.CANCELLED, "Left us")


def test_a_staff_attention_complaint_opens_exactly_one_action(north, owner, manager):
    category = ComplaintCategoryFactory(code="staff-attention", name="Staff attention")
    customer = CustomerFactory(branch=north, salesperson=owner)
    purchase = PurchaseFactory(customer=customer, salesperson=owner)
    complaint = quality_services.record_complaint(
        by=manager,
        customer=customer,
        purchase=purchase,
        category=category,
        description="Nobody had time for me.",
        channel="phone",
    )
    action = CoachingAction.objects.get()
    assert (action.employee, action.complaint, action.source) == (
        owner,
        complaint,
        CoachingAction.Source.COMPLAINT,
    )
    assert services.open_coaching_for_complaint(complaint=complaint) is None
    assert CoachingAction.objects.count() == 1


def test_other_complaints_open_none(north, owner, manager):
    customer = CustomerFactory(branch=north, salesperson=owner)
    quality_services.record_complaint(
        by=manager,
        customer=customer,
        category=ComplaintCategoryFactory(code="test-paint"),
        description="Scratch",
        channel="phone",
    )
    assert not CoachingAction.objects.exists()


# --- pages ---------------------------------------------------------------------------------------


def test_create_page(login, manager, owner):
    response = login(manager).post(
        reverse("staff:coaching-create"),
        {"employee": owner.pk, "goal": "Follow up every handover", "due_on": due_in(7)},
    )
    action = CoachingAction.objects.get()
    assert response.status_code == 302 and response.url == action.get_absolute_url()
    assert action.branch == owner.branches.get()


def test_create_page_errors(login, manager, outsider):
    response = login(manager).post(
        reverse("staff:coaching-create"), {"employee": outsider.pk, "goal": "", "due_on": "x"}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) >= {"employee", "goal", "due_on"}


def test_detail_links_the_complaint_and_complete_page(login, manager, action):
    client = login(manager)
    page = client.get(reverse("staff:coaching-detail", args=[action.pk]))
    assert "Complete with this outcome" in page.content.decode()
    empty = client.post(reverse("staff:coaching-complete", args=[action.pk]), {"outcome": ""})
    assert empty.status_code == 200 and empty.context["complete_form"].errors["outcome"]
    done = client.post(
        reverse("staff:coaching-complete", args=[action.pk]), {"outcome": "Much better"}
    )
    assert done.status_code == 302
    action.refresh_from_db()
    assert action.status == Status.DONE


def test_update_and_cancel_pages(login, manager, action):
    client = login(manager)
    response = client.post(
        reverse("staff:coaching-update", args=[action.pk]),
        {"goal": "New goal", "measures": "", "due_on": action.due_on, "status": "in_progress"},
    )
    assert response.status_code == 302
    cancelled = client.post(
        reverse("staff:coaching-cancel", args=[action.pk]), {"reason": "No longer"}
    )
    assert cancelled.status_code == 302 and cancelled.url == action.get_absolute_url()
    action.refresh_from_db()
    assert (action.goal, action.status, action.outcome) == (
        "New goal",
        Status.CANCELLED,
        "No longer",
    )


@pytest.mark.parametrize(
    ("persona", "detail", "complete"),
    [
        ("owner", 200, 403),
        ("colleague", 404, 403),
        ("outsider", 404, 403),
        ("manager", 200, 302),
        ("quality_manager", 200, 302),
        ("shopper", 403, 403),
    ],
)
def test_who_sees_and_completes(request, login, action, persona, detail, complete):
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("staff:coaching-detail", args=[action.pk])).status_code == detail
    response = client.post(reverse("staff:coaching-complete", args=[action.pk]), {"outcome": "ok"})
    assert response.status_code == complete


def test_list_filters(login, manager, owner, colleague, north):
    CoachingActionFactory(branch=north, employee=owner, due_on=due_in(-2))
    CoachingActionFactory(branch=north, employee=colleague, status=Status.DONE)
    client = login(manager)
    assert len(client.get(reverse("staff:coaching-list")).context["page"]) == 2
    overdue = client.get(reverse("staff:coaching-list"), {"overdue": "on"})
    assert [action.is_overdue for action in overdue.context["page"]] == [True]
    assert "(overdue)" in overdue.content.decode()
    own = login(owner).get(reverse("staff:coaching-list"))
    assert [action.employee for action in own.context["page"]] == [owner]


@pytest.mark.parametrize("rows", [2, 20])
def test_list_queries(login, manager, north, rows, django_assert_num_queries):
    for _ in range(rows):
        CoachingActionFactory(branch=north, employee=UserFactory(roles=["sales"], branches=[north]))
    client = login(manager)
    client.get(reverse("staff:coaching-list"))
    # Session, the user with their permissions, roles and branch ids; count and page
    # of actions (employee, coach, branch, course joined); unread notifications; the filter's
    # employee and branch choices.
    with django_assert_num_queries(7):
        response = client.get(reverse("staff:coaching-list"))
    assert len(response.context["page"]) == rows


def test_create_page_renders_and_complaint_link(login, manager, north, owner):
    category = ComplaintCategoryFactory(code="staff-attention", name="Staff attention")
    customer = CustomerFactory(branch=north, salesperson=owner)
    complaint = quality_services.record_complaint(
        by=manager, customer=customer, category=category, description="No time", channel="phone"
    )
    client = login(manager)
    assert client.get(reverse("staff:coaching-create")).status_code == 200
    action = CoachingAction.objects.get()
    page = client.get(action.get_absolute_url()).content.decode()
    assert reverse("quality:complaint-detail", args=[complaint.pk]) in page


def test_detail_names_a_mystery_shop_source_once_as_its_link(
    login, manager, owner, north, shopper, quality_manager
):
    assignment = handover_assignment(
        shopper=shopper, branch=north, employee=owner, created_by=quality_manager
    )
    result = submit(assignment, shopper, served_by=owner)
    action = CoachingActionFactory(
        branch=north,
        employee=owner,
        source=CoachingAction.Source.MYSTERY_SHOP,
        mystery_shop_result=result,
    )
    client = login(manager)
    client.cookies["django_language"] = "de"
    page = client.get(reverse("staff:coaching-detail", args=[action.pk]), HTTP_ACCEPT_LANGUAGE="de")
    source = re.search(r"Anlass</dt>\s*<dd[^>]*>(.*?)</dd>", page.content.decode(), re.S)[1]
    link = reverse("staff:result-detail", args=[result.pk])
    assert f'<a href="{link}">Testkauf-Ergebnis</a>' in source
    assert source.count("Testkauf-Ergebnis") == 1, source
