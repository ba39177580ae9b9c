"""Customer.last_purchase_date: the newest purchase that was not cancelled, kept by every service
that logs, changes, cancels, imports or merges purchases (and erases customers), and filled by
the migration for the customers there were."""

import importlib
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.utils import timezone

from customers import services
from customers.importing import import_purchases
from customers.models import Customer, Purchase
from tests.customers.factories import CustomerFactory, ProductFactory, PurchaseFactory
from tests.customers.test_import import csv_file, row

TODAY = timezone.localdate()


@pytest.fixture
def product(db):
    return ProductFactory(sku="CAR-1", list_price=Decimal("25990.00"))


def log(customer, by, days_ago, product):
    return services.log_purchase(
        by=by,
        customer=customer,
        branch=customer.branch,
        salesperson=by,
        purchase_date=TODAY - timedelta(days=days_ago),
        lines=[(product, 1, product.list_price)],
    )


def stored(customer):
    return Customer.objects.values_list("last_purchase_date", flat=True).get(pk=customer.pk)


def test_logging_keeps_the_newest_date(owner, north, product):
    customer = CustomerFactory(branch=north)
    assert stored(customer) is None
    log(customer, owner, 10, product)
    assert stored(customer) == TODAY - timedelta(days=10)
    log(customer, owner, 30, product)  # an older purchase logged late
    assert stored(customer) == TODAY - timedelta(days=10)
    log(customer, owner, 2, product)
    assert stored(customer) == TODAY - timedelta(days=2)


def test_cancelling_falls_back_to_the_one_before(owner, north, product):
    customer = CustomerFactory(branch=north)
    older = log(customer, owner, 20, product)
    newer = log(customer, owner, 5, product)
    services.cancel_purchase(purchase=newer, by=owner, reason="Changed their mind")
    assert stored(customer) == older.purchase_date
    services.cancel_purchase(purchase=older, by=owner, reason="Changed their mind")
    assert stored(customer) is None


def test_changing_a_purchase_or_the_customer_keeps_it(owner, north, product):
    customer = CustomerFactory(branch=north)
    stale = Customer.objects.get(pk=customer.pk)  # a form's instance, read before the purchase
    purchase = log(customer, owner, 8, product)
    services.change_purchase(purchase=purchase, by=owner, handover_date=TODAY)
    assert stored(customer) == purchase.purchase_date
    services.update_customer(customer=stale, by=owner, city="Augsburg")
    assert stored(customer) == purchase.purchase_date


def test_merging_takes_the_newest_of_both(admin_user, north, product):
    survivor = CustomerFactory(branch=north)
    duplicate = CustomerFactory(branch=north)
    log(survivor, admin_user, 40, product)
    newest = log(duplicate, admin_user, 3, product)
    services.merge_customers(
        survivor=Customer.objects.get(pk=survivor.pk), duplicate=duplicate, by=admin_user
    )
    assert stored(survivor) == newest.purchase_date


def test_erasing_keeps_the_date_with_the_purchases(admin_user, north, product):
    customer = CustomerFactory(branch=north)
    stale = Customer.objects.get(pk=customer.pk)
    purchase = log(customer, admin_user, 6, product)
    services.erase_customer(customer=stale, by=admin_user)
    assert stored(customer) == purchase.purchase_date


def test_the_import_sets_new_and_known_customers(north, manager, product):
    known = CustomerFactory(branch=north, external_ref="K-2")
    PurchaseFactory(customer=known, purchase_date=date(2023, 1, 5))
    import_purchases(
        data=csv_file(
            row(purchase_date="01.03.2024", handover_date=""),
            row(purchase_ref="A-2", purchase_date="02.05.2024", handover_date="", identifier=""),
            row(purchase_ref="A-3", customer_ref="K-2", purchase_date="2024-02-01", identifier=""),
        ),
        by=manager,
    )
    assert stored(Customer.objects.get(external_ref="K-1")) == date(2024, 5, 2)
    assert stored(known) == date(2024, 2, 1)


def test_the_migration_fills_every_customer(north):
    migration = importlib.import_module(
        "customers.migrations.0005_last_purchase_date_and_order_indexes"
    )
    buyer, canceller, browser = (CustomerFactory(branch=north) for _ in range(3))
    PurchaseFactory(customer=buyer, purchase_date=date(2024, 1, 1))
    PurchaseFactory(customer=buyer, purchase_date=date(2025, 6, 1))
    PurchaseFactory(
        customer=buyer, purchase_date=date(2025, 9, 1), status=Purchase.Status.CANCELLED
    )
    PurchaseFactory(
        customer=canceller, purchase_date=date(2025, 9, 1), status=Purchase.Status.CANCELLED
    )
    Customer.objects.update(last_purchase_date=None)
    with connection.cursor() as cursor:
        cursor.execute(migration.FILL_LAST_PURCHASE_DATES)
    assert [stored(customer) for customer in (buyer, canceller, browser)] == [
        date(2025, 6, 1),
        None,
        None,
    ]
