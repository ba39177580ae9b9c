"""Journey: a wind-noise complaint was saved without its purchase; a service advisor corrects it.

Jonas Hartmann complained on the phone and the advisor who took the call chose no purchase, so
the complaint counts 35 points × 0.9 (nature not yet known) ≈ 32, on no car in particular. A
colleague of North opens the complaint, follows "Correct the complaint", finds the form filled
in with what was recorded, chooses the new car (its product named in the choice), tries to save
without a reason (a field error), gives the reason and saves. Back on the complaint page the
confirmation and the correction in its history say who changed the purchase from what to what,
and why; the signal now weighs on the car: 32 × 1.3 (high involvement) × 1.25 (a week after
the handover) = 52, which puts the customer at high risk.
"""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from quality import services
from quality.models import Complaint, ComplaintCategory, DissonanceScore, Level, Nature, Severity
from tests.customers.factories import (
    CustomerFactory,
    ProductCategoryFactory,
    ProductFactory,
    PurchaseFactory,
)
from tests.e2e.helpers import E2E, field, log_in

pytestmark = E2E

REASON = "Mr Hartmann named his new Touran on the phone; it was not chosen when recording."


def test_service_gives_a_complaint_its_purchase_and_sees_the_correction(
    page: Page, service_user, north
):
    # The taxonomy of the data migration (loaded again before each journey).
    wind_noise = ComplaintCategory.objects.get(code="noise-wind")
    new_cars = ProductCategoryFactory(name="New cars", code="new-cars")  # high involvement
    customer = CustomerFactory(
        branch=north, first_name="Jonas", last_name="Hartmann", email="jonas.hartmann@example.com"
    )
    today = timezone.localdate()
    car = PurchaseFactory(
        customer=customer,
        main_category=new_cars,
        purchase_date=today - timedelta(days=10),
        handover_date=today - timedelta(days=7),
    )
    car.lines.create(
        product=ProductFactory(name="Touran Highline", category=new_cars), unit_price=32000
    )
    complaint = services.record_complaint(
        by=service_user,
        customer=customer,
        category=wind_noise,
        description="A whistle at the driver's door above 100 km/h.",
        channel=Complaint.Channel.PHONE,
        severity=Severity.HIGH,
        nature=Nature.UNKNOWN,
    )
    assert DissonanceScore.objects.get(customer=customer, purchase=None).score == 32

    log_in(page, service_user)
    page.goto(complaint.get_absolute_url())
    corrections = page.get_by_role("region", name="Corrections")
    expect(corrections).to_contain_text("Nothing has been corrected.")
    page.get_by_role("link", name="Correct the complaint", exact=True).click()

    expect(page).to_have_url(f"/complaints/{complaint.pk}/correct/")
    expect(
        page.get_by_role("heading", name=f"Correct complaint {complaint.pk}", level=1)
    ).to_be_visible()
    customer_section = page.get_by_role("region", name="1. Customer and purchase")
    expect(customer_section.get_by_role("heading", name="Jonas Hartmann", level=3)).to_be_visible()
    purchase_choice = field(customer_section, "Purchase")
    expect(purchase_choice).to_have_value("")
    complaint_section = page.get_by_role("region", name="2. The complaint")
    expect(field(complaint_section, "Category")).to_have_value(str(wind_noise.pk))
    expect(field(complaint_section, "Severity")).to_have_value(Severity.HIGH)
    expect(complaint_section.get_by_role("radio", name="not yet known", exact=True)).to_be_checked()

    # The purchase choice names what was bought.
    option = purchase_choice.get_by_role("option", name=re.compile("Touran Highline"))
    expect(option).to_have_count(1)
    purchase_choice.select_option(str(car.pk))
    page.get_by_role("button", name="Save the correction", exact=True).click()

    # Without a reason nothing is saved, and the choice made is kept.
    expect(complaint_section.get_by_text("Say why the complaint is corrected.")).to_be_visible()
    expect(field(page, "Purchase")).to_have_value(str(car.pk))
    field(complaint_section, "Reason for the correction").fill(REASON)
    page.get_by_role("button", name="Save the correction", exact=True).click()

    expect(page).to_have_url(f"{complaint.get_absolute_url()}#corrections")
    expect(page.get_by_role("status")).to_contain_text(f"Complaint {complaint.pk} corrected.")
    row = page.get_by_role("region", name="Corrections").get_by_role("row").nth(1)
    expect(row).to_contain_text(str(service_user))
    expect(row).to_contain_text(REASON)
    expect(row.get_by_role("listitem")).to_have_text(
        re.compile(rf"^Purchase: no particular purchase → Purchase {car.pk} · ")
    )
    expect(page.get_by_role("region", name="Customer and purchase")).to_contain_text(
        f"Purchase {car.pk}"
    )

    complaint.refresh_from_db()
    assert complaint.purchase == car
    score = DissonanceScore.objects.get(customer=customer, purchase=None)
    assert (score.score, score.level) == (52, Level.HIGH)
