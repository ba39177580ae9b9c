"""The customer and purchase lists read their page from an index in every order they offer, at
the scope a manager of several branches sees, instead of sorting every visible row.

The plans are PostgreSQL's own (EXPLAIN) on generated data with fresh statistics (ANALYZE), a
few tens of thousands of rows over six branches: enough for the planner to cost a sequential
scan and a sort against an ordered index scan as it would at a million, small enough for a
test. Sequential scans are not switched off, so a missing or unusable index shows as one."""

import pytest
from django.db import connection

from customers import selectors
from tests.aftersales.factories import BranchFactory, UserFactory
from tests.customers.factories import ProductCategoryFactory

CUSTOMERS = 20_000
BIG_TABLES = {"customers_customer", "customers_purchase"}

GENERATE = """
    SELECT setseed(0.12);
    INSERT INTO customers_customer (
        kind, company_name, salutation, first_name, last_name, email, phone, mobile, street,
        postcode, city, country, preferred_language, preferred_channel, notes, external_ref,
        consent_email, consent_phone, consent_sms, consent_letter, search_text, created_at,
        updated_at, branch_id, last_purchase_date
    )
    SELECT 'person', '', '', 'First' || (random() * 500)::int, 'Name' || (random() * 3000)::int,
        'plan' || number || '@example.com', '', '', '', '80331', 'City' || (random() * 400)::int,
        'DE', 'de', 'phone', '', '', random() < 0.5, random() < 0.5, false, false, '',
        now() - random() * interval '1400 days', now(), (%(branches)s)[1 + number %% 6],
        DATE '2022-01-01' + (random() * 1400)::int
    FROM generate_series(1, %(customers)s) AS number;
    INSERT INTO customers_purchase (
        purchase_date, handover_date, identifier, status, total, currency, notes, external_ref,
        created_at, updated_at, cancellation_reason, branch_id, customer_id, main_category_id
    )
    SELECT bought, bought + (random() * 20)::int, '', 'handed_over',
        (100 + random() * 80000)::numeric(12, 2), 'EUR', '', '', now(), now(), '', branch_id,
        id, %(category)s
    FROM (
        SELECT customer.*, DATE '2022-01-01' + (random() * 1400)::int AS bought
        FROM customers_customer AS customer, generate_series(1, 2) AS copy
        WHERE copy = 1 OR random() < 0.5
    ) AS customer;
    ANALYZE customers_customer;
    ANALYZE customers_purchase;
"""


@pytest.fixture
def manager_of_two(db):
    """Six branches with generated customers and purchases (in SQL: seconds instead of
    minutes); a manager of two of them."""
    branches = [BranchFactory(code=f"PLAN{number}") for number in range(6)]
    with connection.cursor() as cursor:
        cursor.execute(
            GENERATE,
            {
                "branches": [branch.pk for branch in branches],
                "customers": CUSTOMERS,
                "category": ProductCategoryFactory().pk,
            },
        )
    return UserFactory(roles=["manager"], branches=branches[:2])


def plan_nodes(plan):
    yield plan
    for child in plan.get("Plans", ()):
        yield from plan_nodes(child)


def page_plan(queryset):
    """The plan of a list's first page (what the paginator asks for) as its nodes."""
    sql, params = queryset[:25].query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        (explained,) = cursor.fetchone()
    return list(plan_nodes(explained[0]["Plan"]))


def unserved_by(queryset, index):
    """What is wrong with the plan of the list's first page; empty when the index serves it."""
    nodes = page_plan(queryset)
    scans = [
        f"{node['Node Type']} on {node['Relation Name']} ({node.get('Index Name', '-')})"
        for node in nodes
        if node.get("Relation Name") in BIG_TABLES
    ]
    if any(scan.startswith("Seq Scan") for scan in scans):
        return f"a sequential scan: {scans}"
    if index not in {node.get("Index Name") for node in nodes}:
        return f"not {index}: {scans}"
    if any(node["Node Type"] == "Sort" for node in nodes):
        return f"a sort of every row: {scans}"
    return ""


CUSTOMER_ORDER_INDEXES = {
    "name": "customer_name_order",
    "-name": "customer_name_order",
    "city": "customer_city_order",
    "-city": "customer_city_order",
    "created": "customer_created_order",
    "-created": "customer_created_order",
    "last_purchase": "customer_last_purchase_order",
    "-last_purchase": "customer_last_purchase_order",
}
PURCHASE_ORDER_INDEXES = {
    "date": "purchase_date_order",
    "-date": "purchase_date_order",
    "handover": "purchase_handover_order",
    "-handover": "purchase_handover_order",
    "total": "purchase_total_order",
    "-total": "purchase_total_order",
    # Customers in name order, each one's purchases by the customer's index.
    "customer": "customer_name_order",
    "-customer": "customer_name_order",
}


def test_every_order_of_the_lists_reads_an_index(manager_of_two):
    # One test for all orders: the data are made once.
    unserved = {
        f"{name} {ordering}": problem
        for name, selector, indexes in [
            ("customers", selectors.customer_list, CUSTOMER_ORDER_INDEXES),
            ("purchases", selectors.purchase_list, PURCHASE_ORDER_INDEXES),
        ]
        for ordering, index in indexes.items()
        if (problem := unserved_by(selector(manager_of_two, ordering=ordering), index))
    }
    assert not unserved


def test_every_offered_order_is_checked():
    """A new order in the selectors needs its index and its line above."""
    assert set(selectors.CUSTOMER_ORDERINGS) == set(CUSTOMER_ORDER_INDEXES)
    assert set(selectors.PURCHASE_ORDERINGS) == set(PURCHASE_ORDER_INDEXES)
