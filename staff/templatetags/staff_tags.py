from django import template

from aftersales.badges import badge_class
from staff.mystery.selectors import AssignmentState
from staff.people.figures import ComplianceState
from staff.scorecards.selectors import percent as as_percent

register = template.Library()

# Bootstrap badge classes of the states the staff pages show (an assignment's state includes its
# result's status, which shares the values).
STATE_BADGES = {
    AssignmentState.OPEN: "text-bg-light border",
    AssignmentState.DRAFT: "text-bg-light border",
    AssignmentState.SUBMITTED: "text-bg-primary",
    AssignmentState.RETURNED: "text-bg-warning",
    AssignmentState.ACCEPTED: "text-bg-success",
    AssignmentState.CANCELLED: "text-bg-secondary",
    ComplianceState.VALID: "text-bg-success",
    ComplianceState.EXPIRING: "text-bg-warning",
    ComplianceState.EXPIRED: "text-bg-danger",
    ComplianceState.MISSING: "text-bg-danger",
}


@register.filter
def percent(rate):
    """A share 0–1 as "87 %" ("–" when there is nothing to measure)."""
    value = as_percent(rate)
    return "–" if value is None else f"{value} %"


@register.filter
def state_badge(state):
    """The badge class of a mystery-shop or training-compliance state."""
    return badge_class(STATE_BADGES, state)


@register.filter
def assignment_state_label(state):
    """The words for an assignment's state (annotated by staff.mystery.selectors.with_state)."""
    return AssignmentState(state).label
