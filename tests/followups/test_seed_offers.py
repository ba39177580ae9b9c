"""The demo service history and offer rules: seed_service_history and seed_offers on a small
demo data set, each idempotent."""

from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from customers.management import demo_data
from customers.management.commands import seed_demo
from customers.models import DeclinedWork, MaintenanceSchedule, ProductCategory, Purchase
from followups.models import Offer, OfferRule

OCTOBER = datetime(2026, 10, 13, 9, 0, tzinfo=ZoneInfo("Europe/Berlin"))


@pytest.fixture
def demo(db, settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setattr(seed_demo, "DEMO_CUSTOMERS", 60)
    with time_machine.travel(OCTOBER, tick=False):
        call_command("load_demo_data", stdout=StringIO())
        call_command("seed_demo", stdout=StringIO())
        yield


def seed(command):
    out = StringIO()
    with time_machine.travel(OCTOBER, tick=False):
        call_command(command, stdout=out)
    return out.getvalue()


def snapshot():
    return (
        MaintenanceSchedule.objects.count(),
        sorted(Purchase.objects.filter(vehicle__isnull=False).values_list("pk", "odometer_km")),
        DeclinedWork.objects.count(),
        OfferRule.objects.count(),
        Offer.objects.count(),
    )


def test_the_demo_service_history_and_offer_rules(demo):
    seed("seed_service_history")
    seed("seed_offers")

    cars = ProductCategory.objects.filter(code__in=demo_data.VEHICLE_YEARLY_KM)
    assert set(cars.values_list("yearly_distance_km", flat=True)) == {15000}
    assert MaintenanceSchedule.objects.filter(category__in=cars).count() == 2
    assert MaintenanceSchedule.objects.filter(product__isnull=False).count() == 2
    visits = Purchase.objects.filter(vehicle__isnull=False)
    assert visits.exists()
    assert not visits.filter(odometer_km__isnull=True).exists()
    # Every visit is of an earlier car of the same customer.
    for visit in visits.select_related("vehicle"):
        assert visit.vehicle.customer_id == visit.customer_id
        assert visit.vehicle.handover_date <= visit.purchase_date
    declined = DeclinedWork.objects.all()
    assert declined.exists()
    assert not declined.filter(vehicle__isnull=True).exists()
    # A rule for every demo category, and the seasonal pair among them.
    rule_categories = set(OfferRule.objects.values_list("category__code", flat=True))
    assert rule_categories == {code for code, *_rest in demo_data.CATEGORIES}
    seasons = set(OfferRule.objects.values_list("season_start_month", "season_start_day"))
    assert {(10, 1), (3, 15)} <= seasons


def test_running_the_seeds_again_creates_nothing(demo):
    seed("seed_service_history")
    seed("seed_offers")
    first = snapshot()

    seed("seed_service_history")
    out = seed("seed_offers")

    assert snapshot() == first
    assert "0 created" in out


def test_the_seeds_need_the_demo_catalogue(db, settings):
    settings.DEBUG = True
    call_command("load_demo_data", stdout=StringIO())
    with pytest.raises(CommandError):
        seed("seed_service_history")
    with pytest.raises(CommandError):
        seed("seed_offers")
