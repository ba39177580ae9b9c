"""The figures' roll-ups: kept by the services as things happen (`bump`) and rebuilt from the raw
offers by the nightly tick (`rebuild`), so that a lost increment never lasts beyond a night.
The monthly offer roll-ups follow the daily ones in the database itself (a trigger, migration
followups 0007), so every writer of the daily rows keeps both.
The impulses per customer and month and the service retention are only rebuilt (nightly, by the
same `rebuild`): both are counts over whole months or years that no single event changes simply.

An offer counts, on the day it happened, once per event: held back (found_on, with the reason),
suggested (suggested_on), presented (presented_at's day), accepted / declined / expired
(decided_on, with the value and the days from suggestion to decision).
"""

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from followups.offers.models import OfferEvent

_UPSERT = """
    INSERT INTO followups_offerrollup (day, branch_id, rule_id, salesperson_id, event, reason,
        offers, value, decision_days)
    VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)
    ON CONFLICT (day, branch_id, rule_id, salesperson_id, event, reason) DO UPDATE SET
        offers = followups_offerrollup.offers + EXCLUDED.offers,
        value = followups_offerrollup.value + EXCLUDED.value,
        decision_days = followups_offerrollup.decision_days + EXCLUDED.decision_days
"""


def bump(
    *, day, branch_id, rule_id, salesperson_id, event, reason="", offers=1, value=0, decision_days=0
):
    with connection.cursor() as cursor:
        cursor.execute(
            _UPSERT,
            [
                day,
                branch_id,
                rule_id,
                salesperson_id,
                event,
                reason,
                offers,
                value or 0,
                decision_days or 0,
            ],
        )


def bump_offer(offer, event, *, day):
    bump(
        day=day,
        branch_id=offer.branch_id,
        rule_id=offer.rule_id,
        salesperson_id=offer.assignee_id,
        event=event,
        value=offer.value or 0 if event == OfferEvent.ACCEPTED else 0,
        decision_days=max(offer.days_to_decision or 0, 0),
    )


REBUILD = """
    INSERT INTO followups_offerrollup (day, branch_id, rule_id, salesperson_id, event, reason,
        offers, value, decision_days)
    SELECT day, branch_id, rule_id, assignee_id, event, reason, count(*),
        COALESCE(sum(value), 0), COALESCE(sum(days), 0)
    FROM (
        SELECT found_on AS day, branch_id, rule_id, assignee_id, 'held_back' AS event,
            hold_reason AS reason, 0::numeric AS value, 0 AS days
        FROM followups_offer WHERE hold_reason <> ''
        UNION ALL
        SELECT suggested_on, branch_id, rule_id, assignee_id, 'suggested', '', 0, 0
        FROM followups_offer WHERE suggested_on IS NOT NULL
        UNION ALL
        SELECT (presented_at AT TIME ZONE %s)::date, branch_id, rule_id, assignee_id,
            'presented', '', 0, 0
        FROM followups_offer WHERE presented_at IS NOT NULL
        UNION ALL
        SELECT decided_on, branch_id, rule_id, assignee_id, state, '',
            CASE WHEN state = 'accepted' THEN COALESCE(value, 0) ELSE 0 END,
            GREATEST(decided_on - COALESCE(suggested_on, decided_on), 0)
        FROM followups_offer
        WHERE decided_on IS NOT NULL AND state IN ('accepted', 'declined', 'expired')
    ) events
    GROUP BY day, branch_id, rule_id, assignee_id, event, reason
"""


# Commercial contacts per customer and month (in the project's time zone), then how many customers
# of a branch had 1, 2, 3 ... of them.
REBUILD_IMPULSES = """
    INSERT INTO followups_impulserollup (month, branch_id, impulses, customers)
    SELECT month, branch_id, LEAST(impulses, 32767), count(*)
    FROM (
        SELECT date_trunc('month', e.happened_at AT TIME ZONE %(zone)s)::date AS month,
            c.branch_id, e.customer_id, count(*) AS impulses
        FROM followups_contactevent e JOIN customers_customer c ON c.id = e.customer_id
        WHERE e.purpose = 'commercial'
        GROUP BY 1, 2, 3
    ) per_customer
    GROUP BY month, branch_id, LEAST(impulses, 32767)
"""

# The age bands of service retention: (label, up to days of age, exclusive).
AGE_BANDS = (("0-1", 365), ("1-2", 730), ("2-3", 1095), ("3-5", 1826), ("5+", None))


def _band_sql():
    whens = " ".join(
        f"WHEN %(today)s::date - v.handover_date < {days} THEN '{label}'"
        for label, days in AGE_BANDS
        if days is not None
    )
    return f"CASE {whens} ELSE '{AGE_BANDS[-1][0]}' END"


# Vehicles handed over (of a category with a yearly distance) of customers not erased; retained
# when a paid service visit naming the vehicle, not cancelled, fell in the 12 months up to today.
REBUILD_RETENTION = f"""
    INSERT INTO followups_retentionrollup (computed_on, branch_id, age_band, vehicles, retained)
    SELECT %(today)s, v.branch_id, {_band_sql()} AS band, count(*),
        count(*) FILTER (WHERE EXISTS (
            SELECT 1 FROM customers_purchase s
            WHERE s.vehicle_id = v.id AND s.status <> 'cancelled' AND s.total > 0
              AND s.purchase_date > %(today)s::date - 365 AND s.purchase_date <= %(today)s))
    FROM customers_purchase v
    JOIN customers_productcategory c ON c.id = v.main_category_id
    JOIN customers_customer cu ON cu.id = v.customer_id
    WHERE c.yearly_distance_km IS NOT NULL AND v.status = 'handed_over'
      AND v.handover_date <= %(today)s AND cu.erased_at IS NULL
    GROUP BY v.branch_id, band
"""  # noqa: S608  # nosec B608 (the bands are our own constants)


@transaction.atomic
def rebuild(*, today=None):
    """Every roll-up row again from the raw tables: a DELETE and an INSERT ... SELECT each.
    Returns the number of offer roll-up rows."""
    today = today or timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM followups_impulserollup")
        cursor.execute(REBUILD_IMPULSES, {"zone": settings.TIME_ZONE})
        cursor.execute("DELETE FROM followups_retentionrollup")
        cursor.execute(REBUILD_RETENTION, {"today": today})
        # The daily rows' trigger refills the monthly ones as the INSERT below writes them.
        cursor.execute("DELETE FROM followups_offermonthrollup")
        cursor.execute("DELETE FROM followups_offerrollup")
        cursor.execute(REBUILD, [settings.TIME_ZONE])
        return cursor.rowcount
