"""POST /api/complaints/{id}/correct/: the same service as the browser's correction, field errors
as 400, who may as in the browser (others 403, other branches 404), the corrections in the
complaint's detail, and the action in the schema."""

import pytest

from quality.models import ComplaintCorrection, DissonanceScore, Nature, Severity
from tests.aftersales.factories import UserFactory
from tests.customers.factories import CustomerFactory, PurchaseFactory
from tests.quality.factories import ComplaintCategoryFactory, ComplaintFactory

REASON = "The customer named the car on the phone."


@pytest.fixture
def sven(north):
    return UserFactory(username="sven", roles=["service"], branches=[north])


@pytest.fixture
def noise(db):
    return ComplaintCategoryFactory(name="Wind noise", code="test-noise-wind")


@pytest.fixture
def customer(north, owner):
    return CustomerFactory(branch=north, salesperson=owner)


@pytest.fixture
def car(customer):
    return PurchaseFactory(customer=customer, main_category=None, handover_date=None)


@pytest.fixture
def complaint(sven, customer, noise):
    return ComplaintFactory(
        by=sven, customer=customer, category=noise, severity=Severity.MEDIUM, nature=Nature.UNKNOWN
    )


def correct(client, complaint, **data):
    return client.post(f"/api/complaints/{complaint.pk}/correct/", data, format="json")


def test_service_corrects_and_the_detail_shows_it(client_for, sven, complaint, car, customer):
    client = client_for(sven)
    response = correct(
        client, complaint, reason=REASON, purchase=car.pk, severity=Severity.CRITICAL
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["purchase"], body["severity"]) == (car.pk, Severity.CRITICAL)
    (correction,) = body["corrections"]
    assert (correction["by"], correction["reason"]) == (sven.pk, REASON)
    assert [
        (fact["field"], fact["before_value"], fact["after_value"], fact["before"])
        for fact in correction["changes"]
    ] == [
        ("purchase", None, car.pk, "no particular purchase"),
        ("severity", Severity.MEDIUM, Severity.CRITICAL, "medium"),
    ]
    # Medium and unknown weighed 18 points; critical 50 × 0.9 = 45.
    assert DissonanceScore.objects.get(customer=customer, purchase=None).score == 45
    detail = client.get(f"/api/complaints/{complaint.pk}/").json()
    assert detail["corrections"] == body["corrections"]
    # The list stays as it was, without the corrections.
    assert "corrections" not in client.get("/api/complaints/").json()["results"][0]


def test_the_reason_is_required(client_for, sven, complaint):
    response = correct(client_for(sven), complaint, severity=Severity.LOW)
    assert response.status_code == 400
    assert "reason" in response.json()
    response = correct(client_for(sven), complaint, reason="  ", severity=Severity.LOW)
    assert response.status_code == 400
    assert "reason" in response.json()
    assert not ComplaintCorrection.objects.exists()


def test_a_purchase_of_another_customer_is_a_field_error(client_for, sven, north, complaint):
    someone_elses = PurchaseFactory(customer=CustomerFactory(branch=north))
    response = correct(client_for(sven), complaint, reason=REASON, purchase=someone_elses.pk)
    assert response.status_code == 400
    assert "belongs to another customer" in response.json()["purchase"][0]


def test_a_customer_of_another_branch_does_not_exist(client_for, sven, south, complaint):
    response = correct(
        client_for(sven),
        complaint,
        reason=REASON,
        customer=CustomerFactory(branch=south).pk,
        purchase=None,
    )
    assert response.status_code == 400
    assert "customer" in response.json()


def test_bad_choices_are_field_errors(client_for, sven, complaint):
    response = correct(client_for(sven), complaint, reason=REASON, severity="enormous")
    assert response.status_code == 400
    assert "severity" in response.json()


def test_a_closed_complaint_is_refused_with_a_message(client_for, sven, complaint):
    client = client_for(sven)
    client.post(f"/api/complaints/{complaint.pk}/resolve/", {"resolution": "repair"}, format="json")
    client.post(f"/api/complaints/{complaint.pk}/close/", {}, format="json")
    response = correct(client, complaint, reason=REASON, severity=Severity.LOW)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "Only an open complaint can be corrected; this one is closed."
    }


@pytest.mark.parametrize("persona", ["quality_manager", "admin_user"])
def test_quality_staff_and_administrators_may(client_for, request, persona, complaint):
    response = correct(
        client_for(request.getfixturevalue(persona)), complaint, reason=REASON, nature="objective"
    )
    assert response.status_code == 200


@pytest.mark.parametrize("persona", ["manager", "owner", "shopper"])
def test_others_are_forbidden(client_for, request, persona, complaint):
    response = correct(
        client_for(request.getfixturevalue(persona)), complaint, reason=REASON, nature="objective"
    )
    assert response.status_code == 403
    assert not ComplaintCorrection.objects.exists()


def test_service_staff_of_another_branch_get_404(client_for, south, complaint):
    stan = UserFactory(roles=["service"], branches=[south])
    response = correct(client_for(stan), complaint, reason=REASON, nature="objective")
    assert response.status_code == 404


def test_the_schema_documents_the_action(client_for, admin_user):
    schema = client_for(admin_user).get(
        "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )
    operation = schema.json()["paths"]["/api/complaints/{id}/correct/"]["post"]
    body = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("/ComplaintCorrect")
    assert operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ComplaintDetail"
    )
    assert {"400", "403", "404"} <= set(operation["responses"])
    required = schema.json()["components"]["schemas"]["ComplaintCorrect"]["required"]
    assert required == ["reason"]
