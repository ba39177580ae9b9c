"""Journey: an administrator imports a dealer system's export of 20,000 purchases.

The file is checked and imported by a real Celery worker while the page shows a progress bar
that reaches 100 %; the check's figures come first, then "Import now" runs the import as a second
job, and the purchases are found on the purchase list. Nothing is written before the import.
"""

import re
from decimal import Decimal

from playwright.sync_api import Page, expect

from customers.models import Purchase
from tests.customers.factories import ProductFactory
from tests.customers.test_import import csv_file, row
from tests.e2e.helpers import E2E, log_in, main_navigation

pytestmark = E2E

ROWS = 20_000
# A worker checks or writes 20,000 rows in a few seconds; a loaded CI machine takes longer.
JOB_TIMEOUT_MS = 120_000


PROGRESS = "/progress/"
PERCENT = re.compile(r'aria-valuenow="(\d+)"')


def assert_the_bar_reached_100(polls):
    """The bar as the page polled it went up, never down, and stood at 100 % at the end (for a
    second only, before the outcome replaced it: too short to catch on screen reliably)."""
    percents = [int(PERCENT.search(response.text()).group(1)) for response in polls]
    polls.clear()
    assert percents and percents[-1] == 100, percents
    assert percents == sorted(percents), percents


def dealer_export():
    return csv_file(
        *(
            row(
                purchase_ref=f"P-{n}",
                customer_ref=f"K-{n}",
                last_name=f"Kunde{n}",
                email=f"kunde{n}@example.com",
                identifier=f"WVWZZZ1JZXW{n:06d}",
            )
            for n in range(1, ROWS + 1)
        )
    )


def test_admin_imports_20000_purchases_with_a_progress_bar(
    page: Page, celery_worker, admin_user, north
):
    ProductFactory(sku="CAR-1", list_price=Decimal("25990.00"))

    polls = []  # the progress bar's answers, as the page polled them
    page.on("response", lambda response: polls.append(response) if PROGRESS in response.url else 0)

    log_in(page, admin_user)
    main_navigation(page).get_by_role("link", name="Purchases", exact=True).click()
    page.get_by_role("link", name="Import from CSV").click()
    expect(page.get_by_text("You have not imported a file yet.")).to_be_visible()
    page.get_by_label("CSV file").set_input_files(
        {"name": "dms-export.csv", "mimeType": "text/csv", "buffer": dealer_export()}
    )
    page.get_by_role("button", name="Check the file").click()

    expect(page.get_by_role("heading", name="Checking the file")).to_be_visible()
    expect(page.get_by_role("progressbar", name="Progress")).to_be_visible()
    expect(page.get_by_role("heading", name="Import preview")).to_be_visible(timeout=JOB_TIMEOUT_MS)
    assert_the_bar_reached_100(polls)
    expect(page.get_by_text(f"The file has {ROWS} rows and no errors.")).to_be_visible()
    assert not Purchase.objects.exists()

    page.get_by_role("button", name="Import now").click()
    expect(page.get_by_role("heading", name="Importing the file")).to_be_visible()
    expect(page.get_by_role("heading", name="Import finished")).to_be_visible(
        timeout=JOB_TIMEOUT_MS
    )
    assert_the_bar_reached_100(polls)
    expect(page.get_by_text(f"{ROWS} rows read.")).to_be_visible()
    assert Purchase.objects.count() == ROWS

    page.get_by_role("link", name="Open the purchases").click()
    page.get_by_label("Search").fill("WVWZZZ1JZXW012345")
    page.get_by_label("Search").press("Enter")
    expect(page.get_by_role("link", name=re.compile("Kunde12345"))).to_be_visible()

    page.goto("/purchases/import/")
    recent = page.get_by_role("table")
    expect(recent.get_by_role("row")).to_have_count(3)  # the header, the check, the import
