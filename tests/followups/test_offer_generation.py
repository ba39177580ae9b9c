"""Offer rules, the set-based generation within the contact policy, and the pipeline."""

from datetime import date, datetime, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from aftersales.errors import DomainError
from customers.models import Customer, MaintenanceSchedule, PurchaseLine
from customers.service_history.mileage import estimates, next_services
from followups import contact_policy
from followups.models import (
    ContactChannel,
    ContactEvent,
    Offer,
    OfferRollup,
    OfferRule,
    OfferState,
    Purpose,
)
from followups.offers import generation, rollups, services
from followups.offers.generation import generate_offers, season_window
from quality.models import DissonanceScore
from tests.customers.factories import (
    CustomerFactory,
    ProductCategoryFactory,
    ProductFactory,
    PurchaseFactory,
)
from tests.quality.factories import ComplaintFactory

BERLIN = ZoneInfo("Europe/Berlin")
# A Tuesday in October, inside the contact hours: winter-tyre season.
OCTOBER_MORNING = datetime(2026, 10, 13, 10, 0, tzinfo=BERLIN)


@pytest.fixture
def cars(db):
    return ProductCategoryFactory(name="New cars", code="new-cars-t", yearly_distance_km=15000)


@pytest.fixture
def winter_tyres(db):
    tyres = ProductCategoryFactory(name="Tyres", code="tyres-t", involvement="low")
    return ProductFactory(name="Winter tyres", category=tyres, list_price=Decimal("560.00"))


@pytest.fixture
def winter_rule(cars, winter_tyres):
    return OfferRule.objects.create(
        name="Winter tyres",
        category=cars,
        min_age_days=30,
        not_bought_product=winter_tyres,
        not_bought_months=6,
        season_start_month=10,
        season_start_day=1,
        season_end_month=11,
        season_end_day=15,
        product=winter_tyres,
        channels=[ContactChannel.EMAIL, ContactChannel.PHONE],
        script="Ask about the winter.",
    )


def car_buyer(branch, cars, *, owner=None, handover_days=200, consent=True, **fields):
    customer = CustomerFactory(branch=branch, consent_email=consent, salesperson=owner, **fields)
    car = ProductFactory(category=cars)
    handover = OCTOBER_MORNING.date() - timedelta(days=handover_days)
    purchase = PurchaseFactory(
        customer=customer,
        branch=branch,
        salesperson=owner,
        purchase_date=handover - timedelta(days=3),
        handover_date=handover,
        main_category=cars,
    )
    PurchaseLine.objects.create(purchase=purchase, product=car, unit_price=car.list_price)
    return customer, purchase


def run(at=OCTOBER_MORNING, **kwargs):
    with time_machine.travel(at, tick=False):
        return generate_offers(now=at, **kwargs)


# --- seasons ---


@pytest.mark.parametrize(
    ("today", "window"),
    [
        (date(2026, 10, 1), (date(2026, 10, 1), date(2026, 11, 15))),
        (date(2026, 11, 15), (date(2026, 10, 1), date(2026, 11, 15))),
        (date(2026, 11, 16), None),
        (date(2026, 9, 30), None),
    ],
)
def test_a_season_within_the_year(winter_rule, today, window):
    assert season_window(winter_rule, today) == window


@pytest.mark.parametrize(
    ("today", "window"),
    [
        (date(2026, 12, 20), (date(2026, 12, 1), date(2027, 1, 31))),
        (date(2027, 1, 10), (date(2026, 12, 1), date(2027, 1, 31))),
        (date(2027, 2, 1), None),
        (date(2026, 11, 30), None),
    ],
)
def test_a_season_across_the_year_end(winter_rule, today, window):
    winter_rule.season_start_month, winter_rule.season_start_day = 12, 1
    winter_rule.season_end_month, winter_rule.season_end_day = 1, 31
    assert season_window(winter_rule, today) == window


def test_the_season_is_judged_in_the_branchs_time_zone(north, cars, winter_rule):
    north.time_zone = "Pacific/Auckland"  # already 1 October there
    north.save()
    car_buyer(north, cars)
    # 30 September, 14:00 in Berlin, is 1 October, 01:00 in Auckland.
    evening = datetime(2026, 9, 30, 14, 0, tzinfo=BERLIN)
    (result,) = run(at=evening)
    assert result.suggested == 1
    north.time_zone = "Europe/Berlin"
    north.save()
    Offer.objects.all().delete()
    (result,) = run(at=evening)
    assert result.suggested == 0


# --- eligibility ---


def test_purchase_age_and_already_owned_products(north, cars, winter_rule, winter_tyres):
    eligible, _ = car_buyer(north, cars, handover_days=200)
    car_buyer(north, cars, handover_days=10)  # too new
    owner_of_tyres, _ = car_buyer(north, cars, handover_days=300)
    tyres = PurchaseFactory(
        customer=owner_of_tyres,
        branch=north,
        purchase_date=OCTOBER_MORNING.date() - timedelta(days=20),
        handover_date=OCTOBER_MORNING.date() - timedelta(days=20),
    )
    PurchaseLine.objects.create(purchase=tyres, product=winter_tyres, unit_price=Decimal("560"))
    (result,) = run()
    assert result.suggested == 1
    assert list(Offer.objects.values_list("customer_id", flat=True)) == [eligible.pk]


def test_one_offer_per_window_and_running_twice_creates_nothing(north, cars, winter_rule):
    car_buyer(north, cars)
    run()
    (again,) = run(at=OCTOBER_MORNING + timedelta(days=1))
    assert (again.suggested, again.held_back) == (0, 0)
    assert Offer.objects.count() == 1
    # Next season is a new window.
    (next_year,) = run(at=OCTOBER_MORNING.replace(year=2027))
    assert next_year.suggested == 1
    assert Offer.objects.count() == 2


def test_erased_customers_get_no_offers(north, cars, winter_rule):
    customer, _ = car_buyer(north, cars)
    Customer.objects.filter(pk=customer.pk).update(erased_at=timezone.now())
    (result,) = run()
    assert result.suggested == result.held_back == 0


# --- the contact policy ---


def test_each_policy_block_holds_back_with_its_reason(north, cars, winter_rule, owner):
    allowed, _ = car_buyer(north, cars, last_name="Allowed")
    no_consent, _ = car_buyer(north, cars, consent=False)
    capped, _ = car_buyer(north, cars)
    for days in (1, 2):
        ContactEvent.objects.create(
            customer=capped,
            purpose=Purpose.COMMERCIAL,
            channel=ContactChannel.EMAIL,
            happened_at=OCTOBER_MORNING - timedelta(days=days),
        )
    unhappy, unhappy_car = car_buyer(north, cars)
    ComplaintFactory(customer=unhappy, purchase=unhappy_car, description="Wind noise")
    doubting, _ = car_buyer(north, cars)
    DissonanceScore.objects.create(
        customer=doubting,
        branch=north,
        purchase=None,
        score=80,
        level="critical",
        computed_at=OCTOBER_MORNING,
    )
    (result,) = run()
    assert (result.suggested, result.held_back) == (1, 4)
    states = {o.customer_id: (o.state, o.hold_reason) for o in Offer.objects.all()}
    assert states == {
        allowed.pk: (OfferState.SUGGESTED, ""),
        no_consent.pk: (OfferState.HELD_BACK, "no_consent"),
        capped.pk: (OfferState.HELD_BACK, "cap_reached"),
        unhappy.pk: (OfferState.HELD_BACK, "open_complaint"),
        doubting.pk: (OfferState.HELD_BACK, "high_dissonance"),
    }


def test_a_held_back_offer_is_released_when_the_reason_is_gone(north, cars, winter_rule):
    customer, _ = car_buyer(north, cars, consent=False)
    run()
    Customer.objects.filter(pk=customer.pk).update(consent_email=True)
    (result,) = run(at=OCTOBER_MORNING + timedelta(days=1))
    assert result.released == 1
    offer = Offer.objects.get()
    assert offer.state == OfferState.SUGGESTED
    assert offer.hold_reason == "no_consent"  # kept: the figures show it was held back


def test_bulk_and_single_decisions_agree(north, cars):
    customers = [car_buyer(north, cars, consent=bool(n % 2))[0] for n in range(4)]
    ComplaintFactory(customer=customers[1])
    for _ in range(2):
        ContactEvent.objects.create(
            customer=customers[3],
            purpose=Purpose.COMMERCIAL,
            channel=ContactChannel.EMAIL,
            happened_at=OCTOBER_MORNING - timedelta(hours=5),
        )
    bulk = contact_policy.commercial_refusals(
        Customer.objects.filter(pk__in=[c.pk for c in customers]),
        at=OCTOBER_MORNING,
        channels=[ContactChannel.EMAIL],
    )
    for customer in customers:
        customer.refresh_from_db()
        single = contact_policy.can_contact(
            customer, Purpose.COMMERCIAL, ContactChannel.EMAIL, OCTOBER_MORNING
        )
        assert bulk.get(customer.pk, "allowed") == single.code
    assert set(bulk.values()) == {"no_consent", "open_complaint", "cap_reached"}


# --- mileage and maintenance ---


def test_mileage_with_no_one_and_several_readings(north, cars):
    today = date(2026, 10, 13)
    customer = CustomerFactory(branch=north)
    not_handed = PurchaseFactory(
        customer=customer,
        purchase_date=today - timedelta(days=73),
        handover_date=None,
        status="ordered",
        main_category=cars,
    )
    one = PurchaseFactory(
        customer=customer,
        purchase_date=today - timedelta(days=365),
        handover_date=today - timedelta(days=365),
        main_category=cars,
    )
    several = PurchaseFactory(
        customer=customer,
        purchase_date=today - timedelta(days=400),
        handover_date=today - timedelta(days=400),
        main_category=cars,
    )
    PurchaseFactory(
        customer=customer,
        vehicle=several,
        odometer_km=20000,
        purchase_date=today - timedelta(days=200),
        handover_date=today - timedelta(days=200),
    )
    found = estimates([not_handed.pk, one.pk, several.pk], today=today)
    assert found[not_handed.pk].readings == 0
    assert found[not_handed.pk].km_today == round(15000 / 365 * 73)
    assert found[one.pk].readings == 1
    assert found[one.pk].km_today == 15000  # one reading (0 km at handover): the default
    assert found[several.pk].readings == 2
    # 20,000 km in 200 days = 100 km a day, 200 days since the last reading.
    assert found[several.pk].km_today == 40000
    assert found[several.pk].last_reading_on == today - timedelta(days=200)


def test_maintenance_due_by_km_or_by_months_whichever_first(north, cars):
    today = date(2026, 10, 13)
    service = ProductFactory(name="Inspection")
    MaintenanceSchedule.objects.create(
        name="Cars",
        category=cars,
        service_product=service,
        interval_km=30000,
        interval_months=24,
        first_km=15000,
        first_months=12,
    )
    customer = CustomerFactory(branch=north)
    slow = PurchaseFactory(
        customer=customer,
        purchase_date=today - timedelta(days=100),
        handover_date=today - timedelta(days=100),
        main_category=cars,
    )
    fast = PurchaseFactory(
        customer=customer,
        purchase_date=today - timedelta(days=100),
        handover_date=today - timedelta(days=100),
        main_category=cars,
    )
    PurchaseFactory(
        customer=customer,
        vehicle=fast,
        odometer_km=10000,
        purchase_date=today - timedelta(days=50),
        handover_date=today - timedelta(days=50),
    )
    due = next_services([slow.pk, fast.pk], today=today)
    # The slow car (default 15,000 km a year) reaches 15,000 km after a year: the months decide
    # on the same day or earlier.
    assert due[slow.pk].decided_by == "time"
    assert due[slow.pk].due_date == date(2027, 7, 5)  # handover 5 July 2026 + 12 months
    assert due[slow.pk].next_date == date(2027, 7, 5)
    assert due[slow.pk].due_km == 15000
    # 200 km a day: 15,000 km are reached 25 days after the last reading, long before a year.
    assert due[fast.pk].decided_by == "distance"
    assert due[fast.pk].next_date == today - timedelta(days=50) + timedelta(days=25)
    assert due[fast.pk].km_left == 15000 - 20000


# --- pipeline ---


@pytest.fixture
def suggested(north, cars, winter_rule, owner):
    car_buyer(north, cars, owner=owner)
    run()
    return Offer.objects.get()


def test_present_accept_logs_the_purchase(suggested, owner):
    with time_machine.travel(OCTOBER_MORNING, tick=False):
        offer = services.present_offer(offer=suggested, by=owner, channel=ContactChannel.EMAIL)
        assert offer.state == OfferState.PRESENTED
        assert offer.contact.purpose == Purpose.COMMERCIAL
        offer = services.accept_offer(offer=offer, by=owner)
    assert offer.state == OfferState.ACCEPTED
    purchase = offer.accepted_purchase
    assert purchase.total == Decimal("560.00")
    assert purchase.lines.get().product == offer.rule.product
    assert offer.value == Decimal("560.00")


def test_transitions_refused(suggested, owner, outsider):
    with time_machine.travel(OCTOBER_MORNING, tick=False):
        with pytest.raises(DomainError):
            services.accept_offer(offer=suggested, by=owner)  # not presented yet
        with pytest.raises(DomainError):
            services.present_offer(offer=suggested, by=owner, channel=ContactChannel.SMS)
        with pytest.raises(DomainError):
            services.present_offer(offer=suggested, by=outsider, channel=ContactChannel.EMAIL)
        services.decline_offer(offer=suggested, by=owner, reason="price")
        with pytest.raises(DomainError):
            services.present_offer(offer=suggested, by=owner, channel=ContactChannel.EMAIL)


def test_presenting_goes_through_the_cap(suggested, owner):
    for hours in (2, 3):
        ContactEvent.objects.create(
            customer=suggested.customer,
            purpose=Purpose.COMMERCIAL,
            channel=ContactChannel.PHONE,
            happened_at=OCTOBER_MORNING - timedelta(hours=hours),
        )
    with time_machine.travel(OCTOBER_MORNING, tick=False), pytest.raises(DomainError):
        services.present_offer(offer=suggested, by=owner, channel=ContactChannel.EMAIL)


def test_offers_expire_after_the_window(suggested):
    assert services.expire_offers(now=datetime(2026, 11, 16, 9, 0, tzinfo=BERLIN)) == 1
    suggested.refresh_from_db()
    assert suggested.state == OfferState.EXPIRED


def test_rollups_and_raw_agree(suggested, owner, north, cars):
    car_buyer(north, cars, consent=False)
    run(at=OCTOBER_MORNING + timedelta(days=1))
    with time_machine.travel(OCTOBER_MORNING, tick=False):
        services.present_offer(offer=suggested, by=owner, channel=ContactChannel.EMAIL)
        services.accept_offer(offer=suggested, by=owner)
    kept = sorted(OfferRollup.objects.values_list("day", "event", "reason", "offers", "value"))
    rollups.rebuild()
    rebuilt = sorted(OfferRollup.objects.values_list("day", "event", "reason", "offers", "value"))
    assert kept == rebuilt
    assert {row[1] for row in rebuilt} == {"suggested", "held_back", "presented", "accepted"}


def test_generation_is_one_statement_per_rule(
    north, cars, winter_rule, django_assert_max_num_queries
):
    for _ in range(3):
        car_buyer(north, cars)
    # branches; then per rule: savepoint, held-back offers, the INSERT, release; expiry (2)
    with (
        time_machine.travel(OCTOBER_MORNING, tick=False),
        django_assert_max_num_queries(10),
    ):
        generation.generate_offers(now=OCTOBER_MORNING, rules=[winter_rule])
