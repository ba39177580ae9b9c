"""The mileage estimate and the next due service (customers.service_history.mileage) beyond the
basic cases in tests/followups/test_offer_generation.py: used cars, cancelled visits, a model's
own schedule, and the interval after a service was done."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from customers.models import MaintenanceSchedule, Purchase, PurchaseLine
from customers.service_history.mileage import estimates, next_services
from tests.customers.factories import (
    CustomerFactory,
    ProductCategoryFactory,
    ProductFactory,
    PurchaseFactory,
)

TODAY = date(2026, 10, 13)


@pytest.fixture
def cars(db):
    return ProductCategoryFactory(code="cars-m", yearly_distance_km=15000)


@pytest.fixture
def inspection(db):
    return ProductFactory(name="Inspection", category=ProductCategoryFactory(code="ws-m"))


def car(branch, cars, *, days_old, km=None, model=None):
    handover = TODAY - timedelta(days=days_old)
    bought = PurchaseFactory(
        customer=CustomerFactory(branch=branch),
        purchase_date=handover,
        handover_date=handover,
        main_category=cars,
        odometer_km=km,
    )
    PurchaseLine.objects.create(
        purchase=bought, product=model or ProductFactory(category=cars), unit_price=Decimal("1")
    )
    return bought


def visit(vehicle, *, days_ago, km, product=None, status=Purchase.Status.HANDED_OVER):
    day = TODAY - timedelta(days=days_ago)
    made = PurchaseFactory(
        customer=vehicle.customer,
        vehicle=vehicle,
        odometer_km=km,
        purchase_date=day,
        handover_date=day,
        status=status,
    )
    if product is not None:
        PurchaseLine.objects.create(purchase=made, product=product, unit_price=Decimal("1"))
    return made


def test_a_used_car_starts_from_its_reading_at_handover(north, cars):
    used = car(north, cars, days_old=365, km=60000)
    visit(used, days_ago=165, km=70000)  # 10,000 km in 200 days: 50 km a day

    estimate = estimates([used.pk], today=TODAY)[used.pk]

    assert estimate.readings == 2
    assert estimate.km_today == 70000 + 50 * 165
    assert estimate.yearly_km == 50 * 365


def test_a_used_car_with_only_its_handover_reading_drives_the_default(north, cars):
    used = car(north, cars, days_old=73, km=60000)

    assert estimates([used.pk], today=TODAY)[used.pk].km_today == 60000 + 3000


def test_cancelled_visits_do_not_count(north, cars):
    vehicle = car(north, cars, days_old=400)
    visit(vehicle, days_ago=200, km=90000, status=Purchase.Status.CANCELLED)

    estimate = estimates([vehicle.pk], today=TODAY)[vehicle.pk]

    assert estimate.readings == 1
    assert estimate.km_today == round(15000 / 365 * 400)


def test_no_vehicles_no_query(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert estimates([], today=TODAY) == {}
        assert next_services([], today=TODAY) == {}


def test_a_models_own_schedule_wins_over_the_categorys(north, cars, inspection):
    model = ProductFactory(category=cars)
    MaintenanceSchedule.objects.create(
        name="Category",
        category=cars,
        service_product=inspection,
        interval_km=30000,
        interval_months=24,
    )
    own = MaintenanceSchedule.objects.create(
        name="Model",
        product=model,
        service_product=inspection,
        interval_km=20000,
        interval_months=12,
    )
    vehicle = car(north, cars, days_old=30, model=model)

    due = next_services([vehicle.pk], today=TODAY)[vehicle.pk]

    assert due.schedule_id == own.pk
    assert due.due_km == 20000


@pytest.mark.parametrize(
    ("first_km", "first_months", "due_km", "due_date"),
    [
        (None, None, 40000, date(2028, 9, 13)),  # the interval: 24 months from the handover
        (15000, 12, 15000, date(2027, 9, 13)),  # the first service earlier
    ],
)
def test_the_first_service_after_its_own_limits(
    north, cars, inspection, first_km, first_months, due_km, due_date
):
    MaintenanceSchedule.objects.create(
        name="Cars",
        category=cars,
        service_product=inspection,
        interval_km=40000,
        interval_months=24,
        first_km=first_km,
        first_months=first_months,
    )
    vehicle = car(north, cars, days_old=30)  # handed over 13 September 2026

    due = next_services([vehicle.pk], today=TODAY)[vehicle.pk]

    assert (due.due_km, due.due_date, due.done_before) == (due_km, due_date, False)
    assert due.decided_by == "time"  # 15,000 km a year reach neither limit first


def test_after_a_service_the_interval_counts_from_that_visit(north, cars, inspection):
    MaintenanceSchedule.objects.create(
        name="Cars",
        category=cars,
        service_product=inspection,
        interval_km=30000,
        interval_months=24,
        first_km=15000,
        first_months=12,
    )
    vehicle = car(north, cars, days_old=500)
    serviced = visit(vehicle, days_ago=100, km=20000, product=inspection)

    due = next_services([vehicle.pk], today=TODAY)[vehicle.pk]

    assert due.done_before
    assert due.due_km == 20000 + 30000
    assert due.due_date == date(2028, 7, 5)  # the visit (5 July 2026) + 24 months
    # 20,000 km in 400 days: 50 km a day; 30,000 more km take 600 days from the visit, which is
    # before the 24 months: the distance decides.
    assert due.decided_by == "distance"
    assert due.next_date == serviced.purchase_date + timedelta(days=600)
