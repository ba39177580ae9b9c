"""The monthly signal roll-ups that the dissonance dashboard's trend reads (SignalMonth per
customer, SignalBranchMonth per branch): the SQL function that gives a signal's month, which the
roll-ups' triggers (migrations quality 0016, 0017) call, and the nightly rebuild from the raw
signals."""

from zoneinfo import available_timezones

from django.conf import settings
from django.db import connection, transaction

# A signal's month: the first day of the month it occurred in, in the project's time zone (the
# dashboard's months). The zone is written into the function, so the triggers need no setting;
# the nightly rebuild writes it again, so a changed TIME_ZONE is followed by the next night.
MONTH_FUNCTION = """
CREATE OR REPLACE FUNCTION quality_signal_month(occurred_at timestamptz) RETURNS date
LANGUAGE sql IMMUTABLE AS $$
    SELECT date_trunc('month', occurred_at AT TIME ZONE '{zone}')::date
$$;
"""

_REBUILD = """
    INSERT INTO quality_signalmonth (month, branch_id, customer_id, signals, points, added)
    SELECT quality_signal_month(s.occurred_at), s.branch_id, s.customer_id, count(*),
        sum(s.weight),
        sum(quality_signal_added(s.weight, c.involvement, s.occurred_at, s.handover_date))
    FROM quality_dissonancesignal s
    LEFT JOIN customers_productcategory c ON c.id = s.category_id
    GROUP BY 1, 2, 3
"""


def month_function():
    zone = settings.TIME_ZONE
    # Written into SQL: only a real zone name, which has no quote in it.
    if zone not in available_timezones():
        raise ValueError(f"TIME_ZONE {zone!r} is not a time zone.")
    return MONTH_FUNCTION.format(zone=zone)


@transaction.atomic
def rebuild_signal_months():
    """Every roll-up row again from the signals (the nightly tick); the customer-month rows
    written. The table locks make writers' triggers wait and then add their change to the new
    rows, so nothing is lost or counted twice. The per-branch rows follow the customer rows by
    their trigger: emptied to zero with them, cleared, then filled again from the new ones."""
    with connection.cursor() as cursor:
        cursor.execute(
            "LOCK TABLE quality_signalmonth, quality_signalbranchmonth IN EXCLUSIVE MODE"
        )
        cursor.execute(month_function())
        cursor.execute("DELETE FROM quality_signalmonth")
        cursor.execute("DELETE FROM quality_signalbranchmonth")
        cursor.execute(_REBUILD)
        return cursor.rowcount
