"""Mystery-shopping services: templates, assignments (and the shopper's notification), the
shopper's draft and submission (completeness, lock), send back with a question and resubmit,
acceptance and the coaching it opens."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from aftersales.errors import DomainError
from aftersales.models import Notification
from staff.models import CoachingAction, MysteryShopResult, Scenario
from staff.mystery import services
from tests.aftersales.factories import UserFactory
from tests.staff.mystery_helpers import (
    HANDOVER,
    criteria_by_text,
    good_answers,
    handover_assignment,
    sections,
    submit,
)

Status = MysteryShopResult.Status


@pytest.fixture
def assignment(north, shopper, owner, quality_manager):
    return handover_assignment(
        shopper=shopper, branch=north, employee=owner, created_by=quality_manager
    )


@pytest.fixture
def handover_version(assignment):
    return assignment.version


# --- templates -----------------------------------------------------------------------------------


def test_creating_a_template_needs_the_permission(owner):
    with pytest.raises(DomainError, match="may not create"):
        services.create_template(
            by=owner, name="X", scenario=Scenario.PHONE_ENQUIRY, sections=sections(HANDOVER)
        )


@pytest.mark.parametrize(
    ("structure", "message"),
    [
        ({}, "at least one criterion"),
        ({"Call": [{"text": "Waited", "kind": "minutes"}]}, "target in minutes"),
        ({"Call": [{"text": "Notes", "kind": "observation"}]}, "scored criterion"),
        ({"Call": [{"text": "Critical", "weight": 0, "is_critical": True}]}, "weight of at least"),
        ({"": [{"text": "No section"}]}, "section a title"),
    ],
)
def test_a_template_needs_a_sensible_structure(quality_manager, structure, message):
    with pytest.raises(DomainError, match=message):
        services.create_template(
            by=quality_manager,
            name="Phone",
            scenario=Scenario.PHONE_ENQUIRY,
            sections=sections(structure),
        )


def test_a_created_template_has_version_one_with_its_structure(quality_manager):
    template = services.create_template(
        by=quality_manager,
        name="Handover",
        scenario=Scenario.VEHICLE_HANDOVER,
        sections=sections(HANDOVER),
        coaching_threshold=75,
    )
    version = services.current_version(template)
    assert (version.number, version.coaching_threshold, version.created_by) == (
        1,
        75,
        quality_manager,
    )
    assert [s.title for s in version.sections.all()] == ["Welcome", "Handover"]
    explained = criteria_by_text(version)["Explained every function"]
    assert (explained.weight, explained.is_critical) == (4, True)


def test_deactivating_a_template_stops_assignments(assignment, quality_manager, north, shopper):
    services.set_template_active(template=assignment.template, by=quality_manager, active=False)
    with pytest.raises(DomainError, match="inactive"):
        services.create_assignment(
            by=quality_manager,
            template=assignment.template,
            shopper=shopper,
            branch=north,
            window_start=timezone.localdate(),
            window_end=timezone.localdate(),
        )


# --- assignments ---------------------------------------------------------------------------------


@pytest.fixture
def template(handover_version):
    return handover_version.template


def test_an_assignment_keeps_the_current_version_and_notifies_the_shopper(
    template, quality_manager, shopper, north, owner
):
    today = timezone.localdate()
    made = services.create_assignment(
        by=quality_manager,
        template=template,
        shopper=shopper,
        branch=north,
        window_start=today,
        window_end=today + timedelta(days=7),
        employee=owner,
        instructions="Ask about the app.",
    )
    assert made.version == services.current_version(template)
    assert made.created_by == quality_manager
    notification = Notification.objects.get(recipient=shopper)
    assert notification.kind == "mystery_shop_assigned"
    assert notification.link == f"/mystery-shop/my/{made.pk}/"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"window_end": -1}, "window_end"),
        ({"branch": "south"}, "branch"),
        ({"shopper": "owner"}, "shopper"),
        ({"employee": "outsider"}, "employee"),
    ],
)
def test_assignment_rules(
    template, quality_manager, shopper, north, south, owner, outsider, change, field
):
    today = timezone.localdate()
    arguments = {
        "by": quality_manager,
        "template": template,
        "shopper": shopper,
        "branch": north,
        "window_start": today,
        "window_end": today + timedelta(days=3),
    }
    people = {"south": south, "owner": owner, "outsider": outsider}
    for name, value in change.items():
        arguments[name] = today + timedelta(days=value) if name == "window_end" else people[value]
    with pytest.raises(DomainError) as refused:
        services.create_assignment(**arguments)
    assert refused.value.field == field


def test_only_quality_and_administrators_send_shoppers(template, manager, shopper, north):
    with pytest.raises(DomainError, match="may not"):
        services.create_assignment(
            by=manager,
            template=template,
            shopper=shopper,
            branch=north,
            window_start=timezone.localdate(),
            window_end=timezone.localdate(),
        )


def test_cancel_only_while_nothing_was_submitted(assignment, quality_manager, shopper, owner):
    services.save_result(assignment=assignment, by=shopper, comments="Started")
    services.cancel_assignment(assignment=assignment, by=quality_manager)
    assignment.refresh_from_db()
    assert assignment.is_cancelled
    assert Notification.objects.filter(recipient=shopper, kind="mystery_shop_cancelled").exists()
    with pytest.raises(DomainError, match="cancelled"):
        services.save_result(assignment=assignment, by=shopper, comments="Again")


def test_a_submitted_assignment_cannot_be_cancelled(assignment, quality_manager, shopper, owner):
    submit(assignment, shopper, served_by=owner)
    with pytest.raises(DomainError, match="submitted"):
        services.cancel_assignment(assignment=assignment, by=quality_manager)


# --- the shopper's result ------------------------------------------------------------------------


def test_a_draft_keeps_partial_entries(assignment, shopper):
    by_text = criteria_by_text(assignment.version)
    greeting = by_text["Greeted within two minutes"].pk
    result = services.save_result(
        assignment=assignment, by=shopper, comments="So far", answers={greeting: {"minutes": 4}}
    )
    assert result.status == Status.DRAFT
    assert result.answers.get().minutes == 4
    # Saving again without the answer removes it; other fields stay.
    services.save_result(assignment=assignment, by=shopper, answers={greeting: {"minutes": None}})
    result.refresh_from_db()
    assert result.comments == "So far"
    assert not result.answers.exists()


def test_only_the_assigned_shopper_enters_the_result(assignment, db):
    other = UserFactory(roles=["mystery_shopper"])
    with pytest.raises(DomainError, match="not your assignment"):
        services.save_result(assignment=assignment, by=other, comments="Mine?")


def test_submitting_needs_everything_required(assignment, shopper):
    result = services.save_result(assignment=assignment, by=shopper)
    with pytest.raises(services.ResultIncomplete) as incomplete:
        services.submit_result(result=result, by=shopper)
    by_text = criteria_by_text(assignment.version)
    expected = {"visited_at", "served_by"} | {
        f"criterion_{criterion.pk}"
        for text, criterion in by_text.items()
        if text != "What stood out"  # observations are optional
    }
    assert set(incomplete.value.errors) == expected
    result.refresh_from_db()
    assert result.status == Status.DRAFT


def test_a_description_replaces_the_name_of_who_served(assignment, shopper):
    result = submit(assignment, shopper, description="Tall man with glasses, desk 2")
    assert result.status == Status.SUBMITTED
    assert result.served_by is None


def test_a_critical_criterion_cannot_be_not_applicable(assignment, shopper):
    critical = criteria_by_text(assignment.version)["Explained every function"].pk
    with pytest.raises(DomainError, match="critical") as refused:
        services.save_result(
            assignment=assignment, by=shopper, answers={critical: {"not_applicable": True}}
        )
    assert refused.value.field == f"criterion_{critical}"


def test_served_by_must_work_in_the_branch(assignment, shopper, outsider):
    with pytest.raises(DomainError) as refused:
        services.save_result(assignment=assignment, by=shopper, served_by=outsider)
    assert refused.value.field == "served_by"


def test_a_visit_in_the_future_is_refused(assignment, shopper):
    with pytest.raises(DomainError, match="future"):
        services.save_result(
            assignment=assignment, by=shopper, visited_at=timezone.now() + timedelta(hours=2)
        )


def test_a_submitted_result_is_locked_and_the_reviewer_told(
    assignment, shopper, owner, quality_manager
):
    result = submit(assignment, shopper, served_by=owner)
    assert result.score == Decimal("42.5")
    assert Notification.objects.filter(
        recipient=quality_manager, kind="mystery_shop_submitted"
    ).exists()
    with pytest.raises(DomainError, match="can no longer be changed"):
        services.save_result(assignment=assignment, by=shopper, comments="Changed my mind")
    with pytest.raises(DomainError, match="can no longer be changed"):
        services.submit_result(result=result, by=shopper)


def test_sent_back_with_a_question_the_result_is_editable_and_resubmitted(
    assignment, shopper, owner, quality_manager
):
    result = submit(assignment, shopper, served_by=owner)
    with pytest.raises(DomainError, match="question"):
        services.return_result(result=result, by=quality_manager, question="  ")
    services.return_result(result=result, by=quality_manager, question="Which functions?")
    result.refresh_from_db()
    assert (result.status, result.review_question) == (Status.RETURNED, "Which functions?")
    notice = Notification.objects.get(recipient=shopper, kind="mystery_shop_returned")
    assert notice.body == "Which functions?"
    services.save_result(
        assignment=assignment, by=shopper, answers=good_answers(assignment.version)
    )
    result = services.submit_result(result=result, by=shopper)
    assert (result.status, result.score, result.critical_failed) == (
        Status.SUBMITTED,
        Decimal("100.0"),
        False,
    )


# --- review --------------------------------------------------------------------------------------


def test_accepting_a_poor_result_opens_coaching_for_who_served(
    assignment, shopper, colleague, quality_manager, manager
):
    result = submit(assignment, shopper, served_by=colleague)
    services.accept_result(result=result, by=quality_manager)
    result.refresh_from_db()
    assert (result.status, result.reviewed_by) == (Status.ACCEPTED, quality_manager)
    action = CoachingAction.objects.get(mystery_shop_result=result)
    # who served, not the employee the shopper was sent to observe (owner)
    assert (action.employee, action.branch, action.source) == (
        colleague,
        assignment.branch,
        CoachingAction.Source.MYSTERY_SHOP,
    )
    assert "Vehicle handover" in action.goal
    assert "42.5" in action.goal
    assert "Explained every function" in action.goal
    assert Notification.objects.filter(recipient=manager, kind="coaching_opened").exists()
    with pytest.raises(DomainError, match="Only a submitted result"):
        services.accept_result(result=result, by=quality_manager)


def test_without_who_served_the_coaching_is_for_the_observed_employee(
    assignment, shopper, owner, quality_manager
):
    result = submit(assignment, shopper, description="Someone at the desk")
    services.accept_result(result=result, by=quality_manager)
    assert CoachingAction.objects.get(mystery_shop_result=result).employee == owner


def test_nobody_identifiable_no_coaching(north, shopper, quality_manager):
    anonymous = handover_assignment(shopper=shopper, branch=north)
    result = submit(anonymous, shopper, description="Someone at the desk")
    services.accept_result(result=result, by=quality_manager)
    assert services.needs_coaching(result)
    assert not CoachingAction.objects.exists()


def test_a_good_result_opens_no_coaching(assignment, shopper, owner, quality_manager):
    result = submit(assignment, shopper, served_by=owner, answers=good_answers(assignment.version))
    services.accept_result(result=result, by=quality_manager)
    assert not CoachingAction.objects.exists()


def test_below_the_threshold_without_a_critical_failure_opens_coaching(
    assignment, shopper, owner, quality_manager
):
    answers = good_answers(assignment.version)
    by_text = criteria_by_text(assignment.version)
    answers[by_text["Needs analysis"].pk] = {"rating": 1}
    answers[by_text["Greeted within two minutes"].pk] = {"minutes": 10}
    # (2×0 + 3×0 + 4 + 2 + 1) / 12 = 58.3 % < 70 %
    result = submit(assignment, shopper, served_by=owner, answers=answers)
    assert (result.score, result.critical_failed) == (Decimal("58.3"), False)
    services.accept_result(result=result, by=quality_manager)
    assert CoachingAction.objects.filter(mystery_shop_result=result, employee=owner).exists()


def test_review_is_for_quality_of_the_branch(assignment, shopper, owner, manager, south):
    result = submit(assignment, shopper, served_by=owner)
    with pytest.raises(DomainError, match="may not review"):
        services.accept_result(result=result, by=manager)
    quality_south = UserFactory(roles=["quality"], branches=[south])
    with pytest.raises(DomainError, match="branch you do not work in"):
        services.accept_result(result=result, by=quality_south)


def test_a_draft_cannot_be_reviewed(assignment, shopper, quality_manager):
    result = services.save_result(assignment=assignment, by=shopper, comments="draft")
    with pytest.raises(DomainError, match="Only a submitted result"):
        services.return_result(result=result, by=quality_manager, question="?")
