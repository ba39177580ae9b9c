"""Journey: the quality manager audits invoicing at North, fails two items, assigns corrective
actions and sees them on the quality dashboard; the owner completes one and the quality manager
verifies it; three wind-noise complaints on one model raise a cluster alert, and a campaign from
the cluster plans a care follow-up for each other owner of the model.

The `quality` user plans the audit in the plan, fills in the tablet checklist (saves half of it
and resumes), submits it with "Prices as agreed" and "Discounts shown" failed, and assigns each
finding's corrective action to Alice of sales. The dashboard shows two open findings and two open
actions. Alice completes hers from "My corrective actions" with the evidence; the quality manager
verifies it. Meanwhile three customers complained about wind noise on the Roadster; the cluster
tick (every five minutes) alerts the quality manager, who starts a campaign from the cluster:
the two other Roadster owners get their follow-ups.
"""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from followups.models import FollowUp, Purpose
from quality import tasks
from quality.audits.models import ActionStatus, AuditStatus, Finding
from quality.campaigns.models import Campaign
from quality.models import ComplaintCategory
from tests.aftersales.factories import UserFactory
from tests.e2e.helpers import E2E, field, log_in, log_out, main_navigation
from tests.quality.audit_helpers import make_template, model, purchase_of
from tests.quality.factories import ComplaintFactory

pytestmark = E2E


def audit_invoicing_and_assign(page: Page, north, template, owner):
    page.get_by_role("link", name="Audit plan").click()
    plan_form = page.get_by_role("region", name="Plan an audit")
    field(plan_form, "Branch").select_option(label="North")
    field(plan_form, "Audit template").select_option(label=f"Invoicing: {template.name}")
    due = timezone.localdate() + timedelta(days=7)
    field(plan_form, "Due on").fill(due.isoformat())
    plan_form.get_by_role("button", name="Plan audit").click()
    expect(page.get_by_text("Invoicing audit at North planned.")).to_be_visible()
    page.get_by_role("row").filter(has_text=template.name).get_by_role(
        "link", name="Invoicing"
    ).click()
    audit_url = page.url

    # On the tablet: half of it, saved, then resumed.
    checklist = page.get_by_role("form", name="Checklist")
    # The item's fieldset (its pass / fail buttons are a group of the same name inside it).
    prices = checklist.get_by_role("group", name="Prices as agreed").first
    prices.get_by_text("Fail", exact=True).click()
    prices.get_by_label("Note").fill("R-104 charged the list price, not the offer's.")
    checklist.get_by_role("button", name="Save and continue later").click()
    expect(page.get_by_text("Saved. You can continue later.")).to_be_visible()
    checklist = page.get_by_role("form", name="Checklist")
    prices = checklist.get_by_role("group", name="Prices as agreed").first
    expect(prices.get_by_label("Note")).to_have_value(
        "R-104 charged the list price, not the offer's."
    )
    checklist.get_by_role("group", name="Discounts shown").first.get_by_text(
        "Fail", exact=True
    ).click()
    checklist.get_by_label("Score 1–5").select_option("4")
    checklist.get_by_label("Measured (target 2.00 days)").fill("1")
    checklist.get_by_role("button", name="Submit audit").click()
    # 0 × 3 + 0 × 2 + 0.75 × 2 + 1 × 1 = 2.5 of 8 points.
    expect(page.get_by_test_id("audit-score")).to_have_text("31.3 %")

    for title, what in (
        ("Prices as agreed", "Check every invoice against the signed offer."),
        ("Discounts shown", "Add the agreed goodwill to the invoice template."),
    ):
        page.goto(audit_url)
        page.get_by_role("region", name="Findings").get_by_role("link", name=title).click()
        assign = page.get_by_role("form", name="Assign a corrective action")
        field(assign, "What is to be done").fill(what)
        field(assign, "Owner").select_option(label=str(owner))
        field(assign, "Due on").fill((timezone.localdate() + timedelta(days=14)).isoformat())
        assign.get_by_role("button", name="Assign corrective action").click()
        expect(page.get_by_text("Corrective action assigned.")).to_be_visible()


# Three people sign in and some thirty pages are loaded, each checked by axe-core: longer than
# the default two minutes on a busy machine.
@pytest.mark.timeout(300)
def test_audit_findings_actions_and_a_campaign_from_a_cluster(page: Page, north, owner):
    quality = UserFactory(username="quality", roles=["quality"], branches=[north])
    UserFactory(username="sven", roles=["service"], branches=[north])
    template = make_template(name="Invoices and statements")

    log_in(page, quality)
    main_navigation(page).get_by_role("link", name="Quality", exact=True).click()
    audit_invoicing_and_assign(page, north, template, owner)
    audit = template.audits.get()
    assert audit.status == AuditStatus.SUBMITTED
    assert Finding.objects.filter(audit=audit).count() == 2

    page.goto("/quality/")
    expect(page.get_by_test_id("open-findings")).to_have_text("2")
    expect(page.get_by_test_id("open-actions")).to_have_text("2")
    page.get_by_role("link", name="Open corrective actions").click()
    expect(page.get_by_role("row").filter(has_text="Check every invoice")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text="Add the agreed goodwill")).to_be_visible()
    log_out(page, quality)

    # The owner completes one from "My corrective actions".
    log_in(page, owner)
    page.goto("/corrective-actions/")
    expect(page.get_by_role("heading", name="My corrective actions")).to_be_visible()
    page.get_by_role("link", name="Check every invoice against the signed offer.").click()
    complete = page.get_by_role("form", name="Complete the action")
    field(complete, "Evidence of completion").fill(
        "All 12 open invoices re-checked; R-104 corrected."
    )
    complete.get_by_role("button", name="Mark completed").click()
    expect(page.get_by_text("Completed; the quality manager verifies it.")).to_be_visible()
    log_out(page, owner)

    # The quality manager verifies it.
    log_in(page, quality)
    page.goto("/corrective-actions/?status=completed")
    page.get_by_role("link", name="Check every invoice against the signed offer.").click()
    verify = page.get_by_role("form", name="Verify the action")
    field(verify, "Note").fill("Checked five invoices of this week.")
    verify.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("Verified.")).to_be_visible()
    statuses = {
        action.description: action.status
        for action in audit.findings.get(title="Prices as agreed").actions.all()
    }
    assert statuses == {"Check every invoice against the signed offer.": ActionStatus.VERIFIED}

    # Three wind-noise complaints on the Roadster; two more owners have one.
    wind = ComplaintCategory.objects.get(code="noise-wind")
    roadster = model("Roadster 2")
    for days in (40, 25, 10):
        ComplaintFactory(
            purchase=purchase_of(roadster, branch=north),
            category=wind,
            received_at=timezone.now() - timedelta(days=days),
        )
    others = [purchase_of(roadster, branch=north) for _number in range(2)]
    tasks.detect_complaint_clusters.apply()  # what the five-minute beat runs

    page.goto("/notifications/")
    expect(page.get_by_text("Complaints pile up: Noise → Wind noise on Roadster 2")).to_be_visible()
    page.goto("/quality/")
    clusters = page.get_by_role("region", name="Complaint clusters")
    clusters.get_by_role("link", name="Wind noise on Roadster 2").click()
    start = page.get_by_role("region", name="Start a campaign for the other owners")
    field(start, "Name").fill("Door seal Roadster 2")
    field(start, "Reference").fill("WN-2026-01")
    start.get_by_role("button", name="Start campaign").click()
    expect(page.get_by_test_id("campaign-affected")).to_have_text("2")
    expect(page.get_by_test_id("campaign-planned")).to_have_text("2")

    campaign = Campaign.objects.get(reference="WN-2026-01")
    followups = FollowUp.objects.filter(
        pk__in=campaign.contacts.values("followup_id"), purpose=Purpose.CARE
    )
    assert {followup.purchase_id for followup in followups} == {p.pk for p in others}
