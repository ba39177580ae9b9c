"""Journey: a mystery shopper reports a poor vehicle handover and the quality manager accepts it.

The shopper opens the assignment from "My assignments", enters the visit time and the minutes
they waited and saves a draft; leaves, comes back and finds the entries kept; completes the form
(served by the salesperson alice, needs analysis 2 of 5, the critical "Explained every function"
not met, the test drive not applicable) and submits. The quality manager opens the result from the
results list, sees the score and accepts it: a coaching action is opened for alice.

Hand-computed: greeting 6 min against 2 → 0, needs analysis 2 → 0.25; Welcome (2×0 + 3×0.25) / 5
= 15 %; Handover (4×0 + 1×1) / 5 = 20 %; overall 1.75 / 10 = 17.5 %.
"""

import re
from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from staff.models import CoachingAction, MysteryShopResult
from tests.e2e.helpers import E2E, checkbox_group, field, log_in, log_out
from tests.staff.mystery_helpers import handover_assignment

pytestmark = E2E


def test_shopper_reports_a_poor_handover_and_quality_accepts_it(
    page: Page, shopper, quality_manager, owner, north
):
    assignment = handover_assignment(
        shopper=shopper, branch=north, employee=owner, created_by=quality_manager
    )
    visited = timezone.localtime(timezone.now() - timedelta(hours=3), north.zone)

    # The shopper starts the form and saves a draft.
    log_in(page, shopper)
    page.goto("/mystery-shop/my/")
    expect(page.get_by_role("heading", name="My assignments", level=1)).to_be_visible()
    page.get_by_role("link", name="Vehicle handover").click()
    expect(page).to_have_url(f"/mystery-shop/my/{assignment.pk}/")
    field(page, "Visit date and time").fill(visited.strftime("%Y-%m-%dT%H:%M"))
    field(page, "Greeted within two minutes").fill("6")
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_role("status")).to_contain_text("Draft saved")

    # Leaves, comes back: the entries are kept.
    page.goto("/")
    page.goto("/mystery-shop/my/")
    expect(page.get_by_text("draft saved")).to_be_visible()
    page.get_by_role("link", name="Vehicle handover").click()
    expect(field(page, "Greeted within two minutes")).to_have_value("6")
    expect(field(page, "Visit date and time")).to_have_value(visited.strftime("%Y-%m-%dT%H:%M"))

    # Completes the poor handover and submits.
    field(page, "Who served you").select_option(label=str(owner))
    checkbox_group(page, "Needs analysis").get_by_role("radio", name="2", exact=True).check()
    checkbox_group(page, "Explained every function").get_by_role(
        "radio", name="no", exact=True
    ).check()
    page.get_by_label("Test drive offered: not applicable").check()
    checkbox_group(page, "Farewell").get_by_role("radio", name="yes", exact=True).check()
    field(page, "What stood out").fill("Nobody showed me the assistance systems.")
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page).to_have_url("/mystery-shop/my/")
    expect(page.get_by_role("status")).to_contain_text("your result is submitted")
    result = MysteryShopResult.objects.get(assignment=assignment)
    assert (result.status, str(result.score), result.critical_failed) == ("submitted", "17.5", True)
    log_out(page, shopper)

    # The quality manager opens the result and accepts it.
    log_in(page, quality_manager)
    page.goto("/mystery-shop/results/")
    row = page.get_by_role("row").filter(has_text="Vehicle handover")
    expect(row).to_contain_text("17.5 %")
    row.get_by_role("link").first.click()
    expect(page).to_have_url(result.get_absolute_url())
    expect(page.get_by_label("Overall score")).to_contain_text("17.5 %")
    expect(page.get_by_text("Accepting opens a coaching action for")).to_be_visible()
    page.get_by_role("button", name="Accept", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text(
        re.compile(rf"coaching action for {re.escape(str(owner))} was opened")
    )
    action = CoachingAction.objects.get(mystery_shop_result=result)
    assert (action.employee, action.branch, action.source) == (owner, north, "mystery_shop")
    assert "17.5" in action.goal
    assert "Explained every function" in action.goal
