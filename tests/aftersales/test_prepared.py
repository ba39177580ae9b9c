"""Lookups compiled once and run as prepared statements (aftersales.prepared): the same objects
as the ORM's query, planned once per connection, still seen by Django's query log."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from aftersales.prepared import PreparedLookup
from aftersales.signin import services
from aftersales.signin.authentication import _token_with_access
from aftersales.signin.loading import _user_with_access, access_annotations
from aftersales.signin.models import ApiToken, hash_key
from tests.aftersales.factories import UserFactory


def _prepared_statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


@pytest.fixture
def two_branch_manager(north, south):
    return UserFactory(username="max", roles=["manager", "quality"], branches=[north, south])


def test_a_token_comes_as_the_orm_loads_it(two_branch_manager, owner):
    _other, _ = services.issue_token(user=owner)
    token, key = services.issue_token(user=two_branch_manager, name="tablet")
    expected = (
        ApiToken.objects.select_related("user")
        .annotate(**access_annotations("user_id"))
        .get(key_hash=hash_key(key))
    )
    loaded = _token_with_access.get(hash_key(key))
    assert loaded.pk == token.pk
    assert [getattr(loaded, field.attname) for field in ApiToken._meta.fields] == [
        getattr(expected, field.attname) for field in ApiToken._meta.fields
    ]
    assert loaded.user == two_branch_manager
    assert loaded.user.username == "max"
    assert sorted(loaded.access_roles) == ["manager", "quality"]
    assert sorted(loaded.access_branches) == sorted(expected.access_branches)
    assert len(loaded.access_branches) == 2
    assert sorted(loaded.access_group_permissions) == sorted(expected.access_group_permissions)
    assert loaded.access_group_permissions
    assert not loaded._state.adding


def test_an_unknown_key_finds_nothing(owner):
    services.issue_token(user=owner)
    assert _token_with_access.get(hash_key("not a key")) is None


def test_the_user_of_a_session_comes_with_their_access(two_branch_manager):
    loaded = _user_with_access.get(two_branch_manager.pk)
    assert loaded == two_branch_manager
    assert loaded.password == two_branch_manager.password
    assert sorted(loaded.access_roles) == ["manager", "quality"]
    assert _user_with_access.get(two_branch_manager.pk + 1000) is None


def test_the_lookup_is_a_prepared_statement_logged_with_its_values(owner):
    _token, key = services.issue_token(user=owner)
    with CaptureQueriesContext(connection) as queries:
        _token_with_access.get(hash_key(key))
        _token_with_access.get(hash_key(key))
    assert len(queries) == 2
    assert hash_key(key) in queries[0]["sql"]
    assert "%s" not in queries[0]["sql"]
    prepared = [sql for sql in _prepared_statements() if "aftersales_apitoken" in sql]
    assert len(prepared) == 1  # planned for the connection once, run twice
    assert "$" in prepared[0]


def test_api_calls_authenticate_through_the_prepared_lookup(client, owner):
    _token, key = services.issue_token(user=owner)
    for _ in range(3):
        assert client.get("/api/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    assert client.get("/api/", HTTP_AUTHORIZATION="Token wrong").status_code == 401
    assert any("aftersales_apitoken" in statement for statement in _prepared_statements())


def test_a_placeholder_must_occur_exactly_once(owner):
    lookup = PreparedLookup(
        lambda name: ApiToken.objects.filter(name=name, prefix=name), placeholder="sentinel"
    )
    with pytest.raises(ValueError, match="2 times"):
        lookup.get("tablet")
