from django import template

from staff.scorecards import percent as as_percent

register = template.Library()


@register.filter
def percent(rate):
    """A share 0–1 as "87 %" ("–" when there is nothing to measure)."""
    value = as_percent(rate)
    return "–" if value is None else f"{value} %"
