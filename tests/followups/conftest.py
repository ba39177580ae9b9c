"""Fixtures of the cross-selling tests (test_offer_*): the car category, the winter-tyre rule of
the generation tests, one suggested offer of it, the October morning it was found on, and a
pipeline of four buyers whose figures are counted by hand."""

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine

from customers.models import DeclinedWork, Urgency
from followups.models import ContactChannel, ContactEvent, Offer, Purpose
from followups.offers import rollups, services
from tests.followups.test_offer_generation import (  # noqa: F401 (fixtures shared from there)
    OCTOBER_MORNING,
    car_buyer,
    cars,
    run,
    winter_rule,
    winter_tyres,
)
from tests.quality.factories import ComplaintFactory


@pytest.fixture
def offer(north, cars, winter_rule, owner):  # noqa: F811
    """Wagner's suggested winter-tyre offer, assigned to his salesperson (owner)."""
    car_buyer(north, cars, owner=owner, last_name="Wagner")
    run()
    return Offer.objects.get()


@pytest.fixture
def october():
    with time_machine.travel(OCTOBER_MORNING, tick=False):
        yield


@pytest.fixture
def pipeline(north, cars, winter_rule, owner):  # noqa: F811
    """Four car buyers of North, their cars 200 days old. Anna accepts (500.00, the same day),
    Bert declines two days later, Carl has no consent, Dora an open complaint (both held back).
    Anna heard from us twice in October; the tyres she bought name her car (a paid service
    visit: retained). Two pieces of work were declined in October, one of them done later."""
    anna, anna_car = car_buyer(north, cars, owner=owner, last_name="Anna")
    bert, _car = car_buyer(north, cars, owner=owner, last_name="Bert")
    car_buyer(north, cars, owner=owner, last_name="Carl", consent=False)
    dora, _car = car_buyer(north, cars, owner=owner, last_name="Dora")
    ComplaintFactory(customer=dora)
    run()
    with time_machine.travel(OCTOBER_MORNING, tick=False):
        offer = Offer.objects.get(customer=anna)
        services.present_offer(offer=offer, by=owner, channel=ContactChannel.EMAIL)
        services.accept_offer(offer=offer, by=owner, value=Decimal("500.00"))
        services.present_offer(
            offer=Offer.objects.get(customer=bert), by=owner, channel=ContactChannel.EMAIL
        )
    ContactEvent.objects.create(
        customer=anna,
        purpose=Purpose.COMMERCIAL,
        channel=ContactChannel.PHONE,
        happened_at=OCTOBER_MORNING - timedelta(days=10),
    )
    with time_machine.travel(OCTOBER_MORNING + timedelta(days=2), tick=False):
        services.decline_offer(offer=Offer.objects.get(customer=bert), by=owner, reason="price")
    for status in (DeclinedWork.Status.OPEN, DeclinedWork.Status.DONE):
        DeclinedWork.objects.create(
            visit=anna_car,
            vehicle=anna_car,
            customer=anna,
            branch=north,
            description="Brake pads",
            urgency=Urgency.SOON,
            declined_on=OCTOBER_MORNING.date() - timedelta(days=5),
            status=status,
        )
    with time_machine.travel(OCTOBER_MORNING + timedelta(days=3), tick=False):
        rollups.rebuild(today=(OCTOBER_MORNING + timedelta(days=3)).date())
    return winter_rule
