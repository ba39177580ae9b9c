"""The dissonance dashboard's roll-ups, kept by triggers (aftersales.rollup_triggers; migrations
quality 0016–0018) and rebuilt each night: signals per month and customer (SignalMonth) and
per month and branch (SignalBranchMonth) for the trend, complaints per day (ComplaintDay) for
the trend and the top complaint categories.

Their days and months are the project's time zone's, as the dashboard's periods are: two SQL
functions with the zone written in, so that the triggers need no setting; the nightly rebuild
writes them again, so a changed TIME_ZONE is followed by the next night.
"""

from zoneinfo import available_timezones

from django.conf import settings

from aftersales import rollup_triggers

_LOCAL_DAY_FUNCTIONS = """
CREATE OR REPLACE FUNCTION quality_local_day(moment timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE AS $$
    SELECT (moment AT TIME ZONE '{zone}')::date
$$;
CREATE OR REPLACE FUNCTION quality_signal_month(occurred_at timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE AS $$
    SELECT date_trunc('month', occurred_at AT TIME ZONE '{zone}')::date
$$;
"""


def local_day_functions():
    zone = settings.TIME_ZONE
    # Written into SQL: only a real zone name, which has no quote in it.
    if zone not in available_timezones():
        raise ValueError(f"TIME_ZONE {zone!r} is not a time zone.")
    return _LOCAL_DAY_FUNCTIONS.format(zone=zone)


def rebuild():
    """Both roll-ups again from the signals and complaints (the nightly tick), which also
    follows a category's changed involvement."""
    rollup_triggers.rebuild(
        "quality_signal_month",
        "quality_signalmonth",
        "quality_signalbranchmonth",
        prepare=local_day_functions(),
    )
    rollup_triggers.rebuild("quality_complaint_day", "quality_complaintday")
