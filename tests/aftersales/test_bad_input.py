"""No 500 on any input (issue 11): the parser guard, the exception handler, the strict filters and
the field defaults each turn input that used to break a request into a 400 with a message."""

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.exceptions import ValidationError

from aftersales.api import exception_handler
from aftersales.errors import DomainError
from aftersales.parsers import MAX_NESTING
from customers.importing import preview_import
from customers.models import Customer, InvolvementLevel, Purchase
from tests.aftersales.factories import UserFactory
from tests.customers.factories import (
    CustomerFactory,
    ProductCategoryFactory,
    ProductFactory,
    PurchaseFactory,
)
from tests.customers.test_import import csv_file, row
from tests.followups.factories import FollowUpFactory
from tests.quality.factories import ComplaintCategoryFactory


@pytest.fixture
def customer(north, owner):
    return CustomerFactory(branch=north, salesperson=owner, last_name="Keller")


@pytest.fixture
def car(db):
    category = ProductCategoryFactory(code="cars", involvement=InvolvementLevel.HIGH)
    return ProductFactory(sku="CAR-1", category=category, list_price=Decimal("30000"))


@pytest.fixture
def service_user(north):
    return UserFactory(username="sven", roles=["service", "sales"], branches=[north])


def post_raw(client, url, body):
    """`body` is JSON text: json.dumps writes lone surrogates as \\u escapes, as clients may."""
    return client.generic("POST", url, body, content_type="application/json")


def assert_400_json(response):
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/json")
    return response.json()


# --- lone surrogates in choice fields ------------------------------------------------------------


def test_a_lone_surrogate_in_a_customers_kind_is_a_400(client_for, owner, north):
    body = json.dumps({"kind": "\ud800", "last_name": "Keller", "branch": north.pk})
    errors = assert_400_json(post_raw(client_for(owner), "/api/customers/", body))
    assert "surrogate" in errors["detail"]
    assert not Customer.objects.exists()


@pytest.mark.parametrize("field", ["channel", "severity"])
def test_a_lone_surrogate_in_a_complaints_choice_is_a_400(
    client_for, service_user, customer, field
):
    body = {
        "customer": customer.pk,
        "category": ComplaintCategoryFactory().pk,
        "channel": "phone",
        "severity": "medium",
        "description": "Rattles",
        field: "\udfff",
    }
    raw = json.dumps(body)
    assert_400_json(post_raw(client_for(service_user), "/api/complaints/", raw))


def test_a_lone_surrogate_in_a_follow_up_outcome_is_a_400(client_for, owner, customer):
    followup = FollowUpFactory(
        purchase=PurchaseFactory(customer=customer, branch=customer.branch, salesperson=owner)
    )
    url = f"/api/followups/{followup.pk}/complete/"
    errors = assert_400_json(post_raw(client_for(owner), url, json.dumps({"outcome": "\ud83d"})))
    assert "surrogate" in errors["detail"]


def test_drf_messages_that_repeat_a_surrogate_are_cleaned():
    """Defence in depth: whatever gets past the parser, the answer can still be encoded."""
    response = exception_handler(ValidationError({"kind": ['"\ud800" is not a valid choice.']}), {})
    assert response.status_code == 400
    json.dumps(response.data, ensure_ascii=False).encode()


# --- deep nesting, large bodies ------------------------------------------------------------------


def test_json_nested_2000_levels_deep_is_a_400(client_for, owner):
    body = '{"notes": ' + "[" * 2000 + "]" * 2000 + "}"
    errors = assert_400_json(post_raw(client_for(owner), "/api/customers/", body))
    assert str(MAX_NESTING) in errors["detail"]


def test_a_body_over_the_limit_is_a_400(client_for, owner, settings):
    settings.API_MAX_BODY_BYTES = 1000
    body = json.dumps({"notes": "x" * 2000})
    errors = assert_400_json(post_raw(client_for(owner), "/api/customers/", body))
    assert "1000 bytes" in errors["detail"]


def test_invalid_json_is_a_400(client_for, owner):
    assert_400_json(post_raw(client_for(owner), "/api/customers/", '{"kind": '))


# --- optional fields are optional ----------------------------------------------------------------


def test_a_purchase_line_without_quantity_counts_one(client_for, owner, customer, north, car):
    body = {
        "customer": customer.pk,
        "branch": north.pk,
        "purchase_date": timezone.localdate().isoformat(),
        "lines": [{"product": car.pk, "unit_price": "100.00"}],
    }
    response = client_for(owner).post("/api/purchases/", body, format="json")
    assert response.status_code == 201, response.content
    assert Purchase.objects.get().lines.get().quantity == 1


# --- control characters --------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["a\x00b", "bell\x07", "esc\x1b[31m", "del\x7f"])
def test_control_characters_are_a_field_error_in_the_api(client_for, owner, customer, text):
    response = client_for(owner).patch(
        f"/api/customers/{customer.pk}/", {"notes": text}, format="json"
    )
    assert "notes" in assert_400_json(response)
    customer.refresh_from_db()
    assert customer.notes != text


def test_control_characters_are_a_field_error_in_form_encoded_api_calls(
    client_for, owner, customer
):
    response = client_for(owner).patch(f"/api/customers/{customer.pk}/", {"city": "Bonn\x00"})
    assert "city" in assert_400_json(response)


def test_lines_and_tabs_stay_allowed(client_for, owner, customer):
    response = client_for(owner).patch(
        f"/api/customers/{customer.pk}/", {"notes": "one\ttwo\r\nthree"}, format="json"
    )
    assert response.status_code == 200, response.content


def test_control_characters_are_a_field_error_in_forms(login, owner, customer):
    response = login(owner).post(
        reverse("customers:customer-update", args=[customer.pk]),
        {
            "kind": "person",
            "last_name": "Keller",
            "notes": "call back\x08",
            "branch": customer.branch_id,
            "preferred_language": "de",
            "country": "DE",
        },
    )
    assert response.status_code == 200
    assert "notes" in response.context["form"].errors
    customer.refresh_from_db()
    assert customer.notes == ""


@pytest.mark.parametrize("column", ["last_name", "notes", "city"])
def test_control_characters_fail_the_import_preview(north, manager, column):
    data = csv_file(row(**{column: "Mus\x00ter"}))
    result = preview_import(data=data, by=manager)
    assert [(error.row, error.column) for error in result.errors] == [(2, column)]


# --- dates in a plausible range ------------------------------------------------------------------


def test_a_purchase_dated_0001_01_01_is_refused(client_for, owner, customer, north, car):
    body = {
        "customer": customer.pk,
        "branch": north.pk,
        "purchase_date": "0001-01-01",
        "lines": [{"product": car.pk, "quantity": 1, "unit_price": "100.00"}],
    }
    response = client_for(owner).post("/api/purchases/", body, format="json")
    assert "purchase_date" in assert_400_json(response)
    assert not Purchase.objects.exists()


def test_an_appointment_in_the_year_747_is_refused(client_for, owner, customer):
    body = {"customer": customer.pk, "kind": "handover", "agreed_at": "0747-05-01T10:00:00Z"}
    response = client_for(owner).post("/api/appointments/", body, format="json")
    assert "agreed_at" in assert_400_json(response)


def test_a_date_of_this_century_is_fine(client_for, owner, customer):
    agreed_at = (timezone.now() + timedelta(days=3)).isoformat()
    body = {"customer": customer.pk, "kind": "handover", "agreed_at": agreed_at}
    response = client_for(owner).post("/api/appointments/", body, format="json")
    assert response.status_code == 201, response.content


def test_an_implausible_purchase_date_fails_the_import_preview(north, manager, car):
    result = preview_import(data=csv_file(row(purchase_date="01.01.0001")), by=manager)
    assert [(error.row, error.column) for error in result.errors] == [(2, "purchase_date")]


# --- strict filters ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", ["707", "maybe", "\u00e4"])
def test_an_unreadable_boolean_filter_is_a_400(client_for, admin_user, value):
    response = client_for(admin_user).get("/api/branches/", {"is_active": value})
    assert "is_active" in assert_400_json(response)


@pytest.mark.parametrize("value", ["true", "false", "1", "0", "True"])
def test_readable_boolean_filters_still_filter(client_for, admin_user, north, value):
    assert client_for(admin_user).get("/api/branches/", {"is_active": value}).status_code == 200


# --- one error body shape (issue 11) -------------------------------------------------------------


def test_a_filters_refusal_is_a_detail_string_not_a_bare_list(client_for, owner):
    """The search filter refuses control characters with a ValidationError of a bare list; the
    answer has the documented shape, `detail` a string."""
    response = client_for(owner).get("/api/branches/", {"search": "a\x17b"})
    errors = assert_400_json(response)
    assert isinstance(errors, dict)
    assert isinstance(errors["detail"], str) and "control characters" in errors["detail"]


def test_a_domain_error_about_the_whole_request_is_a_detail_string():
    response = exception_handler(DomainError("Not now."), {})
    assert response.status_code == 400
    assert response.data == {"detail": "Not now."}


def test_a_domain_error_about_a_field_stays_a_list_under_the_field():
    response = exception_handler(DomainError("Give one.", field="roles"), {})
    assert response.data == {"roles": ["Give one."]}


def test_a_models_validation_error_about_the_whole_object_is_a_detail_string():
    response = exception_handler(DjangoValidationError(["One.", "Two."]), {})
    assert response.data == {"detail": "One. Two."}
