"""The figures' roll-ups: kept by the services as things happen (`bump`) and rebuilt from the raw
offers by the nightly tick (`rebuild`), so that a lost increment never lasts beyond a night.

An offer counts, on the day it happened, once per event: held back (found_on, with the reason),
suggested (suggested_on), presented (presented_at's day), accepted / declined / expired
(decided_on, with the value and the days from suggestion to decision).
"""

from django.db import connection, transaction

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


@transaction.atomic
def rebuild():
    """Every roll-up row again from the offers: one DELETE and one INSERT ... SELECT."""
    from django.conf import settings

    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM followups_offerrollup")
        cursor.execute(REBUILD, [settings.TIME_ZONE])
        return cursor.rowcount
