"""The complaint list reads its page from an index in its date orders (the default is the
newest first) at the scope a manager of several branches sees, instead of sorting every visible
complaint: PostgreSQL's own plan on generated data with fresh statistics, as for the customer
and purchase lists (tests/customers/test_list_plans.py, whose data and plan reading this uses).

The other orders (next deadline, severity, status, customer) sort computed values; at a
million customers a manager's scope holds some tens of thousands of complaints, sorted in tens
of milliseconds."""

from django.db import connection

from customers.management.synthetic import fixed, insert_select
from quality import selectors
from quality.models import Complaint
from tests.customers.test_list_plans import manager_of_two, page_plan  # noqa: F401 (fixture)
from tests.quality.factories import ComplaintCategoryFactory

DATE_ORDER_INDEXES = {
    "received": "complaint_received_order",
    "-received": "complaint_received_order",
}


def add_complaints():
    """One complaint for each generated customer, received within the last four years."""
    category = ComplaintCategoryFactory().pk
    received = fixed("now() - (c.id %% 1400) * interval '1 day'")
    with connection.cursor() as cursor:
        insert_select(
            cursor,
            Complaint,
            "customers_customer c",
            {
                "customer": fixed("c.id"),
                "branch": fixed("c.branch_id"),
                "channel": ("%s", [Complaint.Channel.PHONE]),
                "received_at": received,
                "category": ("%s", [category]),
                "description": fixed("'Generated'"),
                "acknowledge_due_at": received,
                "resolve_due_at": received,
                "created_at": fixed("now()"),
                "updated_at": fixed("now()"),
            },
        )
        cursor.execute("ANALYZE quality_complaint")


def problem_with(queryset, index):
    nodes = page_plan(queryset)
    scans = [
        f"{node['Node Type']} ({node.get('Index Name', '-')})"
        for node in nodes
        if node.get("Relation Name") == "quality_complaint"
    ]
    if any(scan.startswith("Seq Scan") for scan in scans):
        return f"a sequential scan: {scans}"
    if index not in {node.get("Index Name") for node in nodes}:
        return f"not {index}: {scans}"
    if any(node["Node Type"] == "Sort" for node in nodes):
        return f"a sort of every row: {scans}"
    return ""


def test_the_date_orders_of_the_complaint_list_read_an_index(manager_of_two):  # noqa: F811
    add_complaints()

    problems = {
        ordering: problem
        for ordering, index in DATE_ORDER_INDEXES.items()
        if (
            problem := problem_with(
                selectors.complaint_list(manager_of_two, ordering=ordering), index
            )
        )
    }

    assert not problems
    assert Complaint.objects.count() == 20_000
