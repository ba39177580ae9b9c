"""Read queries of the aptitude assessment for hiring, scoped to the user.

Independence: an assessor sees the other assessors' ratings, and the combined view, only once
they have submitted their own assessment, or once the decision is recorded. Until then the
combined figures are never even read for them (`assessment_overview`, the list's
`overall_mean`), so neither the pages nor the API can leak them.
"""

from dataclasses import dataclass, field
from statistics import fmean

from django.db.models import (
    Avg,
    Case,
    Count,
    Exists,
    F,
    FloatField,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from aftersales.models import Branch
from staff.hiring.competencies import SCALES, AnchoredScale
from staff.hiring.models import Candidate, CandidateAssessment, Competency, CompetencyRating

Status = Candidate.Status
# A spread this large (max − min) on a competency means the assessors saw different people.
DISAGREEMENT_SPREAD = 2
COMPETENCY_ORDER = {competency: index for index, competency in enumerate(Competency.values)}
STATUS_RANK = {status: rank for rank, status in enumerate(Status.values, start=1)}
CANDIDATE_ORDERINGS = {
    "name": ("last_name", "first_name"),
    "-name": ("-last_name", "-first_name"),
    "created": ("created_at",),
    "-created": ("-created_at",),
    "status": ("status_rank",),
    "-status": ("-status_rank",),
    "assessments": ("assessment_count",),
    "-assessments": ("-assessment_count",),
    "mean": (F("overall_mean").asc(nulls_last=True),),
    "-mean": (F("overall_mean").desc(nulls_last=True),),
}


def candidates_visible_to(user):
    """Candidates of the user's branches, for those who may see candidates at all (managers and
    administrators)."""
    if not user.has_perm("staff.view_candidate"):
        return Candidate.objects.none()
    return Candidate.objects.visible_to(user)


def candidate_branches(user):
    """The branches a candidate can be added to or moved to: the user's active branches."""
    return Branch.objects.visible_to(user).filter(is_active=True)


def _submitted(**filters):
    return CandidateAssessment.objects.filter(submitted_at__isnull=False, **filters)


def results_visible_q(user):
    """Candidates whose combined results `user` may see: decided, or assessed by them."""
    return ~Q(status=Status.OPEN) | Q(
        Exists(_submitted(candidate=OuterRef("pk"), assessor=user.pk))
    )


def _with_figures(candidates, user):
    """The number of submitted assessments, whether the user has submitted one, and the overall
    mean rating where the user may see it (NULL otherwise: never read for them)."""
    mean = (
        CompetencyRating.objects.filter(
            assessment__candidate=OuterRef("pk"), assessment__submitted_at__isnull=False
        )
        .order_by()
        .values("assessment__candidate")
        .annotate(mean=Avg("rating", output_field=FloatField()))
        .values("mean")
    )
    count = (
        _submitted(candidate=OuterRef("pk"))
        .order_by()
        .values("candidate")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return candidates.annotate(
        assessment_count=Coalesce(Subquery(count), Value(0)),
        assessed_by_me=Exists(_submitted(candidate=OuterRef("pk"), assessor=user.pk)),
        results_visible=Case(When(results_visible_q(user), then=Value(True)), default=Value(False)),
        overall_mean=Case(
            When(results_visible_q(user), then=Subquery(mean)),
            default=None,
            output_field=FloatField(),
        ),
        status_rank=Case(
            *(When(status=status, then=Value(rank)) for status, rank in STATUS_RANK.items()),
            default=Value(0),
        ),
    )


def candidate_list(user, *, search="", status="", role="", branch=None, ordering="-created"):
    candidates = candidates_visible_to(user).select_related("branch")
    for term in search.split():
        candidates = candidates.filter(
            Q(first_name__icontains=term) | Q(last_name__icontains=term) | Q(email__icontains=term)
        )
    if status:
        candidates = candidates.filter(status=status)
    if role:
        candidates = candidates.filter(role=role)
    if branch is not None:
        candidates = candidates.filter(branch=branch)
    order = CANDIDATE_ORDERINGS.get(ordering, CANDIDATE_ORDERINGS["-created"])
    return _with_figures(candidates, user).order_by(*order, "-pk")


def candidate_detail(user, pk):
    """One candidate with what their page shows (raises Candidate.DoesNotExist)."""
    candidates = candidates_visible_to(user).select_related("branch", "decided_by", "created_by")
    return candidates.get(pk=pk)


# --- combining the assessments -------------------------------------------------------------------


@dataclass
class CompetencyResult:
    scale: AnchoredScale
    # The assessors' ratings in the order of `CombinedAssessment.assessments` (None: not rated).
    cells: list = field(default_factory=list)

    @property
    def competency(self):
        return self.scale.competency

    @property
    def ratings(self):
        return [rating for rating in self.cells if rating is not None]

    @property
    def count(self):
        return len(self.ratings)

    @property
    def mean(self):
        return fmean(self.ratings) if self.ratings else None

    @property
    def min(self):
        return min(self.ratings, default=None)

    @property
    def max(self):
        return max(self.ratings, default=None)

    @property
    def spread(self):
        return self.max - self.min if self.ratings else None

    @property
    def disagree(self):
        return self.spread is not None and self.spread >= DISAGREEMENT_SPREAD


@dataclass
class CombinedAssessment:
    assessments: list
    rows: list

    @property
    def assessor_count(self):
        return len(self.assessments)

    @property
    def overall_mean(self):
        means = [row.mean for row in self.rows if row.mean is not None]
        return fmean(means) if means else None

    @property
    def disagreement(self):
        return any(row.disagree for row in self.rows)


def combine(assessments):
    """Per competency the ratings, mean, min, max and spread of the given assessments (with their
    ratings prefetched); the overall mean is the mean of the competencies' means."""
    assessments = list(assessments)
    rows = {
        competency: CompetencyResult(SCALES[competency], [None] * len(assessments))
        for competency in Competency
    }
    for index, assessment in enumerate(assessments):
        for rating in assessment.ratings.all():
            rows[rating.competency].cells[index] = rating.rating
    return CombinedAssessment(assessments=assessments, rows=list(rows.values()))


@dataclass
class AssessmentOverview:
    mine: CandidateAssessment | None
    submitted_count: int
    # None while the user may not see the others' ratings.
    combined: CombinedAssessment | None

    @property
    def results_visible(self):
        return self.combined is not None


def _in_competency_order(assessments):
    """Each assessment's ratings as `ordered_ratings`, in the order of the competencies."""
    for assessment in assessments:
        assessment.ordered_ratings = sorted(
            assessment.ratings.all(), key=lambda rating: COMPETENCY_ORDER[rating.competency]
        )
    return assessments


def submitted_assessments(candidate):
    """The submitted assessments with their assessors and ratings (two queries)."""
    return _in_competency_order(
        list(
            _submitted(candidate=candidate)
            .select_related("assessor")
            .prefetch_related("ratings")
            .order_by("submitted_at", "pk")
        )
    )


def assessment_overview(user, candidate):
    """The user's own assessment and, if they may see it, the combined view (two queries)."""
    assessments = submitted_assessments(candidate)
    mine = next((item for item in assessments if item.assessor_id == user.pk), None)
    visible = candidate.status != Status.OPEN or mine is not None
    return AssessmentOverview(
        mine=mine,
        submitted_count=len(assessments),
        combined=combine(assessments) if visible else None,
    )


def with_combined(user, candidate):
    """The candidate with `combined`: the combined assessment where `user` may see it, None
    otherwise (the API's detail; two queries)."""
    candidate.combined = assessment_overview(user, candidate).combined
    return candidate


def my_assessment(user, candidate):
    """The user's own assessment of the candidate with its ratings, or None."""
    assessment = (
        CandidateAssessment.objects.filter(candidate=candidate, assessor=user)
        .prefetch_related("ratings")
        .first()
    )
    return _in_competency_order([assessment])[0] if assessment else None
