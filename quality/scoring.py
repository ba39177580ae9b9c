"""The dissonance score: signals weighted, decaying with age, stronger for high-involvement
purchases and in the first months after handover; 0–100 with four levels, and an explanation.

Weights and half-life are settings (DISSONANCE_WEIGHTS, DISSONANCE_HALF_LIFE_DAYS) so that a
dealer can tune them; the defaults below are documented in the README.
"""

from dataclasses import dataclass

from django.conf import settings

from customers.models import InvolvementLevel
from quality.models import DissonanceSignal, Level, Nature, Severity

Kind = DissonanceSignal.Kind

DEFAULT_WEIGHTS = {
    # A complaint weighs by severity; the nature multiplies it (subjective doubt counts fully).
    "complaint": {
        Severity.LOW: 10,
        Severity.MEDIUM: 20,
        Severity.HIGH: 35,
        Severity.CRITICAL: 50,
    },
    "nature": {Nature.OBJECTIVE: 1.0, Nature.SUBJECTIVE: 1.0, Nature.UNKNOWN: 0.9},
    Kind.REPEATED_COMPLAINT: 15,
    Kind.UNSATISFIED_RESOLUTION: 25,
    Kind.REOPENED_COMPLAINT: 15,
    Kind.LOW_SURVEY: 20,
    Kind.FOLLOWUP_CONCERN: 20,
    Kind.NOT_REACHED: 5,
    Kind.MISSED_FOLLOWUP: 10,
}
INVOLVEMENT_FACTOR = {
    InvolvementLevel.HIGH: 1.3,
    InvolvementLevel.MEDIUM: 1.0,
    InvolvementLevel.LOW: 0.7,
}
# Doubt in the first months after handover weighs more: that is when the buyer decides whether
# the purchase was right.
EARLY_DAYS = 90
EARLY_FACTOR = 1.25
LEVEL_FLOORS = [(75, Level.CRITICAL), (50, Level.HIGH), (25, Level.ELEVATED), (0, Level.LOW)]
AT_RISK_LEVELS = frozenset({Level.HIGH, Level.CRITICAL})


def weights():
    return {**DEFAULT_WEIGHTS, **settings.DISSONANCE_WEIGHTS}


def half_life_days():
    return settings.DISSONANCE_HALF_LIFE_DAYS


def complaint_weight(severity, nature):
    table = weights()
    return round(table["complaint"][severity] * table["nature"][nature])


def level_for(score):
    return next(level for floor, level in LEVEL_FLOORS if score >= floor)


@dataclass(frozen=True)
class Contribution:
    signal_id: int
    kind: str
    summary: str
    occurred_at: str
    points: float


def contribution(signal, *, now, involvement, handover_date):
    age_days = max((now - signal.occurred_at).total_seconds() / 86400, 0)
    points = signal.weight * 0.5 ** (age_days / half_life_days())
    points *= INVOLVEMENT_FACTOR.get(involvement, 1.0)
    if handover_date is not None:
        days_after_handover = (signal.occurred_at.date() - handover_date).days
        if 0 <= days_after_handover <= EARLY_DAYS:
            points *= EARLY_FACTOR
    return Contribution(
        signal_id=signal.pk,
        kind=signal.kind,
        summary=signal.summary,
        occurred_at=signal.occurred_at.isoformat(),
        points=points,
    )


def score_of(contributions):
    """(score 0–100, reasons largest first with their share of the score)."""
    total = sum(item.points for item in contributions)
    score = min(100, round(total))
    reasons = [
        {
            "signal": item.signal_id,
            "kind": item.kind,
            "summary": item.summary,
            "occurred_at": item.occurred_at,
            "points": round(item.points),
            "share": round(item.points / total, 2) if total else 0,
        }
        for item in sorted(contributions, key=lambda item: item.points, reverse=True)
        if round(item.points) > 0
    ]
    return score, reasons
