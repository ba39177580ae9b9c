"""Journey: in October the winter-tyre rule finds a car buyer with e-mail consent; the `sales`
user finds the offer in the inbox, presents it by e-mail, the customer accepts and the purchase
is logged from the offer. A second buyer with an open wind-noise complaint gets no offer, and
the `manager` sees on the figures page why: held back, open complaint.

The nightly generation runs as the beat would, on a morning in October (time-machine); the live
server runs in a thread of this process and sees the travelled clock too.
"""

import re
from datetime import timedelta

import time_machine
from playwright.sync_api import Page, expect

from followups.models import ContactChannel, Offer, OfferRule, OfferState
from followups.offers.generation import generate_offers
from quality.models import ComplaintCategory, Nature
from tests.customers.factories import ProductCategoryFactory, ProductFactory
from tests.e2e.helpers import E2E, field, log_in, log_out, main_navigation
from tests.followups.test_offer_generation import OCTOBER_MORNING, car_buyer
from tests.quality.factories import ComplaintFactory

pytestmark = E2E

SCRIPT = "Winter is coming: ask whether the car still runs on summer tyres."


def test_sales_presents_a_winter_tyre_offer_and_the_manager_sees_who_was_held_back(
    page: Page, owner, manager, north
):
    cars = ProductCategoryFactory(name="New cars", code="new-cars", yearly_distance_km=15000)
    tyres = ProductCategoryFactory(name="Tyres", code="tyres", involvement="low")
    winter_tyres = ProductFactory(name="Winter tyres, set of 4", category=tyres)
    OfferRule.objects.create(
        name="Winter tyres",
        category=cars,
        min_age_days=30,
        season_start_month=10,
        season_start_day=1,
        season_end_month=11,
        season_end_day=15,
        product=winter_tyres,
        channels=[ContactChannel.EMAIL, ContactChannel.PHONE],
        script=SCRIPT,
    )
    with time_machine.travel(OCTOBER_MORNING - timedelta(days=1), tick=False):
        emma, _car = car_buyer(north, cars, owner=owner, first_name="Emma", last_name="Clarke")
        walter, _car = car_buyer(north, cars, owner=owner, first_name="Walter", last_name="Wind")
        ComplaintFactory(
            customer=walter,
            category=ComplaintCategory.objects.get(code="noise-wind"),
            nature=Nature.SUBJECTIVE,
            description="Wind noise from the driver's door above 120 km/h.",
        )
    with time_machine.travel(OCTOBER_MORNING, tick=False):
        generate_offers(now=OCTOBER_MORNING)
    assert Offer.objects.get(customer=walter).hold_reason == "open_complaint"

    with time_machine.travel(OCTOBER_MORNING, tick=True):
        log_in(page, owner)
        main_navigation(page).get_by_role("link", name="Follow-ups", exact=True).click()
        offers = page.get_by_role("region", name=re.compile("My open offers"))
        expect(offers.get_by_role("link", name="Emma Clarke")).to_be_visible()
        expect(offers).to_contain_text(SCRIPT[:40])
        expect(offers.get_by_text("Walter Wind")).to_have_count(0)
        offers.get_by_role("link", name="Winter tyres", exact=True).click()

        expect(page.get_by_role("heading", level=1)).to_contain_text("Emma Clarke")
        expect(page.get_by_role("note")).to_contain_text(SCRIPT)
        field(page, "Presented on").select_option(label="e-mail")
        page.get_by_role("button", name="Presented", exact=True).click()
        expect(page.get_by_text("Offer presented.")).to_be_visible()

        page.get_by_role("button", name="Accept and log the purchase").click()
        expect(page.get_by_text(re.compile(r"Offer accepted: purchase \d+ logged"))).to_be_visible()
        offer = Offer.objects.get(customer=emma)
        assert offer.state == OfferState.ACCEPTED
        assert offer.contact.channel == ContactChannel.EMAIL
        page.get_by_role("link", name=str(offer.accepted_purchase)).click()
        expect(page.get_by_text("Winter tyres, set of 4").first).to_be_visible()
        log_out(page, owner)

        log_in(page, manager)
        main_navigation(page).get_by_role("link", name="Offer figures", exact=True).click()
        held_back = page.get_by_role("region", name="Held back by the contact policy")
        reason = held_back.get_by_role("row", name=re.compile("open complaint"))
        expect(reason).to_contain_text("1")
        reason.get_by_role("link", name="1", exact=True).click()
        expect(page.get_by_role("link", name="Walter Wind")).to_be_visible()
        expect(page.get_by_text("Held back because: open complaint.")).to_be_visible()
