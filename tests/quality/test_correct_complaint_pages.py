"""Correcting a complaint in the browser: the form prefilled with what was recorded (the
recording page's customer picker and purchase choice), field errors, the confirmation, the
corrections on the complaint page, and who may (service and quality staff and administrators;
others 403, other branches 404, closed complaints a message).
"""

import pytest
from django.urls import reverse
from django.utils.formats import date_format

from quality import services
from quality.models import Complaint, ComplaintCorrection, Nature, Severity
from tests.aftersales.factories import UserFactory
from tests.customers.factories import (
    CustomerFactory,
    ProductCategoryFactory,
    ProductFactory,
    PurchaseFactory,
)
from tests.quality.factories import ComplaintCategoryFactory, ComplaintFactory

REASON = "The customer named the car on the phone."


@pytest.fixture
def sven(north):
    return UserFactory(username="sven", roles=["service"], branches=[north])


@pytest.fixture
def stan(south):
    return UserFactory(username="stan", roles=["service"], branches=[south])


@pytest.fixture
def noise(db):
    return ComplaintCategoryFactory(name="Wind noise", code="test-noise-wind")


@pytest.fixture
def paint(db):
    return ComplaintCategoryFactory(name="Paint", code="test-paint")


@pytest.fixture
def customer(north, owner):
    return CustomerFactory(
        branch=north, salesperson=owner, first_name="Jonas", last_name="Hartmann"
    )


@pytest.fixture
def car(customer):
    purchase = PurchaseFactory(
        customer=customer, main_category=ProductCategoryFactory(code="test-new-cars")
    )
    purchase.lines.create(
        product=ProductFactory(name="Touran Highline"), quantity=1, unit_price=30000
    )
    return purchase


@pytest.fixture
def complaint(sven, customer, noise):
    """Saved without its purchase."""
    return ComplaintFactory(
        by=sven, customer=customer, category=noise, severity=Severity.HIGH, nature=Nature.UNKNOWN
    )


def correct_url(complaint):
    return reverse("quality:complaint-correct", args=[complaint.pk])


def posted(complaint, **changes):
    return {
        "customer": complaint.customer_id,
        "purchase": complaint.purchase_id or "",
        "category": complaint.category_id,
        "nature": complaint.nature,
        "severity": complaint.severity,
        "reason": REASON,
        "save": "",
        **changes,
    }


def test_the_form_shows_what_was_recorded(login, sven, complaint, car):
    response = login(sven).get(correct_url(complaint))
    assert response.status_code == 200
    form = response.context["form"]
    assert form.selected_customer == complaint.customer
    assert form["category"].value() == complaint.category_id
    assert (form["nature"].value(), form["severity"].value()) == (Nature.UNKNOWN, Severity.HIGH)
    assert form["purchase"].value() is None
    # The purchase choice names what was bought.
    assert f"Purchase {car.pk}" in response.text
    assert "Touran Highline" in response.text
    assert "Jonas Hartmann" in response.text


def test_service_gives_the_purchase_and_sees_the_correction(login, sven, complaint, car):
    client = login(sven)
    response = client.post(correct_url(complaint), posted(complaint, purchase=car.pk))
    assert response.status_code == 302
    assert response.url == f"{complaint.get_absolute_url()}#corrections"
    correction = ComplaintCorrection.objects.get()
    assert (correction.by, correction.reason) == (sven, REASON)
    assert correction.changes == {"purchase": {"from": None, "to": car.pk}}

    page = client.get(complaint.get_absolute_url())
    assert f"Complaint {complaint.pk} corrected." in page.text
    (entry,) = page.context["corrections"]
    assert entry.correction == correction
    assert [(fact.label, fact.before, fact.after) for fact in entry.facts] == [
        (
            "purchase",
            "no particular purchase",
            f"Purchase {car.pk} · {date_format(car.purchase_date, 'SHORT_DATE_FORMAT')}",
        )
    ]
    assert REASON in page.text


def test_a_reason_is_required(login, sven, complaint, paint):
    response = login(sven).post(
        correct_url(complaint), posted(complaint, category=paint.pk, reason="")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["reason"] == ["Say why the complaint is corrected."]
    assert not ComplaintCorrection.objects.exists()


def test_nothing_changed_is_said(login, sven, complaint):
    response = login(sven).post(correct_url(complaint), posted(complaint))
    assert response.status_code == 200
    assert "Nothing was changed" in response.context["form"].non_field_errors()[0]


def test_a_purchase_of_another_customer_cannot_be_chosen(login, sven, north, complaint):
    someone_elses = PurchaseFactory(customer=CustomerFactory(branch=north))
    response = login(sven).post(
        correct_url(complaint), posted(complaint, purchase=someone_elses.pk)
    )
    assert response.status_code == 200
    assert "purchase" in response.context["form"].errors
    assert not ComplaintCorrection.objects.exists()


def test_choosing_another_customer_keeps_the_reason_and_drops_the_purchase(
    login, sven, north, complaint, car
):
    services.correct_complaint(complaint=complaint, by=sven, reason="Car", purchase=car)
    complaint.refresh_from_db()
    brandt = CustomerFactory(branch=north, first_name="Lena", last_name="Brandt")
    data = posted(complaint, use_customer=brandt.pk, reason="Lena Brandt called, not Jonas")
    del data["save"]
    response = login(sven).post(correct_url(complaint), data)
    form = response.context["form"]
    assert form.selected_customer == brandt
    assert form["purchase"].value() is None
    assert form["reason"].value() == "Lena Brandt called, not Jonas"
    assert ComplaintCorrection.objects.count() == 1

    response = login(sven).post(
        correct_url(complaint), posted(complaint, customer=brandt.pk, purchase="")
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert (complaint.customer, complaint.purchase) == (brandt, None)


def test_the_picker_finds_customers_without_javascript(login, sven, north, complaint):
    CustomerFactory(branch=north, first_name="Lena", last_name="Brandt")
    data = {**posted(complaint), "find_customer": "1", "customer_search": "Brandt"}
    del data["save"], data["customer"]
    response = login(sven).post(correct_url(complaint), data)
    assert response.status_code == 200
    assert "Select Lena Brandt" in response.text


@pytest.mark.parametrize("persona", ["sven", "quality_manager", "admin_user"])
def test_service_and_quality_staff_and_administrators_correct(login, request, persona, complaint):
    client = login(request.getfixturevalue(persona))
    assert client.get(correct_url(complaint)).status_code == 200
    page = client.get(complaint.get_absolute_url())
    assert correct_url(complaint) in page.text


@pytest.mark.parametrize("persona", ["manager", "owner", "shopper"])
def test_others_may_not(login, request, persona, complaint, paint):
    client = login(request.getfixturevalue(persona))
    assert client.get(correct_url(complaint)).status_code == 403
    response = client.post(correct_url(complaint), posted(complaint, category=paint.pk))
    assert response.status_code == 403
    assert not ComplaintCorrection.objects.exists()
    if persona != "shopper":
        assert correct_url(complaint) not in client.get(complaint.get_absolute_url()).text


def test_service_staff_of_another_branch_get_404(login, stan, complaint, paint):
    client = login(stan)
    assert client.get(correct_url(complaint)).status_code == 404
    assert (
        client.post(correct_url(complaint), posted(complaint, category=paint.pk)).status_code == 404
    )


def test_a_closed_complaint_is_not_corrected(login, sven, complaint, paint):
    complaint = services.resolve_complaint(complaint=complaint, by=sven, resolution="repair")
    complaint = services.close_complaint(complaint=complaint, by=sven)
    client = login(sven)
    for response in (
        client.get(correct_url(complaint), follow=True),
        client.post(correct_url(complaint), posted(complaint, category=paint.pk), follow=True),
    ):
        assert response.redirect_chain == [(complaint.get_absolute_url(), 302)]
        assert "Only an open complaint can be corrected; this one is closed." in response.text
    assert correct_url(complaint) not in response.text
    assert complaint.status == Complaint.Status.CLOSED
    assert not ComplaintCorrection.objects.exists()


@pytest.mark.parametrize("count", [1, 6])
def test_the_complaint_page_query_count_stays_with_corrections(
    login, sven, north, customer, complaint, car, noise, paint, count, django_assert_max_num_queries
):
    other = CustomerFactory(branch=north)
    for number in range(count):
        # Every kind of fact: the customer and back, the purchase, category, nature, severity.
        services.correct_complaint(
            complaint=complaint,
            by=sven,
            reason=f"Correction {number}",
            customer=other if number % 2 == 0 else customer,
            purchase=None if number % 2 == 0 else car,
            category=paint if number % 2 == 0 else noise,
            nature=Nature.OBJECTIVE if number % 2 == 0 else Nature.SUBJECTIVE,
            severity=Severity.LOW if number % 2 == 0 else Severity.HIGH,
        )
        complaint.refresh_from_db()
    client = login(sven)
    # session, user, role groups, user permissions, group permissions, branches (scoping), the
    # complaint (joined), attachments, events, corrections with who made them, the customers,
    # purchases and categories they name, the assign form's staff, unread notifications.
    with django_assert_max_num_queries(15):
        response = client.get(complaint.get_absolute_url())
    assert len(response.context["corrections"]) == count
