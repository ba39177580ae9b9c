"""The mystery shopper sees only their own assignments and results, nothing else in the system.

The first test walks EVERY URL pattern of the project (`get_resolver().url_patterns`, recursively:
the pages of every app, the API router's routes with their format suffixes, the admin) and asks
each with GET as the `shopper` persona. Path parameters are filled with the ids of real objects
(tests/route_walk.py, for every test that walks the routes: a customer, a purchase, a complaint
and its attachment, a follow-up, a playbook, another shopper's assignment, result and photo, a
scorecard, a coaching action, an appointment, a course, a training record, a candidate, an
audit, an offer, a branch, staff users, ...), chosen by the word before the parameter
("complaints/<pk>" gets the complaint) or, for a word not known there, every one of them. A
pattern added later is covered automatically; only the explicit allow-list below may answer 200.
Everything else must be refused: 403, 404 or 405, and the admin site redirects to its login.

The other tests prove the positive side (the shopper's own pages and endpoints work) and that the
shopper cannot reach another shopper's assignment or result, in the browser and the API.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import get_resolver

from staff.mystery import services
from tests.aftersales.factories import UserFactory
from tests.route_walk import PHOTO, candidate_paths, make_world, walk
from tests.staff.mystery_helpers import close_file, handover_assignment

# URL names the shopper may open (any parameters); everything else is refused.
ALLOWED = {
    "home",
    "login",
    "logout",
    "password_change",
    "password_change_done",
    # Password reset is for people who are logged out: the same page for anyone.
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "notification-list",
    "notification-read",
    "notification-read-all",
    "set_language",
    "healthz",
    "api-token",
    # The customers' survey links (no login; a link without a valid token shows nothing).
    "surveys:answer",
    "surveys:thanks",
    # The admin's own login page (it tells a logged-in shopper they may not use the admin) and
    # its logout (which sends anyone who is not staff to the admin's front door).
    "admin:login",
    "admin:logout",
    # Our login in front of the admin's (it sends everyone to the login page).
    "admin-login",
    # Everyone's own account: language, second factor, tokens, the second step of signing in.
    "profile",
    "login-verify",
    "security",
    "two-factor",
    "token-revoke",
    "session-keepalive",
    # The shopper's own pages and endpoints: tested below to show only their own.
    "staff:my-assignments",
    "staff:shopper-result",
    "staff:shopper-attachment-remove",
    "staff:result-attachment",
    "api-mystery-shop-assignment-list",
    "api-mystery-shop-assignment-detail",
    "api-mystery-shop-result-list",
    "api-mystery-shop-result-detail",
    "api-mystery-shop-result-submit",
}
REFUSED = {403, 404, 405}


# --- the world the shopper must not see (tests/route_walk.py walks the resolver) ---------------


@pytest.fixture
def world(north, owner, manager, quality_manager):
    """Everything of branch North, and another shopper's assignment, result and photo."""
    other_shopper = UserFactory(username="olga", roles=["mystery_shopper"], branches=[])
    return make_world(
        branch=north,
        owner=owner,
        manager=manager,
        quality_manager=quality_manager,
        assignment_shopper=other_shopper,
    )


def is_admin_login_redirect(path, response):
    return (
        path.startswith("/admin/")
        and response.status_code == 302
        and response["Location"].startswith("/admin/login/")
    )


def test_every_other_page_and_endpoint_refuses_the_shopper(client, shopper, world):
    client.force_login(shopper)
    patterns = list(walk(get_resolver().url_patterns))
    assert len(patterns) > 100  # the walk reached every app, the API and the admin
    leaks, checked = [], 0
    for pieces, name in patterns:
        if name in ALLOWED:
            continue
        for path in candidate_paths(pieces, world):
            response = client.get(path)
            checked += 1
            if response.status_code not in REFUSED and not is_admin_login_redirect(path, response):
                leaks.append(f"{response.status_code} {path} ({name})")
    assert not leaks, "The shopper got through:\n" + "\n".join(leaks)
    assert checked > 150


def test_the_walk_covers_the_api_and_the_admin(world):
    paths = {
        path
        for pieces, _name in walk(get_resolver().url_patterns)
        for path in candidate_paths(pieces, world)
    }
    customer = world["customer"].pk
    assert f"/api/customers/{customer}/" in paths
    # The router has no format-suffix routes (?format= chooses the renderer).
    assert f"/api/customers/{customer}.json" not in paths
    assert f"/customers/{customer}/" in paths
    assert "/admin/" in paths
    assert f"/mystery-shop/results/{world['result'].pk}/" in paths
    assert f"/audits/{world['audit'].pk}/" in paths
    assert f"/audits/{world['audit'].pk}/photos/{world['audit_photo'].pk}/" in paths
    assert f"/api/corrective-actions/{world['corrective_action'].pk}/complete/" in paths
    assert f"/campaigns/{world['campaign'].pk}/" in paths
    assert f"/audits/templates/{world['audit_template'].pk}/edit/" in paths


# --- what the shopper does see: their own, and only their own -----------------------------------


@pytest.fixture
def own(world, shopper, north, owner, quality_manager):
    assignment = handover_assignment(
        shopper=shopper, branch=north, employee=owner, created_by=quality_manager
    )
    services.save_result(
        assignment=assignment,
        by=shopper,
        attachments=[SimpleUploadedFile("mine.jpg", PHOTO, content_type="image/jpeg")],
    )
    return assignment


def test_the_shoppers_own_pages_work(client, shopper, own):
    client.force_login(shopper)
    assert client.get("/mystery-shop/my/").status_code == 200
    assert client.get(f"/mystery-shop/my/{own.pk}/").status_code == 200
    mine = own.result.attachments.get()
    response = client.get(f"/mystery-shop/results/{own.result.pk}/attachments/{mine.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PHOTO
    close_file(response)


def test_another_shoppers_assignment_and_result_are_not_found_in_the_browser(
    client, shopper, world, own
):
    client.force_login(shopper)
    other = world["assignment"]
    theirs = world["result_attachment"]
    page = client.get("/mystery-shop/my/")
    assert [a.pk for a in page.context["assignments"]] == [own.pk]
    assert list(page.context["results"]) == []
    assert client.get(f"/mystery-shop/my/{other.pk}/").status_code == 404
    assert client.post(f"/mystery-shop/my/{other.pk}/", {"save": "1"}).status_code == 404
    response = client.get(f"/mystery-shop/results/{other.result.pk}/attachments/{theirs.pk}/")
    assert response.status_code == 404
    for path in (f"/mystery-shop/results/{other.result.pk}/", "/mystery-shop/results/"):
        assert client.get(path).status_code == 403


def test_the_api_shows_the_shopper_only_their_own(client_for, shopper, world, own):
    api = client_for(shopper)
    listed = api.get("/api/mystery-shop/assignments/").json()["results"]
    assert [item["id"] for item in listed] == [own.pk]
    assert api.get(f"/api/mystery-shop/assignments/{own.pk}/").status_code == 200
    other = world["assignment"]
    assert api.get(f"/api/mystery-shop/assignments/{other.pk}/").status_code == 404
    results = api.get("/api/mystery-shop/results/").json()["results"]
    assert [item["id"] for item in results] == [own.result.pk]
    assert api.get(f"/api/mystery-shop/results/{other.result.pk}/").status_code == 404
    # Nor can they write to another shopper's assignment or review anything.
    response = api.post(
        "/api/mystery-shop/results/", {"assignment": other.pk, "comments": "x"}, format="json"
    )
    assert response.status_code == 400
    assert api.post(f"/api/mystery-shop/results/{other.result.pk}/accept/").status_code == 403
    assert api.post("/api/mystery-shop/assignments/", {}, format="json").status_code == 403
    assert api.get("/api/mystery-shop/templates/").status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/api/customers/",
        "/api/purchases/",
        "/api/complaints/",
        "/api/followups/",
        "/api/branches/",
        "/api/dissonance/customers/",
        "/api/schema/",
        "/api/audit-templates/",
        "/api/audits/",
        "/api/findings/",
        "/api/corrective-actions/",
        "/api/complaint-clusters/",
        "/api/campaigns/",
    ],
)
def test_no_customer_or_organisation_data_through_the_api(client_for, shopper, world, path):
    assert client_for(shopper).get(path).status_code == 403


def test_no_customer_data_in_the_browser(client, shopper, world):
    client.force_login(shopper)
    customer = world["customer"]
    for path in ("/customers/", f"/customers/{customer.pk}/", "/complaints/", "/followups/"):
        response = client.get(path)
        assert response.status_code in REFUSED, path
        assert customer.last_name.encode() not in response.content
    home = client.get("/")
    assert customer.last_name.encode() not in home.content
