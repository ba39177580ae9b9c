"""Read queries of mystery shopping, scoped to the user and joined for their pages.

Templates are the organisation's (quality managers, administrators and managers read them);
assignments and results follow `visible_to(user)`: staff their branches', a mystery shopper only
their own.
"""

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.utils.translation import gettext_lazy as _

from aftersales.access import is_staff_member, sees_all_branches, visible_branch_ids
from aftersales.models import Branch
from aftersales.roles import Role
from aftersales.translated import in_any_language
from staff.mystery import scoring
from staff.mystery.models import (
    Answer,
    Criterion,
    MysteryShopAssignment,
    MysteryShopResult,
    ResultAttachment,
    ScorecardSection,
    ScorecardTemplate,
    ScorecardVersion,
)
from staff.people.selectors import branch_staff

Status = MysteryShopResult.Status

# --- templates -----------------------------------------------------------------------------------

TEMPLATE_ORDERINGS = {
    "name": ("name",),
    "-name": ("-name",),
    "scenario": ("scenario", "name"),
    "-scenario": ("-scenario", "name"),
    "version": ("current_number", "name"),
    "-version": ("-current_number", "name"),
    "updated": ("updated_at",),
    "-updated": ("-updated_at",),
}


def _current_number():
    return Subquery(
        ScorecardVersion.objects.filter(template=OuterRef("pk"))
        .order_by("-number")
        .values("number")[:1],
        output_field=IntegerField(),
    )


def template_list(*, search="", scenario="", active=None, ordering="scenario"):
    templates = ScorecardTemplate.objects.annotate(
        current_number=_current_number(),
        assignment_count=Count("assignments", distinct=True),
    )
    if search:
        templates = templates.filter(
            in_any_language("name", search) | in_any_language("description", search)
        )
    if scenario:
        templates = templates.filter(scenario=scenario)
    if active is not None:
        templates = templates.filter(is_active=active)
    order = TEMPLATE_ORDERINGS.get(ordering, TEMPLATE_ORDERINGS["scenario"])
    return templates.order_by(*order, "pk")


def structure_prefetch(lookup="sections"):
    """Prefetch a version's sections and their criteria, in order, through `lookup`."""
    return Prefetch(
        lookup,
        ScorecardSection.objects.order_by("position", "pk").prefetch_related(
            Prefetch("criteria", Criterion.objects.order_by("position", "pk"))
        ),
    )


def version_with_structure(version_pk):
    """A version with its sections and their criteria (three queries)."""
    return (
        ScorecardVersion.objects.select_related("template", "created_by")
        .prefetch_related(structure_prefetch())
        .get(pk=version_pk)
    )


def template_detail(pk):
    """A template with its versions (newest first, with how many assignments use each); raises
    ScorecardTemplate.DoesNotExist."""
    return ScorecardTemplate.objects.prefetch_related(
        Prefetch(
            "versions",
            ScorecardVersion.objects.select_related("created_by")
            .annotate(assignment_count=Count("assignments"))
            .order_by("-number"),
        )
    ).get(pk=pk)


def active_templates():
    return ScorecardTemplate.objects.filter(is_active=True).order_by("scenario", "name")


# --- people --------------------------------------------------------------------------------------


def shoppers():
    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.MYSTERY_SHOPPER)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def visible_branches(user):
    return Branch.objects.visible_to(user).filter(is_active=True).order_by("name")


def observable_staff(user):
    """People an assignment may name: customer-facing staff of the user's branches, with the ids
    of the branches each works in (for grouping the choice by branch)."""
    branch_ids = (
        list(Branch.objects.values_list("pk", flat=True))
        if sees_all_branches(user)
        else visible_branch_ids(user)
    )
    return branch_staff(branch_ids).prefetch_related(
        Prefetch("branches", Branch.objects.filter(pk__in=branch_ids).order_by("name"))
    )


# --- assignments ---------------------------------------------------------------------------------


class AssignmentState(models.TextChoices):
    """An assignment's state as lists show it (derived from cancellation and its result; the
    result's states keep their values)."""

    OPEN = "open", _("not started")
    DRAFT = Status.DRAFT.value, _("draft")
    SUBMITTED = Status.SUBMITTED.value, _("submitted")
    RETURNED = Status.RETURNED.value, _("sent back with a question")
    ACCEPTED = Status.ACCEPTED.value, _("accepted")
    CANCELLED = "cancelled", _("cancelled")


def with_state(assignments):
    return assignments.annotate(
        state=Case(
            When(cancelled_at__isnull=False, then=Value(AssignmentState.CANCELLED)),
            When(result__isnull=True, then=Value(AssignmentState.OPEN)),
            default=F("result__status"),
            output_field=CharField(),
        )
    )


ASSIGNMENT_ORDERINGS = {
    "window": ("window_start", "window_end"),
    "-window": ("-window_start", "-window_end"),
    "branch": ("branch__name",),
    "-branch": ("-branch__name",),
    "shopper": ("shopper__last_name", "shopper__first_name"),
    "-shopper": ("-shopper__last_name", "-shopper__first_name"),
    "state": ("state",),
    "-state": ("-state",),
}


def assignment_list(user, *, state="", branch=None, scenario="", shopper=None, ordering="-window"):
    assignments = with_state(
        MysteryShopAssignment.objects.visible_to(user).select_related(
            "template", "version", "branch", "shopper", "employee", "result"
        )
    )
    if state:
        assignments = assignments.filter(state=state)
    if branch is not None:
        assignments = assignments.filter(branch=branch)
    if scenario:
        assignments = assignments.filter(template__scenario=scenario)
    if shopper is not None:
        assignments = assignments.filter(shopper=shopper)
    order = ASSIGNMENT_ORDERINGS.get(ordering, ASSIGNMENT_ORDERINGS["-window"])
    return assignments.order_by(*order, "-pk")


def assignment_detail(user, pk):
    """Raises MysteryShopAssignment.DoesNotExist outside the user's scope."""
    return with_state(
        MysteryShopAssignment.objects.visible_to(user).select_related(
            "template", "version", "branch", "shopper", "employee", "created_by", "result"
        )
    ).get(pk=pk)


def shopper_open_assignments(user):
    """The shopper's assignments still to do: not cancelled, no result or one still editable."""
    return (
        with_state(
            MysteryShopAssignment.objects.visible_to(user).filter(
                shopper=user, cancelled_at__isnull=True
            )
        )
        .filter(Q(result__isnull=True) | Q(result__status__in=[Status.DRAFT, Status.RETURNED]))
        .select_related("template", "branch", "result")
        .order_by("window_end", "pk")
    )


def shopper_submitted_results(user):
    """The shopper's results they have sent (submitted or accepted), newest first."""
    return (
        MysteryShopResult.objects.visible_to(user)
        .filter(
            assignment__shopper=user,
            status__in=[Status.SUBMITTED, Status.ACCEPTED],
        )
        .select_related("assignment__template", "assignment__branch")
        .order_by("-submitted_at", "-pk")
    )


def shopper_results(user):
    """All of the shopper's own results, drafts too, newest first (for the API)."""
    return (
        MysteryShopResult.objects.visible_to(user)
        .filter(assignment__shopper=user)
        .select_related("served_by")
        .order_by("-pk")
    )


def shopper_assignment(user, pk):
    """One of the shopper's own assignments, for the result form (raises DoesNotExist)."""
    return (
        MysteryShopAssignment.objects.visible_to(user)
        .filter(shopper=user)
        .select_related("template", "version", "branch", "employee", "result__served_by")
        .get(pk=pk)
    )


def version_criteria(version):
    """A version's criteria in their order, each with its section."""
    return list(
        Criterion.objects.filter(section__version=version)
        .select_related("section")
        .order_by("section__position", "section_id", "position", "pk")
    )


def result_answers(result):
    return {answer.criterion_id: answer for answer in result.answers.all()}


# --- results -------------------------------------------------------------------------------------

RESULT_ORDERINGS = {
    "submitted": (F("submitted_at").asc(nulls_last=True),),
    "-submitted": (F("submitted_at").desc(nulls_last=True),),
    "visited": (F("visited_at").asc(nulls_last=True),),
    "-visited": (F("visited_at").desc(nulls_last=True),),
    "score": (F("score").asc(nulls_last=True),),
    "-score": (F("score").desc(nulls_last=True),),
    "branch": ("assignment__branch__name",),
    "-branch": ("-assignment__branch__name",),
}


def result_list(user, *, status="", branch=None, scenario="", employee=None, ordering="-submitted"):
    """Results staff may see: their branches' (drafts are the shopper's business until sent)."""
    results = (
        MysteryShopResult.objects.visible_to(user)
        .exclude(status=Status.DRAFT)
        .select_related(
            "assignment__template",
            "assignment__branch",
            "assignment__shopper",
            "assignment__employee",
            "served_by",
        )
    )
    if status:
        results = results.filter(status=status)
    if branch is not None:
        results = results.filter(assignment__branch=branch)
    if scenario:
        results = results.filter(assignment__template__scenario=scenario)
    if employee is not None:
        results = results.filter(Q(served_by=employee) | Q(assignment__employee=employee))
    order = RESULT_ORDERINGS.get(ordering, RESULT_ORDERINGS["-submitted"])
    return results.order_by(*order, "-pk")


def result_detail(user, pk):
    """A result staff may see, with its answers, attachments and coaching (raises DoesNotExist).
    Drafts stay the shopper's until submitted."""
    return (
        MysteryShopResult.objects.visible_to(user)
        .exclude(status=Status.DRAFT)
        .select_related(
            "assignment__template",
            "assignment__version",
            "assignment__branch",
            "assignment__shopper",
            "assignment__employee",
            "served_by",
            "reviewed_by",
        )
        .prefetch_related(
            Prefetch("answers", Answer.objects.select_related("criterion")),
            Prefetch("attachments", ResultAttachment.objects.order_by("uploaded_at", "pk")),
            "coaching_actions",
        )
        .get(pk=pk)
    )


def result_sections(result):
    """The result page's answers by section of its version: [(section, its stored score,
    [(criterion, answer or None, whether it is a failed critical criterion), ...]), ...].
    `result` comes from `result_detail` (answers prefetched); two queries for the structure."""
    answers = {answer.criterion_id: answer for answer in result.answers.all()}
    scores = {row["section"]: row["score"] for row in result.section_scores}
    version = version_with_structure(result.assignment.version_id)
    sections = []
    for section in version.sections.all():
        rows = []
        for criterion in section.criteria.all():
            answer = answers.get(criterion.pk)
            failed = (
                criterion.is_critical
                and answer is not None
                and answer.points is not None
                and answer.points < scoring.CRITICAL_BELOW
            )
            rows.append((criterion, answer, failed))
        sections.append((section, scores.get(section.pk), rows))
    return sections


def result_attachment(user, result_pk, pk):
    """An attachment the user may download: the shopper's own, or of a result staff may see
    (raises ResultAttachment.DoesNotExist otherwise)."""
    results = MysteryShopResult.objects.visible_to(user).filter(pk=result_pk)
    if is_staff_member(user):
        results = results.exclude(status=Status.DRAFT)
    else:
        results = results.filter(assignment__shopper=user)
    return ResultAttachment.objects.get(pk=pk, result__in=results)
