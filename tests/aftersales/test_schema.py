"""The OpenAPI schema tells the truth (issue 11): blank and null where the API returns them, and
the error answers documented (aftersales.schema)."""

import pytest


@pytest.fixture
def schema(client_for, admin_user):
    response = client_for(admin_user).get(
        "/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json"
    )
    assert response.status_code == 200
    return response.json()


def property_of(schema, component, name):
    return schema["components"]["schemas"][component]["properties"][name]


def allows_blank(schema, prop):
    refs = [option.get("$ref", "") for option in prop.get("oneOf", [])]
    lengths = [option.get("maxLength") for option in prop.get("oneOf", [])]
    return "#/components/schemas/BlankEnum" in refs or 0 in lengths


@pytest.mark.parametrize(
    ("component", "name"),
    [("FollowUp", "outcome"), ("Complaint", "resolution"), ("Candidate", "email")],
)
def test_read_only_fields_that_may_be_blank_say_so(schema, component, name):
    assert allows_blank(schema, property_of(schema, component, name))


def test_a_dissonance_customer_without_a_salesperson_is_null(schema):
    assert property_of(schema, "DissonanceCustomer", "salesperson")["nullable"] is True


def test_every_operation_documents_its_error_answers(schema):
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            documented = set(operation["responses"])
            assert {"400", "401", "403", "404"} <= documented, (method, path)
            assert "WWW-Authenticate" in operation["responses"]["401"]["headers"]
