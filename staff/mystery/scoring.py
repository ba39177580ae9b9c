"""Mystery-shop scores: the shared checklist scoring (quality.checklists.scoring) in the words of
a scorecard.

Each answer earns a share of its criterion's points between 0 and 1:
- yes / no: met 1, not met 0;
- scale 1–5: (rating − 1) / 4, so 1 is 0 and 5 is 1;
- minutes waited against a target T: 1 up to T, 0 from 2T on, linear in between;
- free observation: not scored.

"Not applicable" answers, and answers not given, are left out of the denominator: a section's
score is Σ(weight × points) / Σ(weight) × 100 over its scored, applicable criteria, and the
overall score is the same over all criteria of the version. A critical criterion is failed when
it earned less than half its points (a critical criterion cannot be marked not applicable; the
services refuse that).
"""

from dataclasses import dataclass

from quality.checklists import scoring as checklist_scoring
from quality.checklists.scoring import (
    CRITICAL_BELOW,
    PERCENT_PLACES,
    POINTS_PLACES,
    Scores,
    as_points,
    section_scores,
)
from staff.mystery.models import Criterion

__all__ = [
    "CRITICAL_BELOW",
    "PERCENT_PLACES",
    "POINTS_PLACES",
    "SCORED_KINDS",
    "AnswerSpec",
    "CriterionSpec",
    "Scores",
    "answer_share",
    "as_points",
    "score",
    "section_scores",
]

Kind = Criterion.Kind
SCORED_KINDS = frozenset({Kind.YES_NO, Kind.SCALE, Kind.MINUTES})


@dataclass(frozen=True)
class CriterionSpec:
    """What scoring needs of a criterion (a Criterion row fits: same attribute names)."""

    pk: int
    section_id: int
    kind: str
    weight: int = 1
    target_minutes: int | None = None
    is_critical: bool = False
    text: str = ""

    @property
    def target(self):
        return self.target_minutes


@dataclass(frozen=True)
class AnswerSpec:
    """What scoring needs of an answer (an Answer row fits: same attribute names)."""

    met: bool | None = None
    rating: int | None = None
    minutes: int | None = None
    not_applicable: bool = False

    @property
    def value(self):
        return self.minutes


def answer_share(kind, *, met=None, rating=None, minutes=None, target_minutes=None):
    """The share (a Fraction 0..1) an answer earns, or None when it is not scored or not given."""
    return checklist_scoring.answer_share(
        kind, met=met, rating=rating, value=minutes, target=target_minutes
    )


def score(criteria, answers):
    """Scores of one result: `criteria` are the version's criteria (CriterionSpec or Criterion),
    `answers` maps criterion id to its answer (AnswerSpec or Answer); missing ones count as not
    given."""
    return checklist_scoring.score(criteria, answers)
