"""API fuzzing (issue 11): Schemathesis sends generated requests to every operation of the live
OpenAPI schema (drf-spectacular's, as the API serves it) through the Django WSGI app, as each role
and anonymously, in a world with one object of everything so that detail routes find something.

Every answer must be no server error, have a status code the operation documents and a body that
matches the documented schema. Generation is derandomised (a fixed seed) and has a budget of
examples per operation, so the run is the same each time and stays within a few minutes.
"""

import time

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.urls import Resolver404, resolve
from hypothesis import HealthCheck, Phase, given, seed
from hypothesis import settings as hypothesis_settings
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from aftersales.signin import services as signin_services
from tests.aftersales.factories import BranchFactory, UserFactory
from tests.route_walk import make_world

CHECKS = [not_a_server_error, response_schema_conformance, status_code_conformance]
EXAMPLES_PER_OPERATION = 3
SEED = 11
SCHEMA_PATH = "/api/schema/"
HOST = "localhost"

# Left out, and why: DELETE of the caller's token (sign out) revokes the fuzzing client's own
# credentials, so every later request would be answered 401, which is right but tests nothing
# more.
EXCLUDED = {("DELETE", "/api/auth/token/")}


def _excluded(operation):
    return (operation.method.upper(), operation.path) in EXCLUDED


def _with_real_ids(case):
    """Put the id of an existing object of the route's model into the case's path; False if the
    route names no model."""
    try:
        view = resolve(case.formatted_path).func
    except Resolver404:
        return False
    cls = getattr(view, "cls", None)
    queryset = getattr(cls, "queryset", None)
    serializer = getattr(cls, "serializer_class", None)
    model = (
        queryset.model
        if queryset is not None
        else getattr(getattr(serializer, "Meta", None), "model", None)
    )
    if model is None:
        return False
    pk = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
    if pk is None:
        return False
    for name, value in case.path_parameters.items():
        if isinstance(value, int):
            case.path_parameters[name] = pk
    return True


def _fuzz(schema, headers):
    """Run every operation's examples; return the failures as text (one per operation)."""
    failures = []
    app = schema.app
    for result in schema.get_all_operations():
        operation = result.ok()
        if _excluded(operation):
            continue

        @seed(SEED)
        @hypothesis_settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            database=None,
            deadline=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def run(case):
            response = case.call(app=app, headers=headers)
            case.validate_response(response, checks=CHECKS, headers=headers)
            if case.path_parameters and _with_real_ids(case):
                # Generated ids rarely exist: the same request once more for a real object.
                response = case.call(app=app, headers=headers)
                case.validate_response(response, checks=CHECKS, headers=headers)

        try:
            run()
        except Exception as error:  # noqa: BLE001 - every failure is collected, then reported
            failures.append(f"{operation.method.upper()} {operation.path}: {error}"[:3000])
    return failures


@pytest.fixture
def connections_kept_open():
    """The WSGI handler closes the database connection after each request, which would end the
    test's transaction; Django's test client keeps it open the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@pytest.mark.usefixtures("connections_kept_open")
@pytest.mark.parametrize(
    "role", ["sales", "service", "manager", "quality", "admin", "shopper", "anonymous"]
)
def test_every_operation_answers_as_documented(role, settings):
    settings.ALLOWED_HOSTS = [HOST]
    north = BranchFactory(name="North", code="NORTH")
    BranchFactory(name="South", code="SOUTH")
    users = {
        "sales": UserFactory(username="alice", roles=["sales"], branches=[north]),
        "service": UserFactory(username="sven", roles=["service"], branches=[north]),
        "manager": UserFactory(username="mia", roles=["manager"], branches=[north]),
        "quality": UserFactory(username="quinn", roles=["quality"], branches=[north]),
        "admin": UserFactory(username="ada", roles=["admin"], branches=[]),
        "shopper": UserFactory(username="sam", roles=["mystery_shopper"], branches=[]),
        "anonymous": None,
    }
    make_world(
        branch=north,
        owner=users["sales"],
        manager=users["manager"],
        quality_manager=users["quality"],
        assignment_shopper=users["shopper"],
    )
    reader = UserFactory(username="schema-reader", roles=["admin"], branches=[])
    _token, reader_key = signin_services.issue_token(user=reader, name="Schema")
    schema = schemathesis.openapi.from_wsgi(
        SCHEMA_PATH,
        get_wsgi_application(),
        headers={"Authorization": f"Token {reader_key}", "Accept": "application/json"},
    )
    user = users[role]
    headers = {}
    if user is not None:
        _token, key = signin_services.issue_token(user=user, name="Fuzzing")
        headers["Authorization"] = f"Token {key}"

    started = time.monotonic()
    failures = _fuzz(schema, headers)
    elapsed = time.monotonic() - started

    assert not failures, f"{len(failures)} operations failed as {role} ({elapsed:.0f} s):\n" + (
        "\n\n".join(failures)
    )
