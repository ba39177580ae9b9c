"""Combining the assessors' ratings (means, minimum, maximum, spread, disagreement), checked
against figures computed by hand; and independence: nobody sees the others' ratings before
submitting their own, unless the decision is recorded."""

import pytest

from staff.hiring import selectors, services
from staff.models import Candidate, Competency
from tests.aftersales.factories import UserFactory
from tests.api_helpers import fresh
from tests.staff.factories import CandidateFactory
from tests.staff.hiring_helpers import assess

Status = Candidate.Status


@pytest.fixture
def second_manager(north):
    return UserFactory(username="max", roles=["manager"], branches=[north])


@pytest.fixture
def third_manager(north):
    return UserFactory(username="nia", roles=["manager"], branches=[north])


@pytest.fixture
def candidate(north):
    return CandidateFactory(branch=north, first_name="Lena", last_name="Vogt")


@pytest.fixture
def three_assessments(candidate, manager, second_manager, third_manager):
    """Customer orientation, reliability, communication, resilience, product interest:
    mia 4 5 3 2 4, max 4 4 3 4 3, nia 5 4 2 5 3."""
    assess(candidate, manager, 4, 5, 3, 2, 4)
    assess(candidate, second_manager, 4, 4, 3, 4, 3)
    assess(candidate, third_manager, 5, 4, 2, 5, 3)
    return candidate


def test_three_assessors_combined_by_hand(three_assessments, manager):
    combined = selectors.assessment_overview(manager, three_assessments).combined
    rows = {row.competency: row for row in combined.rows}
    # (sum / 3, min, max, spread)
    expected = {
        Competency.CUSTOMER_ORIENTATION: (13 / 3, 4, 5, 1),
        Competency.RELIABILITY: (13 / 3, 4, 5, 1),
        Competency.COMMUNICATION: (8 / 3, 2, 3, 1),
        Competency.RESILIENCE: (11 / 3, 2, 5, 3),
        Competency.PRODUCT_INTEREST: (10 / 3, 3, 4, 1),
    }
    assert list(rows) == list(Competency)
    for competency, (mean, low, high, spread) in expected.items():
        row = rows[competency]
        assert row.mean == pytest.approx(mean)
        assert (row.min, row.max, row.spread, row.count) == (low, high, spread, 3)
    # Resilience (2 to 5) is the only competency where they disagree.
    assert [row.competency for row in combined.rows if row.disagree] == [Competency.RESILIENCE]
    assert combined.disagreement
    assert combined.assessor_count == 3
    # (13 + 13 + 8 + 11 + 10) / 15
    assert combined.overall_mean == pytest.approx(55 / 15)
    # Each assessor's ratings in the order of the assessments (mia, max, nia).
    assert [assessment.assessor.username for assessment in combined.assessments] == [
        "mia",
        "max",
        "nia",
    ]
    assert rows[Competency.RESILIENCE].cells == [2, 4, 5]


def test_the_list_shows_the_same_overall_mean(three_assessments, manager):
    listed = selectors.candidate_list(fresh(manager)).get()
    assert listed.assessment_count == 3
    assert listed.results_visible
    assert listed.overall_mean == pytest.approx(55 / 15)


@pytest.mark.parametrize(
    ("first", "second", "disagree"),
    [
        ((3, 3, 3, 3, 3), (5, 4, 3, 2, 1), [True, False, False, False, True]),
        ((1,) * 5, (2,) * 5, [False] * 5),
    ],
)
def test_a_spread_of_two_or_more_is_flagged(
    candidate, manager, second_manager, first, second, disagree
):
    assess(candidate, manager, *first)
    assess(candidate, second_manager, *second)
    combined = selectors.assessment_overview(manager, candidate).combined
    assert [row.disagree for row in combined.rows] == disagree
    assert combined.disagreement == any(disagree)


def test_one_assessor_has_no_spread(candidate, manager):
    assess(candidate, manager, 1, 2, 3, 4, 5)
    combined = selectors.assessment_overview(manager, candidate).combined
    assert [row.spread for row in combined.rows] == [0] * 5
    assert combined.overall_mean == 3
    assert not combined.disagreement


def test_nobody_assessed_yet(candidate, manager):
    decided = services.decide(
        candidate=candidate, status=Status.WITHDRAWN, reason="Gone", by=manager
    )
    combined = selectors.assessment_overview(manager, decided).combined
    assert combined.assessor_count == 0
    assert combined.overall_mean is None
    assert [row.mean for row in combined.rows] == [None] * 5


@pytest.mark.parametrize("assessors", [1, 4])
def test_the_combined_view_takes_two_queries_however_many_assessors(
    candidate, manager, assessors, django_assert_num_queries
):
    assess(candidate, manager, 3, 3, 3, 3, 3)
    for _ in range(assessors - 1):
        assess(
            candidate, UserFactory(roles=["manager"], branches=[candidate.branch]), 4, 4, 4, 4, 4
        )
    # 1 the submitted assessments with their assessors, 2 their ratings.
    with django_assert_num_queries(2):
        overview = selectors.assessment_overview(manager, candidate)
        assert overview.combined.assessor_count == assessors


# --- independence --------------------------------------------------------------------------------


def test_an_assessor_sees_nothing_of_the_others_before_submitting(
    candidate, manager, second_manager
):
    assess(candidate, manager, 4, 5, 3, 2, 4)
    before = selectors.assessment_overview(second_manager, candidate)
    assert before.mine is None
    assert before.combined is None
    assert not before.results_visible
    assert before.submitted_count == 1
    listed = selectors.candidate_list(fresh(second_manager)).get()
    assert (listed.assessment_count, listed.results_visible, listed.overall_mean) == (
        1,
        False,
        None,
    )
    assert not listed.assessed_by_me
    # Sorting by the mean cannot reveal it either: hidden means sort as empty.
    other = CandidateFactory(branch=candidate.branch)
    assess(other, second_manager, 1, 1, 1, 1, 1)
    by_mean = selectors.candidate_list(fresh(second_manager), ordering="-mean")
    assert [(row.pk, row.overall_mean) for row in by_mean] == [
        (other.pk, 1.0),
        (candidate.pk, None),
    ]

    assess(candidate, second_manager, 4, 4, 3, 4, 3)
    after = selectors.assessment_overview(second_manager, candidate)
    assert after.mine.assessor == second_manager
    assert after.combined.assessor_count == 2
    listed = selectors.candidate_list(fresh(second_manager)).get(pk=candidate.pk)
    assert listed.results_visible
    assert listed.overall_mean == pytest.approx((4 + 5 + 3 + 2 + 4 + 4 + 4 + 3 + 4 + 3) / 10)


def test_a_manager_or_administrator_who_did_not_assess_sees_the_results_after_the_decision(
    candidate, manager, second_manager, admin_user
):
    assess(candidate, manager, 4, 5, 3, 2, 4)
    for viewer in (second_manager, admin_user):
        assert selectors.assessment_overview(viewer, candidate).combined is None
    services.decide(candidate=candidate, status=Status.REJECTED, reason="No", by=manager)
    candidate.refresh_from_db()
    for viewer in (second_manager, admin_user):
        overview = selectors.assessment_overview(viewer, candidate)
        assert overview.combined.assessor_count == 1
        assert selectors.candidate_list(fresh(viewer)).get().overall_mean == pytest.approx(18 / 5)


def test_candidates_are_scoped_to_the_branches_and_to_the_hiring_roles(
    candidate, manager, admin_user, south, owner, quality_manager, shopper
):
    south_candidate = CandidateFactory(branch=south)
    south_manager = UserFactory(roles=["manager"], branches=[south])
    assert list(selectors.candidates_visible_to(manager)) == [candidate]
    assert list(selectors.candidates_visible_to(south_manager)) == [south_candidate]
    assert set(selectors.candidates_visible_to(admin_user)) == {candidate, south_candidate}
    for user in (owner, quality_manager, shopper):
        assert not selectors.candidates_visible_to(user).exists()
