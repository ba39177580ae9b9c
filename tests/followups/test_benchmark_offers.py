"""manage.py benchmark_offers: times every rule and a second run, and keeps nothing."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from customers.models import Customer, Purchase
from followups.models import Offer
from tests.customers.factories import ProductCategoryFactory, ProductFactory
from tests.followups.test_offer_generation import (  # noqa: F401 (fixtures)
    car_buyer,
    cars,
    winter_rule,
    winter_tyres,
)

# The offer tests' fixtures are imported, and pytest hands them in by name.
# ruff: noqa: F811


def benchmark(*args):
    out = StringIO()
    call_command("benchmark_offers", *args, stdout=out)
    return out.getvalue()


def test_the_benchmark_times_each_rule_and_rolls_back(settings, north, cars, winter_rule):
    settings.DEBUG = True
    for _ in range(3):
        car_buyer(north, cars)

    out = benchmark("--at", "2026-10-13T10:00")

    assert "3 customers, 1 active rules" in out
    assert "3 suggested" in out
    assert "Second run:" in out
    assert "0 new offers" in out
    assert not Offer.objects.exists()


def test_the_benchmark_refuses_production_and_bad_input(settings, north, cars, winter_rule):
    car_buyer(north, cars)
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        benchmark()
    settings.DEBUG = True
    with pytest.raises(CommandError, match="no ISO date"):
        benchmark("--at", "October")


def test_the_benchmark_seeds_synthetic_car_buyers(settings, north, south, cars, winter_rule):
    settings.DEBUG = True
    ProductFactory(sku="NC-VW-GOLF", category=cars)
    ProductFactory(sku="SV-INSPECTION", category=ProductCategoryFactory(code="workshop-b"))

    out = benchmark("--seed", "20", "--at", "2026-10-13T10:00")

    assert "20 car buyers added" in out
    buyers = Customer.objects.filter(external_ref__startswith="BENCH-")
    assert buyers.count() == 20
    assert set(buyers.values_list("branch", flat=True)) == {north.pk, south.pk}
    cars_bought = Purchase.objects.filter(customer__in=buyers, vehicle__isnull=True)
    visits = Purchase.objects.filter(customer__in=buyers, vehicle__isnull=False)
    assert cars_bought.count() == 20
    assert visits.exists()
    assert not visits.filter(odometer_km__isnull=True).exists()
    assert all(purchase.lines.count() == 1 for purchase in cars_bought)
    # Six in ten have e-mail consent: the others are held back, and nothing is kept.
    assert "12 suggested" in out
    assert not Offer.objects.exists()
