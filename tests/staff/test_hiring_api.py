"""The hiring REST API: /api/candidates/ (scoped, created and changed through the services, the
`decide` action, erasure) and /api/candidates/{id}/assessment/ (the caller's own). Managers and
administrators only: another branch's manager gets 404, every other role 403. The combined
assessment is in the detail only when the caller may see it."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from staff.models import Candidate, CandidateAssessment, Competency
from tests.aftersales.factories import UserFactory
from tests.api_helpers import fresh, ids
from tests.staff.factories import CandidateFactory
from tests.staff.hiring_helpers import COMPETENCIES, assess

Status = Candidate.Status
CANDIDATES = "/api/candidates/"


def detail(candidate):
    return f"{CANDIDATES}{candidate.pk}/"


def assessment_url(candidate):
    return f"{CANDIDATES}{candidate.pk}/assessment/"


def payload(*levels, notes=""):
    return {
        "ratings": [
            {"competency": competency.value, "rating": level, "evidence": f"saw {level}"}
            for competency, level in zip(COMPETENCIES, levels, strict=True)
        ],
        "notes": notes,
    }


@pytest.fixture
def second_manager(north):
    return UserFactory(username="max", roles=["manager"], branches=[north])


@pytest.fixture
def south_manager(south):
    return UserFactory(username="sue", roles=["manager"], branches=[south])


@pytest.fixture
def service_user(north):
    return UserFactory(username="sven", roles=["service"], branches=[north])


@pytest.fixture
def candidate(north):
    return CandidateFactory(branch=north, first_name="Lena", last_name="Vogt")


# --- access --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["owner", "colleague", "outsider", "service_user", "quality_manager", "shopper"]
)
def test_every_role_but_managers_and_administrators_is_refused(
    request, client_for, persona, candidate, north
):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(CANDIDATES).status_code == 403
    assert client.get(detail(candidate)).status_code == 403
    assert client.get(assessment_url(candidate)).status_code == 403
    assert (
        client.put(assessment_url(candidate), payload(3, 3, 3, 3, 3), format="json").status_code
        == 403
    )
    created = client.post(
        CANDIDATES, {"branch": north.pk, "first_name": "A", "last_name": "B", "role": "sales"}
    )
    assert created.status_code == 403
    decided = client.post(f"{detail(candidate)}decide/", {"status": "rejected", "reason": "x"})
    assert decided.status_code == 403
    assert client.delete(detail(candidate)).status_code == 403
    assert Candidate.objects.get().status == Status.OPEN
    assert not CandidateAssessment.objects.exists()


def test_anonymous_callers_are_refused(api_client, candidate):
    assert api_client.get(CANDIDATES).status_code == 401


def test_another_branchs_manager_gets_404(client_for, south_manager, candidate, south):
    south_candidate = CandidateFactory(branch=south)
    client = client_for(south_manager)
    assert ids(client.get(CANDIDATES)) == [south_candidate.pk]
    assert client.get(detail(candidate)).status_code == 404
    assert client.patch(detail(candidate), {"last_name": "X"}).status_code == 404
    assert client.get(assessment_url(candidate)).status_code == 404
    response = client.put(assessment_url(candidate), payload(3, 3, 3, 3, 3), format="json")
    assert response.status_code == 404
    assert (
        client.post(
            f"{detail(candidate)}decide/", {"status": "rejected", "reason": "x"}
        ).status_code
        == 404
    )
    assert client.delete(detail(candidate)).status_code == 404
    assert Candidate.objects.filter(pk=candidate.pk, status=Status.OPEN).exists()


def test_administrators_see_every_branch(client_for, admin_user, candidate, south):
    south_candidate = CandidateFactory(branch=south)
    assert set(ids(client_for(admin_user).get(CANDIDATES))) == {candidate.pk, south_candidate.pk}


# --- candidates ----------------------------------------------------------------------------------


def test_a_manager_adds_and_corrects_a_candidate(client_for, manager, north, south):
    client = client_for(manager)
    response = client.post(
        CANDIDATES,
        {"branch": north.pk, "first_name": "Lena", "last_name": "Vogt", "role": "sales"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    candidate = Candidate.objects.get(pk=body["id"])
    assert candidate.created_by == manager
    assert (body["status"], body["assessment_count"], body["combined"]) == ("open", 0, None)

    response = client.patch(detail(candidate), {"email": "lena@example.com", "role": "service"})
    assert response.status_code == 200, response.content
    candidate.refresh_from_db()
    assert (candidate.email, candidate.role, candidate.last_name) == (
        "lena@example.com",
        "service",
        "Vogt",
    )
    response = client.put(
        detail(candidate),
        {"branch": north.pk, "first_name": "Lena", "last_name": "Berg", "role": "sales"},
    )
    assert response.status_code == 200
    candidate.refresh_from_db()
    assert (candidate.last_name, candidate.email) == ("Berg", "")

    # Another branch's id is "does not exist" (400), never a leak.
    response = client.post(
        CANDIDATES, {"branch": south.pk, "first_name": "A", "last_name": "B", "role": "sales"}
    )
    assert response.status_code == 400
    assert "branch" in response.json()
    response = client.post(CANDIDATES, {"branch": north.pk, "first_name": "A", "role": "quality"})
    assert set(response.json()) == {"last_name", "role"}


def test_the_list_filters_searches_and_sorts(client_for, manager, north):
    zeller = CandidateFactory(branch=north, last_name="Zeller", role="sales")
    adler = CandidateFactory(branch=north, last_name="Adler", role="service")
    meier = CandidateFactory(branch=north, last_name="Meier", status=Status.REJECTED)
    client = client_for(manager)
    assert ids(client.get(CANDIDATES, {"ordering": "name"})) == [adler.pk, meier.pk, zeller.pk]
    assert ids(client.get(CANDIDATES, {"search": "zell"})) == [zeller.pk]
    assert ids(client.get(CANDIDATES, {"role": "service"})) == [adler.pk]
    assert ids(client.get(CANDIDATES, {"status": "rejected"})) == [meier.pk]
    assert client.get(CANDIDATES, {"ordering": "shoe-size"}).status_code == 400


def test_erasure_deletes_the_candidate_and_the_assessments(client_for, manager, candidate):
    assess(candidate, manager, 3, 3, 3, 3, 3)
    assert client_for(manager).delete(detail(candidate)).status_code == 204
    assert not Candidate.objects.exists()
    assert not CandidateAssessment.objects.exists()


# --- own assessment and independence -------------------------------------------------------------


def test_put_and_get_ones_own_assessment(client_for, manager, candidate):
    client = client_for(manager)
    assert client.get(assessment_url(candidate)).status_code == 404
    response = client.put(
        assessment_url(candidate), payload(4, 5, 3, 2, 4, notes="Calm"), format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["assessor"] == manager.pk
    assert body["notes"] == "Calm"
    assert [(r["competency"], r["rating"]) for r in body["ratings"]] == [
        (competency.value, level)
        for competency, level in zip(COMPETENCIES, [4, 5, 3, 2, 4], strict=True)
    ]
    response = client.put(assessment_url(candidate), payload(4, 5, 3, 3, 4), format="json")
    assert response.status_code == 200
    assert client.get(assessment_url(candidate)).json()["ratings"][3]["rating"] == 3
    assert CandidateAssessment.objects.count() == 1


def test_an_incomplete_or_invalid_assessment_is_400(client_for, manager, candidate):
    client = client_for(manager)
    four = payload(3, 3, 3, 3, 3)
    four["ratings"] = four["ratings"][:4]
    response = client.put(assessment_url(candidate), four, format="json")
    assert response.status_code == 400
    assert Competency.PRODUCT_INTEREST.value in response.json()
    too_high = payload(3, 3, 3, 3, 6)
    assert client.put(assessment_url(candidate), too_high, format="json").status_code == 400
    twice = payload(3, 3, 3, 3, 3)
    twice["ratings"][1]["competency"] = Competency.CUSTOMER_ORIENTATION.value
    assert client.put(assessment_url(candidate), twice, format="json").status_code == 400
    assert not CandidateAssessment.objects.exists()


def test_the_combined_view_appears_only_after_ones_own_assessment(
    client_for, manager, second_manager, candidate
):
    assess(candidate, manager, 4, 5, 3, 1, 4)
    client = client_for(second_manager)
    body = client.get(detail(candidate)).json()
    assert (body["assessment_count"], body["results_visible"], body["combined"]) == (1, False, None)
    listed = client.get(CANDIDATES).json()["results"][0]
    assert (listed["overall_mean"], listed["results_visible"]) == (None, False)
    # Nor can the caller read the other assessor's ratings through their own assessment.
    assert client.get(assessment_url(candidate)).status_code == 404

    client.put(assessment_url(candidate), payload(4, 4, 3, 4, 3), format="json")
    body = client.get(detail(candidate)).json()
    assert body["results_visible"]
    combined = body["combined"]
    assert combined["assessor_count"] == 2
    assert combined["overall_mean"] == pytest.approx(35 / 10)
    assert combined["disagreement"]
    resilience = combined["competencies"][3]
    assert resilience == {
        "competency": "resilience",
        "count": 2,
        "mean": 2.5,
        "min": 1,
        "max": 4,
        "spread": 3,
        "disagree": True,
    }
    assert client.get(CANDIDATES).json()["results"][0]["overall_mean"] == pytest.approx(3.5)


# --- decision ------------------------------------------------------------------------------------


@time_machine.travel(datetime(2025, 3, 10, 9, 0, tzinfo=UTC), tick=False)
def test_decide_records_the_decision_and_the_deletion_date(
    client_for, manager, second_manager, candidate
):
    assess(candidate, manager, 2, 2, 2, 2, 2)
    client = client_for(manager)
    url = f"{detail(candidate)}decide/"
    assert client.post(url, {"status": "rejected"}).status_code == 400
    assert client.post(url, {"status": "open", "reason": "x"}).status_code == 400
    response = client.post(url, {"status": "rejected", "reason": "Resilience too low"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["decision_reason"], body["decided_by"]) == (
        "rejected",
        "Resilience too low",
        manager.pk,
    )
    assert body["delete_after"] == "2025-09-10"
    # After the decision everyone who may see the candidate sees the combined view...
    assert (
        client_for(second_manager).get(detail(candidate)).json()["combined"]["assessor_count"] == 1
    )
    # ...and nobody changes an assessment or the decision any more.
    client = client_for(manager)
    response = client.put(assessment_url(candidate), payload(5, 5, 5, 5, 5), format="json")
    assert response.status_code == 400
    assert client.post(url, {"status": "withdrawn", "reason": "x"}).status_code == 400
    assert client.patch(detail(candidate), {"last_name": "X"}).status_code == 400
    candidate.refresh_from_db()
    assert candidate.delete_after == date(2025, 9, 10)


def test_hired_is_kept(client_for, manager, candidate):
    assess(candidate, manager, 5, 5, 5, 5, 5)
    response = client_for(manager).post(
        f"{detail(candidate)}decide/", {"status": "hired", "reason": "Excellent"}
    )
    assert response.json()["delete_after"] is None


# --- queries -------------------------------------------------------------------------------------


@pytest.mark.parametrize("candidates", [2, 12])
def test_list_query_count(client_for, manager, north, candidates, django_assert_num_queries):
    for _ in range(candidates):
        assess(CandidateFactory(branch=north), manager, 3, 3, 3, 3, 3)
    client = client_for(fresh(manager))
    # 1 the caller's groups (staff check), 2-3 their user and group permissions, 4 their branches
    # (scope), 5 COUNT for the pagination, 6 the page with branch, and the assessment count, own
    # assessment and visible mean as subqueries.
    with django_assert_num_queries(6):
        response = client.get(CANDIDATES)
    assert response.json()["count"] == candidates


@pytest.mark.parametrize("assessors", [1, 4])
def test_detail_query_count(
    client_for, manager, north, candidate, assessors, django_assert_num_queries
):
    assess(candidate, manager, 3, 3, 3, 3, 3)
    for _ in range(assessors - 1):
        assess(candidate, UserFactory(roles=["manager"], branches=[north]), 4, 4, 4, 4, 4)
    client = client_for(fresh(manager))
    # 1 the caller's groups (staff check), 2-3 their user and group permissions, 4 their branches
    # (scope), 5 the candidate with branch and its figures as subqueries, 6 the submitted
    # assessments with their assessors, 7 their ratings.
    with django_assert_num_queries(7):
        response = client.get(detail(candidate))
    assert response.json()["combined"]["assessor_count"] == assessors
