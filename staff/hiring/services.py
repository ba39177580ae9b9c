"""Writes of the aptitude assessment for hiring: candidates, their independent assessments, the
decision, and the deletion that data protection requires.

Candidates are people who have not joined us, so we keep as little as possible about them (names,
e-mail, the role and branch they applied for) and only as long as needed: a candidate who was not
hired is deleted CANDIDATE_RETENTION_MONTHS after the decision (`delete_expired_candidates`, run
daily by Celery beat), and a manager can erase one at once on request.

Each assessor rates the five competencies on their own (one assessment per assessor and candidate);
the selectors hide the others' ratings until one has submitted one's own. An assessment can be
changed by its assessor until the decision is recorded, never after.
"""

import logging

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.access import require_branch, require_perm
from aftersales.errors import DomainError
from staff.hiring.models import Candidate, CandidateAssessment, Competency, CompetencyRating

logger = logging.getLogger(__name__)

Status = Candidate.Status
# What a decision can say; an open candidate is still being assessed.
DECISIONS = (Status.HIRED, Status.REJECTED, Status.WITHDRAWN)
DECISION_CHOICES = [(status.value, status.label) for status in DECISIONS]
# The roles a candidate can apply for (the model's choices).
CANDIDATE_ROLE_CHOICES = Candidate._meta.get_field("role").choices
DELETION_BATCH = 500


# --- checks --------------------------------------------------------------------------------------


def _require_visible(user, candidate):
    require_branch(
        user,
        candidate.branch_id,
        message=_("This candidate belongs to a branch you do not work in."),
    )


def _require_open(candidate, message):
    if candidate.status != Status.OPEN:
        raise DomainError(message)


def _locked(candidate):
    """The candidate's row, locked: a decision and an assessment never cross each other."""
    return Candidate.objects.select_for_update().select_related("branch").get(pk=candidate.pk)


def _full_clean(instance, **kwargs):
    """Model validation as a DomainError on the first field it names."""
    try:
        instance.full_clean(**kwargs)
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(messages[0], field=None if field == "__all__" else field) from error


def retention_end(decided_on, months=None):
    """The day a candidate decided on `decided_on` (and not hired) is deleted."""
    if months is None:
        months = settings.CANDIDATE_RETENTION_MONTHS
    return decided_on + relativedelta(months=months)


# --- candidates ----------------------------------------------------------------------------------


@transaction.atomic
def add_candidate(*, by, branch, first_name, last_name, role, email=""):
    require_perm(by, "staff.add_candidate", _("You may not add candidates."))
    require_branch(by, branch.pk, field="branch")
    candidate = Candidate(
        branch=branch,
        first_name=first_name.strip(),
        last_name=last_name.strip(),
        email=email.strip(),
        role=role,
        created_by=by,
    )
    _full_clean(candidate)
    candidate.save()
    return candidate


@transaction.atomic
def update_candidate(*, candidate, by, branch, first_name, last_name, role, email=""):
    """Correct a candidate's data while they are being assessed."""
    require_perm(by, "staff.change_candidate", _("You may not change candidates."))
    _require_visible(by, candidate)
    require_branch(by, branch.pk, field="branch")
    candidate = _locked(candidate)
    _require_open(candidate, _("A candidate's data cannot be changed after the decision."))
    candidate.branch = branch
    candidate.first_name = first_name.strip()
    candidate.last_name = last_name.strip()
    candidate.email = email.strip()
    candidate.role = role
    _full_clean(candidate)
    candidate.save()
    return candidate


@transaction.atomic
def delete_candidate(*, candidate, by):
    """Erase a candidate with their assessments at once (their right to erasure)."""
    require_perm(by, "staff.delete_candidate", _("You may not delete candidates."))
    _require_visible(by, candidate)
    pk = candidate.pk
    candidate.delete()
    # An id only: no personal data in the logs.
    logger.info("Candidate %s erased by user %s.", pk, by.pk)


# --- assessments ---------------------------------------------------------------------------------


def _clean_ratings(ratings):
    """{competency: (rating, evidence)} for all five competencies, ratings 1–5."""
    unknown = set(ratings) - set(Competency.values)
    if unknown:
        raise DomainError(
            _("Unknown competency: %(names)s.") % {"names": ", ".join(sorted(unknown))}
        )
    cleaned = {}
    for competency in Competency:
        rating, evidence = ratings.get(competency.value, (None, ""))
        if rating in (None, ""):
            raise DomainError(
                _("Rate “%(competency)s” from 1 to 5.") % {"competency": competency.label},
                field=competency.value,
            )
        try:
            rating = int(rating)
        except (TypeError, ValueError):
            rating = 0
        if not 1 <= rating <= 5:
            raise DomainError(
                _("Rate “%(competency)s” from 1 to 5.") % {"competency": competency.label},
                field=competency.value,
            )
        cleaned[competency.value] = (rating, (evidence or "").strip())
    return cleaned


@transaction.atomic
def submit_assessment(*, candidate, assessor, ratings, notes=""):
    """Record (or change) `assessor`'s own ratings of the candidate: every competency rated 1–5,
    with what they observed. One assessment per assessor; changeable until the decision."""
    require_perm(assessor, "staff.add_candidateassessment", _("You may not assess candidates."))
    _require_visible(assessor, candidate)
    candidate = _locked(candidate)
    _require_open(
        candidate, _("The decision has been recorded: assessments can no longer be changed.")
    )
    cleaned = _clean_ratings(ratings)
    notes = (notes or "").strip()
    assessment, created = CandidateAssessment.objects.get_or_create(
        candidate=candidate,
        assessor=assessor,
        defaults={"notes": notes, "submitted_at": timezone.now()},
    )
    if not created:
        assessment.notes = notes
        if assessment.submitted_at is None:
            assessment.submitted_at = timezone.now()
        _full_clean(assessment, validate_constraints=False)
        assessment.save(update_fields=["notes", "submitted_at"])
    existing = {rating.competency: rating for rating in assessment.ratings.all()}
    for competency, (value, evidence) in cleaned.items():
        rating = existing.get(competency) or CompetencyRating(
            assessment=assessment, competency=competency
        )
        rating.rating = value
        rating.evidence = evidence
        _full_clean(rating, validate_constraints=False)
        rating.save()
    return assessment


# --- decision and retention ----------------------------------------------------------------------


@transaction.atomic
def decide(*, candidate, status, reason, by):
    """Record the decision and why. A candidate who is not hired gets the date of their
    deletion; a hired one is kept (their data moves on with the employment)."""
    require_perm(by, "staff.change_candidate", _("You may not decide on candidates."))
    _require_visible(by, candidate)
    if status not in DECISIONS:
        raise DomainError(_("Choose hired, rejected or withdrawn."), field="status")
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Give the reason for the decision."), field="reason")
    candidate = _locked(candidate)
    _require_open(candidate, _("The decision on this candidate has already been recorded."))
    if (
        status == Status.HIRED
        and not candidate.assessments.filter(submitted_at__isnull=False).exists()
    ):
        raise DomainError(_("Hire only after at least one structured assessment."), field="status")
    now = timezone.now()
    candidate.status = status
    candidate.decision_reason = reason
    candidate.decided_at = now
    candidate.decided_by = by
    candidate.delete_after = (
        None if status == Status.HIRED else retention_end(timezone.localdate(now))
    )
    _full_clean(candidate)
    candidate.save()
    return candidate


def delete_expired_candidates(*, today=None, batch_size=DELETION_BATCH):
    """Delete the candidates whose retention period has ended (never hired ones), with their
    assessments, in batches; return how many. Rows another run holds are skipped, so two runs at
    once never delete twice, and a run that dies leaves the rest for the next day."""
    today = today or timezone.localdate()
    deleted = 0
    while True:
        with transaction.atomic():
            ids = list(
                Candidate.objects.filter(delete_after__lte=today)
                .exclude(status=Status.HIRED)
                .order_by("pk")
                .select_for_update(skip_locked=True)
                .values_list("pk", flat=True)[:batch_size]
            )
            if ids:
                CompetencyRating.objects.filter(assessment__candidate__in=ids).delete()
                CandidateAssessment.objects.filter(candidate__in=ids).delete()
                Candidate.objects.filter(pk__in=ids).delete()
        deleted += len(ids)
        if len(ids) < batch_size:
            break
    # A number only: no personal data in the logs.
    logger.info("Deleted %d candidates past their retention period.", deleted)
    return deleted
