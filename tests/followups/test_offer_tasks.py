"""The cross-selling ticks: the daily generation, the set-based expiry and the roll-up refresh,
each idempotent; the generation once through a real worker."""

# The offer tests' fixtures are imported, and pytest hands them in by name.
# ruff: noqa: F811

from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
import time_machine
from celery.signals import task_postrun
from django.conf import settings
from django.utils import timezone

from customers.models import Customer
from followups import tasks
from followups.models import (
    ContactChannel,
    ContactEvent,
    ImpulseRollup,
    Offer,
    OfferRollup,
    OfferState,
    Purpose,
    RetentionRollup,
)
from followups.offers import rollups, services
from tests.conftest import wait_until
from tests.customers.factories import CustomerFactory, PurchaseFactory
from tests.followups.test_offer_generation import (  # noqa: F401 (fixtures)
    BERLIN,
    OCTOBER_MORNING,
    car_buyer,
    cars,
    run,
    winter_rule,
    winter_tyres,
)

AFTER_THE_SEASON = datetime(2026, 11, 16, 9, 0, tzinfo=BERLIN)


def test_the_ticks_are_scheduled():
    tasks_scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "followups.tasks.generate_offers",
        "followups.tasks.expire_offers",
        "followups.tasks.refresh_offer_rollups",
    } <= tasks_scheduled


def test_the_generation_task_twice_creates_nothing_new(north, cars, winter_rule):
    car_buyer(north, cars)
    car_buyer(north, cars, consent=False)
    with time_machine.travel(OCTOBER_MORNING, tick=False):
        first = tasks.generate_offers.apply().get()
        second = tasks.generate_offers.apply().get()
    assert first == {winter_rule.pk: {"suggested": 1, "held_back": 1, "released": 0}}
    assert second == {}
    assert Offer.objects.count() == 2


# --- expiry ---


@pytest.fixture
def open_offers(north, cars, winter_rule, owner):
    for _ in range(3):
        car_buyer(north, cars, owner=owner)
    run()
    return list(Offer.objects.order_by("pk"))


def test_expiry_is_one_statement_and_idempotent(open_offers, django_assert_num_queries):
    # savepoint of the service's transaction; the UPDATE with its roll-up counts; release
    with django_assert_num_queries(3):
        assert services.expire_offers(now=AFTER_THE_SEASON) == 3
    assert services.expire_offers(now=AFTER_THE_SEASON) == 0
    assert set(Offer.objects.values_list("state", "decided_on")) == {
        (OfferState.EXPIRED, AFTER_THE_SEASON.date())
    }
    expired = OfferRollup.objects.get(event=OfferState.EXPIRED)
    # Suggested on 13 October, expired on 16 November: 34 days each.
    assert (expired.offers, expired.decision_days) == (3, 3 * 34)


def test_expiry_keeps_open_windows_and_decided_offers(open_offers, owner):
    declined, erased, kept = open_offers
    with time_machine.travel(OCTOBER_MORNING, tick=False):
        services.decline_offer(offer=declined, by=owner, reason="price")
    Customer.objects.filter(pk=erased.customer_id).update(erased_at=timezone.now())
    assert services.expire_offers(now=OCTOBER_MORNING + timedelta(days=1)) == 1
    states = dict(Offer.objects.values_list("pk", "state"))
    assert states == {
        declined.pk: OfferState.DECLINED,
        erased.pk: OfferState.EXPIRED,
        kept.pk: OfferState.SUGGESTED,
    }


def test_the_kept_roll_ups_match_a_rebuild_after_expiry(open_offers):
    services.expire_offers(now=AFTER_THE_SEASON)
    kept = sorted(OfferRollup.objects.values_list("day", "event", "offers", "decision_days"))
    rollups.rebuild()
    rebuilt = sorted(OfferRollup.objects.values_list("day", "event", "offers", "decision_days"))
    assert kept == rebuilt


# --- the roll-up refresh ---


def _vehicle(branch, cars, *, years, visits=()):
    today = date(2026, 10, 13)
    handover = today - timedelta(days=round(years * 365.25))
    car = PurchaseFactory(
        customer=CustomerFactory(branch=branch),
        branch=branch,
        purchase_date=handover,
        handover_date=handover,
        main_category=cars,
    )
    for days_ago, total in visits:
        PurchaseFactory(
            customer=car.customer,
            branch=branch,
            vehicle=car,
            purchase_date=today - timedelta(days=days_ago),
            handover_date=today - timedelta(days=days_ago),
            total=Decimal(total),
        )
    return car


def test_retention_by_vehicle_age_and_branch(north, south, cars):
    _vehicle(north, cars, years=0.5, visits=[(30, "89")])  # 0-1, retained
    _vehicle(north, cars, years=0.7)  # 0-1, not back
    _vehicle(north, cars, years=1.5, visits=[(400, "300")])  # 1-2, came back too long ago
    _vehicle(north, cars, years=4, visits=[(100, "0")])  # 3-5, a free visit does not count
    _vehicle(south, cars, years=7, visits=[(10, "450")])  # 5+, retained
    rollups.rebuild(today=date(2026, 10, 13))
    rows = set(
        RetentionRollup.objects.values_list("branch__code", "age_band", "vehicles", "retained")
    )
    assert rows == {
        (north.code, "0-1", 2, 1),
        (north.code, "1-2", 1, 0),
        (north.code, "3-5", 1, 0),
        (south.code, "5+", 1, 1),
    }


def test_impulses_per_customer_and_month(north):
    once, twice = CustomerFactory(branch=north), CustomerFactory(branch=north)
    for customer, days in ((once, [1]), (twice, [2, 3]), (once, [40])):
        for day in days:
            ContactEvent.objects.create(
                customer=customer,
                purpose=Purpose.COMMERCIAL,
                channel=ContactChannel.EMAIL,
                happened_at=datetime(2026, 10, 1, 12, 0, tzinfo=BERLIN) + timedelta(days=day),
            )
    ContactEvent.objects.create(
        customer=once,
        purpose=Purpose.CARE,
        channel=ContactChannel.PHONE,
        happened_at=datetime(2026, 10, 5, 12, 0, tzinfo=BERLIN),
    )
    rollups.rebuild(today=date(2026, 10, 13))
    rows = set(ImpulseRollup.objects.values_list("month", "impulses", "customers"))
    assert rows == {(date(2026, 10, 1), 1, 1), (date(2026, 10, 1), 2, 1), (date(2026, 11, 1), 1, 1)}


def test_the_refresh_task_twice_gives_the_same_roll_ups(open_offers, north, cars):
    _vehicle(north, cars, years=2.5, visits=[(30, "120")])

    def snapshot():
        return (
            sorted(OfferRollup.objects.values_list("day", "event", "reason", "offers")),
            sorted(ImpulseRollup.objects.values_list("month", "impulses", "customers")),
            sorted(RetentionRollup.objects.values_list("age_band", "vehicles", "retained")),
        )

    with time_machine.travel(OCTOBER_MORNING, tick=False):
        tasks.refresh_offer_rollups.apply().get()
        first = snapshot()
        tasks.refresh_offer_rollups.apply().get()
    assert snapshot() == first
    assert first[2] == [("0-1", 3, 0), ("2-3", 1, 1)]


# --- a real worker ---


@pytest.mark.django_db(transaction=True)
def test_a_worker_generates_once_however_often_the_task_arrives(
    celery_worker,
    north,
    cars,
    winter_rule,
):
    car_buyer(north, cars)
    done = []

    def count_generations(sender, **kwargs):
        if sender.name == tasks.generate_offers.name:
            done.append(kwargs["retval"])

    task_postrun.connect(count_generations, weak=False)
    try:
        with time_machine.travel(OCTOBER_MORNING, tick=True):
            for _ in range(3):  # a retry, a second beat, a redelivery
                tasks.generate_offers.delay()
            assert wait_until(lambda: len(done) == 3)
    finally:
        task_postrun.disconnect(count_generations)
    assert done == [{winter_rule.pk: {"suggested": 1, "held_back": 0, "released": 0}}, {}, {}]
    assert Offer.objects.filter(state=OfferState.SUGGESTED).count() == 1
    assert OfferRollup.objects.get(event=OfferState.SUGGESTED).offers == 1
