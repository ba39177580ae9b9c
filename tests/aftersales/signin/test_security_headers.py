"""Every page carries the Content-Security-Policy (no inline script) and the
Permissions-Policy, and no page has an inline script or event handler the policy would block."""

import re

import pytest
from django.urls import reverse

from tests.aftersales.factories import UserFactory

HREF = re.compile(r'href="(/[^"#]*)"')
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>", re.I)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.I)
# Links that are no page to check: files, the admin (Django's own), and leaving the session.
SKIPPED = ("/static/", "/media/", "/admin/", "/logout/")


@pytest.fixture
def service_user(north):
    return UserFactory(username="sven", roles=["service"], branches=[north])


def assert_protected(response, path):
    policy = response.headers.get("Content-Security-Policy", "")
    directives = {}
    for part in filter(None, (part.strip() for part in policy.split(";"))):
        name, _space, value = part.partition(" ")
        directives[name] = value
    assert directives.get("script-src") == "'self'", path
    assert directives.get("object-src") == "'none'", path
    assert directives.get("frame-ancestors") == "'none'", path
    assert "camera=()" in response.headers.get("Permissions-Policy", ""), path
    if response["Content-Type"].startswith("text/html"):
        html = response.content.decode()
        assert not INLINE_SCRIPT.search(html), path
        assert not INLINE_HANDLER.search(html), path


def pages_linked_from(client, start):
    html = client.get(start).content.decode()
    return sorted({path for path in HREF.findall(html) if not path.startswith(SKIPPED)})


@pytest.mark.parametrize(
    "persona", ["admin_user", "manager", "owner", "quality_manager", "shopper", "service_user"]
)
def test_every_page_of_each_role_has_the_policies(request, login, persona):
    client = login(request.getfixturevalue(persona))
    paths = pages_linked_from(client, reverse("home"))
    paths += [reverse("security"), reverse("two-factor"), reverse("profile")]
    assert len(paths) > 5
    for path in paths:
        response = client.get(path)
        assert response.status_code in (200, 302, 403), path
        assert_protected(response, path)


def test_public_pages_have_the_policies(client, db):
    for path in (
        reverse("login"),
        reverse("password_reset"),
        reverse("surveys:answer", args=["not-a-link"]),
        reverse("healthz"),
    ):
        assert_protected(client.get(path), path)


def test_the_api_docs_load_their_script_from_a_file(login, manager):
    response = login(manager).get(reverse("api-docs"))
    assert response.status_code == 200
    assert_protected(response, reverse("api-docs"))
