"""Appointments: the services (who may schedule and change what, state checks), the list with
its filters, quick buttons (htmx and plain POST), scheduling with the customer search, the
customer's timeline, and who sees what (owner, colleague, outsider, manager, shopper)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from aftersales.errors import DomainError
from customers import services as customer_services
from customers import timeline
from staff.models import Appointment
from staff.people import services
from tests.aftersales.factories import UserFactory
from tests.customers.factories import CustomerFactory, PurchaseFactory
from tests.staff.factories import AppointmentFactory

Outcome = Appointment.Outcome


@pytest.fixture
def customer(north):
    return CustomerFactory(branch=north, last_name="Kundig")


@pytest.fixture
def past(customer, owner):
    """The owner's appointment of an hour ago, not yet recorded."""
    return AppointmentFactory(
        customer=customer, employee=owner, agreed_at=timezone.now() - timedelta(hours=1)
    )


# --- services ------------------------------------------------------------------------------------


def test_schedule_own_and_managers_schedule_for_the_team(owner, colleague, manager, customer):
    when = timezone.now() + timedelta(days=2)
    mine = services.schedule_appointment(
        by=owner, employee=owner, customer=customer, kind=Appointment.Kind.HANDOVER, agreed_at=when
    )
    assert (mine.branch, mine.outcome, mine.created_by) == (
        customer.branch,
        Outcome.SCHEDULED,
        owner,
    )
    with pytest.raises(DomainError) as error:
        services.schedule_appointment(
            by=owner, employee=colleague, customer=customer, kind="handover", agreed_at=when
        )
    assert error.value.field == "employee"
    theirs = services.schedule_appointment(
        by=manager, employee=colleague, customer=customer, kind="consultation", agreed_at=when
    )
    assert theirs.employee == colleague


def test_schedule_refuses_other_branches_and_foreign_purchases(owner, outsider, customer, south):
    when = timezone.now() + timedelta(days=2)
    with pytest.raises(DomainError):
        services.schedule_appointment(
            by=outsider, employee=outsider, customer=customer, kind="handover", agreed_at=when
        )
    with pytest.raises(DomainError) as error:
        services.schedule_appointment(
            by=owner,
            employee=owner,
            customer=customer,
            kind="handover",
            agreed_at=when,
            purchase=PurchaseFactory(customer=CustomerFactory(branch=customer.branch)),
        )
    assert error.value.field == "purchase"


def test_start_no_show_cancel_state_checks(past, owner):
    started = services.start_appointment(appointment=past, by=owner)
    assert started.outcome == Outcome.HELD and started.started_at is not None
    with pytest.raises(DomainError, match="already started"):
        services.start_appointment(appointment=past, by=owner)
    with pytest.raises(DomainError):
        services.mark_no_show(appointment=past, by=owner)
    with pytest.raises(DomainError):
        services.cancel_appointment(appointment=past, by=owner)


def test_cancelled_cannot_start_and_no_show_needs_the_agreed_time(customer, owner):
    later = AppointmentFactory(
        customer=customer, employee=owner, agreed_at=timezone.now() + timedelta(hours=3)
    )
    with pytest.raises(DomainError, match="not come yet"):
        services.mark_no_show(appointment=later, by=owner)
    services.cancel_appointment(appointment=later, by=owner, reason="Customer ill")
    later.refresh_from_db()
    assert later.outcome == Outcome.CANCELLED and "Customer ill" in later.notes
    with pytest.raises(DomainError, match="cancelled"):
        services.start_appointment(appointment=later, by=owner)
    with pytest.raises(DomainError):
        services.update_appointment(
            appointment=later,
            by=owner,
            employee=owner,
            kind="handover",
            agreed_at=later.agreed_at,
        )


def test_only_own_appointments_for_sales_any_in_branch_for_managers(past, colleague, manager):
    with pytest.raises(DomainError, match="your own"):
        services.mark_no_show(appointment=past, by=colleague)
    assert services.mark_no_show(appointment=past, by=manager).outcome == Outcome.NO_SHOW


def test_update_moves_time_and_corrects_start_of_held(past, owner):
    services.start_appointment(appointment=past, by=owner)
    corrected = past.agreed_at + timedelta(minutes=3)
    updated = services.update_appointment(
        appointment=past,
        by=owner,
        employee=owner,
        kind="service_drop_off",
        agreed_at=past.agreed_at,
        started_at=corrected,
        notes="Brought the winter tyres",
    )
    assert (updated.kind, updated.started_at, updated.notes) == (
        "service_drop_off",
        corrected,
        "Brought the winter tyres",
    )


def test_appointments_on_the_customers_timeline(past, customer):
    events = [event for event in timeline.events_for(customer) if event.kind == "appointment"]
    assert len(events) == 1
    assert events[0].link == past.get_absolute_url()


# --- pages ---------------------------------------------------------------------------------------


def test_list_shows_mine_by_default_for_sales_and_team_for_managers(
    login, past, owner, colleague, manager, customer
):
    AppointmentFactory(customer=customer, employee=colleague, notes="colleague's")
    page = login(owner).get(reverse("staff:appointment-list"))
    assert list(page.context["page"]) == [past]
    team = login(manager).get(reverse("staff:appointment-list"))
    assert len(team.context["page"]) == 2


def test_list_filters_late_and_shows_the_rate(login, manager, owner, customer):
    now = timezone.now()
    for minutes in (2, 10, 20):
        AppointmentFactory(
            customer=customer,
            employee=owner,
            agreed_at=now - timedelta(hours=2),
            started_at=now - timedelta(hours=2) + timedelta(minutes=minutes),
            outcome=Outcome.HELD,
        )
    page = login(manager).get(reverse("staff:appointment-list"), {"late": "on"})
    assert len(page.context["page"]) == 2
    assert page.context["period"].on_time == 1
    assert "33 % on time" in page.content.decode()


def test_started_now_with_htmx_returns_the_row(login, past, owner):
    response = login(owner).post(
        reverse("staff:appointment-start", args=[past.pk]), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert f'id="appointment-{past.pk}"' in response.content.decode()
    assert ">Started now</button>" not in response.content.decode()
    past.refresh_from_db()
    assert past.outcome == Outcome.HELD


def test_no_show_without_javascript_redirects_back(login, past, owner):
    response = login(owner).post(
        reverse("staff:appointment-no-show", args=[past.pk]), {"next": "/appointments/?mine=on"}
    )
    assert response.status_code == 302 and response.url == "/appointments/?mine=on"
    past.refresh_from_db()
    assert past.outcome == Outcome.NO_SHOW


def test_quick_button_on_a_started_appointment_says_why(login, past, owner):
    services.start_appointment(appointment=past, by=owner)
    response = login(owner).post(
        reverse("staff:appointment-no-show", args=[past.pk]), HTTP_HX_REQUEST="true"
    )
    assert "already started" in response.content.decode()


def test_schedule_with_the_customer_search(login, owner, customer):
    client = login(owner)
    found = client.post(
        reverse("staff:appointment-create"), {"find_customer": "1", "customer_search": "Kundig"}
    )
    assert customer in list(found.context["search"]["customers"])
    chosen = client.post(reverse("staff:appointment-create"), {"use_customer": customer.pk})
    assert chosen.context["form"].selected_customer == customer
    response = client.post(
        reverse("staff:appointment-create"),
        {
            "customer": customer.pk,
            "kind": "handover",
            "agreed_at": "2030-03-01T10:00",
            "employee": owner.pk,
            "notes": "",
            "save": "1",
        },
    )
    appointment = Appointment.objects.get()
    assert response.status_code == 302 and response.url == appointment.get_absolute_url()
    # Entered in the branch's time: 10:00 in Berlin is 09:00 UTC in winter.
    assert appointment.agreed_at == datetime(2030, 3, 1, 9, tzinfo=UTC)


def test_schedule_with_bad_input_shows_errors(login, owner, customer):
    response = login(owner).post(
        reverse("staff:appointment-create"),
        {"customer": customer.pk, "kind": "handover", "agreed_at": "soon", "employee": owner.pk},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["agreed_at"]


def test_edit_page(login, past, owner):
    client = login(owner)
    assert client.get(reverse("staff:appointment-update", args=[past.pk])).status_code == 200
    response = client.post(
        reverse("staff:appointment-update", args=[past.pk]),
        {"kind": "consultation", "agreed_at": "2030-03-01T10:00", "employee": owner.pk},
    )
    assert response.status_code == 302
    past.refresh_from_db()
    assert past.kind == "consultation"


@pytest.mark.parametrize(
    ("persona", "detail", "start"),
    [
        ("owner", 200, 302),
        ("colleague", 200, 403),
        ("outsider", 404, 404),
        ("manager", 200, 302),
        ("quality_manager", 200, 403),
        ("shopper", 403, 403),
    ],
)
def test_who_may_see_and_start(request, login, past, persona, detail, start):
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("staff:appointment-detail", args=[past.pk])).status_code == detail
    assert client.post(reverse("staff:appointment-start", args=[past.pk])).status_code == start
    assert client.get(reverse("staff:appointment-list")).status_code == (
        403 if persona == "shopper" else 200
    )


def test_get_on_a_quick_button_is_refused(login, past, owner):
    assert login(owner).get(reverse("staff:appointment-start", args=[past.pk])).status_code == 405


@pytest.mark.parametrize("rows", [3, 30])
def test_list_queries(login, manager, north, rows, django_assert_num_queries):
    for _ in range(rows):
        employee = UserFactory(roles=["sales"], branches=[north])
        AppointmentFactory(customer=CustomerFactory(branch=north), employee=employee)
    client = login(manager)
    client.get(reverse("staff:appointment-list"))  # warm the session
    # Session, the user with their permissions, roles and branch ids; count and page of
    # appointments (customer, employee, branch, purchase joined), punctuality figures; unread
    # notifications (navigation); the filter's employee and branch choices.
    with django_assert_num_queries(8):
        response = client.get(reverse("staff:appointment-list"))
    assert len(response.context["page"]) == min(rows, 25)


def test_pages_render(login, past, owner, manager):
    client = login(owner)
    assert client.get(reverse("staff:appointment-create")).status_code == 200
    page = login(manager).get(reverse("staff:appointment-detail", args=[past.pk]))
    assert "Customer no-show" in page.content.decode()
    assert "Cancel appointment" in page.content.decode()


def test_no_show_is_offered_only_once_the_agreed_time_has_come(login, customer, owner):
    later = AppointmentFactory(
        customer=customer, employee=owner, agreed_at=timezone.now() + timedelta(hours=2)
    )
    page = login(owner).get(reverse("staff:appointment-detail", args=[later.pk])).content.decode()
    assert "Started now" in page
    assert "Customer no-show" not in page
    with pytest.raises(DomainError):
        services.mark_no_show(appointment=later, by=owner)


def test_merging_customers_moves_the_duplicates_appointments(admin_user, north):
    survivor = CustomerFactory(branch=north)
    appointment = AppointmentFactory(customer=CustomerFactory(branch=north))

    customer_services.merge_customers(
        survivor=survivor, duplicate=appointment.customer, by=admin_user
    )

    appointment.refresh_from_db()
    assert appointment.customer == survivor
