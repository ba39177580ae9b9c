"""Mystery-shop scores against hand-computed numbers: answer shares by type, weights per section
and overall, not-applicable answers left out, critical criteria; and versioned templates (editing
a template never changes a submitted result)."""

from decimal import Decimal

import pytest

from staff.models import Answer, Criterion, MysteryShopResult, Scenario
from staff.mystery import services
from staff.mystery.scoring import AnswerSpec, CriterionSpec, answer_share, score
from tests.staff.mystery_helpers import HANDOVER, handover_assignment, sections, submit

Kind = Criterion.Kind


@pytest.mark.parametrize(
    ("kind", "answer", "expected"),
    [
        (Kind.YES_NO, {"met": True}, 1),
        (Kind.YES_NO, {"met": False}, 0),
        (Kind.YES_NO, {}, None),
        (Kind.SCALE, {"rating": 1}, 0),
        (Kind.SCALE, {"rating": 2}, 0.25),
        (Kind.SCALE, {"rating": 4}, 0.75),
        (Kind.SCALE, {"rating": 5}, 1),
        # minutes against a target of 2: full marks up to 2, none from 4, linear between.
        (Kind.MINUTES, {"minutes": 0, "target_minutes": 2}, 1),
        (Kind.MINUTES, {"minutes": 2, "target_minutes": 2}, 1),
        (Kind.MINUTES, {"minutes": 3, "target_minutes": 2}, 0.5),
        (Kind.MINUTES, {"minutes": 4, "target_minutes": 2}, 0),
        (Kind.MINUTES, {"minutes": 30, "target_minutes": 2}, 0),
        (Kind.MINUTES, {"minutes": 4, "target_minutes": 3}, 2 / 3),
        (Kind.OBSERVATION, {}, None),
    ],
)
def test_answer_shares(kind, answer, expected):
    share = answer_share(kind, **answer)
    if expected is None:
        assert share is None
    else:
        assert float(share) == pytest.approx(expected)


def test_a_rating_outside_one_to_five_is_an_error():
    with pytest.raises(ValueError, match="1 to 5"):
        answer_share(Kind.SCALE, rating=6)


def criteria_of_a_handover():
    """Section 1 (Welcome): greeting within 2 minutes (weight 2), needs analysis 1–5 (weight 3).
    Section 2 (Handover): every function explained, critical (weight 4); test drive offered
    (weight 2); farewell (weight 1); an observation."""
    return [
        CriterionSpec(pk=1, section_id=10, kind=Kind.MINUTES, weight=2, target_minutes=2),
        CriterionSpec(pk=2, section_id=10, kind=Kind.SCALE, weight=3),
        CriterionSpec(pk=3, section_id=20, kind=Kind.YES_NO, weight=4, is_critical=True),
        CriterionSpec(pk=4, section_id=20, kind=Kind.YES_NO, weight=2),
        CriterionSpec(pk=5, section_id=20, kind=Kind.YES_NO, weight=1),
        CriterionSpec(pk=6, section_id=20, kind=Kind.OBSERVATION, weight=1),
    ]


def test_weighted_sections_and_overall_with_a_failed_critical_criterion():
    answers = {
        1: AnswerSpec(minutes=3),  # 0.5
        2: AnswerSpec(rating=4),  # 0.75
        3: AnswerSpec(met=False),  # 0, critical
        4: AnswerSpec(not_applicable=True),  # left out
        5: AnswerSpec(met=True),  # 1
        6: AnswerSpec(),
    }
    scores = score(criteria_of_a_handover(), answers)
    # Welcome: (2×0.5 + 3×0.75) / (2 + 3) = 3.25 / 5 = 65 %
    assert scores.sections[10] == Decimal("65.0")
    # Handover: (4×0 + 1×1) / (4 + 1) = 20 % (the test drive is not applicable)
    assert scores.sections[20] == Decimal("20.0")
    # Overall: (3.25 + 1) / (5 + 5) = 42.5 %
    assert scores.overall == Decimal("42.5")
    assert scores.critical_failed
    assert [criterion.pk for criterion in scores.failed_critical] == [3]
    assert scores.points == {
        1: Decimal("0.500"),
        2: Decimal("0.750"),
        3: Decimal("0.000"),
        4: None,
        5: Decimal("1.000"),
        6: None,
    }


def test_a_perfect_visit_and_a_critical_criterion_met():
    answers = {
        1: AnswerSpec(minutes=1),
        2: AnswerSpec(rating=5),
        3: AnswerSpec(met=True),
        4: AnswerSpec(met=True),
        5: AnswerSpec(met=True),
    }
    scores = score(criteria_of_a_handover(), answers)
    assert scores.overall == Decimal("100.0")
    assert not scores.critical_failed


def test_a_critical_scale_criterion_fails_below_half():
    criteria = [
        CriterionSpec(pk=1, section_id=1, kind=Kind.SCALE, weight=1, is_critical=True),
        CriterionSpec(pk=2, section_id=1, kind=Kind.YES_NO, weight=3),
    ]
    # rating 2 → 0.25 < 0.5: failed; (0.25 + 3) / 4 = 81.25 → 81.3 %
    scores = score(criteria, {1: AnswerSpec(rating=2), 2: AnswerSpec(met=True)})
    assert scores.critical_failed
    assert scores.overall == Decimal("81.3")
    # rating 3 → exactly 0.5: not failed
    assert not score(criteria, {1: AnswerSpec(rating=3), 2: AnswerSpec(met=True)}).critical_failed


def test_minutes_between_target_and_twice_the_target_and_thirds_rounded():
    criteria = [
        CriterionSpec(pk=1, section_id=1, kind=Kind.MINUTES, weight=1, target_minutes=3),
        CriterionSpec(pk=2, section_id=1, kind=Kind.YES_NO, weight=2),
    ]
    scores = score(criteria, {1: AnswerSpec(minutes=4), 2: AnswerSpec(met=False)})
    # (1 × 2/3 + 2 × 0) / 3 = 22.2 %
    assert scores.overall == Decimal("22.2")
    assert scores.points[1] == Decimal("0.667")


def test_everything_not_applicable_has_no_score():
    criteria = [CriterionSpec(pk=1, section_id=1, kind=Kind.YES_NO, weight=1)]
    scores = score(criteria, {1: AnswerSpec(not_applicable=True)})
    assert scores.overall is None
    assert scores.sections == {1: None}


def test_weight_zero_is_not_scored():
    criteria = [
        CriterionSpec(pk=1, section_id=1, kind=Kind.YES_NO, weight=0),
        CriterionSpec(pk=2, section_id=1, kind=Kind.YES_NO, weight=1),
    ]
    scores = score(criteria, {1: AnswerSpec(met=False), 2: AnswerSpec(met=True)})
    assert scores.overall == Decimal("100.0")


# --- stored at submission, against the assignment's version --------------------------------------


@pytest.fixture
def assignment(north, shopper, owner):
    return handover_assignment(shopper=shopper, branch=north, employee=owner)


def test_submission_stores_points_section_scores_and_the_critical_flag(assignment, shopper, owner):
    result = submit(assignment, shopper, served_by=owner)
    result.refresh_from_db()
    assert result.status == MysteryShopResult.Status.SUBMITTED
    assert result.score == Decimal("42.5")
    assert result.critical_failed
    by_title = {section.title: section for section in assignment.version.sections.all()}
    assert result.section_scores == [
        {"section": by_title["Welcome"].pk, "title": "Welcome", "score": 65.0},
        {"section": by_title["Handover"].pk, "title": "Handover", "score": 20.0},
    ]
    points = {a.criterion.text: a.points for a in Answer.objects.filter(result=result)}
    assert points == {
        "Greeted within two minutes": Decimal("0.500"),
        "Needs analysis": Decimal("0.750"),
        "Explained every function": Decimal("0.000"),
        "Test drive offered": None,
        "Farewell": Decimal("1.000"),
        "What stood out": None,
    }


def test_editing_a_used_template_makes_a_new_version_and_leaves_the_result_alone(
    assignment, shopper, owner, quality_manager
):
    result = submit(assignment, shopper, served_by=owner)
    template = assignment.template
    old_version = assignment.version
    # The explanation of every function now weighs 1 and the farewell is gone.
    changed = {
        "Welcome": HANDOVER["Welcome"],
        "Handover": [{**HANDOVER["Handover"][0], "weight": 1}, HANDOVER["Handover"][1]],
    }
    services.update_template(
        template=template,
        by=quality_manager,
        name=template.name,
        scenario=template.scenario,
        sections=sections(changed),
        coaching_threshold=80,
    )
    current = services.current_version(template)
    assert current.number == old_version.number + 1
    assert current.coaching_threshold == 80
    assert current.sections.get(title="Handover").criteria.count() == 2
    # The old version and the submitted result are untouched.
    assert old_version.sections.get(title="Handover").criteria.count() == 4
    result.refresh_from_db()
    assert result.assignment.version == old_version
    assert result.score == Decimal("42.5")
    assert old_version.coaching_threshold == 70


def test_editing_an_unused_template_changes_its_version_in_place(quality_manager):
    template = services.create_template(
        by=quality_manager,
        name="Phone enquiry",
        scenario=Scenario.PHONE_ENQUIRY,
        sections=sections({"Call": [{"text": "Answered within three rings"}]}),
    )
    version = services.current_version(template)
    services.update_template(
        template=template,
        by=quality_manager,
        name="Phone enquiry",
        scenario=Scenario.PHONE_ENQUIRY,
        sections=sections(
            {"Call": [{"text": "Answered within three rings"}, {"text": "Name given"}]}
        ),
    )
    assert template.versions.count() == 1
    assert services.current_version(template) == version
    assert [c.text for c in Criterion.objects.filter(section__version=version)] == [
        "Answered within three rings",
        "Name given",
    ]


def test_saving_a_used_template_unchanged_makes_no_new_version(assignment, quality_manager):
    template = assignment.template
    services.update_template(
        template=template,
        by=quality_manager,
        name="Renamed",
        scenario=template.scenario,
        sections=sections(HANDOVER),
    )
    assert template.versions.count() == 1
    template.refresh_from_db()
    assert template.name == "Renamed"
