"""Journey: a salesperson logs a purchase for a "new" customer who turns out to exist already.

The customer married and gives her new name, so the search at the top of the page finds
nobody; she gives the same e-mail address, though, and the page warns about the duplicate
before anything is saved. The salesperson picks the existing record, checks the form that comes
back with it and saves; the purchase shows on that customer's page. No second customer is
created.
"""

import re

from django.utils import timezone, translation
from django.utils.formats import date_format
from playwright.sync_api import Page, expect

from customers.models import Customer, Purchase
from tests.customers.factories import CustomerFactory, ProductCategoryFactory, ProductFactory
from tests.e2e.helpers import E2E, field, log_in, main_navigation
from tests.followups.factories import PlaybookFactory, PlaybookStepFactory

pytestmark = E2E

VIN = "WVWZZZCDZRW000123"


def test_salesperson_is_warned_about_a_duplicate_and_logs_the_purchase_for_the_existing_customer(
    page: Page, owner, north
):
    existing = CustomerFactory(
        branch=north,
        first_name="Anna",
        last_name="Becker",
        email="anna.becker@example.com",
        phone="040 5550101",
        postcode="20095",
        city="Hamburg",
    )
    new_cars = ProductCategoryFactory(name="New cars", code="new-cars")
    ProductFactory(name="Golf 1.5 eTSI", category=new_cars)
    PlaybookStepFactory(
        playbook=PlaybookFactory(name="New car care", category=new_cars),
        offset_days=7,
        title="One-week check-in",
    )
    today = timezone.localdate()

    log_in(page, owner)
    main_navigation(page).get_by_role("link", name="Log a purchase", exact=True).click()
    expect(page).to_have_url("/purchases/new/")
    expect(page.get_by_role("heading", name="Log a purchase", level=1)).to_be_visible()
    # The search as you type needs htmx, a deferred script that has run once the page has loaded.
    page.wait_for_load_state("load")

    # 1. The customer: the search by her new name finds nobody, so she is entered as new.
    customer = page.get_by_role("region", name="1. Customer")
    customer.get_by_label("Find the customer").fill("Kowalski")
    expect(
        customer.get_by_text("No customer found. Enter the new customer's details below.")
    ).to_be_visible()
    expect(customer.get_by_text("…or enter a new customer")).to_be_visible()
    field(customer, "First name").fill("Anna")
    field(customer, "Last name").fill("Kowalski")
    field(customer, "E-mail").fill("Anna.Becker@example.com")
    field(customer, "Mobile").fill("0171 5550199")
    field(customer, "Postcode").fill("22085")
    field(customer, "City").fill("Hamburg")

    # 2. The purchase: branch and salesperson are preset for a salesperson of one branch.
    purchase = page.get_by_role("region", name="2. Purchase")
    expect(field(purchase, "Branch")).to_have_value(str(north.pk))
    expect(field(purchase, "Salesperson")).to_have_value(str(owner.pk))
    expect(field(purchase, "Purchase date")).to_have_value(today.isoformat())
    field(purchase, "Handover date").fill(today.isoformat())
    field(purchase, "Identifier").fill(VIN)
    first_line = purchase.get_by_role("table").get_by_role("row").nth(1)
    field(first_line, "Product, row 1").select_option(label="Golf 1.5 eTSI")
    field(first_line, "Unit price, row 1").fill("31990")

    # 3. Consent, asked at the desk.
    consent = page.get_by_role("region", name="3. Contact consent")
    field(consent, "Offers by e-mail?").select_option(label="yes, agreed")
    field(consent, "Offers by phone?").select_option(label="no")

    page.get_by_role("button", name="Log purchase", exact=True).click()

    # The page comes back with a warning instead of creating a second Anna.
    expect(page).to_have_url("/purchases/new/")
    warning = page.get_by_role("alert").filter(has_text="This customer may already exist")
    expect(warning).to_be_visible()
    expect(warning.get_by_role("listitem")).to_have_count(1)
    expect(warning.get_by_role("listitem")).to_contain_text("anna.becker@example.com")
    expect(
        warning.get_by_role("checkbox", name=re.compile("This is a new customer"))
    ).not_to_be_checked()
    # What was entered is still there.
    expect(field(purchase, "Identifier")).to_have_value(VIN)
    expect(field(customer, "Last name")).to_have_value("Kowalski")

    warning.get_by_role("button", name="Use Anna Becker", exact=True).click()

    # Nothing is saved yet: the form comes back with her record and what was entered, to check.
    expect(page).to_have_url("/purchases/new/")
    expect(
        page.get_by_role("status").filter(has_text="Existing customer selected — review and save.")
    ).to_be_visible()
    expect(
        page.get_by_role("alert").filter(has_text="This customer may already exist")
    ).to_have_count(0)
    expect(customer.get_by_role("heading", name="Anna Becker", level=3)).to_be_visible()
    expect(customer).to_contain_text("anna.becker@example.com")
    expect(field(purchase, "Identifier")).to_have_value(VIN)
    expect(field(first_line, "Unit price, row 1")).to_have_value("31990")
    expect(field(consent, "Offers by e-mail?")).to_have_value("yes")
    assert not Purchase.objects.exists()

    page.get_by_role("button", name="Log purchase", exact=True).click()

    expect(page).to_have_url(re.compile(r"/purchases/\d+/logged/$"))
    confirmation = page.get_by_role("status").filter(
        has=page.get_by_role("heading", name="Purchase logged", level=1)
    )
    expect(confirmation).to_contain_text("Anna Becker — 31,990.00 EUR")
    expect(page.get_by_role("heading", name="What happens next", level=2)).to_be_visible()

    page.get_by_role("link", name="Open the customer", exact=True).click()

    expect(page).to_have_url(existing.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Anna Becker #{existing.pk}")
    purchases = page.get_by_role("region", name="Purchases")
    row = purchases.get_by_role("row").filter(has_text=VIN)
    with translation.override("en"):
        day = date_format(today, "SHORT_DATE_FORMAT")
    expect(row.get_by_role("cell")).to_have_text(
        [day, "New cars: Golf 1.5 eTSI", VIN, day, "NORTH", "31,990.00 EUR", "handed over"]
    )
    # The consent questions were recorded on her record too.
    consent = page.get_by_role("region", name="Marketing consent")
    email_consent = consent.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="E-mail", exact=True)
    )
    expect(email_consent).to_contain_text("granted")
    # Her first "no" to phone offers is a refusal, not a withdrawal.
    phone_consent = consent.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Phone", exact=True)
    )
    expect(phone_consent).to_contain_text("declined")
    expect(phone_consent).not_to_contain_text("withdrawn")
    # The timeline keeps the planned check-in apart from what has happened.
    coming_up = page.get_by_role("region", name="Coming up")
    expect(coming_up.get_by_role("listitem")).to_have_count(1)
    expect(coming_up.get_by_role("listitem")).to_contain_text("Planned: One-week check-in")
    history = page.get_by_role("region", name="History", exact=True)
    expect(history).to_contain_text("Purchase: Golf 1.5 eTSI")
    expect(history).to_contain_text("Consent granted: e-mail")
    expect(history).not_to_contain_text("One-week check-in")

    # The purchase went to the existing record, and no duplicate was created.
    assert Customer.objects.count() == 1
    assert Purchase.objects.get().customer == existing
