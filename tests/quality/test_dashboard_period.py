"""The dashboard's period: the page's filter form and the summary API read their dates through
one rule (quality.dashboard.period), so the same dates give the same period in both."""

from datetime import date
from types import SimpleNamespace

import pytest
import time_machine

from quality import dashboard
from quality.api import DissonanceSummaryQuerySerializer
from quality.dashboard_forms import DashboardFilterForm

TODAY = date(2026, 12, 3)


def page_period(user, start=None, end=None):
    data = {"start": start.isoformat() if start else "", "end": end.isoformat() if end else ""}
    filters = DashboardFilterForm(data, user=user).filters()
    return filters.start, filters.end


def api_period(user, start=None, end=None):
    data = {}
    if start:
        data["date_from"] = start.isoformat()
    if end:
        data["date_to"] = end.isoformat()
    serializer = DissonanceSummaryQuerySerializer(
        data=data, context={"request": SimpleNamespace(user=user)}
    )
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data.start, serializer.validated_data.end


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (None, None, (date(2026, 9, 5), TODAY)),
        # Only a last day: the 90 days up to it, not that one day.
        (None, date(2026, 1, 31), (date(2025, 11, 3), date(2026, 1, 31))),
        (date(2026, 11, 1), None, (date(2026, 11, 1), TODAY)),
        (date(2026, 3, 1), date(2026, 3, 31), (date(2026, 3, 1), date(2026, 3, 31))),
        (date(2026, 3, 1), date(2026, 3, 1), (date(2026, 3, 1), date(2026, 3, 1))),
    ],
)
@time_machine.travel("2026-12-03 10:00 +01:00", tick=False)
def test_page_and_api_agree_on_the_period(manager, start, end, expected):
    assert dashboard.period(start, end) == expected
    assert page_period(manager, start, end) == expected
    assert api_period(manager, start, end) == expected


@time_machine.travel("2026-12-03 10:00 +01:00", tick=False)
def test_a_reversed_period_is_an_error_in_the_api_and_the_default_on_the_page(manager):
    start, end = date(2026, 3, 31), date(2026, 3, 1)
    assert page_period(manager, start, end) == dashboard.period()
    serializer = DissonanceSummaryQuerySerializer(
        data={"date_from": start.isoformat(), "date_to": end.isoformat()},
        context={"request": SimpleNamespace(user=manager)},
    )
    assert not serializer.is_valid()
    assert "date_from" in serializer.errors
