"""The read side of the cross-selling figures page: read from the roll-ups (followups.offers
.rollups), never from the millions of offers, so the page needs a constant handful of queries:

1. the offer roll-ups of the period, grouped by rule, branch, salesperson, event and reason:
   the period's whole months from the monthly roll-ups, the days at its edges from the daily
   ones, in one query (their names follow in one more query);
2. the impulses per customer and month of the period's months;
3. the service retention by branch and vehicle age band (as of the last nightly rebuild);
4. the declined-work recapture of the period (declined work is a small table, indexed by
   branch and day).

Conversion is the share of the offers decided in the period (accepted, declined, expired) that
were accepted; the days to the decision are averaged over those decided offers.
"""

from dataclasses import dataclass, fields
from datetime import timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Q, Sum
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from aftersales.models import Branch
from aftersales.translated import localized_sql
from customers.models import DeclinedWork
from followups import contact_policy
from followups.offers.models import (
    ImpulseRollup,
    OfferEvent,
    OfferMonthRollup,
    OfferRollup,
    RetentionRollup,
)
from followups.offers.rollups import AGE_BANDS

IMPULSE_BUCKETS = (1, 2, 3, 4)  # the last: 4 or more


@dataclass(frozen=True)
class Counts:
    held_back: int = 0
    suggested: int = 0
    presented: int = 0
    accepted: int = 0
    declined: int = 0
    expired: int = 0
    revenue: Decimal = Decimal("0")
    decision_days: int = 0

    def __add__(self, other):
        return Counts(
            **{
                field.name: getattr(self, field.name) + getattr(other, field.name)
                for field in fields(self)
            }
        )

    @property
    def decided(self):
        return self.accepted + self.declined + self.expired

    @property
    def conversion_rate(self):
        return self.accepted / self.decided if self.decided else None

    @property
    def mean_days_to_decision(self):
        return self.decision_days / self.decided if self.decided else None


@dataclass(frozen=True)
class Row:
    id: int | None
    name: str
    counts: Counts


@dataclass(frozen=True)
class HeldBack:
    code: str
    label: str
    offers: int


@dataclass(frozen=True)
class ImpulseMonth:
    month: object
    customers: tuple  # customers with 1, 2, 3, 4+ commercial contacts

    @property
    def total_customers(self):
        return sum(self.customers)


@dataclass(frozen=True)
class Retention:
    band: str
    vehicles: int
    retained: int

    @property
    def rate(self):
        return self.retained / self.vehicles if self.vehicles else None


@dataclass(frozen=True)
class BranchRetention:
    id: int
    name: str
    bands: tuple  # Retention per AGE_BANDS

    @property
    def total(self):
        return Retention(
            "",
            sum(band.vehicles for band in self.bands),
            sum(band.retained for band in self.bands),
        )


@dataclass(frozen=True)
class Recapture:
    declined: int
    recaptured: int

    @property
    def rate(self):
        return self.recaptured / self.declined if self.declined else None


@dataclass(frozen=True)
class OfferFigures:
    start: object
    end: object
    total: Counts
    by_rule: tuple
    by_branch: tuple
    by_salesperson: tuple
    held_back: tuple
    impulses: tuple
    retention: tuple  # Retention per band over all branches
    retention_by_branch: tuple
    retention_on: object
    recapture: Recapture


# The names of the rules, branches and salespeople the roll-ups name, in one query: grouping the
# roll-ups by ids alone keeps the big aggregate narrow.
# A rule's name is in the reader's language: {rule_name} is filled per request.
NAMES = """
    SELECT 'rule', id, {rule_name}, '' FROM followups_offerrule WHERE id = ANY(%(rules)s)
    UNION ALL
    SELECT 'branch', id, name, '' FROM aftersales_branch WHERE id = ANY(%(branches)s)
    UNION ALL
    SELECT 'person', id, trim(first_name || ' ' || last_name), username
    FROM aftersales_user WHERE id = ANY(%(people)s)
"""


def _names(rules, branches, people):
    names = {"rule": {}, "branch": {}, "person": {None: _("Not assigned")}}
    with connection.cursor() as cursor:
        cursor.execute(
            NAMES.format(rule_name=localized_sql("name")),
            {"rules": list(rules), "branches": list(branches), "people": list(people - {None})},
        )
        for kind, pk, name, username in cursor.fetchall():
            names[kind][pk] = name or username
    return names


def _sorted_rows(groups, names):
    return tuple(
        Row(id=pk, name=names.get(pk, ""), counts=counts)
        for pk, counts in sorted(
            groups.items(),
            key=lambda item: (item[0] is None, names.get(item[0], "").lower(), item[0] or 0),
        )
    )


def _add(groups, key, counts):
    groups[key] = groups.get(key, Counts()) + counts


def split_period(start, end):
    """(first, last) of the whole months within start..end (None when there is none) and the
    day ranges before and after them: the months are read from the monthly roll-ups, the edges
    from the daily ones, so any period stays exact."""
    first = start if start.day == 1 else (start.replace(day=1) + timedelta(days=31)).replace(day=1)
    after_end = end + timedelta(days=1)
    last = end.replace(day=1) if after_end.day == 1 else end.replace(day=1) - timedelta(days=1)
    last = last.replace(day=1)
    if first > last:
        return None, ((start, end),)
    after_last = (last + timedelta(days=31)).replace(day=1)
    return (first, last), ((start, first - timedelta(days=1)), (after_last, end))


def _grouped_rollups(branch_ids, start, end, rule):
    """The roll-up sums of the period per rule, branch, salesperson, event and reason: one query,
    the whole months' rows united with the edge days' rows (a key may come twice, once each)."""
    months, edges = split_period(start, end)
    scope = Q(branch__in=branch_ids) if rule is None else Q(branch__in=branch_ids, rule=rule)
    days = Q()
    for first_day, last_day in edges:
        days |= Q(day__range=(first_day, last_day))
    columns = ("rule_id", "branch_id", "salesperson_id", "event", "reason")
    sums = {"offers": Sum("offers"), "value": Sum("value"), "days": Sum("decision_days")}
    grouped = OfferRollup.objects.filter(scope, days).order_by().values(*columns).annotate(**sums)
    if months is None:
        return grouped
    monthly = (
        OfferMonthRollup.objects.filter(scope, month__range=months)
        .order_by()
        .values(*columns)
        .annotate(**sums)
    )
    return grouped.union(monthly, all=True)


def offer_figures(user, *, start, end, branch=None, rule=None):
    branches = Branch.objects.visible_to(user)
    if branch is not None:
        branches = branches.filter(pk=branch.pk)
    # The ids as a list, not a subquery: the planner then estimates the rows well enough to sum
    # them in a hash in memory instead of sorting them on disk.
    grouped = _grouped_rollups(list(branches.values_list("pk", flat=True)), start, end, rule)
    by_rule, by_branch, by_person, held = {}, {}, {}, {}
    total = Counts()
    for row in grouped:
        values = {row["event"]: row["offers"]}
        if row["event"] == OfferEvent.ACCEPTED:
            values["revenue"] = row["value"]
        if row["event"] in (OfferEvent.ACCEPTED, OfferEvent.DECLINED, OfferEvent.EXPIRED):
            values["decision_days"] = row["days"]
        counts = Counts(**values)
        total += counts
        _add(by_rule, row["rule_id"], counts)
        _add(by_branch, row["branch_id"], counts)
        _add(by_person, row["salesperson_id"], counts)
        if row["event"] == OfferEvent.HELD_BACK:
            held[row["reason"]] = held.get(row["reason"], 0) + row["offers"]
    names = _names(by_rule, by_branch, set(by_person)) if total != Counts() else {}
    labels = contact_policy.reason_labels()
    return OfferFigures(
        start=start,
        end=end,
        total=total,
        by_rule=_sorted_rows(by_rule, names.get("rule", {})),
        by_branch=_sorted_rows(by_branch, names.get("branch", {})),
        by_salesperson=_sorted_rows(by_person, names.get("person", {})),
        held_back=tuple(
            HeldBack(code, labels.get(code, code), offers)
            for code, offers in sorted(held.items(), key=lambda item: (-item[1], item[0]))
        ),
        impulses=_impulses(branches, start, end),
        **_retention(branches),
        recapture=_recapture(branches, start, end),
    )


def _impulses(branches, start, end):
    rows = (
        ImpulseRollup.objects.filter(
            branch__in=branches, month__range=(start.replace(day=1), end.replace(day=1))
        )
        .order_by()
        .values("month", "impulses")
        .annotate(customers=Sum("customers"))
    )
    months = {}
    for row in rows:
        buckets = months.setdefault(row["month"], [0] * len(IMPULSE_BUCKETS))
        buckets[min(row["impulses"], IMPULSE_BUCKETS[-1]) - 1] += row["customers"]
    return tuple(ImpulseMonth(month, tuple(buckets)) for month, buckets in sorted(months.items()))


def _retention(branches):
    rows = RetentionRollup.objects.filter(branch__in=branches).values(
        "branch_id", "branch__name", "age_band", "vehicles", "retained", "computed_on"
    )
    per_branch, computed_on = {}, None
    for row in rows:
        computed_on = row["computed_on"]
        _name, bands = per_branch.setdefault(row["branch_id"], (row["branch__name"], {}))
        bands[row["age_band"]] = (row["vehicles"], row["retained"])

    def bands_of(found):
        return tuple(Retention(label, *found.get(label, (0, 0))) for label, _days in AGE_BANDS)

    by_branch = tuple(
        BranchRetention(pk, name, bands_of(bands))
        for pk, (name, bands) in sorted(per_branch.items(), key=lambda item: item[1][0].lower())
    )
    overall = tuple(
        Retention(
            label,
            sum(branch.bands[index].vehicles for branch in by_branch),
            sum(branch.bands[index].retained for branch in by_branch),
        )
        for index, (label, _days) in enumerate(AGE_BANDS)
    )
    return {"retention": overall, "retention_by_branch": by_branch, "retention_on": computed_on}


def _recapture(branches, start, end):
    counts = DeclinedWork.objects.filter(
        branch__in=branches, declined_on__range=(start, end)
    ).aggregate(
        declined=Count("pk"), recaptured=Count("pk", filter=Q(status=DeclinedWork.Status.DONE))
    )
    return Recapture(**counts)


# --- charts and CSV ---

FUNNEL = ("suggested", "presented", "accepted", "declined", "expired")


def funnel_names():
    return {
        "held_back": _("Held back"),
        "suggested": _("Suggested"),
        "presented": _("Presented"),
        "accepted": _("Accepted"),
        "declined": _("Declined"),
        "expired": _("Expired"),
    }


def chart_data(result):
    """What static/js/offer_figures.js draws (passed with json_script)."""
    names = funnel_names()
    return {
        "rules": {
            "labels": [row.name for row in result.by_rule],
            "series": [
                {
                    "name": names[event],
                    "data": [getattr(row.counts, event) for row in result.by_rule],
                }
                for event in FUNNEL
            ],
        },
        "held_back": {
            "labels": [item.label for item in result.held_back],
            "data": [item.offers for item in result.held_back],
            "name": names["held_back"],
        },
        "impulses": {
            "labels": [date_format(month.month, "M Y") for month in result.impulses],
            "series": [
                {
                    "name": _("%(count)s+ contacts") % {"count": bucket}
                    if bucket == IMPULSE_BUCKETS[-1]
                    else _("%(count)s contacts") % {"count": bucket},
                    "data": [month.customers[index] for month in result.impulses],
                }
                for index, bucket in enumerate(IMPULSE_BUCKETS)
            ],
        },
        "retention": {
            "labels": [_("%(band)s years") % {"band": band.band} for band in result.retention],
            "data": [
                None if band.rate is None else round(band.rate * 100, 1)
                for band in result.retention
            ],
            "name": _("Retention (%)"),
        },
    }


def _rate(value):
    return "" if value is None else f"{value * 100:.1f}"


def _days(value):
    return "" if value is None else f"{value:.1f}"


def csv_rows(result):
    """The page's tables one after the other, each with its own header row."""
    names = funnel_names()
    yield [
        _("Table"),
        _("Name"),
        names["held_back"],
        *(names[event] for event in FUNNEL),
        _("Conversion (%)"),
        _("Revenue"),
        _("Days to decision"),
    ]
    for table, rows in (
        (_("Total"), (Row(None, _("All"), result.total),)),
        (_("Rule"), result.by_rule),
        (_("Branch"), result.by_branch),
        (_("Salesperson"), result.by_salesperson),
    ):
        for row in rows:
            counts = row.counts
            yield [
                table,
                row.name,
                counts.held_back,
                *(getattr(counts, event) for event in FUNNEL),
                _rate(counts.conversion_rate),
                counts.revenue,
                _days(counts.mean_days_to_decision),
            ]
    yield []
    yield [_("Held back because"), _("Offers")]
    for item in result.held_back:
        yield [item.label, item.offers]
    yield []
    yield [
        _("Month"),
        *(_("customers with %(count)s contacts") % {"count": bucket} for bucket in IMPULSE_BUCKETS),
    ]
    for month in result.impulses:
        yield [month.month.isoformat(), *month.customers]
    yield []
    yield [_("Branch"), _("Vehicle age (years)"), _("Vehicles"), _("Came back"), _("Retention (%)")]
    for branch in result.retention_by_branch:
        for band in branch.bands:
            yield [branch.name, band.band, band.vehicles, band.retained, _rate(band.rate)]
    yield []
    yield [_("Declined work"), _("Recaptured"), _("Recapture rate (%)")]
    yield [result.recapture.declined, result.recapture.recaptured, _rate(result.recapture.rate)]


def offer_rows(offers, reason_labels):
    """The offer list as CSV rows (header first), read in chunks."""
    yield [
        _("Offer"),
        _("Rule"),
        _("Customer"),
        _("Branch"),
        _("Salesperson"),
        _("State"),
        _("Held back because"),
        _("Found on"),
        _("Open until"),
        _("Presented"),
        _("Channel"),
        _("Decided on"),
        _("Value"),
        _("Reason"),
    ]
    for offer in offers.iterator(chunk_size=500):
        yield [
            offer.pk,
            offer.rule.name,
            offer.customer.display_name,
            offer.branch.name,
            str(offer.assignee or ""),
            offer.get_state_display(),
            reason_labels.get(offer.hold_reason, offer.hold_reason),
            offer.found_on.isoformat(),
            offer.expires_on.isoformat(),
            offer.presented_at.isoformat() if offer.presented_at else "",
            offer.get_channel_display(),
            offer.decided_on.isoformat() if offer.decided_on else "",
            offer.value if offer.value is not None else "",
            offer.get_decline_reason_display(),
        ]
