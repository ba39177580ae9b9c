"""Mystery-shop scores, computed without the database (pure functions over plain values).

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

Shares are exact fractions while computing; only the stored figures are rounded (points to three
decimals, percentages to one).
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from staff.mystery.models import Criterion

Kind = Criterion.Kind
SCORED_KINDS = frozenset({Kind.YES_NO, Kind.SCALE, Kind.MINUTES})

CRITICAL_BELOW = Fraction(1, 2)
POINTS_PLACES = Decimal("0.001")
PERCENT_PLACES = Decimal("0.1")


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


@dataclass(frozen=True)
class AnswerSpec:
    """What scoring needs of an answer (an Answer row fits: same attribute names)."""

    met: bool | None = None
    rating: int | None = None
    minutes: int | None = None
    not_applicable: bool = False


@dataclass
class Scores:
    overall: Decimal | None
    # {section id: percentage or None when nothing in it was scored}
    sections: dict = field(default_factory=dict)
    # {criterion id: share 0..1 as Decimal, None when not scored or not applicable}
    points: dict = field(default_factory=dict)
    failed_critical: list = field(default_factory=list)

    @property
    def critical_failed(self):
        return bool(self.failed_critical)


def answer_share(kind, *, met=None, rating=None, minutes=None, target_minutes=None):
    """The share (a Fraction 0..1) an answer earns, or None when it is not scored or not given."""
    if kind == Kind.YES_NO:
        return None if met is None else Fraction(int(bool(met)))
    if kind == Kind.SCALE:
        if rating is None:
            return None
        if not 1 <= rating <= 5:
            raise ValueError(f"A rating is 1 to 5, not {rating}.")
        return Fraction(rating - 1, 4)
    if kind == Kind.MINUTES:
        if minutes is None:
            return None
        if not target_minutes or target_minutes <= 0:
            raise ValueError("A minutes criterion needs a positive target.")
        if minutes <= target_minutes:
            return Fraction(1)
        if minutes >= 2 * target_minutes:
            return Fraction(0)
        return Fraction(2 * target_minutes - minutes, target_minutes)
    return None


def as_points(share):
    return None if share is None else Decimal(share.numerator) / Decimal(share.denominator)


def _rounded(value, places):
    return value.quantize(places, rounding=ROUND_HALF_UP)


def _percentage(earned, weights):
    if not weights:
        return None
    share = earned / weights * 100
    return _rounded(Decimal(share.numerator) / Decimal(share.denominator), PERCENT_PLACES)


def score(criteria, answers):
    """Scores of one result: `criteria` are the version's criteria (CriterionSpec or Criterion),
    `answers` maps criterion id to its answer (AnswerSpec or Answer); missing ones count as not
    given."""
    section_totals = {}
    earned_total = Fraction(0)
    weight_total = 0
    points = {}
    failed_critical = []
    for criterion in criteria:
        section = section_totals.setdefault(criterion.section_id, [Fraction(0), 0])
        answer = answers.get(criterion.pk)
        share = None
        if (
            criterion.kind in SCORED_KINDS
            and criterion.weight > 0
            and answer is not None
            and not answer.not_applicable
        ):
            share = answer_share(
                criterion.kind,
                met=answer.met,
                rating=answer.rating,
                minutes=answer.minutes,
                target_minutes=criterion.target_minutes,
            )
        points[criterion.pk] = None if share is None else _rounded(as_points(share), POINTS_PLACES)
        if share is None:
            continue
        section[0] += criterion.weight * share
        section[1] += criterion.weight
        earned_total += criterion.weight * share
        weight_total += criterion.weight
        if criterion.is_critical and share < CRITICAL_BELOW:
            failed_critical.append(criterion)
    return Scores(
        overall=_percentage(earned_total, weight_total),
        sections={
            pk: _percentage(earned, weights) for pk, (earned, weights) in section_totals.items()
        },
        points=points,
        failed_critical=failed_critical,
    )


def section_scores(sections, scores):
    """The JSON stored on the result: [{"section": id, "title": ..., "score": float or None}]."""
    return [
        {
            "section": section.pk,
            "title": section.title,
            "score": None
            if scores.sections.get(section.pk) is None
            else float(scores.sections[section.pk]),
        }
        for section in sections
    ]
