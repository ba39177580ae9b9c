"""The route matrix: every URL pattern of the project, asked as every role, anonymously and as a
manager of another branch, against the declared table of who may open what.

The routes come from the resolver (tests/route_walk.py walks it: the pages of every app, the
API router's routes, the admin), with real ids of one branch's objects filled in (`make_world`).
Each route is asked with GET and with an empty POST, each inside a savepoint that is rolled back
(and with the session cookie put back), so no answer changes what the next one sees.

A persona *gets in* when any answer is not a refusal: refusals are 401, 403, 404 and a redirect
to a login page; 405 (the wrong method) says nothing either way. A persona the table names must
get in, every other persona must be refused, and no answer may be a server error. A route that
is not in the table fails the test, so a new page cannot ship unlisted.

The manager of another branch is not listed: that persona may open what a manager may, except a
route that names an object of the world's branch. The admin site is one row of its own: nobody
but administrators gets past its door, and what an administrator then sees is the role's
model permissions; a superuser walks it too, and nothing there may fail with a server error.
"""

from copy import deepcopy

import pytest
from django.db import transaction
from django.test import Client
from django.urls import get_resolver

from tests.aftersales.factories import UserFactory
from tests.route_walk import candidate_paths, make_world, object_keys, route_of, walk

ANONYMOUS = "anonymous"
SALES = "sales"
SERVICE = "service"
MANAGER = "manager"
QUALITY = "quality"
ADMIN = "admin"
SHOPPER = "shopper"
OTHER_BRANCH = "manager of another branch"
SUPERUSER = "superuser"

EVERYONE = frozenset({ANONYMOUS, SALES, SERVICE, MANAGER, QUALITY, ADMIN, SHOPPER})
SIGNED_IN = EVERYONE - {ANONYMOUS}
STAFF = frozenset({SALES, SERVICE, MANAGER, QUALITY, ADMIN})
LEADS = frozenset({MANAGER, QUALITY, ADMIN})
# Pages that send everyone to the login page: the second step of signing in (only between
# password and code) and our login in front of the admin's.
SENT_TO_LOGIN = frozenset()

# Who may open each route (the world's objects are in one branch; SALES is their salesperson,
# employee and corrective-action owner; the mystery-shop assignment belongs to another shopper).
TABLE = {
    # Signing in and the account: everyone's own.
    "home": SIGNED_IN,
    "healthz": EVERYONE,
    "set_language": EVERYONE,
    "login": EVERYONE,
    "login-verify": SENT_TO_LOGIN,
    "admin-login": SENT_TO_LOGIN,
    "logout": SENT_TO_LOGIN,  # signing out ends on the login page, for anyone
    "api-token": EVERYONE,
    "password_change": SIGNED_IN,
    "password_change_done": SIGNED_IN,
    "password_reset": EVERYONE,
    "password_reset_done": EVERYONE,
    "password_reset_confirm": EVERYONE,
    "password_reset_complete": EVERYONE,
    "profile": SIGNED_IN,
    "security": SIGNED_IN,
    "two-factor": SIGNED_IN,
    "token-revoke": {SALES},  # the world's token is the salesperson's own
    # The idle-timeout script asks whether the session still lives: anyone gets the answer.
    "session-keepalive": EVERYONE,
    "notification-list": SIGNED_IN,
    "notification-read-all": SIGNED_IN,
    "notification-read": {SALES},  # the world's notification is the salesperson's
    # A background job is its starter's own (the world has none).
    "job": SIGNED_IN,
    "job-progress": SIGNED_IN,
    "job-download": SIGNED_IN,
    # Administration of the organisation.
    "signin-lockouts": {ADMIN},
    "signin-unlock": {ADMIN},
    "user-security": {ADMIN},
    "branch-list": STAFF,
    "branch-create": {ADMIN},
    "branch-update": {ADMIN},
    "user-list": {ADMIN},
    "user-create": {ADMIN},
    "user-update": {ADMIN},
    "team": {MANAGER, ADMIN},
    # Customers, purchases and the catalogue.
    "customers:customer-list": STAFF,
    "customers:customer-create": {SALES, MANAGER, ADMIN},
    "customers:customer-picker": STAFF,
    "customers:customer-merge": {ADMIN},
    "customers:customer-detail": STAFF,
    "customers:customer-update": {SALES, MANAGER, ADMIN},
    "customers:consent-record": {SALES, MANAGER, ADMIN},
    "customers:customer-export": {MANAGER, ADMIN},
    "customers:customer-erase": {ADMIN},
    "customers:customer-list-export": STAFF,
    "customers:import-upload": {MANAGER, ADMIN},
    "customers:import-job": {MANAGER, ADMIN},
    "customers:import-job-progress": {MANAGER, ADMIN},
    "customers:import-job-confirm": {MANAGER, ADMIN},
    "customers:import-job-errors": {MANAGER, ADMIN},
    "customers:purchase-list": STAFF,
    "customers:purchase-create": {SALES, MANAGER, ADMIN},
    "customers:purchase-customer-section": {SALES, MANAGER, ADMIN},
    "customers:purchase-detail": STAFF,
    "customers:purchase-logged": STAFF,
    "customers:purchase-change": {SALES, MANAGER, ADMIN},
    "customers:purchase-cancel": {SALES, MANAGER, ADMIN},
    "customers:declined-work-add": {SALES, SERVICE, MANAGER, ADMIN},
    "customers:declined-work-close": {SALES, SERVICE, MANAGER, ADMIN},
    "customers:product-list": STAFF,
    "customers:product-create": {ADMIN},
    "customers:product-update": {ADMIN},
    "customers:category-list": STAFF,
    "customers:category-create": {ADMIN},
    "customers:category-update": {ADMIN},
    "customers:schedule-list": STAFF,
    "customers:schedule-create": {ADMIN},
    "customers:schedule-update": {ADMIN},
    # Follow-ups, playbooks, offers.
    "followups:inbox": STAFF,
    "followups:team": {MANAGER, ADMIN},
    "followups:followup-detail": STAFF,
    "followups:followup-row": STAFF,
    "followups:followup-complete": {SALES, SERVICE, MANAGER, ADMIN},
    "followups:followup-reassign": {SALES, SERVICE, MANAGER, ADMIN},
    "followups:followup-snooze": {SALES, SERVICE, MANAGER, ADMIN},
    "followups:playbook-list": {ADMIN},
    "followups:playbook-create": {ADMIN},
    "followups:playbook-detail": {ADMIN},
    "followups:playbook-update": {ADMIN},
    "followups:playbook-replan": {ADMIN},
    "followups:offer-rule-list": {ADMIN},
    "followups:offer-rule-create": {ADMIN},
    "followups:offer-rule-update": {ADMIN},
    "followups:offer-rule-toggle": {ADMIN},
    "followups:offer-list": STAFF - {QUALITY},
    "followups:offer-export": STAFF - {QUALITY},
    "followups:offer-figures": {MANAGER, ADMIN},
    "followups:offer-figures-export": {MANAGER, ADMIN},
    "followups:offer-figures-declined-work": {MANAGER, ADMIN},
    "followups:offer-detail": STAFF - {QUALITY},
    "followups:offer-present": STAFF - {QUALITY},
    "followups:offer-accept": STAFF - {QUALITY},
    "followups:offer-decline": STAFF - {QUALITY},
    "followups:offer-reassign": {MANAGER, ADMIN},
    # Complaints and dissonance.
    "quality:complaint-list": STAFF,
    "quality:complaint-create": STAFF - {SALES},
    "quality:complaint-detail": STAFF,
    "quality:attachment": STAFF,
    "quality:complaint-correct": {SERVICE, QUALITY, ADMIN},
    "quality:complaint-acknowledge": STAFF - {SALES},
    "quality:complaint-start": STAFF - {SALES},
    "quality:complaint-resolve": STAFF - {SALES},
    "quality:complaint-close": STAFF - {SALES},
    "quality:complaint-reopen": STAFF - {SALES},
    "quality:complaint-assign": STAFF - {SALES},
    "quality:complaint-root-cause": {QUALITY, ADMIN},
    "quality:dashboard": LEADS,
    "quality:dashboard-customers": LEADS,
    "quality:dashboard-signals": LEADS,
    "quality:dashboard-export": LEADS,
    # Quality audits, findings, clusters and campaigns.
    "quality:audit-plan": LEADS,
    "quality:audit-template-list": LEADS,
    "quality:audit-template-create": {QUALITY, ADMIN},
    "quality:audit-template-detail": LEADS,
    "quality:audit-template-update": {QUALITY, ADMIN},
    "quality:audit-detail": LEADS,
    "quality:audit-sign-off": {QUALITY, ADMIN},
    "quality:audit-photo": LEADS,
    "quality:audit-invoice-add": {QUALITY, ADMIN},
    "quality:audit-invoice-remove": {QUALITY, ADMIN},
    "quality:audit-communication-draw": {QUALITY, ADMIN},
    "quality:audit-communication-rate": {QUALITY, ADMIN},
    "quality:finding-list": STAFF,
    "quality:finding-detail": STAFF - {SERVICE},  # sales: the corrective action is theirs
    "quality:finding-action-add": {QUALITY, ADMIN},
    "quality:action-list": STAFF,
    "quality:action-complete": STAFF - {SERVICE},
    "quality:action-verify": {QUALITY, ADMIN},
    "quality:action-reopen": {QUALITY, ADMIN},
    "quality:qm-dashboard": LEADS,
    "quality:qm-dashboard-export": LEADS,
    "quality:qm-product-complaints": LEADS,
    "quality:cluster-list": LEADS,
    "quality:cluster-detail": LEADS,
    "quality:cluster-close": {QUALITY, ADMIN},
    "quality:campaign-list": LEADS,
    "quality:campaign-create": {QUALITY, ADMIN},
    "quality:campaign-detail": LEADS,
    "quality:campaign-close": {QUALITY, ADMIN},
    # Staff: appointments, training, coaching.
    "staff:appointment-list": STAFF,
    "staff:appointment-create": STAFF - {QUALITY},
    "staff:appointment-detail": STAFF,
    "staff:appointment-update": {SALES, MANAGER, ADMIN},
    # Sales and service staff change their own appointments (the world's is the salesperson's).
    "staff:appointment-start": {SALES, MANAGER, ADMIN},
    "staff:appointment-no-show": {SALES, MANAGER, ADMIN},
    "staff:appointment-cancel": {SALES, MANAGER, ADMIN},
    "staff:course-list": STAFF,
    "staff:course-create": {QUALITY, ADMIN},
    "staff:course-detail": STAFF,
    "staff:course-update": {QUALITY, ADMIN},
    "staff:training-record-create": {MANAGER, ADMIN},
    "staff:training-record-detail": STAFF - {SERVICE},  # sales: the record is their own
    "staff:training-certificate": STAFF - {SERVICE},
    "staff:training-compliance": LEADS,
    "staff:training-employee": STAFF - {SERVICE},
    "staff:my-training": STAFF,
    "staff:coaching-list": STAFF,
    "staff:coaching-create": LEADS,
    "staff:coaching-detail": STAFF - {SERVICE},  # sales: the coaching is theirs
    "staff:coaching-update": LEADS,
    "staff:coaching-complete": LEADS,
    "staff:coaching-cancel": LEADS,
    # Mystery shopping: the quality team runs it, managers read their branches' results.
    "staff:template-list": LEADS,
    "staff:template-create": {QUALITY, ADMIN},
    "staff:template-detail": LEADS,
    "staff:template-update": {QUALITY, ADMIN},
    "staff:template-set-active": {QUALITY, ADMIN},
    "staff:assignment-list": LEADS,
    "staff:assignment-create": {QUALITY, ADMIN},
    "staff:assignment-detail": LEADS,
    "staff:assignment-cancel": {QUALITY, ADMIN},
    "staff:result-list": LEADS,
    "staff:result-detail": LEADS,
    "staff:result-accept": {QUALITY, ADMIN},
    "staff:result-return": {QUALITY, ADMIN},
    "staff:result-attachment": LEADS,
    # The shopper's own pages: the world's assignment is another shopper's.
    "staff:my-assignments": {SHOPPER},
    "staff:shopper-result": SENT_TO_LOGIN,
    "staff:shopper-attachment-remove": SENT_TO_LOGIN,
    # Hiring: managers and administrators only.
    "staff:candidate-list": {MANAGER, ADMIN},
    "staff:candidate-create": {MANAGER, ADMIN},
    "staff:candidate-detail": {MANAGER, ADMIN},
    "staff:candidate-update": {MANAGER, ADMIN},
    "staff:candidate-assessment": {MANAGER, ADMIN},
    "staff:candidate-decide": {MANAGER, ADMIN},
    "staff:candidate-delete": {MANAGER, ADMIN},
    # Scorecards: one's own, and the branches' for the leads.
    "staff:scorecards": LEADS,
    "staff:my-scorecard": STAFF,
    "staff:employee-scorecard": STAFF - {SERVICE},  # sales: the scorecard is their own
    "staff:branch-scorecard": LEADS,
    "staff:branch-scorecard-export": LEADS,
    # The customers' survey links: a link without a valid token shows nothing, to anyone.
    "surveys:answer": SENT_TO_LOGIN,
    "surveys:thanks": SENT_TO_LOGIN,
    # The API.
    "api-root": STAFF,
    "api-schema": STAFF,
    "api-docs": STAFF,
    "api-branch-list": STAFF,
    "api-branch-detail": STAFF,
    "api-product-category-list": STAFF,
    "api-product-category-detail": STAFF,
    "api-product-list": STAFF,
    "api-product-detail": STAFF,
    "api-maintenance-schedule-list": STAFF,
    "api-maintenance-schedule-detail": STAFF,
    "api-customer-list": STAFF,
    "api-customer-detail": STAFF,
    "api-customer-consents": STAFF,
    "api-purchase-list": STAFF,
    "api-purchase-detail": STAFF,
    "api-purchase-cancel": {SALES, MANAGER, ADMIN},
    "api-purchase-change": {SALES, MANAGER, ADMIN},
    "api-followup-list": STAFF,
    "api-followup-detail": STAFF,
    "api-followup-complete": {SALES, SERVICE, MANAGER, ADMIN},
    "api-playbook-list": STAFF,
    "api-playbook-detail": STAFF,
    "api-survey-list": STAFF,
    "api-survey-detail": STAFF,
    "api-offer-rule-list": STAFF - {QUALITY},
    "api-offer-rule-detail": STAFF - {QUALITY},
    "api-offer-list": STAFF - {QUALITY},
    "api-offer-summary": {MANAGER, ADMIN},
    "api-offer-detail": STAFF - {QUALITY},
    "api-offer-accept": STAFF - {QUALITY},
    "api-offer-decline": STAFF - {QUALITY},
    "api-offer-present": STAFF - {QUALITY},
    "api-offer-reassign": {MANAGER, ADMIN},
    "api-complaint-list": STAFF,
    "api-complaint-detail": STAFF,
    "api-complaint-acknowledge": STAFF - {SALES},
    "api-complaint-close": STAFF - {SALES},
    "api-complaint-correct": {SERVICE, QUALITY, ADMIN},
    "api-complaint-reopen": STAFF - {SALES},
    "api-complaint-resolve": STAFF - {SALES},
    "api-complaint-start": STAFF - {SALES},
    "api-dissonance-summary": LEADS,
    "api-dissonance-customer-list": STAFF,
    "api-dissonance-customer-detail": STAFF,
    "api-audit-template-list": LEADS,
    "api-audit-template-detail": LEADS,
    "api-audit-list": LEADS,
    "api-audit-detail": LEADS,
    "api-audit-answers": {QUALITY, ADMIN},
    "api-audit-sign-off": {QUALITY, ADMIN},
    "api-audit-submit": {QUALITY, ADMIN},
    "api-finding-list": STAFF,
    "api-finding-detail": STAFF - {SERVICE},
    "api-corrective-action-list": STAFF,
    "api-corrective-action-detail": STAFF - {SERVICE},
    "api-corrective-action-complete": STAFF - {SERVICE},
    "api-corrective-action-reopen": {QUALITY, ADMIN},
    "api-corrective-action-verify": {QUALITY, ADMIN},
    "api-complaint-cluster-list": LEADS,
    "api-complaint-cluster-detail": LEADS,
    "api-campaign-list": LEADS,
    "api-campaign-detail": LEADS,
    "api-appointment-list": STAFF,
    "api-appointment-detail": STAFF,
    "api-appointment-cancel": {SALES, MANAGER, ADMIN},
    "api-appointment-no-show": {SALES, MANAGER, ADMIN},
    "api-appointment-start": {SALES, MANAGER, ADMIN},
    "api-training-list": STAFF,
    "api-training-detail": STAFF,
    "api-training-record-list": STAFF,
    "api-training-record-detail": STAFF - {SERVICE},
    "api-coaching-action-list": STAFF,
    "api-coaching-action-detail": STAFF - {SERVICE},
    "api-coaching-action-cancel": LEADS,
    "api-coaching-action-complete": LEADS,
    "api-employee-scorecard": STAFF - {SERVICE},
    "api-branch-scorecard": LEADS,
    "api-mystery-shop-template-list": LEADS,
    "api-mystery-shop-template-detail": LEADS,
    # A shopper's token lists their own assignments and results (none here: another shopper's).
    "api-mystery-shop-assignment-list": LEADS | {SHOPPER},
    "api-mystery-shop-assignment-detail": LEADS,
    "api-mystery-shop-assignment-cancel": {QUALITY, ADMIN},
    "api-mystery-shop-result-list": LEADS | {SHOPPER},
    "api-mystery-shop-result-detail": LEADS,
    "api-mystery-shop-result-accept": {QUALITY, ADMIN},
    "api-mystery-shop-result-return": {QUALITY, ADMIN},
    "api-mystery-shop-result-submit": SENT_TO_LOGIN,
    # A caller's own import jobs (the world has none).
    "api-import-job-list": {MANAGER, ADMIN},
    "api-import-job-detail": {MANAGER, ADMIN},
    "api-import-job-confirm": {MANAGER, ADMIN},
    "api-candidate-list": {MANAGER, ADMIN},
    "api-candidate-detail": {MANAGER, ADMIN},
    "api-candidate-assessment": {MANAGER, ADMIN},
    "api-candidate-decide": {MANAGER, ADMIN},
    # Public files (DEBUG only): nothing is there.
    "/media/{path:str}": SENT_TO_LOGIN,
}

# Routes whose object the world cannot hold for the personas allowed there, who are answered
# 404 past the permission check while everyone else is refused before it: an import job is its
# starter's own (the world has none), an assessment the assessor's own (none made yet).
NOT_THERE = {
    "customers:import-job",
    "customers:import-job-progress",
    "customers:import-job-confirm",
    "customers:import-job-errors",
    "api-import-job-detail",
    "api-import-job-confirm",
    "job",
    "job-progress",
    "job-download",
    "api-candidate-assessment",
}

# Objects of the world that belong to no branch (the catalogue, playbooks, rules, templates and
# courses are shared): a manager of another branch opens them as a manager of this one would.
SHARED_OBJECTS = {
    "playbook",
    "template",
    "audit_template",
    "course",
    "category",
    "product",
    "schedule",
    "offer_rule",
}
# The admin site's own door: its login page sends everyone to ours, and its logout ends at a
# login page or, for someone who never got in, at the door.
ADMIN_DOOR = {"admin:login": SENT_TO_LOGIN, "admin:logout": SENT_TO_LOGIN}
DECLARED = TABLE | ADMIN_DOOR
LOGIN_PAGES = ("/login/", "/admin/login/")
ADMIN_FRONT_DOOR = "/admin/"
PAGE_PERSONAS = [ANONYMOUS, SALES, SERVICE, MANAGER, QUALITY, ADMIN, SHOPPER, OTHER_BRANCH]
# The admin site's door is one check for everyone (an active staff account), so one internal
# and one external persona stand for those without it.
ADMIN_PERSONAS = [ANONYMOUS, SALES, SHOPPER, ADMIN, SUPERUSER]
ADMIN_PATHS_PER_ROUTE = 2


@pytest.fixture
def world(north, owner, manager, quality_manager):
    return make_world(
        branch=north,
        owner=owner,
        manager=manager,
        quality_manager=quality_manager,
        assignment_shopper=UserFactory(username="olga", roles=["mystery_shopper"], branches=[]),
    )


@pytest.fixture
def clients(world, north, south, owner, manager, quality_manager, admin_user, shopper):
    users = {
        SALES: owner,
        SERVICE: UserFactory(username="sven", roles=["service"], branches=[north]),
        MANAGER: manager,
        QUALITY: quality_manager,
        ADMIN: admin_user,
        SHOPPER: shopper,
        OTHER_BRANCH: UserFactory(username="otto", roles=["manager"], branches=[south]),
        SUPERUSER: UserFactory(username="root", roles=[], is_superuser=True, is_staff=True),
    }
    clients = {ANONYMOUS: Client(raise_request_exception=False)}
    for persona, user in users.items():
        clients[persona] = Client(raise_request_exception=False)
        clients[persona].force_login(user)
    return clients


def routes():
    """(key, pattern pieces) of every route: its URL name, or its pattern for one without."""
    for pieces, name in walk(get_resolver().url_patterns):
        yield name or route_of(pieces), pieces


def is_admin_route(key):
    return key.startswith(("admin:", "/admin/"))


def ask(client, method, path):
    """The answer to one request, whatever it changed rolled back and the session kept (a
    logout or a revoked token must not end the persona's walk)."""
    cookies = deepcopy(client.cookies)
    with transaction.atomic():
        response = getattr(client, method)(path)
        for close in response._resource_closers:  # a streamed file; not response.close(), whose
            close()  # request_finished signal would close the test's database connection
        transaction.set_rollback(True)
    client.cookies = cookies
    return response


def is_refusal(response):
    if response.status_code in {401, 403, 404}:
        return True
    if response.status_code != 302:
        return False
    location = response["Location"]
    return location.startswith(LOGIN_PAGES) or location == ADMIN_FRONT_DOOR


def walk_as(client, paths, *, not_there=False):
    """(gets in, server errors) for one persona over a route's paths, with GET and POST; where
    the object is not there (NOT_THERE), a 404 is getting in and the refusals are the others."""
    got_in, errors = False, []
    for path in paths:
        for method in ("get", "post"):
            response = ask(client, method, path)
            if response.status_code >= 500:
                errors.append(f"{method.upper()} {path}: {response.status_code}")
            elif not_there:
                got_in |= response.status_code == 404
            elif response.status_code != 405 and not is_refusal(response):
                got_in = True
    return got_in, errors


def expected_personas(key, pieces):
    allowed = set(TABLE[key])
    names_a_branch_object = any(name not in SHARED_OBJECTS for name in object_keys(pieces))
    if MANAGER in allowed and not names_a_branch_object:
        allowed.add(OTHER_BRANCH)
    return allowed


def page_routes():
    """(key, pieces) of every route the table declares: all but the admin site's own pages."""
    for key, pieces in routes():
        if not is_admin_route(key) or key in ADMIN_DOOR:
            yield key, pieces


def test_every_route_is_in_the_table():
    unlisted = [key for key, _pieces in page_routes() if key not in DECLARED]
    assert not unlisted, "Routes missing from the table:\n" + "\n".join(unlisted)


# One test per persona keeps each well inside the per-test timeout, and says whose walk failed.
@pytest.mark.parametrize("persona", PAGE_PERSONAS)
def test_every_route_answers_the_persona_as_the_table_declares(persona, clients, world):
    wrong, errors, checked = [], [], 0
    for key, pieces in page_routes():
        if key not in DECLARED:
            continue  # test_every_route_is_in_the_table names it
        if key in NOT_THERE and persona == OTHER_BRANCH:
            continue  # its refusal, out of scope, is a 404 too
        allowed = set(ADMIN_DOOR[key]) if key in ADMIN_DOOR else expected_personas(key, pieces)
        paths = candidate_paths(pieces, world)
        got_in, failures = walk_as(clients[persona], paths, not_there=key in NOT_THERE)
        checked += 1
        errors += [f"{failure} ({key})" for failure in failures]
        if got_in != (persona in allowed):
            verb = "got into" if got_in else "was refused"
            wrong.append(f"{verb} {key} ({paths[0]})")
    assert not errors, "Server errors:\n" + "\n".join(errors)
    assert not wrong, f"Not as the table declares for {persona}:\n" + "\n".join(wrong)
    assert checked > 250


def test_only_administrators_pass_the_admin_site_door_and_nothing_there_fails(clients, world):
    wrong, errors, admin_routes = [], [], 0
    got_in = dict.fromkeys(ADMIN_PERSONAS, False)
    for key, pieces in routes():
        if not is_admin_route(key) or key in ADMIN_DOOR:
            continue
        admin_routes += 1
        paths = candidate_paths(pieces, world)[:ADMIN_PATHS_PER_ROUTE]
        for persona in ADMIN_PERSONAS:
            persona_got_in, failures = walk_as(clients[persona], paths)
            got_in[persona] |= persona_got_in
            errors += [f"{persona}: {failure} ({key})" for failure in failures]
            if persona_got_in and persona not in {ADMIN, SUPERUSER}:
                wrong.append(f"{persona} got into {key} ({paths[0]})")
    assert admin_routes > 200  # every registered model's pages
    assert not errors, "Server errors:\n" + "\n".join(errors)
    assert not wrong, "Past the admin site's door:\n" + "\n".join(wrong)
    assert got_in[ADMIN] and got_in[SUPERUSER]
