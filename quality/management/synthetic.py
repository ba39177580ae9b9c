"""Synthetic complaints with their dissonance signals for the benchmarks (staff's
benchmark_pages), in the demo data's proportion: one customer in fourteen of the synthetic car
buyers (customers.management.synthetic) complains about their car, within the last year, four in
five of those complaints are closed. One INSERT … SELECT per table, as for the car buyers; the
product roll-up is rebuilt afterwards, as the nightly tick does.

The signals are written as the complaint service writes them (one per complaint, its weight from
the scoring table, `complaint:<id>` as the source key); the customers' scores are not computed
(the nightly recompute does that), so the dashboards' risk lists stay the demo's.
"""

from django.db import connection, transaction
from django.utils import timezone

from customers.management.synthetic import fixed, insert_select
from quality import scoring
from quality.campaigns.services import refresh_product_figures
from quality.models import (
    Complaint,
    ComplaintCategory,
    ComplaintStatus,
    DissonanceSignal,
    Nature,
    Severity,
)

# One synthetic car buyer in this many complains (the demo: 22 complaints of 300 customers).
COMPLAINT_EVERY = 14


def _pick(values, by):
    """SQL choosing one of `values` (strings) by the integer expression `by`."""
    quoted = ", ".join(f"'{value}'" for value in values)
    return fixed(f"(ARRAY[{quoted}])[1 + ({by}) %% {len(values)}]")


@transaction.atomic
def add_complaints(*, since_customer_id):
    """Complaints for the synthetic car buyers with an id above `since_customer_id`, with their
    signals; returns (complaints, signals) written."""
    categories = list(
        ComplaintCategory.objects.filter(parent__isnull=False).values_list("pk", flat=True)
    ) or list(ComplaintCategory.objects.values_list("pk", flat=True))
    if not categories:
        return 0, 0
    now = timezone.now()
    closed = "p.id %% 5 <> 0"
    received = ("%s::timestamptz - ((p.id * 7919) %% 365) * interval '1 day'", [now])
    stamps = {"created_at": fixed("now()"), "updated_at": fixed("now()")}
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM quality_complaint")
        first = int(cursor.fetchone()[0])
        complaints = insert_select(
            cursor,
            Complaint,
            "customers_purchase p JOIN customers_customer c ON c.id = p.customer_id "
            f"WHERE c.id > {int(since_customer_id)} AND c.external_ref LIKE 'BENCH-%%' "
            f"AND p.vehicle_id IS NULL AND p.external_ref LIKE 'BENCH-CAR-%%' "
            f"AND c.id %% {COMPLAINT_EVERY} = 0",
            {
                "customer": fixed("c.id"),
                "purchase": fixed("p.id"),
                "branch": fixed("p.branch_id"),
                "product_category": fixed("p.main_category_id"),
                "responsible_salesperson": fixed("p.salesperson_id"),
                "channel": ("%s", [Complaint.Channel.PHONE]),
                "received_at": received,
                "category": fixed(f"(ARRAY{categories}::bigint[])[1 + p.id %% {len(categories)}]"),
                "nature": _pick(Nature.values, "p.id / 3"),
                "severity": _pick(
                    [Severity.LOW, Severity.MEDIUM, Severity.MEDIUM, Severity.HIGH], "p.id / 7"
                ),
                "description": fixed("'Synthetic complaint about the car ' || p.id"),
                "status": (
                    f"CASE WHEN {closed} THEN %s ELSE %s END",
                    [ComplaintStatus.CLOSED, ComplaintStatus.IN_PROGRESS],
                ),
                "acknowledge_due_at": (f"{received[0]} + interval '1 day'", [now]),
                "resolve_due_at": (f"{received[0]} + interval '14 days'", [now]),
                "acknowledged_at": (f"{received[0]} + interval '4 hours'", [now]),
                "resolved_at": (
                    f"CASE WHEN {closed} THEN {received[0]} + interval '6 days' END",
                    [now],
                ),
                "closed_at": (
                    f"CASE WHEN {closed} THEN {received[0]} + interval '7 days' END",
                    [now],
                ),
                "resolution": (
                    f"CASE WHEN {closed} THEN %s ELSE '' END",
                    [Complaint.Resolution.REPAIR],
                ),
                **stamps,
            },
        )
        weights = scoring.weights()
        weight = (
            "round((CASE k.severity "
            + " ".join(
                f"WHEN '{severity}' THEN {float(points)}"
                for severity, points in weights["complaint"].items()
            )
            + " END) * (CASE k.nature "
            + " ".join(
                f"WHEN '{nature}' THEN {float(factor)}"
                for nature, factor in weights["nature"].items()
            )
            + " END))::int"
        )
        signals = insert_select(
            cursor,
            DissonanceSignal,
            f"quality_complaint k JOIN customers_purchase p ON p.id = k.purchase_id "
            f"WHERE k.id > {first}",
            {
                "customer": fixed("k.customer_id"),
                "purchase": fixed("k.purchase_id"),
                "branch": fixed("k.branch_id"),
                "category": fixed("k.product_category_id"),
                "salesperson": fixed("p.salesperson_id"),
                "handover_date": fixed("p.handover_date"),
                "kind": ("%s", [DissonanceSignal.Kind.COMPLAINT]),
                "weight": fixed(weight),
                "occurred_at": fixed("k.received_at"),
                "summary": fixed("'Complaint'"),
                "source_key": fixed("'complaint:' || k.id"),
                "complaint": fixed("k.id"),
            },
        )
    refresh_product_figures()
    return complaints, signals
