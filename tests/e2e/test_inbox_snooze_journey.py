"""Journey: a salesperson puts off an overdue follow-up from the inbox, and the row moves.

The inbox answers the inline form with its sections redrawn, so the follow-up leaves "Overdue"
for "Upcoming" at once, with a notice saying until when; before, the row stayed under "Overdue"
until the page was reloaded.
"""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from tests.customers.factories import CustomerFactory, PurchaseFactory
from tests.e2e.helpers import E2E, field, log_in
from tests.followups.factories import FollowUpFactory

pytestmark = E2E

WEDNESDAY = 2


def next_wednesday_after(day, at_least_days):
    """A working day (no weekend to move it), at least `at_least_days` ahead."""
    day += timedelta(days=at_least_days)
    return day + timedelta(days=(WEDNESDAY - day.weekday()) % 7)


def test_a_put_off_followup_moves_from_overdue_to_upcoming_at_once(page: Page, owner, north):
    today = timezone.localdate()
    customer = CustomerFactory(branch=north, first_name="Sabine", last_name="Weiß")
    purchase = PurchaseFactory(customer=customer, salesperson=owner)
    followup = FollowUpFactory(
        purchase=purchase, title="Two-week check-in", due_date=today - timedelta(days=2)
    )
    until = next_wednesday_after(today, 3)

    log_in(page, owner)
    page.goto("/followups/")
    overdue = page.locator("#overdue")
    row = overdue.locator(f"#followup-{followup.pk}")
    expect(row).to_contain_text("Two-week check-in")

    row.get_by_role("link", name="Put off").click()
    form_row = page.locator(f"#followup-{followup.pk}")
    field(form_row, "Put off until").fill(until.isoformat())
    field(form_row, "Reason").fill("Customer on holiday")
    form_row.get_by_role("button", name="Put off", exact=True).click()

    shown_until = f"{until.month:02}/{until.day:02}/{until.year}"
    expect(page.get_by_role("status")).to_have_text(f"Follow-up put off until {shown_until}.")
    moved = page.locator("#upcoming").locator(f"#followup-{followup.pk}")
    expect(moved).to_contain_text("Customer on holiday")
    expect(page.locator(f"#overdue #followup-{followup.pk}")).to_have_count(0)
    expect(page.get_by_role("heading", name="Overdue")).to_contain_text("0")

    # A reload shows the same: the move was saved, not only drawn.
    page.reload()
    expect(page.locator("#upcoming").locator(f"#followup-{followup.pk}")).to_be_visible()
