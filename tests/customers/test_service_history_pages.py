"""The service history in the browser: the mileage panels of the purchase and customer pages,
declined work recorded and closed at a visit, and the maintenance schedule pages."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine
from django.urls import reverse

from customers.models import DeclinedWork, MaintenanceSchedule, PurchaseLine
from tests.customers.factories import (
    CustomerFactory,
    ProductCategoryFactory,
    ProductFactory,
    PurchaseFactory,
)

TODAY = date(2026, 10, 13)


@pytest.fixture(autouse=True)
def on_a_fixed_day():
    with time_machine.travel(date(2026, 10, 13), tick=False):
        yield


@pytest.fixture
def cars(db):
    return ProductCategoryFactory(code="cars-p", name="Cars", yearly_distance_km=15000)


@pytest.fixture
def inspection(db):
    workshop = ProductCategoryFactory(code="workshop-p", name="Workshop", involvement="low")
    return ProductFactory(name="Inspection", sku="INSP", category=workshop)


@pytest.fixture
def schedule(cars, inspection):
    return MaintenanceSchedule.objects.create(
        name="Cars: yearly",
        category=cars,
        service_product=inspection,
        interval_km=30000,
        interval_months=12,
    )


@pytest.fixture
def car(north, cars):
    handover = TODAY - timedelta(days=400)
    purchase = PurchaseFactory(
        customer=CustomerFactory(branch=north),
        purchase_date=handover,
        handover_date=handover,
        identifier="WVWZZZ1JZXW000777",
        main_category=cars,
    )
    PurchaseLine.objects.create(
        purchase=purchase, product=ProductFactory(category=cars), unit_price=Decimal("30000")
    )
    return purchase


def visit_of(car, *, days_ago, km, product=None):
    day = TODAY - timedelta(days=days_ago)
    visit = PurchaseFactory(
        customer=car.customer,
        vehicle=car,
        odometer_km=km,
        purchase_date=day,
        handover_date=day,
        total=Decimal("289"),
    )
    if product is not None:
        PurchaseLine.objects.create(purchase=visit, product=product, unit_price=Decimal("289"))
    return visit


def test_the_cars_page_shows_mileage_and_the_next_service(login, owner, car, schedule):
    visit_of(car, days_ago=200, km=20000)
    page = login(owner).get(car.get_absolute_url())

    text = page.content.decode()
    # 20,000 km in 200 days: 100 km a day, 200 days since the reading.
    assert "40,000 km" in text
    assert "Last reading 20,000 km on" in text
    # Due 12 months after the handover (time), or at 30,000 km, reached 100 days after the
    # reading: the distance decides.
    assert "the distance decides" in text
    assert page.context["panel"].next_service.next_date == TODAY - timedelta(days=100)
    assert page.context["panel"].service_overdue


def test_a_car_without_readings_uses_the_categorys_distance(login, owner, car):
    page = login(owner).get(car.get_absolute_url())

    assert page.context["panel"].estimate.km_today == round(15000 / 365 * 400)
    # The handover is the one reading (0 km for a new car).
    assert "Last reading 0 km on" in page.content.decode()
    assert "No maintenance schedule" in page.content.decode()


def test_a_purchase_that_is_no_car_has_no_panel(login, owner, north):
    page = login(owner).get(
        PurchaseFactory(customer=CustomerFactory(branch=north)).get_absolute_url()
    )

    assert page.context["panel"] is None


@pytest.mark.parametrize("visits", [1, 6])
def test_the_purchase_page_costs_the_same_with_more_visits(
    login, owner, car, schedule, inspection, visits, django_assert_max_num_queries
):
    for number in range(visits):
        visit = visit_of(car, days_ago=300 - number * 10, km=5000 + number * 1000)
        DeclinedWork.objects.create(
            visit=visit,
            vehicle=car,
            customer=car.customer,
            branch=car.branch,
            description=f"Work {number}",
            urgency="soon",
            declined_on=visit.purchase_date,
        )
    client = login(owner)
    # session, user, branches; the purchase with its lines and history; the panel: estimate,
    # next service, schedule, visits, declined work; the navigation's permission checks.
    with django_assert_max_num_queries(20):
        client.get(car.get_absolute_url())


def test_the_customer_page_lists_the_cars_with_their_mileage(login, owner, car):
    visit_of(car, days_ago=100, km=12000)
    page = login(owner).get(car.customer.get_absolute_url())

    (owned,) = page.context["vehicles"]
    assert owned.purchase == car
    assert owned.estimate.last_reading_on == TODAY - timedelta(days=100)
    assert "Estimated mileage today" in page.content.decode()


# --- declined work ---


def test_record_declined_work_at_a_visit(login, owner, car, inspection):
    visit = visit_of(car, days_ago=10, km=15000)
    response = login(owner).post(
        reverse("customers:declined-work-add", args=[visit.pk]),
        {
            "description": "Front brake pads",
            "estimated_price": "240.00",
            "urgency": "safety",
            "product": inspection.pk,
        },
        follow=True,
    )

    work = DeclinedWork.objects.get()
    assert (work.description, work.urgency, work.vehicle, work.declined_on) == (
        "Front brake pads",
        "safety",
        car,
        visit.purchase_date,
    )
    assert work.estimated_price == Decimal("240.00")
    assert "Declined work recorded." in response.content.decode()
    assert "Front brake pads" in response.content.decode()


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"description": "", "urgency": "soon"}, "description"),
        ({"description": "Tyres", "urgency": "whenever"}, "urgency"),
        ({"description": "Tyres", "urgency": "soon", "estimated_price": "-5"}, "estimated_price"),
    ],
)
def test_bad_declined_work_is_a_field_error(login, owner, car, data, field):
    visit = visit_of(car, days_ago=10, km=15000)
    response = login(owner).post(reverse("customers:declined-work-add", args=[visit.pk]), data)

    assert response.status_code == 200
    assert field in response.context["declined_work_form"].errors
    assert not DeclinedWork.objects.exists()


def test_other_branches_cannot_record_or_close(login, outsider, car):
    visit = visit_of(car, days_ago=10, km=15000)
    work = DeclinedWork.objects.create(
        visit=visit,
        vehicle=car,
        customer=car.customer,
        branch=car.branch,
        description="Wipers",
        urgency="later",
        declined_on=visit.purchase_date,
    )
    client = login(outsider)
    add = client.post(
        reverse("customers:declined-work-add", args=[visit.pk]),
        {"description": "Tyres", "urgency": "soon"},
    )
    close = client.post(reverse("customers:declined-work-close", args=[work.pk]))

    assert (add.status_code, close.status_code) == (404, 404)
    work.refresh_from_db()
    assert work.is_open
    assert DeclinedWork.objects.count() == 1


def test_quality_may_look_but_not_record(login, quality_manager, car):
    visit = visit_of(car, days_ago=10, km=15000)
    client = login(quality_manager)

    assert client.get(visit.get_absolute_url()).status_code == 200
    response = client.post(
        reverse("customers:declined-work-add", args=[visit.pk]),
        {"description": "Tyres", "urgency": "soon"},
    )
    assert response.status_code == 403


def test_declined_work_done_in_a_later_visit_or_no_longer_needed(login, owner, car, inspection):
    first = visit_of(car, days_ago=100, km=10000)
    later = visit_of(car, days_ago=5, km=14000)
    done, dismissed = (
        DeclinedWork.objects.create(
            visit=first,
            vehicle=car,
            customer=car.customer,
            branch=car.branch,
            description=description,
            urgency="soon",
            declined_on=first.purchase_date,
        )
        for description in ("Brake discs", "Wiper blades")
    )
    client = login(owner)
    page = client.get(first.get_absolute_url())
    assert [visit.pk for visit in page.context["panel"].declined_work[0].recapture_visits] == [
        later.pk
    ]

    client.post(reverse("customers:declined-work-close", args=[done.pk]), {"done_in": later.pk})
    client.post(reverse("customers:declined-work-close", args=[dismissed.pk]))

    done.refresh_from_db()
    dismissed.refresh_from_db()
    assert (done.status, done.done_in) == (DeclinedWork.Status.DONE, later)
    assert (dismissed.status, dismissed.done_in) == (DeclinedWork.Status.DISMISSED, None)
    # Closed twice: refused with a message, nothing changes.
    response = client.post(
        reverse("customers:declined-work-close", args=[dismissed.pk]), follow=True
    )
    assert "already closed" in response.content.decode()


def test_work_cannot_be_done_in_a_visit_of_another_car(login, owner, car, cars):
    first = visit_of(car, days_ago=100, km=10000)
    other_car = PurchaseFactory(customer=car.customer, main_category=cars)
    elsewhere = PurchaseFactory(customer=car.customer, vehicle=other_car)
    work = DeclinedWork.objects.create(
        visit=first,
        vehicle=car,
        customer=car.customer,
        branch=car.branch,
        description="Brake discs",
        urgency="soon",
        declined_on=first.purchase_date,
    )
    login(owner).post(
        reverse("customers:declined-work-close", args=[work.pk]), {"done_in": elsewhere.pk}
    )

    work.refresh_from_db()
    assert work.is_open


# --- maintenance schedules ---


def schedule_form(cars, inspection, **changes):
    return {
        "name": "Cars: every 30,000 km or 2 years",
        "product": "",
        "category": cars.pk,
        "service_product": inspection.pk,
        "interval_km": "30000",
        "interval_months": "24",
        "first_km": "15000",
        "first_months": "12",
        "is_active": "on",
    } | changes


def test_an_administrator_creates_and_edits_a_schedule(login, admin_user, cars, inspection):
    client = login(admin_user)
    response = client.post(
        reverse("customers:schedule-create"), schedule_form(cars, inspection), follow=True
    )

    schedule = MaintenanceSchedule.objects.get()
    assert (schedule.category, schedule.interval_km, schedule.first_months) == (cars, 30000, 12)
    assert "saved" in response.content.decode()
    client.post(
        reverse("customers:schedule-update", args=[schedule.pk]),
        schedule_form(cars, inspection, interval_months="18", first_km="", first_months=""),
    )
    schedule.refresh_from_db()
    assert (schedule.interval_months, schedule.first_km) == (18, None)


def test_a_schedule_for_one_model(login, admin_user, cars, inspection):
    model = ProductFactory(name="Golf", category=cars)
    login(admin_user).post(
        reverse("customers:schedule-create"),
        schedule_form(cars, inspection, product=model.pk, category=""),
    )

    assert MaintenanceSchedule.objects.get().product == model


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"product": "MODEL"}, None),  # a model and a category
        ({"category": ""}, None),  # neither
        ({"interval_km": "500"}, "interval_km"),
        ({"interval_months": "0"}, "interval_months"),
        ({"interval_km": "many"}, "interval_km"),
    ],
)
def test_bad_schedules_are_field_errors(login, admin_user, cars, inspection, changes, field):
    model = ProductFactory(name="Golf", category=cars)
    changes = {key: model.pk if value == "MODEL" else value for key, value in changes.items()}
    response = login(admin_user).post(
        reverse("customers:schedule-create"), schedule_form(cars, inspection, **changes)
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert (field or "__all__") in errors
    assert not MaintenanceSchedule.objects.exists()


def test_a_second_fallback_for_the_same_category_is_refused(
    login, admin_user, schedule, cars, inspection
):
    response = login(admin_user).post(
        reverse("customers:schedule-create"), schedule_form(cars, inspection)
    )

    assert "category" in response.context["form"].errors
    assert MaintenanceSchedule.objects.count() == 1


@pytest.mark.parametrize(
    ("persona", "list_status", "create_status"),
    [("admin_user", 200, 200), ("manager", 200, 403), ("owner", 200, 403), ("shopper", 403, 403)],
)
def test_who_may_see_and_change_schedules(
    request, login, schedule, persona, list_status, create_status
):
    client = login(request.getfixturevalue(persona))

    assert client.get(reverse("customers:schedule-list")).status_code == list_status
    assert client.get(reverse("customers:schedule-create")).status_code == create_status
    update = client.get(reverse("customers:schedule-update", args=[schedule.pk]))
    assert update.status_code == create_status


def test_the_schedule_list_searches_filters_and_pages(
    login, admin_user, schedule, cars, inspection, django_assert_max_num_queries
):
    for number in range(30):
        MaintenanceSchedule.objects.create(
            name=f"Model {number:02d}",
            product=ProductFactory(name=f"Model car {number:02d}", category=cars),
            service_product=inspection,
            interval_km=20000,
            interval_months=12,
            is_active=number % 2 == 0,
        )
    client = login(admin_user)
    with django_assert_max_num_queries(12):
        first_page = client.get(reverse("customers:schedule-list"))
    assert len(first_page.context["page"]) == 25
    assert first_page.context["page"].paginator.count == 31
    found = client.get(reverse("customers:schedule-list"), {"q": "yearly"})
    assert [item.name for item in found.context["page"]] == ["Cars: yearly"]
    fallbacks = client.get(reverse("customers:schedule-list"), {"kind": "category"})
    assert [item.pk for item in fallbacks.context["page"]] == [schedule.pk]
    inactive = client.get(reverse("customers:schedule-list"), {"active": "no", "sort": "-name"})
    assert inactive.context["page"].paginator.count == 15
    assert inactive.context["page"][0].name == "Model 29"
    empty = client.get(reverse("customers:schedule-list"), {"q": "nothing like it"})
    assert "No schedules match" in empty.content.decode()


def test_the_setup_menu_links_the_schedules_for_administrators(login, admin_user, owner):
    assert reverse("customers:schedule-list") in login(admin_user).get("/").content.decode()
    assert reverse("customers:schedule-list") not in login(owner).get("/").content.decode()


# --- logging a visit at the desk ---


def visit_form(car, inspection, **changes):
    return {
        "customer": car.customer_id,
        "branch": car.branch_id,
        "salesperson": "",
        "purchase_date": TODAY.isoformat(),
        "handover_date": TODAY.isoformat(),
        "identifier": "",
        "warranty_end": "",
        "vehicle": car.identifier.lower(),
        "odometer_km": "16500",
        "notes": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "1",
        "lines-MAX_NUM_FORMS": "20",
        "lines-0-product": inspection.pk,
        "lines-0-quantity": "1",
        "lines-0-unit_price": "289.00",
        "consent-email": "",
        "consent-phone": "",
        "consent-sms": "",
        "consent-letter": "",
        "consent-source": "verbal",
    } | changes


def test_log_a_service_visit_with_its_car_and_reading(login, owner, car, inspection):
    response = login(owner).post(reverse("customers:purchase-create"), visit_form(car, inspection))

    assert response.status_code == 302, response.context["form"].errors
    visit = car.service_visits.get()
    assert (visit.odometer_km, visit.purchase_date) == (16500, TODAY)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"vehicle": "WVWZZZ-UNKNOWN"}, "vehicle"),
        ({"odometer_km": "-1"}, "odometer_km"),
        ({"odometer_km": "lots"}, "odometer_km"),
    ],
)
def test_a_visits_car_and_reading_are_checked_at_the_desk(
    login, owner, car, inspection, changes, field
):
    response = login(owner).post(
        reverse("customers:purchase-create"), visit_form(car, inspection, **changes)
    )

    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not car.service_visits.exists()
