"""Synthetic car buyers for the offer benchmark (followups' benchmark_offers): N customers with a
car each and, for three in ten, a workshop visit with an odometer reading, written with one
INSERT ... SELECT over generate_series per table, so that a million take minutes, not hours.

The rows take every column's Python default (so a column added later needs nothing here) and
override what makes them distinct and plausible: names, e-mail consent for six in ten, the
branch, the car's handover within the last four years. Their external references start with
BENCH- so that they can be told apart. No history rows, consent records or follow-up plans are
written: the generation reads none of them.
"""

from django.db import connection, transaction
from django.utils import timezone

from aftersales.models import Branch
from customers.models import Customer, Product, Purchase, PurchaseLine

CAR_SKU = "NC-VW-GOLF"
SERVICE_SKU = "SV-INSPECTION"


def insert_select(cursor, model, source, overrides):
    """One row in model's table per row of `source` (a FROM clause, no parameters): each column
    its field's default unless `overrides` gives (SQL expression, parameters) for it."""
    columns, values, params = [], [], []
    for field in model._meta.concrete_fields:
        if field.primary_key or field.generated:
            continue
        columns.append(connection.ops.quote_name(field.column))
        expression, expression_params = overrides.get(field.name, ("%s", None))
        values.append(expression)
        if expression_params is None:
            params.append(field.get_db_prep_save(field.get_default(), connection))
        else:
            params.extend(expression_params)
    table = connection.ops.quote_name(model._meta.db_table)
    sql = f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM {source}"  # noqa: S608  # nosec B608 (our own SQL)
    cursor.execute(sql, params)
    return cursor.rowcount


def fixed(sql):
    return sql, []


@transaction.atomic
def add_car_buyers(count, *, today=None):
    """`count` synthetic car buyers; returns (customers, visits) written."""
    today = today or timezone.localdate()
    branches = [
        int(pk) for pk in Branch.objects.filter(is_active=True).values_list("pk", flat=True)
    ]
    car = Product.objects.get(sku=CAR_SKU)
    service = Product.objects.get(sku=SERVICE_SKU)
    stamps = {"created_at": fixed("now()"), "updated_at": fixed("now()")}
    with connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM customers_customer")
        first = int(cursor.fetchone()[0])
        customers = insert_select(
            cursor,
            Customer,
            f"generate_series({first + 1}, {first + int(count)}) AS n",
            {
                "first_name": fixed("'Bench'"),
                "last_name": fixed("'Buyer ' || n"),
                "email": fixed("'bench' || n || '@example.com'"),
                "external_ref": fixed("'BENCH-' || n"),
                "search_text": fixed("'bench buyer ' || n"),
                "branch": fixed(f"(ARRAY{branches}::bigint[])[1 + n %% {len(branches)}]"),
                "consent_email": fixed("n %% 10 < 6"),
                **stamps,
            },
        )
        handover = ("%s::date - (c.id %% 1460)::int - 30", [today])
        insert_select(
            cursor,
            Purchase,
            f"customers_customer c WHERE c.id > {first}",
            {
                "customer": fixed("c.id"),
                "branch": fixed("c.branch_id"),
                "purchase_date": ("%s::date - (c.id %% 1460)::int - 37", [today]),
                "handover_date": handover,
                "identifier": fixed("'BENCHVIN' || c.id"),
                "warranty_end": ("%s::date - (c.id %% 1460)::int + 700", [today]),
                "status": ("%s", [Purchase.Status.HANDED_OVER]),
                "total": ("%s", [car.list_price]),
                "main_category": ("%s", [car.category_id]),
                "external_ref": fixed("'BENCH-CAR-' || c.id"),
                **stamps,
            },
        )
        new_cars = f"customers_purchase p WHERE p.customer_id > {first} AND p.vehicle_id IS NULL"
        line = {"purchase": fixed("p.id"), "unit_price": fixed("p.total")}
        insert_select(cursor, PurchaseLine, new_cars, {**line, "product": ("%s", [car.pk])})
        halfway = ("p.handover_date + (%s::date - p.handover_date) / 2", [today])
        visits = insert_select(
            cursor,
            Purchase,
            f"{new_cars} AND p.id %% 10 < 3",
            {
                "customer": fixed("p.customer_id"),
                "branch": fixed("p.branch_id"),
                "purchase_date": halfway,
                "handover_date": halfway,
                "status": ("%s", [Purchase.Status.HANDED_OVER]),
                "total": ("%s", [service.list_price]),
                "main_category": ("%s", [service.category_id]),
                "external_ref": fixed("'BENCH-VISIT-' || p.id"),
                "vehicle": fixed("p.id"),
                "odometer_km": ("(%s::date - p.handover_date) / 2 * (20 + p.id %% 40)", [today]),
                **stamps,
            },
        )
        insert_select(
            cursor,
            PurchaseLine,
            f"customers_purchase p WHERE p.customer_id > {first} AND p.vehicle_id IS NOT NULL",
            {**line, "product": ("%s", [service.pk])},
        )
        cursor.execute("ANALYZE customers_customer, customers_purchase, customers_purchaseline")
    return customers, visits
