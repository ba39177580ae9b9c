"""The cross-selling API: offer rules (read for staff, written by administrators, validated),
offers scoped to the caller's branches with present / accept / decline / reassign through the
services, the summary for managers, the schema."""

from decimal import Decimal

import pytest
from django.urls import reverse

from followups.models import OfferRule, OfferState
from tests.followups.test_offer_figures import PERIOD
from tests.quality.factories import ComplaintFactory

RULES = "/api/offer-rules/"
OFFERS = "/api/offers/"


def new_rule(cars, winter_tyres, **changes):
    return {
        "name": "Summer tyres",
        "category": cars.pk,
        "product": winter_tyres.pk,
        "season_start_month": 3,
        "season_start_day": 15,
        "season_end_month": 4,
        "season_end_day": 30,
        "channels": ["email"],
        **changes,
    }


# --- offer rules ---


@pytest.mark.parametrize(
    ("persona", "read", "write"),
    [("admin_user", 200, 201), ("manager", 200, 403), ("owner", 200, 403), ("shopper", 403, 403)],
)
def test_rules_are_read_by_staff_and_written_by_administrators(
    client_for,
    request,
    winter_rule,
    cars,
    winter_tyres,
    persona,
    read,
    write,
):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(RULES).status_code == read
    response = client.post(RULES, new_rule(cars, winter_tyres), format="json")
    assert response.status_code == write
    if write == 201:
        assert OfferRule.objects.get(name="Summer tyres").channels == ["email"]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"season_end_day": None}, "non_field_errors"),
        ({"season_start_month": 2, "season_start_day": 30}, "season_start_day"),
        ({"min_age_days": 100, "max_age_days": 10}, "max_age_days"),
        ({"price": "10.00", "discount_percent": 5}, "discount_percent"),
        ({"channels": ["pigeon"]}, "channels"),
        ({"category": 999999}, "category"),
    ],
)
def test_rule_validation_is_a_400_with_the_field(
    client_for,
    admin_user,
    cars,
    winter_tyres,
    changes,
    field,
):
    response = client_for(admin_user).post(
        RULES, new_rule(cars, winter_tyres, **changes), format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not OfferRule.objects.exists()


def test_an_administrator_switches_a_rule_off(client_for, admin_user, winter_rule):
    response = client_for(admin_user).patch(
        f"{RULES}{winter_rule.pk}/", {"is_active": False}, format="json"
    )
    assert response.status_code == 200
    winter_rule.refresh_from_db()
    assert not winter_rule.is_active
    response = client_for(admin_user).patch(
        f"{RULES}{winter_rule.pk}/", {"max_age_days": 1, "min_age_days": 5}, format="json"
    )
    assert response.status_code == 400


# --- offers ---


@pytest.mark.parametrize(
    ("persona", "sees"),
    [("owner", True), ("colleague", True), ("manager", True), ("outsider", False)],
)
def test_offers_are_scoped_to_the_branch(client_for, request, offer, persona, sees):
    client = client_for(request.getfixturevalue(persona))
    ids = [item["id"] for item in client.get(OFFERS).json()["results"]]
    assert (offer.pk in ids) == sees
    assert client.get(f"{OFFERS}{offer.pk}/").status_code == (200 if sees else 404)


def test_quality_managers_and_shoppers_get_no_offers(client_for, quality_manager, shopper):
    for user in (quality_manager, shopper):
        assert client_for(user).get(OFFERS).status_code == 403


def test_the_pipeline_through_the_api(client_for, owner, offer, october):
    client = client_for(owner)
    response = client.post(f"{OFFERS}{offer.pk}/present/", {"channel": "email"}, format="json")
    assert response.status_code == 200
    assert response.json()["state"] == OfferState.PRESENTED
    response = client.post(f"{OFFERS}{offer.pk}/accept/", {"value": "450.00"}, format="json")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["state"] == OfferState.ACCEPTED and body["value"] == "450.00"
    offer.refresh_from_db()
    assert offer.accepted_purchase.total == Decimal("450.00")
    response = client.post(f"{OFFERS}{offer.pk}/decline/", {"reason": "price"}, format="json")
    assert response.status_code == 400
    assert "already decided" in response.json()["detail"]


def test_refused_and_invalid_actions_are_400s(client_for, owner, offer, october):
    client = client_for(owner)
    url = f"{OFFERS}{offer.pk}/"
    assert client.post(f"{url}accept/", {}, format="json").status_code == 400  # not presented
    response = client.post(f"{url}present/", {"channel": "pigeon"}, format="json")
    assert "channel" in response.json()
    response = client.post(f"{url}present/", {"channel": "sms"}, format="json")
    assert response.json() == {"channel": ["This offer is not made on this channel."]}
    response = client.post(f"{url}decline/", {"reason": "other"}, format="json")
    assert response.json() == {"note": ["Say why in a few words."]}
    ComplaintFactory(customer=offer.customer)
    response = client.post(f"{url}present/", {"channel": "email"}, format="json")
    assert response.status_code == 400 and "complaint" in str(response.json())
    offer.refresh_from_db()
    assert offer.state == OfferState.SUGGESTED


def test_outsiders_cannot_act_and_only_managers_reassign(
    client_for, outsider, owner, colleague, manager, offer
):
    url = f"{OFFERS}{offer.pk}/"
    response = client_for(outsider).post(f"{url}present/", {"channel": "email"}, format="json")
    assert response.status_code == 404
    response = client_for(owner).post(f"{url}reassign/", {"assignee": colleague.pk}, format="json")
    assert response.status_code == 403
    response = client_for(manager).post(
        f"{url}reassign/", {"assignee": colleague.pk}, format="json"
    )
    assert response.status_code == 200 and response.json()["assignee"] == colleague.pk
    response = client_for(manager).post(f"{url}reassign/", {"assignee": outsider.pk}, format="json")
    assert response.status_code == 400


def test_offer_filters(client_for, owner, colleague, offer):
    client = client_for(owner)
    assert client.get(OFFERS, {"mine": "true"}).json()["count"] == 1
    assert client_for(colleague).get(OFFERS, {"mine": "true"}).json()["count"] == 0
    assert client.get(OFFERS, {"state": "declined"}).json()["count"] == 0
    assert client.get(OFFERS, {"state": "nonsense"}).status_code == 400


# --- summary ---


def test_the_summary_for_managers(client_for, manager, owner, pipeline):
    response = client_for(manager).get(f"{OFFERS}summary/", PERIOD)
    assert response.status_code == 200
    body = response.json()
    assert body["total"]["accepted"] == 1 and body["total"]["conversion_rate"] == 0.5
    assert {item["code"] for item in body["held_back"]} == {"no_consent", "open_complaint"}
    assert body["retention"][0] == {"band": "0-1", "vehicles": 4, "retained": 1, "rate": 0.25}
    assert body["recapture"] == {"declined": 2, "recaptured": 1, "rate": 0.5}
    assert client_for(owner).get(f"{OFFERS}summary/").status_code == 403
    bad = client_for(manager).get(f"{OFFERS}summary/", {"start": "2026-10-31", "end": "2026-10-01"})
    assert bad.status_code == 400 and "end" in bad.json()


def test_the_schema_describes_the_endpoints(client_for, admin_user):
    schema = client_for(admin_user).get(reverse("api-schema"), {"format": "json"}).json()
    paths = schema["paths"]
    for path in (
        "/api/offer-rules/",
        "/api/offers/",
        "/api/offers/{id}/present/",
        "/api/offers/{id}/accept/",
        "/api/offers/{id}/decline/",
        "/api/offers/summary/",
    ):
        assert path in paths
    accept = paths["/api/offers/{id}/accept/"]["post"]
    assert "Accept" in accept["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    summary = paths["/api/offers/summary/"]["get"]
    assert {parameter["name"] for parameter in summary["parameters"]} >= {"start", "end"}
