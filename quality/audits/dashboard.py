"""The quality dashboard's read side (quality managers and managers): audit scores by branch and
area over time, the plan's overdue audits, open findings and overdue corrective actions, the
invoice error rate per branch, complaints per 100 purchases by product, open clusters and
campaigns with their progress.

Constant number of queries, however much data: each figure is one aggregate (GROUP BY or
conditional counts) over indexed columns; "complaints per 100 purchases" reads the roll-up
`ProductComplaintFigures` (rebuilt hourly) instead of counting purchase lines on every request.
The dashboard's period is the last `months` months up to today (default 12).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Avg, Count, F, Q, Sum, Window
from django.db.models.functions import TruncQuarter
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.access import sees_all_branches, visible_branch_ids
from quality.audits import selectors
from quality.audits.models import (
    OPEN_AUDIT_STATUSES,
    ActionStatus,
    Area,
    AuditStatus,
    CorrectiveAction,
    Finding,
    FindingSeverity,
    InvoiceErrorKind,
)
from quality.campaigns.models import ComplaintCluster, ProductComplaintFigures
from quality.campaigns.selectors import open_campaign_progress

DEFAULT_MONTHS = 12
LIST_LIMIT = 10
# A product needs this many purchases in the period before its complaint rate is shown.
MIN_PURCHASES = 5


@dataclass(frozen=True)
class Period:
    start: date
    end: date
    branch: int | None = None


def period(*, months=DEFAULT_MONTHS, today=None, branch=None):
    end = today or timezone.localdate()
    start = (end.replace(day=1) - timedelta(days=31 * (months - 1))).replace(day=1)
    return Period(start=start, end=end, branch=branch)


@dataclass
class Figures:
    period: Period
    scores: list  # {"branch", "branch_id", "area", "area_label", "quarter", "score", "audits"}
    overdue_audits: list
    overdue_audit_count: int
    findings: dict  # open, and open per severity
    actions: dict  # open, overdue, completed (to verify)
    invoice_rates: list  # per branch: samples, with_errors, rate, and "types" (count, rate)
    invoice_trend: list  # per branch and quarter: the same
    invoice_error_labels: list
    products: list  # {"product_id", "product", "purchases", "complaints", "per_100"}
    clusters: list
    campaigns: list


def _branch_filter(user, prefix, branch):
    condition = Q()
    if not sees_all_branches(user):
        condition &= Q(**{f"{prefix}__in": visible_branch_ids(user)})
    if branch:
        condition &= Q(**{prefix: branch})
    return condition


def audit_scores(user, p):
    """Average score per branch, area and quarter of the audits submitted in the period."""
    rows = (
        selectors.audits_visible_to(user)
        .filter(
            status__in=[AuditStatus.SUBMITTED, AuditStatus.SIGNED_OFF],
            submitted_at__date__gte=p.start,
            submitted_at__date__lte=p.end,
            score__isnull=False,
        )
        .filter(_branch_filter(user, "branch", p.branch))
        .annotate(quarter=TruncQuarter("submitted_at"))
        .values("branch_id", "branch__name", "area", "quarter")
        .annotate(score=Avg("score"), audits=Count("pk"))
        .order_by("branch__name", "area", "quarter")
    )
    labels = dict(Area.choices)
    return [
        {
            "branch_id": row["branch_id"],
            "branch": row["branch__name"],
            "area": row["area"],
            "area_label": labels.get(row["area"], row["area"]),
            "quarter": row["quarter"].date() if hasattr(row["quarter"], "date") else row["quarter"],
            "score": Decimal(row["score"]).quantize(Decimal("0.1")),
            "audits": row["audits"],
        }
        for row in rows
    ]


def overdue_audits(user, p, today):
    """The first overdue audits of the plan, with the number of all of them (one query)."""
    rows = list(
        selectors.audits_visible_to(user)
        .filter(status__in=OPEN_AUDIT_STATUSES, due_on__lt=today)
        .filter(_branch_filter(user, "branch", p.branch))
        .select_related("branch", "template")
        .annotate(total=Window(Count("pk")))
        .order_by("due_on", "pk")[:LIST_LIMIT]
    )
    return rows, (rows[0].total if rows else 0)


def finding_figures(user, p):
    totals = (
        Finding.objects.filter(status=Finding.Status.OPEN)
        .filter(_branch_filter(user, "branch", p.branch))
        .aggregate(
            open=Count("pk"),
            **{
                severity: Count("pk", filter=Q(severity=severity))
                for severity in FindingSeverity.values
            },
        )
    )
    return totals


def action_figures(user, p, today):
    actions = CorrectiveAction.objects.filter(_branch_filter(user, "finding__branch", p.branch))
    return actions.aggregate(
        open=Count("pk", filter=Q(status=ActionStatus.OPEN)),
        overdue=Count("pk", filter=Q(status=ActionStatus.OPEN, due_on__lt=today)),
        completed=Count("pk", filter=Q(status=ActionStatus.COMPLETED)),
    )


def product_rates(user, p):
    """Complaints per 100 purchases by product in the period, the worst first (the roll-up)."""
    rows = (
        ProductComplaintFigures.objects.filter(month__gte=p.start, month__lte=p.end)
        .filter(_branch_filter(user, "branch", p.branch))
        .values("product_id", name=F("product__name"))
        .annotate(purchases=Sum("purchases"), complaints=Sum("complaints"))
        .filter(purchases__gte=MIN_PURCHASES)
        .annotate(per_100=F("complaints") * 100.0 / F("purchases"))
        .order_by("-per_100", "name")[:LIST_LIMIT]
    )
    return [
        {
            "product_id": row["product_id"],
            "product": row["name"],
            "purchases": row["purchases"],
            "complaints": row["complaints"],
            "per_100": Decimal(row["per_100"]).quantize(Decimal("0.1")),
        }
        for row in rows
    ]


def open_clusters(user):
    return list(
        ComplaintCluster.objects.visible_to(user)
        .filter(status=ComplaintCluster.Status.OPEN)
        .select_related("product", "category", "category__parent")
        .order_by("-last_received_at")[:LIST_LIMIT]
    )


def invoice_figures(user, p):
    """The invoice error rate per branch for the period, and per branch and quarter, both from
    one query: the quarters of a branch summed give its period."""
    trend = [
        row
        for row in selectors.invoice_error_rates(user, since=p.start, until=p.end, by_quarter=True)
        if not p.branch or row["branch_id"] == p.branch
    ]
    totals = {}
    for row in trend:
        total = totals.setdefault(
            row["branch_id"],
            {
                "branch_id": row["branch_id"],
                "branch": row["branch"],
                "samples": 0,
                "with_errors": 0,
                "counts": dict.fromkeys(row["counts"], 0),
            },
        )
        total["samples"] += row["samples"]
        total["with_errors"] += row["with_errors"]
        for kind, count in row["counts"].items():
            total["counts"][kind] += count
        row["quarter_label"] = quarter_label(row["quarter"])
        row["types"] = _by_type(row["counts"], row["samples"])
    for total in totals.values():
        total["rate"] = selectors.invoice_error_rate(total["with_errors"], total["samples"])
        total["types"] = _by_type(total["counts"], total["samples"])
    return {
        "invoice_rates": sorted(totals.values(), key=lambda total: total["branch"]),
        "invoice_trend": trend,
        "invoice_error_labels": [label for _kind, label in InvoiceErrorKind.choices],
    }


def _by_type(counts, samples):
    """Count and rate of each error type, in the order of InvoiceErrorKind."""
    return [
        {
            "kind": kind,
            "count": counts[kind],
            "rate": selectors.invoice_error_rate(counts[kind], samples),
        }
        for kind in InvoiceErrorKind
    ]


def quarter_label(day):
    return _("Q%(quarter)s %(year)s") % {"quarter": (day.month - 1) // 3 + 1, "year": day.year}


def figures(user, *, p=None, today=None):
    """Everything the page shows: a constant number of queries (eight)."""
    today = today or timezone.localdate()
    p = p or period(today=today)
    overdue, overdue_count = overdue_audits(user, p, today)
    return Figures(
        period=p,
        scores=audit_scores(user, p),
        overdue_audits=overdue,
        overdue_audit_count=overdue_count,
        findings=finding_figures(user, p),
        actions=action_figures(user, p, today),
        **invoice_figures(user, p),
        products=product_rates(user, p),
        clusters=open_clusters(user),
        campaigns=open_campaign_progress(user, limit=LIST_LIMIT),
    )


def csv_rows(figures):
    """The dashboard's numbers as rows of (figure, dimension, value) for the CSV export."""
    yield ("figure", "dimension", "value")
    for row in figures.scores:
        yield (
            "audit score",
            f"{row['branch']} / {row['area_label']} / {row['quarter']:%Y-%m}",
            row["score"],
        )
    yield ("overdue audits", "", figures.overdue_audit_count)
    for key, value in figures.findings.items():
        yield ("open findings", key, value)
    for key, value in figures.actions.items():
        yield ("corrective actions", key, value)
    for row in figures.invoice_rates:
        yield ("invoice error rate (%)", row["branch"], row["rate"])
        for kind in row["types"]:
            yield (f"invoice error rate (%): {kind['kind']}", row["branch"], kind["rate"])
    for row in figures.invoice_trend:
        yield ("invoice error rate (%)", f"{row['branch']} / {row['quarter']:%Y-%m}", row["rate"])
    for row in figures.products:
        yield ("complaints per 100 purchases", row["product"], row["per_100"])
    for cluster in figures.clusters:
        yield ("open cluster", str(cluster), cluster.complaint_count)
    for campaign in figures.campaigns:
        yield ("campaign contacted", campaign.name, campaign.contacted)
        yield ("campaign reached", campaign.name, campaign.reached)
