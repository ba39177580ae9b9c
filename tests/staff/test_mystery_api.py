"""The mystery-shop API: templates for staff (versioned like the pages), assignments created by
quality managers, the shopper's draft, submission and lock, review actions; same services."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from staff.models import (
    CoachingAction,
    MysteryShopAssignment,
    MysteryShopResult,
    ScorecardTemplate,
)
from staff.mystery import services
from tests.aftersales.factories import UserFactory
from tests.api_helpers import fresh, ids
from tests.staff.mystery_helpers import (
    HANDOVER,
    criteria_by_text,
    handover_assignment,
    poor_answers,
    submit,
    submitted_results,
)


@pytest.fixture
def assignment(north, shopper, owner, quality_manager):
    return handover_assignment(
        shopper=shopper, branch=north, employee=owner, created_by=quality_manager
    )


def api_answers(answers):
    return [{"criterion": pk, **values} for pk, values in answers.items()]


def test_templates_with_their_current_version(client_for, quality_manager, assignment):
    response = client_for(fresh(quality_manager)).get("/api/mystery-shop/templates/")
    (template,) = response.json()["results"]
    assert template["current_version"]["number"] == 1
    assert [s["title"] for s in template["current_version"]["sections"]] == list(HANDOVER)


def test_quality_creates_and_edits_templates_through_the_services(
    client_for, quality_manager, assignment, shopper, owner
):
    api = client_for(fresh(quality_manager))
    body = {
        "name": "Phone",
        "scenario": "phone_enquiry",
        "sections": [{"title": "Call", "criteria": [{"text": "Name given"}]}],
    }
    created = api.post("/api/mystery-shop/templates/", body, format="json")
    assert created.status_code == 201, created.content
    submit(assignment, shopper, served_by=owner)
    template = assignment.template
    changed = {
        "name": template.name,
        "scenario": template.scenario,
        "sections": [{"title": "Only", "criteria": [{"text": "Farewell"}]}],
    }
    response = api.put(f"/api/mystery-shop/templates/{template.pk}/", changed, format="json")
    assert response.json()["current_version"]["number"] == 2
    bad = {**body, "sections": [{"title": "X", "criteria": [{"text": "W", "kind": "minutes"}]}]}
    assert api.post("/api/mystery-shop/templates/", bad, format="json").status_code == 400


@pytest.mark.parametrize("persona", ["manager", "owner"])
def test_others_cannot_write_templates(request, client_for, persona, assignment):
    api = client_for(fresh(request.getfixturevalue(persona)))
    body = {"name": "X", "scenario": "phone_enquiry", "sections": []}
    assert api.post("/api/mystery-shop/templates/", body, format="json").status_code == 403


def test_quality_sends_a_shopper(client_for, quality_manager, assignment, shopper, north):
    today = timezone.localdate().isoformat()
    body = {
        "template": assignment.template.pk,
        "shopper": shopper.pk,
        "branch": north.pk,
        "window_start": today,
        "window_end": today,
    }
    response = client_for(fresh(quality_manager)).post(
        "/api/mystery-shop/assignments/", body, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["version_number"] == 1
    assert MysteryShopAssignment.objects.count() == 2


def test_assignment_list_for_staff_is_scoped_to_branches(client_for, assignment, south, outsider):
    quality_south = UserFactory(roles=["quality"], branches=[south])
    assert ids(client_for(fresh(quality_south)).get("/api/mystery-shop/assignments/")) == []
    assert client_for(fresh(outsider)).get("/api/mystery-shop/assignments/").status_code == 403


def test_assignment_list_filters(client_for, quality_manager, assignment, shopper, south, db):
    other_shopper = UserFactory(roles=["mystery_shopper"])
    other = handover_assignment(shopper=other_shopper, branch=assignment.branch)
    api = client_for(fresh(quality_manager))
    url = "/api/mystery-shop/assignments/"
    assert ids(api.get(url, {"shopper": shopper.pk})) == [assignment.pk]
    assert sorted(ids(api.get(url, {"branch": assignment.branch.pk}))) == sorted(
        [assignment.pk, other.pk]
    )
    assert ids(api.get(url, {"branch": south.pk})) == []
    assert ids(api.get(url, {"state": "open", "shopper": other_shopper.pk})) == [other.pk]
    assert api.get(url, {"state": "lost"}).status_code == 400


@pytest.mark.parametrize("count", [2, 6])
def test_list_queries(
    client_for, django_assert_num_queries, quality_manager, shopper, owner, north, count
):
    submitted_results(count, shopper=shopper, branch=north, served_by=owner)
    shopper_api = client_for(fresh(shopper))
    # groups (roles), the user's and the groups' permissions, the count, the page with served_by
    # joined, its answers, its attachments; the same whatever the number of results.
    with django_assert_num_queries(7):
        assert len(ids(shopper_api.get("/api/mystery-shop/results/"))) == count
    staff_api = client_for(fresh(quality_manager))
    # groups, the user's and the groups' permissions, the branch ids (scope), the count, the page
    # with template, version, branch, shopper, employee and result joined.
    with django_assert_num_queries(6):
        assert len(ids(staff_api.get("/api/mystery-shop/assignments/"))) == count + 1


def test_the_shopper_drafts_submits_and_is_locked_out(client_for, shopper, owner, assignment):
    api = client_for(fresh(shopper))
    detail = api.get(f"/api/mystery-shop/assignments/{assignment.pk}/").json()
    assert owner.pk in [person["id"] for person in detail["branch_staff"]]
    criteria = [c["id"] for s in detail["questions"]["sections"] for c in s["criteria"]]
    assert len(criteria) == 6
    version = assignment.version
    greeting = criteria_by_text(version)["Greeted within two minutes"].pk
    draft = api.post(
        "/api/mystery-shop/results/",
        {"assignment": assignment.pk, "answers": [{"criterion": greeting, "minutes": 3}]},
        format="json",
    )
    assert draft.status_code == 201, draft.content
    result_id = draft.json()["id"]
    incomplete = api.post(f"/api/mystery-shop/results/{result_id}/submit/")
    assert incomplete.status_code == 400
    assert {"visited_at", "served_by"} <= set(incomplete.json())
    response = api.patch(
        f"/api/mystery-shop/results/{result_id}/",
        {
            "visited_at": timezone.now().isoformat(),
            "served_by": owner.pk,
            "answers": api_answers(poor_answers(version)),
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    submitted = api.post(f"/api/mystery-shop/results/{result_id}/submit/")
    assert submitted.json()["score"] == "42.5"
    locked = api.patch(f"/api/mystery-shop/results/{result_id}/", {"comments": "x"}, format="json")
    assert locked.status_code == 400
    assert "can no longer be changed" in locked.json()["detail"]


def test_quality_reviews_and_cannot_enter_results(
    client_for, quality_manager, shopper, owner, assignment, manager
):
    result = submit(assignment, shopper, served_by=owner)
    api = client_for(fresh(quality_manager))
    assert ids(api.get("/api/mystery-shop/results/")) == [result.pk]
    body = {"assignment": assignment.pk}
    assert api.post("/api/mystery-shop/results/", body, format="json").status_code == 403
    returned = api.post(f"/api/mystery-shop/results/{result.pk}/return/", {"question": "Who?"})
    assert returned.json()["status"] == "returned"
    services.submit_result(result=result, by=shopper)
    accepted = api.post(f"/api/mystery-shop/results/{result.pk}/accept/")
    assert accepted.json()["status"] == "accepted"
    assert CoachingAction.objects.get(mystery_shop_result=result).employee == owner
    manager_api = client_for(fresh(manager))
    assert manager_api.post(f"/api/mystery-shop/results/{result.pk}/accept/").status_code == 403


def test_seed_scorecards_is_idempotent_and_makes_the_demo_assignment_and_past_results(settings, db):
    settings.DEBUG = True
    call_command("load_demo_data", verbosity=0)
    call_command("seed_scorecards", verbosity=0)
    call_command("seed_scorecards", verbosity=0)
    assert ScorecardTemplate.objects.count() == 6
    assert set(ScorecardTemplate.objects.values_list("scenario", flat=True)) == {
        "showroom_visit",
        "phone_enquiry",
        "service_appointment",
        "vehicle_handover",
        "complaint_call",
        "email_enquiry",
    }
    demo = MysteryShopAssignment.objects.get(result__isnull=True)
    assert (demo.shopper.username, demo.employee.username, demo.branch.code) == (
        "shopper",
        "sales",
        "MUC",
    )
    # The demo salesperson's past visits, accepted once however often the command runs.
    past = MysteryShopResult.objects.filter(status="accepted", served_by__username="sales")
    assert past.count() == 5
    scores = list(past.order_by("visited_at").values_list("score", flat=True))
    assert scores[0] < scores[-1] == 100
    handover = services.current_version(demo.template)
    critical = [c.text for c in criteria_by_text(handover).values() if c.is_critical]
    assert critical == ["Handover explained every function"]
    greeting = criteria_by_text(
        services.current_version(ScorecardTemplate.objects.get(scenario="showroom_visit"))
    )["Greeted within two minutes"]
    assert (greeting.kind, greeting.target_minutes) == ("minutes", 2)


def test_seed_scorecards_refuses_without_debug(settings, db):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_scorecards")
