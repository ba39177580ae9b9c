"""Checklist scores, computed without the database (pure functions over plain values).

Each answer earns a share of its item's points between 0 and 1:
- yes / no (pass / fail): met 1, not met 0;
- scale 1–5: (rating − 1) / 4, so 1 is 0 and 5 is 1;
- minutes waited, or a measured value where lower is better, against a target T: 1 up to T,
  0 from 2T on, linear in between;
- a measured value where higher is better, against a target T: 1 from T on, 0 at T/2 or less,
  linear in between;
- free observation: not scored.

"Not applicable" answers, and answers not given, are left out of the denominator: a section's
score is Σ(weight × points) / Σ(weight) × 100 over its scored, applicable items, and the overall
score is the same over all items of the version. A critical item is failed when it earned less
than half its points.

Shares are exact fractions while computing; only the stored figures are rounded (points to three
decimals, percentages to one).

Items are read by attribute: `pk`, `section_id`, `kind`, `weight`, `target`, `is_critical` and
`higher_is_better` (False when missing); answers by `met`, `rating`, `value`, `not_applicable`.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from quality.checklists.models import ItemKind

SCORED_KINDS = frozenset({ItemKind.YES_NO, ItemKind.SCALE, ItemKind.MINUTES, ItemKind.MEASURED})
TARGET_KINDS = frozenset({ItemKind.MINUTES, ItemKind.MEASURED})

CRITICAL_BELOW = Fraction(1, 2)
POINTS_PLACES = Decimal("0.001")
PERCENT_PLACES = Decimal("0.1")


@dataclass
class Scores:
    overall: Decimal | None
    # {section id: percentage or None when nothing in it was scored}
    sections: dict = field(default_factory=dict)
    # {item id: share 0..1 as Decimal, None when not scored or not applicable}
    points: dict = field(default_factory=dict)
    failed_critical: list = field(default_factory=list)

    @property
    def critical_failed(self):
        return bool(self.failed_critical)


def _fraction(number):
    return number if isinstance(number, Fraction) else Fraction(Decimal(str(number)))


def answer_share(kind, *, met=None, rating=None, value=None, target=None, higher_is_better=False):
    """The share (a Fraction 0..1) an answer earns, or None when it is not scored or not given."""
    if kind == ItemKind.YES_NO:
        return None if met is None else Fraction(int(bool(met)))
    if kind == ItemKind.SCALE:
        if rating is None:
            return None
        if not 1 <= rating <= 5:
            raise ValueError(f"A rating is 1 to 5, not {rating}.")
        return Fraction(rating - 1, 4)
    if kind in TARGET_KINDS:
        if value is None:
            return None
        if not target or target <= 0:
            raise ValueError("A measured item needs a positive target.")
        value, target = _fraction(value), _fraction(target)
        if higher_is_better and kind == ItemKind.MEASURED:
            if value >= target:
                return Fraction(1)
            if value <= target / 2:
                return Fraction(0)
            return (value - target / 2) / (target / 2)
        if value <= target:
            return Fraction(1)
        if value >= 2 * target:
            return Fraction(0)
        return (2 * target - value) / target
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


def score(items, answers):
    """Scores of one filled-in checklist: `items` are the version's items, `answers` maps item id
    to its answer; missing ones count as not given."""
    section_totals = {}
    earned_total = Fraction(0)
    weight_total = 0
    points = {}
    failed_critical = []
    for item in items:
        section = section_totals.setdefault(item.section_id, [Fraction(0), 0])
        answer = answers.get(item.pk)
        share = None
        if (
            item.kind in SCORED_KINDS
            and item.weight > 0
            and answer is not None
            and not answer.not_applicable
        ):
            share = answer_share(
                item.kind,
                met=answer.met,
                rating=answer.rating,
                value=answer.value,
                target=item.target,
                higher_is_better=getattr(item, "higher_is_better", False),
            )
        points[item.pk] = None if share is None else _rounded(as_points(share), POINTS_PLACES)
        if share is None:
            continue
        section[0] += item.weight * share
        section[1] += item.weight
        earned_total += item.weight * share
        weight_total += item.weight
        if item.is_critical and share < CRITICAL_BELOW:
            failed_critical.append(item)
    return Scores(
        overall=_percentage(earned_total, weight_total),
        sections={
            pk: _percentage(earned, weights) for pk, (earned, weights) in section_totals.items()
        },
        points=points,
        failed_critical=failed_critical,
    )


def section_scores(sections, scores):
    """The JSON stored with the scores: [{"section": id, "title": ..., "score": float or None}]."""
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


def failed(item, points):
    """Whether an answered item counts as failed: it earned less than half its points."""
    return points is not None and points < as_points(CRITICAL_BELOW)
