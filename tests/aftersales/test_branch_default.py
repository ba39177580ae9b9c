"""The API's branch fields default to the caller's only branch (issue 16), by the rule the
browser's forms preselect with (aftersales.access.sole_branch): someone in one branch may leave
`branch` out; someone in several, or an administrator of several, is told to name one."""

from datetime import timedelta

import pytest
from django.utils import timezone

from aftersales.access import sole_branch
from aftersales.models import Branch
from customers.models import Customer, Purchase
from staff.hiring.models import Candidate
from tests.aftersales.factories import BranchFactory, UserFactory
from tests.customers.factories import CustomerFactory, ProductFactory

GRETA = {"first_name": "Greta", "last_name": "Schulz", "email": "greta@example.com"}


@pytest.fixture
def roaming_seller(north, south):
    return UserFactory(username="rosa", roles=["sales"], branches=[north, south])


def test_the_rule_names_the_only_active_branch(owner, roaming_seller, north, south):
    assert sole_branch(Branch.objects.visible_to(owner)) == north
    assert sole_branch(Branch.objects.visible_to(roaming_seller)) is None
    south.is_active = False
    south.save()
    assert sole_branch(Branch.objects.visible_to(roaming_seller)) == north


def test_a_customer_of_a_one_branch_seller_goes_to_their_branch(client_for, owner, north):
    response = client_for(owner).post("/api/customers/", GRETA, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["branch"] == north.pk
    assert Customer.objects.get().branch == north


def test_someone_in_several_branches_must_name_one(client_for, roaming_seller, south):
    client = client_for(roaming_seller)
    response = client.post("/api/customers/", GRETA, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "branch": ["Required: you work in several branches, so name one of them."]
    }
    assert not Customer.objects.exists()
    response = client.post("/api/customers/", {**GRETA, "branch": south.pk}, format="json")
    assert response.status_code == 201
    assert Customer.objects.get().branch == south


def test_an_explicit_branch_is_still_checked(client_for, owner, south):
    response = client_for(owner).post(
        "/api/customers/", {**GRETA, "branch": south.pk}, format="json"
    )
    assert response.status_code == 400
    assert "branch" in response.json()


def test_a_purchase_defaults_to_the_sellers_branch(client_for, owner, north):
    customer = CustomerFactory(branch=north)
    product = ProductFactory()
    payload = {
        "customer": customer.pk,
        "purchase_date": str(timezone.localdate() - timedelta(days=1)),
        "lines": [{"product": product.pk, "unit_price": "10.00"}],
    }
    response = client_for(owner).post("/api/purchases/", payload, format="json")
    assert response.status_code == 201, response.content
    assert Purchase.objects.get().branch == north


def test_a_candidate_defaults_to_the_managers_branch(client_for, manager, north, south):
    payload = {"first_name": "Lena", "last_name": "Vogt", "role": "sales"}
    response = client_for(manager).post("/api/candidates/", payload, format="json")
    assert response.status_code == 201, response.content
    assert Candidate.objects.get().branch == north

    manager.branches.add(south)
    del manager._visible_branch_ids
    response = client_for(manager).post("/api/candidates/", payload, format="json")
    assert response.status_code == 400
    assert "branch" in response.json()


def test_an_administrator_of_one_branch_gets_it_too(client_for, admin_user, north):
    response = client_for(admin_user).post("/api/customers/", GRETA, format="json")
    assert response.status_code == 201
    BranchFactory(name="West", code="WEST")
    response = client_for(admin_user).post(
        "/api/customers/", {**GRETA, "email": "greta2@example.com"}, format="json"
    )
    assert response.status_code == 400
    assert "branch" in response.json()


def test_the_schema_documents_the_branch_as_optional(client_for, admin_user):
    schema = (
        client_for(admin_user)
        .get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
        .json()["components"]["schemas"]
    )
    for component in (
        "CustomerCreate",
        "PurchaseCreate",
        "CandidateWrite",
        "AssignmentCreate",
        "AuditPlan",
    ):
        assert "branch" not in schema[component].get("required", []), component
        assert "only one" in schema[component]["properties"]["branch"]["description"]
