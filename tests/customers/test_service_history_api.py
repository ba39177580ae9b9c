"""The service history in the API: /api/maintenance-schedules/ (validation, permissions) and the
purchase API's vehicle, odometer, mileage, next service and declined work (scoping)."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from customers.models import DeclinedWork, MaintenanceSchedule, Purchase, PurchaseLine
from tests.customers.factories import (
    CustomerFactory,
    ProductCategoryFactory,
    ProductFactory,
    PurchaseFactory,
)

TODAY = date(2026, 10, 13)
SCHEDULES = "/api/maintenance-schedules/"


@pytest.fixture(autouse=True)
def on_a_fixed_day():
    with time_machine.travel(date(2026, 10, 13), tick=False):
        yield


@pytest.fixture
def cars(db):
    return ProductCategoryFactory(code="cars-a", name="Cars", yearly_distance_km=15000)


@pytest.fixture
def inspection(db):
    workshop = ProductCategoryFactory(code="workshop-a", name="Workshop", involvement="low")
    return ProductFactory(name="Inspection", sku="INSP-A", category=workshop)


@pytest.fixture
def schedule(cars, inspection):
    return MaintenanceSchedule.objects.create(
        name="Cars",
        category=cars,
        service_product=inspection,
        interval_km=30000,
        interval_months=12,
    )


def a_car(branch, cars, *, days_old=400):
    handover = TODAY - timedelta(days=days_old)
    car = PurchaseFactory(
        customer=CustomerFactory(branch=branch),
        purchase_date=handover,
        handover_date=handover,
        main_category=cars,
    )
    PurchaseLine.objects.create(
        purchase=car, product=ProductFactory(category=cars), unit_price=Decimal("30000")
    )
    return car


def a_visit(car, *, days_ago, km):
    day = TODAY - timedelta(days=days_ago)
    return PurchaseFactory(
        customer=car.customer,
        vehicle=car,
        odometer_km=km,
        purchase_date=day,
        handover_date=day,
    )


# --- maintenance schedules ---


def payload(cars, inspection, **changes):
    return {
        "name": "Cars: 30,000 km or 2 years",
        "category": cars.pk,
        "service_product": inspection.pk,
        "interval_km": 30000,
        "interval_months": 24,
        "first_km": 15000,
        "first_months": 12,
    } | changes


def test_administrators_create_and_change_schedules(client_for, admin_user, cars, inspection):
    client = client_for(admin_user)
    created = client.post(SCHEDULES, payload(cars, inspection), format="json")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["category"], body["product"], body["first_months"]) == (cars.pk, None, 12)

    changed = client.patch(f"{SCHEDULES}{body['id']}/", {"interval_months": 18}, format="json")
    assert changed.status_code == 200, changed.content
    assert MaintenanceSchedule.objects.get().interval_months == 18


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"product": "MODEL"}, "non_field_errors"),  # a model and a category
        ({"category": None}, "non_field_errors"),  # neither
        ({"interval_km": 500}, "interval_km"),
        ({"interval_months": 0}, "interval_months"),
        ({"service_product": 999999}, "service_product"),
        ({"category": "NO_VEHICLE"}, "category"),
    ],
)
def test_schedule_validation(client_for, admin_user, cars, inspection, changes, field):
    model = ProductFactory(category=cars)
    replace = {"MODEL": model.pk, "NO_VEHICLE": inspection.category_id}
    changes = {key: replace.get(value, value) for key, value in changes.items()}
    response = client_for(admin_user).post(
        SCHEDULES, payload(cars, inspection, **changes), format="json"
    )

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not MaintenanceSchedule.objects.exists()


def test_one_fallback_per_category(client_for, admin_user, schedule, cars, inspection):
    response = client_for(admin_user).post(SCHEDULES, payload(cars, inspection), format="json")

    assert response.status_code == 400
    assert MaintenanceSchedule.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "read", "write"),
    [
        ("admin_user", 200, 201),
        ("manager", 200, 403),
        ("owner", 200, 403),
        ("quality_manager", 200, 403),
        ("shopper", 403, 403),
    ],
)
def test_who_reads_and_writes_schedules(
    request, client_for, schedule, cars, inspection, persona, read, write
):
    client = client_for(request.getfixturevalue(persona))
    schedule.delete()  # so that the create is not refused as a second fallback
    MaintenanceSchedule.objects.create(
        name="Other",
        product=ProductFactory(category=cars),
        service_product=inspection,
        interval_km=20000,
        interval_months=12,
    )

    assert client.get(SCHEDULES).status_code == read
    assert client.post(SCHEDULES, payload(cars, inspection), format="json").status_code == write


def test_schedules_search_and_filter(client_for, owner, schedule, cars, inspection):
    model_schedule = MaintenanceSchedule.objects.create(
        name="Golf",
        product=ProductFactory(name="Golf", category=cars),
        service_product=inspection,
        interval_km=20000,
        interval_months=12,
        is_active=False,
    )
    client = client_for(owner)

    def ids(**params):
        return [item["id"] for item in client.get(SCHEDULES, params).json()["results"]]

    assert ids(search="golf") == [model_schedule.pk]
    assert ids(is_active="true") == [schedule.pk]
    assert ids(category=cars.pk) == [schedule.pk]


# --- the purchase API ---


def test_a_cars_mileage_and_next_service(client_for, owner, north, cars, schedule):
    car = a_car(north, cars)
    a_visit(car, days_ago=200, km=20000)

    body = client_for(owner).get(f"/api/purchases/{car.pk}/").json()

    mileage = body["mileage"]
    assert mileage["vehicle"] == car.pk
    assert (mileage["estimated_km_today"], mileage["last_reading_km"]) == (40000, 20000)
    assert mileage["last_reading_on"] == str(TODAY - timedelta(days=200))
    assert mileage["next_service"]["decided_by"] == "distance"
    assert mileage["next_service"]["due_km"] == 30000
    assert mileage["next_service"]["next_date"] == str(TODAY - timedelta(days=100))


def test_a_visit_shows_its_car_reading_and_declined_work(client_for, owner, north, cars):
    car = a_car(north, cars)
    visit = a_visit(car, days_ago=30, km=9000)
    DeclinedWork.objects.create(
        visit=visit,
        vehicle=car,
        customer=car.customer,
        branch=north,
        description="Brake pads",
        estimated_price=Decimal("240"),
        urgency="safety",
        declined_on=visit.purchase_date,
    )

    body = client_for(owner).get(f"/api/purchases/{visit.pk}/").json()

    assert (body["vehicle"], body["odometer_km"]) == (car.pk, 9000)
    assert body["mileage"]["vehicle"] == car.pk
    assert body["mileage"]["next_service"] is None  # no schedule
    (work,) = body["declined_work"]
    assert (work["description"], work["urgency"], work["status"]) == (
        "Brake pads",
        "safety",
        "open",
    )


def test_a_purchase_that_is_no_car_has_no_mileage(client_for, owner, north):
    purchase = PurchaseFactory(customer=CustomerFactory(branch=north))

    assert client_for(owner).get(f"/api/purchases/{purchase.pk}/").json()["mileage"] is None


@pytest.mark.parametrize("cars_on_page", [2, 8])
def test_the_list_reads_the_pages_mileage_at_once(
    client_for, owner, north, cars, schedule, cars_on_page, django_assert_max_num_queries
):
    for _ in range(cars_on_page):
        a_visit(a_car(north, cars), days_ago=50, km=5000)
    client = client_for(owner)
    # the permission check (2); branches; count; page; lines; declined work; the categories
    # of the purchases; estimates; next services
    with django_assert_max_num_queries(10):
        body = client.get("/api/purchases/").json()
    assert body["count"] == 2 * cars_on_page
    assert all(item["mileage"]["estimated_km_today"] > 5000 for item in body["results"])


def test_other_branches_see_no_mileage(client_for, outsider, north, cars):
    car = a_car(north, cars)

    assert client_for(outsider).get(f"/api/purchases/{car.pk}/").status_code == 404


def test_log_a_service_visit_with_its_car_and_reading(client_for, owner, north, cars, inspection):
    car = a_car(north, cars)
    response = client_for(owner).post(
        "/api/purchases/",
        {
            "customer": car.customer_id,
            "branch": north.pk,
            "purchase_date": str(TODAY),
            "handover_date": str(TODAY),
            "lines": [{"product": inspection.pk, "unit_price": "289.00"}],
            "vehicle": car.pk,
            "odometer_km": 16000,
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    visit = Purchase.objects.get(pk=response.json()["id"])
    assert (visit.vehicle, visit.odometer_km) == (car, 16000)
    assert response.json()["mileage"]["last_reading_km"] == 16000


@pytest.mark.parametrize(
    ("vehicle", "odometer_km"),
    [("OTHER_BRANCH", 1000), ("OTHER_CUSTOMER", 1000), ("OWN", -5), ("OWN", "many")],
)
def test_a_visits_car_and_reading_are_checked(
    client_for, owner, north, south, cars, inspection, vehicle, odometer_km
):
    car = a_car(north, cars)
    cars_by_name = {
        "OWN": car,
        "OTHER_BRANCH": a_car(south, cars),
        "OTHER_CUSTOMER": a_car(north, cars),
    }
    response = client_for(owner).post(
        "/api/purchases/",
        {
            "customer": car.customer_id,
            "branch": north.pk,
            "purchase_date": str(TODAY),
            "lines": [{"product": inspection.pk, "unit_price": "289.00"}],
            "vehicle": cars_by_name[vehicle].pk,
            "odometer_km": odometer_km,
        },
        format="json",
    )

    assert response.status_code == 400, response.content
    assert set(response.json()) <= {"vehicle", "odometer_km"}
    assert not Purchase.objects.filter(vehicle__isnull=False).exists()
