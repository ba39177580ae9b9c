"""The daily offer generation: per rule, the eligible customers found with set-based SQL, asked of
the contact policy in bulk, written with one INSERT ... SELECT (ON CONFLICT DO NOTHING on one
offer per customer, rule and window), and counted into the roll-ups in the same statement.

Per rule and group of branches sharing a local day (the season and the purchase age are judged
in the branch's time zone), one statement does it all:

    WITH cand AS (one row per customer: the newest purchase that triggers the rule),
         policy AS (followups.contact_policy.commercial_refusals_sql over the candidates),
         ins AS (INSERT INTO offer ... ON CONFLICT DO NOTHING RETURNING ...)
    INSERT INTO roll-up ... GROUP BY ... ON CONFLICT DO UPDATE (add the counts)

A candidate the policy refuses is kept as a held-back offer with the policy's reason code, so
that managers see how many were held back and why; a later run releases it (suggested) once the
reason is gone, within the same window. Running twice in a day writes nothing new. Erased
customers are no candidates (and their open offers expire); a merged customer's offers go with
the duplicate's row (CASCADE), and the survivor is found by the next run.
"""

import calendar
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta

from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone

from aftersales.models import Branch
from customers.models import Customer, Purchase
from customers.service_history.mileage import maintenance_sql
from followups import contact_policy
from followups.offers.models import OfferEvent, OfferRule, OfferState


def _day(year, month, day):
    """The day, or the month's last day (29 February outside a leap year)."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def season_window(rule, today):
    """(first day, last day) of the rule's season occurrence that contains `today`, or None.
    A season may cross the year end (1 December – 31 January)."""
    start = _day(today.year, rule.season_start_month, rule.season_start_day)
    end = _day(today.year, rule.season_end_month, rule.season_end_day)
    if start <= end:
        return (start, end) if start <= today <= end else None
    if today >= start:
        return start, _day(today.year + 1, rule.season_end_month, rule.season_end_day)
    if today <= end:
        return _day(today.year - 1, rule.season_start_month, rule.season_start_day), end
    return None


def window_for(rule, today):
    """(window start, open until) of an offer found today, or None when the rule is not on."""
    if not rule.is_active:
        return None
    if rule.active_from and today < rule.active_from:
        return None
    if rule.active_until and today > rule.active_until:
        return None
    if rule.is_seasonal:
        season = season_window(rule, today)
        return season
    return date(today.year, 1, 1), today + timedelta(days=rule.valid_days)


def _literal(day):
    return f"DATE '{day.isoformat()}'"


def candidates_sql(rule, today, branch_ids):
    """(sql, params): one row per eligible customer of the branches — customer, triggering
    purchase, branch, salesperson, declined work."""
    where = [
        "p.main_category_id = %s",
        "p.status = %s",
        "c.erased_at IS NULL",
        "c.branch_id = ANY(%s)",
    ]
    params = [rule.category_id, Purchase.Status.HANDED_OVER, list(branch_ids)]
    if rule.min_age_days is not None:
        where.append("p.handover_date <= %s")
        params.append(today - timedelta(days=rule.min_age_days))
    if rule.max_age_days is not None:
        where.append("p.handover_date >= %s")
        params.append(today - timedelta(days=rule.max_age_days))
    if rule.not_bought_product_id is not None:
        where.append(
            """NOT EXISTS (SELECT 1 FROM customers_purchase q
                JOIN customers_purchaseline l ON l.purchase_id = q.id
                WHERE q.customer_id = p.customer_id AND l.product_id = %s
                  AND q.status <> 'cancelled' AND q.purchase_date >= %s)"""
        )
        params += [
            rule.not_bought_product_id,
            today - timedelta(days=round(rule.not_bought_months * 30.44)),
        ]
    if rule.warranty_end_days is not None:
        where.append("p.warranty_end BETWEEN %s AND %s")
        params += [today, today + timedelta(days=rule.warranty_end_days)]
    if rule.maintenance_due_days is not None or rule.maintenance_due_km is not None:
        vehicles = f"v.main_category_id = {int(rule.category_id)} AND v.status = 'handed_over'"
        due = []
        if rule.maintenance_due_days is not None:
            due.append("m.next_date <= %s")
            params.append(today + timedelta(days=rule.maintenance_due_days))
        if rule.maintenance_due_km is not None:
            due.append("m.km_left <= %s")
            params.append(rule.maintenance_due_km)
        where.append(
            f"""p.id IN (SELECT m.vehicle_id FROM ({maintenance_sql(vehicles, _literal(today))}) m
                WHERE m.schedule_id IS NOT NULL AND ({" OR ".join(due)}))"""  # noqa: S608  # nosec B608 (our own SQL)
        )
    declined = "NULL::bigint"
    if rule.declined_work_days is not None:
        declined = "w.id"
        product_match = "AND w.product_id = %s" if rule.product_id else ""
        work = f"""JOIN LATERAL (SELECT w.id FROM customers_declinedwork w
            WHERE w.vehicle_id = p.id AND w.status = 'open' AND w.declined_on <= %s
            {product_match} ORDER BY w.declined_on, w.id LIMIT 1) w ON TRUE"""  # noqa: S608  # nosec B608 (our own SQL)
        work_params = [today - timedelta(days=rule.declined_work_days)]
        if rule.product_id:
            work_params.append(rule.product_id)
    else:
        work, work_params = "", []
    sql = f"""
        SELECT DISTINCT ON (p.customer_id) p.customer_id, p.id AS purchase_id, c.branch_id,
            COALESCE(p.salesperson_id, c.salesperson_id) AS assignee_id, {declined} AS work_id
        FROM customers_purchase p
        JOIN customers_customer c ON c.id = p.customer_id
        {work}
        WHERE {" AND ".join(where)}
        ORDER BY p.customer_id, p.handover_date DESC, p.id DESC
    """  # noqa: S608  # nosec B608 (our own SQL; values are parameters or integers from the database)
    return sql, work_params + params


@dataclass
class RuleRun:
    rule: OfferRule
    suggested: int = 0
    held_back: int = 0
    released: int = 0


def _generate(rule, today, window, branch_ids, at):
    cand_sql, cand_params = candidates_sql(rule, today, branch_ids)
    # The candidates as a Customer queryset for the policy and its blockers: it reads the
    # statement's `cand` CTE, so the candidates are found once.
    candidates = Customer.objects.filter(pk__in=RawSQL("SELECT customer_id FROM cand", []))
    policy_sql, policy_params = contact_policy.commercial_refusals_sql(
        candidates, at=at, channels=rule.channels
    )
    start, expires_on = window
    sql = f"""
        WITH cand AS ({cand_sql}),
        policy AS ({policy_sql}),
        ins AS (
            INSERT INTO followups_offer (rule_id, customer_id, branch_id, purchase_id,
                declined_work_id, assignee_id, window_start, expires_on, state, hold_reason,
                price, found_on, suggested_on, channel, decline_reason, decline_note,
                created_at, updated_at)
            SELECT %s, cand.customer_id, cand.branch_id, cand.purchase_id, cand.work_id,
                cand.assignee_id, %s, %s,
                CASE WHEN policy.code IS NULL THEN %s ELSE %s END, COALESCE(policy.code, ''),
                %s, %s, CASE WHEN policy.code IS NULL THEN %s::date END, '', '', '', %s, %s
            FROM cand LEFT JOIN policy ON policy.id = cand.customer_id
            ON CONFLICT (rule_id, customer_id, window_start) DO NOTHING
            RETURNING branch_id, assignee_id, state, hold_reason
        ),
        rolled AS (
            INSERT INTO followups_offerrollup (day, branch_id, rule_id, salesperson_id, event,
                reason, offers, value, decision_days)
            SELECT %s, branch_id, %s, assignee_id, state, hold_reason, count(*), 0, 0
            FROM ins GROUP BY branch_id, assignee_id, state, hold_reason
            ON CONFLICT (day, branch_id, rule_id, salesperson_id, event, reason)
            DO UPDATE SET offers = followups_offerrollup.offers + EXCLUDED.offers
        )
        SELECT state, count(*) FROM ins GROUP BY state
    """  # noqa: S608  # nosec B608 (our own SQL)
    now = timezone.now()
    params = [
        *cand_params,
        *policy_params,
        rule.pk,
        start,
        expires_on,
        OfferState.SUGGESTED,
        OfferState.HELD_BACK,
        rule.price,
        today,
        today,
        now,
        now,
        today,
        rule.pk,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _release(rule, today, window, branch_ids, at):
    """Held-back offers of the current window whose reason is gone become suggestions."""
    from followups.models import Offer

    held = Offer.objects.filter(
        rule=rule, window_start=window[0], state=OfferState.HELD_BACK, branch_id__in=branch_ids
    )
    customers = Customer.objects.filter(pk__in=held.values("customer_id"))
    refused = contact_policy.commercial_refusals(customers, at=at, channels=rule.channels)
    released = held.exclude(customer_id__in=list(refused)).filter(customer__erased_at__isnull=True)
    rows = list(released.values("pk", "branch_id", "assignee_id"))
    if rows:
        Offer.objects.filter(pk__in=[row["pk"] for row in rows]).update(
            state=OfferState.SUGGESTED, suggested_on=today, updated_at=timezone.now()
        )
        from followups.offers import rollups

        counts = defaultdict(int)
        for row in rows:
            counts[(row["branch_id"], row["assignee_id"])] += 1
        for (branch_id, assignee_id), count in counts.items():
            rollups.bump(
                day=today,
                branch_id=branch_id,
                rule_id=rule.pk,
                salesperson_id=assignee_id,
                event=OfferEvent.SUGGESTED,
                offers=count,
            )
    return len(rows)


def local_days(now):
    """{local date: [branch ids]} of the active branches."""
    groups = defaultdict(list)
    for branch in Branch.objects.filter(is_active=True):
        groups[timezone.localtime(now, branch.zone).date()].append(branch.pk)
    return groups


def generate_offers(*, now=None, rules=None):
    """Run every active rule (or `rules`) for every branch; returns a RuleRun per rule."""
    from followups.offers import services

    now = now or timezone.now()
    groups = local_days(now)
    runs = []
    for rule in rules if rules is not None else OfferRule.objects.filter(is_active=True):
        run = RuleRun(rule)
        for today, branch_ids in groups.items():
            window = window_for(rule, today)
            if window is None:
                continue
            with transaction.atomic():
                run.released += _release(rule, today, window, branch_ids, now)
                for event, offers in _generate(rule, today, window, branch_ids, now):
                    if event == OfferState.SUGGESTED:
                        run.suggested += offers
                    else:
                        run.held_back += offers
        runs.append(run)
    services.expire_offers(now=now)
    return runs
