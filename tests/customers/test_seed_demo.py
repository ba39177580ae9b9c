from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, F, Sum

from customers import selectors, services
from customers.management.commands import seed_demo
from customers.models import (
    Channel,
    ConsentRecord,
    Customer,
    InvolvementLevel,
    Product,
    ProductCategory,
    Purchase,
    PurchaseLine,
)
from customers.signals import purchase_logged


@pytest.fixture
def demo_staff(db, settings):
    settings.DEBUG = True
    call_command("load_demo_data", stdout=StringIO())


@pytest.fixture
def small_demo(monkeypatch):
    # The real default is a few hundred customers (about 20 s through the services); a few
    # dozen exercise the same code.
    monkeypatch.setattr(seed_demo, "DEMO_CUSTOMERS", 25)


@pytest.fixture
def logged_purchases():
    received = []

    def receiver(sender, purchase, **kwargs):
        received.append(purchase.pk)

    purchase_logged.connect(receiver)
    yield received
    purchase_logged.disconnect(receiver)


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def assert_consent_flags_follow_the_latest_records():
    for customer in Customer.objects.prefetch_related("consents"):
        current = selectors.current_consent(customer)
        for channel in Channel.values:
            record = current[channel]
            assert getattr(customer, f"consent_{channel}") == bool(record and record.granted)


def test_default_run_creates_catalogue_and_customers_through_the_services(
    demo_staff, small_demo, logged_purchases
):
    output = seed()

    categories = {category.code: category for category in ProductCategory.objects.all()}
    settings_of = {
        code: (category.involvement, category.default_warranty_months)
        for code, category in categories.items()
    }
    assert settings_of == {
        "new-cars": (InvolvementLevel.HIGH, 24),
        "used-cars": (InvolvementLevel.HIGH, 12),
        "tyres": (InvolvementLevel.LOW, 0),
        "services": (InvolvementLevel.LOW, 0),
        "accessories": (InvolvementLevel.MEDIUM, 12),
        "insurance": (InvolvementLevel.MEDIUM, 0),
        "financing": (InvolvementLevel.HIGH, 0),
    }
    assert Product.objects.filter(sku__in=["NC-VW-GOLF", "TY-WINTER-16", "FI-LOAN-48"]).count() == 3

    assert Customer.objects.count() == 25
    assert set(Customer.objects.values_list("branch__code", flat=True)) == {"MUC", "VIE"}
    purchases = Purchase.objects.select_related("main_category", "branch", "salesperson")
    assert purchases.count() >= 25
    # Every purchase went through log_purchase: the signal reached the higher apps.
    assert sorted(logged_purchases) == sorted(purchases.values_list("pk", flat=True))
    assert f"{purchases.count()} purchases" in output
    for purchase in purchases:
        assert purchase.salesperson.branches.filter(pk=purchase.branch_id).exists()
        if purchase.handover_date:
            assert purchase.handover_date >= purchase.purchase_date
        if purchase.main_category.code in ("new-cars", "used-cars"):
            assert len(purchase.identifier) == 17
    assert ConsentRecord.objects.exists()
    assert_consent_flags_follow_the_latest_records()


def test_default_run_is_idempotent(demo_staff, small_demo):
    seed()
    counts = (Customer.objects.count(), Purchase.objects.count(), Product.objects.count())

    output = seed()

    assert "already exists; nothing to do" in output
    assert (Customer.objects.count(), Purchase.objects.count(), Product.objects.count()) == counts


def test_bulk_run_creates_searchable_customers_with_purchases(demo_staff):
    output = seed("--customers", "200", "--batch-size", "80")

    assert "200 / 200 customers" in output
    assert Customer.objects.count() == 200
    assert ProductCategory.objects.count() == 7  # the catalogue is made when missing
    customers = Customer.objects.prefetch_related("purchases")
    for customer in customers:
        identifiers = [p.identifier for p in customer.purchases.all() if p.identifier]
        assert customer.search_text == services.search_text_for(customer, identifiers)
        assert customer.purchases.all(), "every customer bought something"

    customer = Customer.objects.exclude(email="").order_by("pk").first()
    everyone = Customer.objects.all()
    assert customer in selectors.search_customers(everyone, customer.last_name)
    assert customer in selectors.search_customers(everyone, customer.email)
    car = Purchase.objects.filter(main_category__code="new-cars").first()
    assert car.customer in selectors.search_customers(everyone, car.identifier.lower())

    # Lines add up to the totals; the status, warranty and history look like the services'.
    line_amount = F("lines__quantity") * F("lines__unit_price")
    totals = Purchase.objects.annotate(lines_total=Sum(line_amount)).values_list(
        "total", "lines_total"
    )
    assert all(total == lines_total for total, lines_total in totals)
    assert not Purchase.objects.annotate(line_count=Count("lines")).filter(line_count=0).exists()
    assert PurchaseLine.objects.count() >= Purchase.objects.count()
    assert Purchase.objects.filter(status=Purchase.Status.HANDED_OVER).exists()
    assert Customer.history.count() == 200
    assert Purchase.history.count() == Purchase.objects.count()
    # Spread over two years, not all stamped "now".
    assert Customer.objects.dates("created_at", "month").count() > 6
    assert_consent_flags_follow_the_latest_records()


def test_same_seed_same_people(demo_staff):
    seed("--customers", "5")
    seed("--customers", "5")
    names = list(Customer.objects.order_by("pk").values_list("first_name", "last_name", "email"))
    assert names[:5] == names[5:]


def test_refuses_to_run_with_debug_off(demo_staff, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG"):
        seed()
    with pytest.raises(CommandError, match="DEBUG"):
        seed("--customers", "10")
    assert not Customer.objects.exists()
    assert not ProductCategory.objects.exists()

    seed("--customers", "3", "--force")
    assert Customer.objects.count() == 3


def test_needs_the_demo_branches(db, settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="load_demo_data"):
        seed()
