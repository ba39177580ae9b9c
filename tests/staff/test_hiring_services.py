"""Hiring services: adding and correcting candidates, independent assessments (one per assessor,
all five competencies, changeable until the decision), the decision with its retention date, and
erasure on request."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from aftersales.errors import DomainError
from staff.hiring import services
from staff.models import Candidate, CandidateAssessment, Competency, CompetencyRating
from tests.aftersales.factories import UserFactory
from tests.staff.factories import CandidateFactory
from tests.staff.hiring_helpers import assess, ratings

Status = Candidate.Status
DECIDED_AT = datetime(2025, 1, 31, 9, 0, tzinfo=UTC)


@pytest.fixture
def second_manager(north):
    return UserFactory(username="max", roles=["manager"], branches=[north])


@pytest.fixture
def south_manager(south):
    return UserFactory(username="sue", roles=["manager"], branches=[south])


@pytest.fixture
def candidate(north):
    return CandidateFactory(branch=north, first_name="Lena", last_name="Vogt", role="sales")


# --- candidates ----------------------------------------------------------------------------------


def test_a_manager_adds_a_candidate_with_minimal_data(manager, north):
    candidate = services.add_candidate(
        by=manager,
        branch=north,
        first_name=" Lena ",
        last_name="Vogt ",
        email="lena.vogt@example.com",
        role="service",
    )
    candidate.refresh_from_db()
    assert (candidate.first_name, candidate.last_name, candidate.role) == (
        "Lena",
        "Vogt",
        "service",
    )
    assert candidate.status == Status.OPEN
    assert candidate.created_by == manager
    assert candidate.delete_after is None


def test_a_candidate_is_added_only_to_ones_own_branches(manager, south):
    with pytest.raises(DomainError) as error:
        services.add_candidate(
            by=manager, branch=south, first_name="A", last_name="B", role="sales"
        )
    assert error.value.field == "branch"
    assert not Candidate.objects.exists()


@pytest.mark.parametrize("persona", ["owner", "quality_manager", "shopper"])
def test_only_managers_and_administrators_add_candidates(request, persona, north):
    with pytest.raises(DomainError):
        services.add_candidate(
            by=request.getfixturevalue(persona),
            branch=north,
            first_name="A",
            last_name="B",
            role="sales",
        )


def test_an_administrator_adds_candidates_anywhere(admin_user, south):
    candidate = services.add_candidate(
        by=admin_user, branch=south, first_name="A", last_name="B", role="manager"
    )
    assert candidate.branch == south


def test_an_unknown_role_or_bad_email_is_a_field_error(manager, north):
    with pytest.raises(DomainError) as error:
        services.add_candidate(
            by=manager, branch=north, first_name="A", last_name="B", role="quality"
        )
    assert error.value.field == "role"
    with pytest.raises(DomainError) as error:
        services.add_candidate(
            by=manager, branch=north, first_name="A", last_name="B", role="sales", email="nope"
        )
    assert error.value.field == "email"


def test_update_corrects_the_data_while_open(manager, candidate, north):
    services.update_candidate(
        candidate=candidate,
        by=manager,
        branch=north,
        first_name="Lena",
        last_name="Vogt-Berg",
        email="lena@example.com",
        role="service",
    )
    candidate.refresh_from_db()
    assert (candidate.last_name, candidate.email, candidate.role) == (
        "Vogt-Berg",
        "lena@example.com",
        "service",
    )


def test_update_is_refused_after_the_decision_and_outside_ones_branches(
    manager, candidate, north, south_manager, south
):
    arguments = {"first_name": "X", "last_name": "Y", "role": "sales"}
    with pytest.raises(DomainError):
        services.update_candidate(candidate=candidate, by=south_manager, branch=south, **arguments)
    services.decide(
        candidate=candidate, status=Status.WITHDRAWN, reason="Took another job", by=manager
    )
    with pytest.raises(DomainError):
        services.update_candidate(candidate=candidate, by=manager, branch=north, **arguments)
    candidate.refresh_from_db()
    assert candidate.first_name == "Lena"


# --- assessments ---------------------------------------------------------------------------------


def test_an_assessment_rates_all_five_competencies(manager, candidate):
    assessment = assess(candidate, manager, 4, 5, 3, 2, 4, notes="Good listener")
    assert assessment.submitted_at is not None
    assert assessment.notes == "Good listener"
    assert dict(assessment.ratings.values_list("competency", "rating")) == {
        Competency.CUSTOMER_ORIENTATION: 4,
        Competency.RELIABILITY: 5,
        Competency.COMMUNICATION: 3,
        Competency.RESILIENCE: 2,
        Competency.PRODUCT_INTEREST: 4,
    }
    assert assessment.ratings.get(competency=Competency.RESILIENCE).evidence == "observed 2"


def test_every_competency_is_required(manager, candidate):
    incomplete = ratings(3, 3, 3, 3, 3)
    del incomplete[Competency.PRODUCT_INTEREST]
    with pytest.raises(DomainError) as error:
        services.submit_assessment(candidate=candidate, assessor=manager, ratings=incomplete)
    assert error.value.field == Competency.PRODUCT_INTEREST
    assert not CandidateAssessment.objects.exists()


@pytest.mark.parametrize("level", [0, 6, None, "x"])
def test_ratings_are_from_1_to_5(manager, candidate, level):
    bad = ratings(3, 3, 3, 3, 3)
    bad[Competency.COMMUNICATION] = (level, "")
    with pytest.raises(DomainError) as error:
        services.submit_assessment(candidate=candidate, assessor=manager, ratings=bad)
    assert error.value.field == Competency.COMMUNICATION
    assert not CompetencyRating.objects.exists()


def test_an_unknown_competency_is_refused(manager, candidate):
    with pytest.raises(DomainError):
        services.submit_assessment(
            candidate=candidate,
            assessor=manager,
            ratings={**ratings(3, 3, 3, 3, 3), "charm": (5, "")},
        )


def test_one_assessment_per_assessor_changed_in_place_until_the_decision(
    manager, second_manager, candidate
):
    first = assess(candidate, manager, 3, 3, 3, 3, 3)
    submitted_at = first.submitted_at
    again = assess(candidate, manager, 4, 4, 2, 3, 5, notes="Second thoughts")
    assess(candidate, second_manager, 2, 2, 2, 2, 2)
    assert again.pk == first.pk
    assert CandidateAssessment.objects.filter(candidate=candidate).count() == 2
    assert CompetencyRating.objects.filter(assessment=first).count() == 5
    again.refresh_from_db()
    assert again.notes == "Second thoughts"
    assert again.submitted_at == submitted_at
    assert again.ratings.get(competency=Competency.PRODUCT_INTEREST).rating == 5

    services.decide(candidate=candidate, status=Status.REJECTED, reason="Too quiet", by=manager)
    with pytest.raises(DomainError):
        assess(candidate, manager, 5, 5, 5, 5, 5)
    with pytest.raises(DomainError):
        assess(
            candidate, UserFactory(roles=["manager"], branches=[candidate.branch]), 3, 3, 3, 3, 3
        )
    assert again.ratings.get(competency=Competency.PRODUCT_INTEREST).rating == 5


@pytest.mark.parametrize("persona", ["owner", "quality_manager", "south_manager"])
def test_only_managers_of_the_branch_assess(request, persona, candidate):
    with pytest.raises(DomainError):
        assess(candidate, request.getfixturevalue(persona), 3, 3, 3, 3, 3)
    assert not CandidateAssessment.objects.exists()


# --- decision ------------------------------------------------------------------------------------


@time_machine.travel(DECIDED_AT, tick=False)
def test_a_rejection_records_who_when_why_and_the_deletion_date(manager, candidate):
    assess(candidate, manager, 2, 3, 2, 1, 2)
    services.decide(
        candidate=candidate, status=Status.REJECTED, reason=" Not resilient enough ", by=manager
    )
    candidate.refresh_from_db()
    assert candidate.status == Status.REJECTED
    assert candidate.decision_reason == "Not resilient enough"
    assert candidate.decided_at == DECIDED_AT
    assert candidate.decided_by == manager
    # Six months after 31 January is the last day of July.
    assert candidate.delete_after == date(2025, 7, 31)


@time_machine.travel(datetime(2025, 8, 31, 9, 0, tzinfo=UTC), tick=False)
def test_the_retention_date_ends_on_the_last_day_of_a_short_month(manager, candidate):
    services.decide(candidate=candidate, status=Status.WITHDRAWN, reason="Moved away", by=manager)
    candidate.refresh_from_db()
    assert candidate.delete_after == date(2026, 2, 28)


@time_machine.travel(DECIDED_AT, tick=False)
def test_the_retention_period_is_a_setting(settings, manager, candidate):
    settings.CANDIDATE_RETENTION_MONTHS = 3
    services.decide(candidate=candidate, status=Status.REJECTED, reason="No", by=manager)
    candidate.refresh_from_db()
    assert candidate.delete_after == date(2025, 4, 30)


def test_a_hired_candidate_is_kept(manager, candidate):
    assess(candidate, manager, 5, 4, 4, 4, 5)
    services.decide(candidate=candidate, status=Status.HIRED, reason="Convincing", by=manager)
    candidate.refresh_from_db()
    assert candidate.status == Status.HIRED
    assert candidate.decided_at is not None
    assert candidate.delete_after is None


def test_hiring_needs_an_assessment(manager, candidate):
    with pytest.raises(DomainError) as error:
        services.decide(candidate=candidate, status=Status.HIRED, reason="Gut", by=manager)
    assert error.value.field == "status"


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_decision_needs_a_reason(manager, candidate, reason):
    with pytest.raises(DomainError) as error:
        services.decide(candidate=candidate, status=Status.REJECTED, reason=reason, by=manager)
    assert error.value.field == "reason"
    candidate.refresh_from_db()
    assert candidate.status == Status.OPEN


def test_open_is_no_decision_and_a_decision_is_made_once(manager, candidate):
    with pytest.raises(DomainError) as error:
        services.decide(candidate=candidate, status=Status.OPEN, reason="Hmm", by=manager)
    assert error.value.field == "status"
    services.decide(candidate=candidate, status=Status.REJECTED, reason="No", by=manager)
    with pytest.raises(DomainError):
        services.decide(candidate=candidate, status=Status.WITHDRAWN, reason="Oh", by=manager)
    candidate.refresh_from_db()
    assert candidate.status == Status.REJECTED


@pytest.mark.parametrize("persona", ["owner", "quality_manager", "south_manager"])
def test_only_managers_of_the_branch_decide(request, persona, candidate):
    with pytest.raises(DomainError):
        services.decide(
            candidate=candidate,
            status=Status.REJECTED,
            reason="No",
            by=request.getfixturevalue(persona),
        )


# --- erasure on request --------------------------------------------------------------------------


def test_a_manager_erases_a_candidate_with_the_assessments(manager, second_manager, candidate):
    other = CandidateFactory(branch=candidate.branch)
    assess(candidate, manager, 3, 3, 3, 3, 3)
    assess(candidate, second_manager, 4, 4, 4, 4, 4)
    assess(other, manager, 2, 2, 2, 2, 2)
    services.delete_candidate(candidate=candidate, by=manager)
    assert list(Candidate.objects.all()) == [other]
    assert CandidateAssessment.objects.get().candidate == other
    assert CompetencyRating.objects.count() == 5


@pytest.mark.parametrize("persona", ["owner", "quality_manager", "south_manager"])
def test_only_managers_of_the_branch_erase(request, persona, candidate):
    with pytest.raises(DomainError):
        services.delete_candidate(candidate=candidate, by=request.getfixturevalue(persona))
    assert Candidate.objects.filter(pk=candidate.pk).exists()
