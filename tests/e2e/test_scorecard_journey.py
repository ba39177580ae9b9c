"""Journey (issue 6): a mystery shopper's poor handover result ends on the employee's scorecard.

The shopper opens their assignment (a vehicle handover at North, observing Ada Adams), saves a
draft with the visit and the first answer, comes back to it later and finds the draft kept, then
submits a poor result: the greeting was fine and so was the farewell, but the handover did not
explain the car's functions, a critical criterion of double weight → (1 + 0 + 1) / 4 = 50 %.
The quality manager accepts it, which opens a coaching action for Ada's manager. The manager
finds that action in the coaching list and, on Ada's scorecard (reached through the branch
scorecard), her mystery-shop average lowered from 100.0 % (one earlier visit) to 75.0 %.
"""

import re
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone
from playwright.sync_api import Page, expect

from staff.models import CoachingAction, MysteryShopResult, Scenario
from tests.aftersales.factories import UserFactory
from tests.e2e.helpers import E2E, checkbox_group, field, log_in, log_out
from tests.staff.factories import AssignmentFactory, ResultFactory, make_version

pytestmark = E2E

GREETING = "Greeted within two minutes"
FUNCTIONS = "Handover explained every function"
FAREWELL = "Friendly farewell"


def test_a_poor_handover_lowers_the_employees_score_and_opens_coaching(
    page: Page, north, shopper, quality_manager, manager
):
    ada = UserFactory(
        username="ada.adams", first_name="Ada", last_name="Adams", roles=["sales"], branches=[north]
    )
    version = make_version(
        {
            "Handover": [
                {"text": GREETING},
                {"text": FUNCTIONS, "weight": 2, "is_critical": True},
                {"text": FAREWELL},
            ]
        },
        coaching_threshold=70,
    )
    version.template.name = "Vehicle handover"
    version.template.scenario = Scenario.VEHICLE_HANDOVER
    version.template.save()
    today = timezone.localdate()
    assignment = AssignmentFactory(
        version=version,
        shopper=shopper,
        branch=north,
        employee=ada,
        window_start=today - timedelta(days=7),
        window_end=today + timedelta(days=7),
    )
    # An earlier visit went perfectly: Ada's average is 100.0 % before this journey.
    ResultFactory(
        assignment=AssignmentFactory(branch=north, employee=ada),
        served_by=ada,
        status=MysteryShopResult.Status.ACCEPTED,
        score=Decimal(100),
        visited_at=timezone.now() - timedelta(days=20),
    )
    visited = timezone.localtime(timezone.now() - timedelta(hours=1), north.zone)

    # The shopper opens the assignment and saves a draft.
    log_in(page, shopper)
    page.goto("/mystery-shop/my/")
    page.get_by_role("link", name="Vehicle handover", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Vehicle handover")
    field(page, "Visit date and time").fill(visited.strftime("%Y-%m-%dT%H:%M"))
    field(page, "Who served you").select_option(label=str(ada))
    checkbox_group(page, GREETING).get_by_label("yes", exact=True).check()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_text("Draft saved. You can come back to it any time.")).to_be_visible()

    # Later the shopper returns: the draft is kept; they finish and submit.
    page.goto("/mystery-shop/my/")
    expect(page.get_by_text("draft saved")).to_be_visible()
    page.get_by_role("link", name="Vehicle handover", exact=True).click()
    expect(checkbox_group(page, GREETING).get_by_label("yes", exact=True)).to_be_checked()
    expect(field(page, "Who served you")).to_have_value(str(ada.pk))
    checkbox_group(page, FUNCTIONS).get_by_label("no", exact=True).check()
    checkbox_group(page, FAREWELL).get_by_label("yes", exact=True).check()
    field(page, "Comments").fill("The handover took five minutes; nothing was explained.")
    page.get_by_role("button", name="Submit", exact=True).click()
    expect(page.get_by_text("Thank you: your result is submitted.")).to_be_visible()
    result = MysteryShopResult.objects.get(assignment=assignment)
    assert result.status == MysteryShopResult.Status.SUBMITTED
    assert result.score == Decimal("50.0")
    log_out(page, shopper)

    # The quality manager accepts it; that opens a coaching action for Ada.
    log_in(page, quality_manager)
    page.goto("/mystery-shop/results/")
    page.get_by_role("link", name=re.compile(r"\d")).first.click()
    expect(page).to_have_url(f"/mystery-shop/results/{result.pk}/")
    page.get_by_role("button", name="Accept", exact=True).click()
    expect(page.get_by_text(f"A coaching action for {ada} was opened.")).to_be_visible()
    log_out(page, quality_manager)

    # The manager finds the coaching action ...
    action = CoachingAction.objects.get(mystery_shop_result=result)
    log_in(page, manager)
    page.goto("/coaching/")
    page.get_by_role("link", name=str(ada), exact=True).click()
    expect(page).to_have_url(action.get_absolute_url())
    expect(page.get_by_role("main").get_by_text("Mystery-shop result").first).to_be_visible()

    # ... and the lowered score on Ada's scorecard, through the branch's scorecard.
    page.goto("/scorecards/")
    page.get_by_role("link", name="North", exact=True).click()
    comparison = page.get_by_role("table", name="Employees compared")
    expect(comparison.get_by_role("row", name=re.compile(str(ada)))).to_contain_text("75.0 %")
    comparison.get_by_role("link", name=str(ada), exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Scorecard of {ada}")
    expect(page.locator("#figure-mystery-average")).to_have_text("75.0 %")
    expect(page.get_by_text("2 accepted results")).to_be_visible()
    latest = page.get_by_role("table", name="Latest mystery-shop results")
    expect(latest.get_by_role("row").filter(has_text="50.0 %")).to_have_count(1)
    open_coaching = page.get_by_role("list", name="Open coaching actions")
    expect(open_coaching.get_by_role("link")).to_have_count(1)
    open_coaching.get_by_role("link").click()
    expect(page).to_have_url(action.get_absolute_url())
