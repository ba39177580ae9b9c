"""Writes of mystery shopping: scorecard templates (versioned), assignments, the shopper's
results (draft, submit) and their review (accept, send back with a question).

Versioning (the shared machinery of quality.checklists.versioning, as audit templates use it): a
template's questions live in its versions. Editing a template whose current version
an assignment already uses makes a new version with the submitted structure; an unused current
version is changed in place. An assignment keeps the version it was made with and its result is
always scored against that version, so editing a template never changes a submitted result.
"""

from dataclasses import asdict, dataclass, fields
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from aftersales import services as core
from aftersales import texts
from aftersales.access import (
    is_staff_member,
    require_branch,
    require_perm,
)
from aftersales.errors import DomainError, validated_save
from aftersales.roles import Role
from aftersales.translated import columns_from, in_reading_order, set_texts
from quality.checklists import versioning
from staff.mystery import scoring
from staff.mystery.models import (
    DEFAULT_COACHING_THRESHOLD,
    Answer,
    Criterion,
    MysteryShopAssignment,
    MysteryShopResult,
    ResultAttachment,
    ScorecardSection,
    ScorecardTemplate,
    ScorecardVersion,
)
from staff.mystery.selectors import branch_staff, shoppers, version_criteria
from staff.people.models import CoachingAction
from staff.people.services import open_coaching_action

Kind = Criterion.Kind
Status = MysteryShopResult.Status

ALLOWED_ATTACHMENT_TYPES = core.PHOTO_TYPES | core.PDF_TYPES
MAX_MINUTES = 24 * 60
# A visit "now" typed on a phone whose clock runs a little ahead is still not in the future.
FUTURE_TOLERANCE = timedelta(minutes=5)


class ResultIncomplete(DomainError):
    """Submitting needs every required entry: `errors` maps each missing one to a message, keyed
    like the result form's fields ("visited_at", "served_by", "criterion_<id>")."""

    def __init__(self, errors):
        super().__init__(_("Answer everything required before you submit."))
        self.errors = errors


# --- templates and versions ----------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionData:
    text_en: str
    text_de: str = ""
    kind: str = Kind.YES_NO
    weight: int = 1
    guidance_en: str = ""
    guidance_de: str = ""
    target_minutes: int | None = None
    is_critical: bool = False

    @property
    def text(self):
        """The text in the reader's language, for messages."""
        return in_reading_order(asdict(self), "text")


@dataclass(frozen=True)
class SectionData:
    title_en: str
    criteria: tuple
    title_de: str = ""

    @property
    def title(self):
        return in_reading_order({"title_en": self.title_en, "title_de": self.title_de}, "title")


def structure_from(sections):
    """[{"title": ..., "criteria": [{"text": ..., "kind": ..., ...}]}] (forms, API, seeds) as
    SectionData, normalised: no target except for minutes, observations never critical. A text
    comes in its language columns ("title_de", "text_en") or bare ("text": the writer's
    language)."""
    result = []
    for section in sections:
        criteria = []
        for raw in section.get("criteria", ()):
            kind = raw.get("kind") or Kind.YES_NO
            criteria.append(
                CriterionData(
                    **columns_from(raw, "text"),
                    **columns_from(raw, "guidance"),
                    kind=kind,
                    weight=raw.get("weight") if raw.get("weight") is not None else 1,
                    target_minutes=raw.get("target_minutes") if kind == Kind.MINUTES else None,
                    is_critical=bool(raw.get("is_critical")) and kind != Kind.OBSERVATION,
                )
            )
        result.append(SectionData(**columns_from(section, "title"), criteria=tuple(criteria)))
    return tuple(result)


def _check_structure(structure):
    if not structure or not any(section.criteria for section in structure):
        raise DomainError(_("A scorecard needs at least one criterion."), field="criteria")
    for section in structure:
        if not section.title_en:
            raise DomainError(_("Give every section a title in English."), field="criteria")
        if not section.criteria:
            raise DomainError(
                _("The section “%(title)s” has no criteria.") % {"title": section.title},
                field="criteria",
            )
        for criterion in section.criteria:
            if not criterion.text_en:
                raise DomainError(_("Every criterion needs its text in English."), field="criteria")
            if criterion.kind not in Kind.values:
                raise DomainError(_("Choose a type for every criterion."), field="criteria")
            if criterion.kind == Kind.MINUTES and not criterion.target_minutes:
                raise DomainError(
                    _("“%(text)s” counts minutes: give its target in minutes.")
                    % {"text": criterion.text},
                    field="criteria",
                )
            if criterion.is_critical and criterion.weight < 1:
                raise DomainError(
                    _("The critical criterion “%(text)s” needs a weight of at least 1.")
                    % {"text": criterion.text},
                    field="criteria",
                )
    scored = [
        criterion
        for section in structure
        for criterion in section.criteria
        if criterion.kind != Kind.OBSERVATION and criterion.weight > 0
    ]
    if not scored:
        raise DomainError(
            _("A scorecard needs at least one scored criterion (not only observations)."),
            field="criteria",
        )


CRITERION_FIELDS = tuple(field.name for field in fields(CriterionData))


def _plain(structure):
    """SectionData as the shared checklist versioning holds a structure: (titles, item dicts)."""
    return tuple(
        (
            {"title_de": section.title_de, "title_en": section.title_en},
            tuple(asdict(criterion) for criterion in section.criteria),
        )
        for section in structure
    )


def version_structure(version):
    """The structure a stored version has, comparable with `structure_from(...)`."""
    return tuple(
        SectionData(**titles, criteria=tuple(CriterionData(**item) for item in items))
        for titles, items in versioning.version_structure(
            version, items="criteria", fields=CRITERION_FIELDS
        )
    )


def _clean_criterion(criterion):
    try:
        criterion.full_clean(exclude=["section"])
    except ValidationError as error:
        raise DomainError(
            _("“%(text)s”: %(problem)s")
            % {"text": criterion.text, "problem": " ".join(error.messages)},
            field="criteria",
        ) from error


def _write_structure(version, structure):
    versioning.write_structure(
        version,
        _plain(structure),
        section_model=ScorecardSection,
        item_model=Criterion,
        clean=_clean_criterion,
    )


# The template's translatable fields (staff/translation.py).
TEMPLATE_TEXTS = ("name", "description")


def current_version(template):
    return template.current_version()


def _check_threshold(coaching_threshold):
    if coaching_threshold is None or not 0 <= coaching_threshold <= 100:
        raise DomainError(
            _("The coaching threshold is a percentage from 0 to 100."), field="coaching_threshold"
        )


@transaction.atomic
def create_template(
    *,
    by,
    scenario,
    sections,
    name=None,
    description=None,
    coaching_threshold=DEFAULT_COACHING_THRESHOLD,
    is_active=True,
    **texts,
):
    """`name` and `description` are in the writer's language; `texts` holds the columns of either
    language ("name_de", "description_en"), as the side-by-side form sends them."""
    require_perm(by, "staff.add_scorecardtemplate", _("You may not create scorecard templates."))
    structure = structure_from(sections)
    _check_structure(structure)
    _check_threshold(coaching_threshold)
    template = ScorecardTemplate(scenario=scenario, is_active=is_active)
    set_texts(template, {"name": name, "description": description, **texts}, fields=TEMPLATE_TEXTS)
    template = validated_save(template)
    version = validated_save(
        ScorecardVersion(
            template=template, number=1, coaching_threshold=coaching_threshold, created_by=by
        ),
        validate_constraints=False,
    )
    _write_structure(version, structure)
    return template


@transaction.atomic
def update_template(
    *,
    template,
    by,
    scenario,
    sections,
    name=None,
    description=None,
    coaching_threshold=None,
    **texts,
):
    """Change a template. Its questions and threshold go into a new version when the current one
    is used by an assignment (so no result changes); otherwise the current one is changed."""
    require_perm(by, "staff.change_scorecardtemplate", _("You may not change scorecard templates."))
    template = ScorecardTemplate.objects.select_for_update().get(pk=template.pk)
    version = current_version(template)
    if coaching_threshold is None:
        coaching_threshold = version.coaching_threshold if version else DEFAULT_COACHING_THRESHOLD
    structure = structure_from(sections)
    _check_structure(structure)
    _check_threshold(coaching_threshold)
    set_texts(template, {"name": name, "description": description, **texts}, fields=TEMPLATE_TEXTS)
    template.scenario = scenario
    validated_save(template)
    unchanged = (
        version is not None
        and version.coaching_threshold == coaching_threshold
        and version_structure(version) == structure
    )
    if unchanged:
        return template
    version = versioning.version_to_write(
        template,
        in_use=lambda current: current.assignments.exists(),
        new_version=lambda number: ScorecardVersion(
            template=template, number=number, coaching_threshold=coaching_threshold, created_by=by
        ),
    )
    if version.coaching_threshold != coaching_threshold:
        version.coaching_threshold = coaching_threshold
        validated_save(version, validate_constraints=False)
    _write_structure(version, structure)
    return template


@transaction.atomic
def set_template_active(*, template, by, active):
    require_perm(by, "staff.change_scorecardtemplate", _("You may not change scorecard templates."))
    template.is_active = active
    template.save(update_fields=["is_active", "updated_at"])
    return template


# --- assignments ---------------------------------------------------------------------------------


def shopper_form_link(assignment):
    return reverse("staff:shopper-result", args=[assignment.pk])


@transaction.atomic
def create_assignment(
    *,
    by,
    template,
    shopper,
    branch,
    window_start,
    window_end,
    employee=None,
    instructions="",
):
    """Send `shopper` to `branch` with the template's current version; they are notified."""
    require_perm(by, "staff.add_mysteryshopassignment", _("You may not send mystery shoppers."))
    template = ScorecardTemplate.objects.select_for_update().get(pk=template.pk)
    if not template.is_active:
        raise DomainError(_("This scorecard is inactive; activate it first."), field="template")
    version = current_version(template)
    if version is None:
        raise DomainError(_("This scorecard has no questions yet."), field="template")
    if not shoppers().filter(pk=shopper.pk).exists():
        raise DomainError(_("Choose an active mystery shopper."), field="shopper")
    require_branch(by, branch.pk, field="branch")
    if not branch.is_active:
        raise DomainError(_("This branch is inactive."), field="branch")
    if window_end < window_start:
        raise DomainError(_("The window must end on or after its first day."), field="window_end")
    if window_end < timezone.localdate():
        raise DomainError(_("The window must not end in the past."), field="window_end")
    if employee is not None and not branch_staff([branch.pk]).filter(pk=employee.pk).exists():
        raise DomainError(_("Choose someone who meets customers in this branch."), field="employee")
    assignment = validated_save(
        MysteryShopAssignment(
            template=template,
            version=version,
            shopper=shopper,
            branch=branch,
            employee=employee,
            window_start=window_start,
            window_end=window_end,
            instructions=instructions.strip(),
            created_by=by,
        ),
    )
    with translation.override(shopper.language):
        core.notify(
            recipient=shopper,
            kind="mystery_shop_assigned",
            subject=_("New mystery-shop assignment: %(scenario)s")
            % {"scenario": template.get_scenario_display()},
            body=_("%(scenario)s at %(branch)s between %(start)s and %(end)s.")
            % {
                "scenario": template.get_scenario_display(),
                "branch": branch.name,
                "start": date_format(window_start, "SHORT_DATE_FORMAT"),
                "end": date_format(window_end, "SHORT_DATE_FORMAT"),
            },
            link=shopper_form_link(assignment),
            dedupe_key=f"mystery-shop-assigned-{assignment.pk}",
        )
    return assignment


def is_cancellable(assignment):
    """Not cancelled yet, and the shopper has not submitted a result."""
    result = getattr(assignment, "result", None)
    return not assignment.is_cancelled and (result is None or result.submitted_at is None)


@transaction.atomic
def cancel_assignment(*, assignment, by):
    require_perm(by, "staff.change_mysteryshopassignment", _("You may not change assignments."))
    assignment = (
        MysteryShopAssignment.objects.visible_to(by)
        .select_for_update()
        .filter(pk=assignment.pk)
        .first()
    )
    if assignment is None or not is_staff_member(by):
        raise DomainError(_("This belongs to a branch you do not work in."))
    if assignment.is_cancelled:
        raise DomainError(_("This assignment is cancelled already."))
    if not is_cancellable(assignment):
        raise DomainError(_("The shopper has submitted a result; it can no longer be cancelled."))
    assignment.cancelled_at = timezone.now()
    assignment.save(update_fields=["cancelled_at"])
    shopper = assignment.shopper
    with translation.override(shopper.language):
        core.notify(
            recipient=shopper,
            kind="mystery_shop_cancelled",
            subject=_("Mystery-shop assignment cancelled: %(assignment)s")
            % {"assignment": assignment},
            body=_("You need not make this visit any more."),
            link=reverse("staff:my-assignments"),
            dedupe_key=f"mystery-shop-cancelled-{assignment.pk}",
        )
    return assignment


# --- the shopper's result ------------------------------------------------------------------------


def is_editable_by_shopper(assignment):
    """The shopper may still change the result: not cancelled, and no result yet or a draft or
    one sent back with a question."""
    result = getattr(assignment, "result", None)
    return not assignment.is_cancelled and (result is None or result.is_editable)


def _shoppers_result(assignment, by):
    """The assignment's result, locked (made as a draft when there is none yet), after checking
    that `by` is its shopper and may still change it."""
    if assignment.shopper_id != by.pk or not by.has_role(Role.MYSTERY_SHOPPER):
        raise DomainError(_("This is not your assignment."))
    if not by.has_perm("staff.change_mysteryshopresult"):
        raise DomainError(_("You may not enter mystery-shop results."))
    assignment = MysteryShopAssignment.objects.select_for_update().get(pk=assignment.pk)
    if assignment.is_cancelled:
        raise DomainError(_("This assignment was cancelled."))
    result, _created = MysteryShopResult.objects.select_for_update().get_or_create(
        assignment=assignment
    )
    if not result.is_editable:
        raise DomainError(_("This result is submitted and can no longer be changed."))
    return result


def _check_answer(criterion, answer):
    na = bool(answer.get("not_applicable"))
    if na and criterion.is_critical:
        raise DomainError(
            _("“%(text)s” is critical and cannot be marked not applicable.")
            % {"text": criterion.text},
            field=f"criterion_{criterion.pk}",
        )
    values = {"met": None, "rating": None, "minutes": None, "note": "", "not_applicable": na}
    if criterion.kind == Kind.OBSERVATION:
        values["note"] = (answer.get("note") or "").strip()
        values["not_applicable"] = False
        return values
    if na:
        return values
    if criterion.kind == Kind.YES_NO:
        values["met"] = answer.get("met")
    elif criterion.kind == Kind.SCALE:
        rating = answer.get("rating")
        if rating is not None and not 1 <= rating <= 5:
            raise DomainError(_("Rate from 1 to 5."), field=f"criterion_{criterion.pk}")
        values["rating"] = rating
    elif criterion.kind == Kind.MINUTES:
        minutes = answer.get("minutes")
        if minutes is not None and not 0 <= minutes <= MAX_MINUTES:
            raise DomainError(
                _("Enter the minutes you waited (0 to 1440)."), field=f"criterion_{criterion.pk}"
            )
        values["minutes"] = minutes
    return values


def _is_given(values):
    return (
        values["not_applicable"]
        or values["note"]
        or any(values[name] is not None for name in ("met", "rating", "minutes"))
    )


def _write_answers(result, criteria, answers):
    existing = {answer.criterion_id: answer for answer in result.answers.all()}
    by_id = {criterion.pk: criterion for criterion in criteria}
    unknown = set(answers) - set(by_id)
    if unknown:
        raise DomainError(_("Answer the questions of this scorecard only."), field="answers")
    create, update, delete = [], [], []
    for criterion_id, raw in answers.items():
        values = _check_answer(by_id[criterion_id], raw)
        answer = existing.get(criterion_id)
        if not _is_given(values):
            if answer is not None:
                delete.append(answer.pk)
            continue
        if answer is None:
            create.append(Answer(result=result, criterion_id=criterion_id, **values))
        else:
            for name, value in values.items():
                setattr(answer, name, value)
            update.append(answer)
    Answer.objects.filter(pk__in=delete).delete()
    Answer.objects.bulk_create(create)
    Answer.objects.bulk_update(update, ["met", "rating", "minutes", "note", "not_applicable"])


_UNSET = object()


@transaction.atomic
def save_result(
    *,
    assignment,
    by,
    visited_at=_UNSET,
    served_by=_UNSET,
    served_by_description=_UNSET,
    comments=_UNSET,
    answers=None,
    attachments=(),
):
    """Save the shopper's entries as a draft (nothing needs to be complete yet). Arguments left
    out stay as they were; `answers` maps criterion ids to {"met", "rating", "minutes",
    "not_applicable", "note"} and replaces the answers to those criteria."""
    result = _shoppers_result(assignment, by)
    assignment = result.assignment
    if visited_at is not _UNSET:
        if visited_at is not None and visited_at > timezone.now() + FUTURE_TOLERANCE:
            raise DomainError(_("The visit cannot be in the future."), field="visited_at")
        result.visited_at = visited_at
    if served_by is not _UNSET:
        if (
            served_by is not None
            and not branch_staff([assignment.branch_id]).filter(pk=served_by.pk).exists()
        ):
            raise DomainError(
                _("Choose someone who works in this branch, or describe them."), field="served_by"
            )
        result.served_by = served_by
    if served_by_description is not _UNSET:
        result.served_by_description = (served_by_description or "").strip()
    if comments is not _UNSET:
        result.comments = (comments or "").strip()
    validated_save(result)
    if answers:
        _write_answers(result, version_criteria(assignment.version), answers)
    for upload in attachments:
        _add_attachment(result, upload)
    return result


def missing_entries(result, criteria, answers):
    """What submitting still needs: {form field name: message}."""
    errors = {}
    if result.visited_at is None:
        errors["visited_at"] = _("Enter the date and time of your visit.")
    if result.served_by_id is None and not result.served_by_description:
        errors["served_by"] = _("Choose who served you, or describe them.")
    for criterion in criteria:
        if criterion.kind == Kind.OBSERVATION:
            continue
        answer = answers.get(criterion.pk)
        if answer is None or not _is_given(
            {
                "met": answer.met,
                "rating": answer.rating,
                "minutes": answer.minutes,
                "note": "",
                "not_applicable": answer.not_applicable,
            }
        ):
            errors[f"criterion_{criterion.pk}"] = (
                _("Answer this question.")
                if criterion.is_critical or criterion.weight == 0
                else _("Answer this question, or mark it not applicable.")
            )
    return errors


@transaction.atomic
def submit_result(*, result, by):
    """Lock the result and score it against its assignment's version."""
    result = _shoppers_result(result.assignment, by)
    criteria = version_criteria(result.assignment.version)
    answers = {answer.criterion_id: answer for answer in result.answers.all()}
    errors = missing_entries(result, criteria, answers)
    if errors:
        raise ResultIncomplete(errors)
    scores = scoring.score(criteria, answers)
    for answer in answers.values():
        answer.points = scores.points.get(answer.criterion_id)
    Answer.objects.bulk_update(answers.values(), ["points"])
    sections = ScorecardSection.objects.filter(version=result.assignment.version_id).order_by(
        "position", "pk"
    )
    result.score = scores.overall
    result.section_scores = scoring.section_scores(sections, scores)
    result.critical_failed = scores.critical_failed
    result.status = Status.SUBMITTED
    result.submitted_at = timezone.now()
    validated_save(result)
    reviewer = result.assignment.created_by
    if reviewer is not None and reviewer.is_active:
        with translation.override(reviewer.language):
            core.notify(
                recipient=reviewer,
                kind="mystery_shop_submitted",
                subject=_("Mystery-shop result to review: %(assignment)s")
                % {"assignment": result.assignment},
                body=_("%(shopper)s submitted the result.") % {"shopper": by},
                link=result.get_absolute_url(),
                dedupe_key=f"mystery-shop-submitted-{result.pk}-{result.submitted_at.isoformat()}",
            )
    return result


def _add_attachment(result, upload):
    return core.store_upload(
        ResultAttachment,
        upload,
        allowed_types=ALLOWED_ATTACHMENT_TYPES,
        field="attachments",
        not_allowed=_("%(name)s is not a photo (JPEG, PNG, HEIC, WebP) or a PDF."),
        result=result,
    )


@transaction.atomic
def remove_result_attachment(*, attachment, by):
    _shoppers_result(attachment.result.assignment, by)
    attachment.file.delete(save=False)
    attachment.delete()


# --- review --------------------------------------------------------------------------------------


def _reviewable(result, by):
    require_perm(
        by, "staff.review_mysteryshopresult", _("You may not review mystery-shop results.")
    )
    result = (
        MysteryShopResult.objects.visible_to(by)
        .select_for_update(of=("self",))
        .select_related("assignment__template", "assignment__version", "assignment__branch")
        .filter(pk=result.pk)
        .first()
    )
    if result is None or not is_staff_member(by):
        raise DomainError(_("This belongs to a branch you do not work in."))
    if result.status != Status.SUBMITTED:
        raise DomainError(
            _("Only a submitted result can be reviewed; this one is %(status)s.")
            % {"status": result.get_status_display()}
        )
    return result


def needs_coaching(result):
    """Below its version's threshold, or a critical criterion not met."""
    if result.score is None:
        return result.critical_failed
    return result.critical_failed or result.score < result.assignment.version.coaching_threshold


def coached_employee(result):
    """Whom a coaching action is for: who served, else the employee the shopper was sent to."""
    return result.served_by or result.assignment.employee


def _coaching_goal(result, employee):
    failed = list(
        result.answers.filter(
            criterion__is_critical=True, points__lt=scoring.as_points(scoring.CRITICAL_BELOW)
        )
        .select_related("criterion")
        .order_by("criterion__section__position", "criterion__position")
    )
    with translation.override(employee.language):
        goal = _(
            "Mystery shop “%(scenario)s” on %(date)s: %(score)s %% (threshold %(threshold)s %%)."
        ) % {
            "scenario": result.assignment.template.get_scenario_display(),
            "date": date_format(timezone.localtime(result.visited_at), "SHORT_DATE_FORMAT"),
            "score": "–" if result.score is None else texts.local_number(result.score, 1),
            "threshold": texts.local_number(result.assignment.version.coaching_threshold),
        }
        if failed:
            goal += " " + _("Critical criteria not met: %(criteria)s.") % {
                "criteria": "; ".join(answer.criterion.text for answer in failed)
            }
    return goal


@transaction.atomic
def accept_result(*, result, by):
    """Accept a submitted result (it counts from now on). Below the threshold or with a critical
    criterion failed, it opens a coaching action for whoever served (when known)."""
    result = _reviewable(result, by)
    now = timezone.now()
    result.status = Status.ACCEPTED
    result.reviewed_by = by
    result.reviewed_at = now
    result.accepted_at = now
    validated_save(result)
    employee = coached_employee(result)
    if needs_coaching(result) and employee is not None:
        open_coaching_action(
            employee=employee,
            branch=result.assignment.branch,
            source=CoachingAction.Source.MYSTERY_SHOP,
            goal=_coaching_goal(result, employee),
            mystery_shop_result=result,
            by=by,
        )
    return result


@transaction.atomic
def return_result(*, result, by, question):
    """Send a submitted result back to the shopper with a question; it is editable again."""
    question = (question or "").strip()
    if not question:
        raise DomainError(_("Write down your question for the shopper."), field="question")
    result = _reviewable(result, by)
    result.status = Status.RETURNED
    result.review_question = question
    result.reviewed_by = by
    result.reviewed_at = timezone.now()
    validated_save(result)
    shopper = result.assignment.shopper
    with translation.override(shopper.language):
        core.notify(
            recipient=shopper,
            kind="mystery_shop_returned",
            subject=_("A question about your mystery-shop result: %(assignment)s")
            % {"assignment": result.assignment},
            body=question,
            link=shopper_form_link(result.assignment),
            dedupe_key=f"mystery-shop-returned-{result.pk}-{result.reviewed_at.isoformat()}",
        )
    return result
