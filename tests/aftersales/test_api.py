import pytest

from aftersales.signin.models import ApiToken
from aftersales.signin.services import issue_token


def test_token_is_issued_for_valid_credentials(api_client, owner):
    response = api_client.post(
        "/api/auth/token/", {"username": "alice", "password": "correct-horse-battery"}
    )
    assert response.status_code == 200
    token = ApiToken.objects.get(user=owner)
    assert response.json()["token"].startswith(token.prefix)
    assert response.json()["name"] == token.name == "API"


def test_token_is_refused_for_a_wrong_password(api_client, owner):
    response = api_client.post("/api/auth/token/", {"username": "alice", "password": "nope"})
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_branches_need_authentication(api_client, north):
    assert api_client.get("/api/branches/").status_code == 401


@pytest.mark.parametrize("url", ["/api/", "/api/branches/", "/api/customers/", "/api/schema/"])
def test_missing_credentials_are_a_401_naming_the_scheme(api_client, db, url):
    response = api_client.get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_wrong_token_is_a_401(api_client, db):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    response = api_client.get("/api/branches/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("owner", ["NORTH"]),
        ("colleague", ["NORTH"]),
        ("outsider", ["SOUTH"]),
        ("admin_user", ["NORTH", "SOUTH"]),
    ],
)
def test_branches_are_scoped_with_token_auth(request, api_client, north, south, persona, expected):
    _token, key = issue_token(user=request.getfixturevalue(persona))
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api_client.get("/api/branches/")
    assert response.status_code == 200
    assert [branch["code"] for branch in response.json()["results"]] == expected


def test_outsider_cannot_read_another_branch(api_client, north, outsider):
    api_client.force_authenticate(outsider)
    assert api_client.get(f"/api/branches/{north.pk}/").status_code == 404


def test_shopper_sees_no_branches(api_client, north, shopper):
    api_client.force_authenticate(shopper)
    assert api_client.get("/api/branches/").status_code == 403


def test_branches_are_read_only(api_client, admin_user):
    api_client.force_authenticate(admin_user)
    assert api_client.post("/api/branches/", {"name": "X", "code": "X"}).status_code == 405


def test_branch_search_and_filter(api_client, admin_user, north, south):
    api_client.force_authenticate(admin_user)
    response = api_client.get("/api/branches/", {"search": "sou"})
    assert [branch["code"] for branch in response.json()["results"]] == ["SOUTH"]


def test_openapi_schema_and_docs(api_client, owner):
    api_client.force_authenticate(owner)
    schema = api_client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert "/api/branches/" in schema.json()["paths"]
    docs = api_client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"/static/vendor/swagger-ui" in docs.content


def test_schema_is_not_for_shoppers(api_client, shopper):
    api_client.force_authenticate(shopper)
    assert api_client.get("/api/schema/").status_code == 403
