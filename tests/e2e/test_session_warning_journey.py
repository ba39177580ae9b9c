"""The mystery shopper's result form warns before the idle logout and, left alone, saves the
draft while the session still lives. The page's clock is Playwright's, moved ahead by minutes;
the server's is real, so the session is alive throughout."""

from playwright.sync_api import Page, expect

from tests.e2e.helpers import E2E, log_in
from tests.staff.mystery_helpers import handover_assignment

pytestmark = E2E


def test_the_result_form_warns_and_saves_the_draft(page: Page, north, shopper, owner):
    assignment = handover_assignment(shopper=shopper, branch=north, employee=owner)
    log_in(page, shopper)
    page.clock.install()
    page.goto(f"/mystery-shop/my/{assignment.pk}/")
    expect(page.get_by_role("button", name="Save draft")).to_be_visible()

    # 28 of the 30 idle minutes: the warning, with the way to stay signed in.
    page.clock.run_for("28:05")
    warning = page.get_by_role("alert").filter(has_text="You will be signed out in 2 minutes")
    expect(warning).to_be_visible()
    warning.get_by_role("button", name="Stay signed in").click()
    expect(warning).to_have_count(0)

    # Left alone again: a minute before the logout the draft is saved.
    page.clock.run_for("29:05")
    expect(page.get_by_text("Draft saved. You can come back to it any time.")).to_be_visible()
