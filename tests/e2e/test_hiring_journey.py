"""Journey: two managers of North assess a candidate independently and the first records the
decision.

Mia adds Lena Vogt, a candidate for sales, and rates the five competencies on their anchored
scales. Max, the second manager, opens the candidate: he sees that one assessment is in, but not
Mia's ratings, until he has submitted his own. Then the combined results show both, with their
disagreement on resilience (Mia 4, Max 1: a spread of 3) highlighted. Mia records the rejection
with its reason; the page says when the candidate's data will be deleted.
"""

import re

from dateutil.relativedelta import relativedelta
from django.utils import timezone
from django.utils.formats import date_format
from playwright.sync_api import Page, expect

from staff.models import Candidate, CandidateAssessment
from tests.aftersales.factories import UserFactory
from tests.e2e.helpers import E2E, checkbox_group, field, log_in, log_out

pytestmark = E2E

COMPETENCIES = [
    "Customer orientation",
    "Reliability and punctuality",
    "Communication",
    "Resilience under complaint pressure",
    "Product interest",
]
MIA_SAW = "Handled the angry-customer role play calmly"


def rate(page: Page, levels, evidence):
    """Fill in the assessment form: each competency's level and what was observed."""
    for number, (name, level) in enumerate(zip(COMPETENCIES, levels, strict=True), start=1):
        section = page.get_by_role("region", name=f"{number}. {name}", exact=True)
        # The anchors are next to the radios: the level's description is its label.
        levels_group = checkbox_group(section, "Level (1–5)")
        expect(levels_group.get_by_role("radio")).to_have_count(5)
        levels_group.get_by_role("radio", name=re.compile(rf"^{level} · ")).check()
        field(section, "What you observed").fill(f"{evidence} ({name})")


def test_two_managers_assess_independently_and_the_decision_is_recorded(page: Page, manager, north):
    max_ = UserFactory(
        username="max", first_name="Max", last_name="Brandt", roles=["manager"], branches=[north]
    )

    # Mia adds the candidate.
    log_in(page, manager)
    page.goto("/candidates/")
    expect(page.get_by_role("heading", name="Candidates", level=1)).to_be_visible()
    expect(page.get_by_text("No candidates yet.")).to_be_visible()
    page.get_by_role("link", name="Add a candidate").click()
    field(page, "First name").fill("Lena")
    field(page, "Last name").fill("Vogt")
    field(page, "E-mail").fill("lena.vogt@example.com")
    field(page, "Role applied for").select_option(label="Sales")
    expect(field(page, "Branch")).to_have_value(str(north.pk))
    page.get_by_role("button", name="Add candidate", exact=True).click()

    candidate = Candidate.objects.get()
    expect(page).to_have_url(candidate.get_absolute_url())
    expect(page.get_by_role("status")).to_contain_text("Candidate Lena Vogt added.")
    expect(
        page.get_by_text("Will be deleted 6 months after the decision unless hired.")
    ).to_be_visible()

    # Mia rates the five competencies on the anchored scales.
    page.get_by_role("link", name="Assess this candidate").click()
    expect(page.get_by_role("heading", name="Assess Lena Vogt", level=1)).to_be_visible()
    resilience = page.get_by_role("region", name="4. Resilience under complaint pressure")
    expect(resilience.get_by_text("Role play: an angry customer complains")).to_be_visible()
    rate(page, [4, 5, 3, 4, 4], MIA_SAW)
    page.get_by_role("button", name="Submit my assessment", exact=True).click()
    expect(page).to_have_url(candidate.get_absolute_url())
    expect(page.get_by_role("status")).to_contain_text("Your assessment of Lena Vogt is submitted.")
    log_out(page, manager)

    # Max sees that an assessment is in, but not Mia's ratings.
    log_in(page, max_)
    page.goto("/candidates/")
    row = page.get_by_role("row").filter(has=page.get_by_role("link", name="Vogt, Lena"))
    expect(row).to_contain_text("hidden")
    row.get_by_role("link", name="Vogt, Lena").click()
    results = page.get_by_role("region", name="Combined results")
    expect(results).to_contain_text("1 assessment submitted.")
    expect(results.get_by_role("table")).to_have_count(0)
    expect(page.get_by_text(MIA_SAW)).to_have_count(0)

    # Max rates on his own: he saw Lena lose her temper in the role play.
    page.get_by_role("link", name="Assess this candidate").click()
    rate(page, [4, 4, 3, 1, 3], "Max observed")
    page.get_by_role("button", name="Submit my assessment", exact=True).click()
    expect(page.get_by_role("status")).to_contain_text("Your assessment of Lena Vogt is submitted.")

    # The combined view now shows both, and the disagreement on resilience.
    results = page.get_by_role("region", name="Combined results")
    expect(results.get_by_role("alert")).to_contain_text(
        "Assessors disagree — discuss before deciding."
    )
    table = results.get_by_role("table")
    resilience_row = table.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name=re.compile(r"^Resilience under complaint pressure"))
    )
    expect(resilience_row).to_contain_text("assessors disagree — discuss before deciding")
    expect(resilience_row.get_by_role("cell")).to_have_text(["4", "1", "2.50", "1", "4", "3", "2"])
    calm_row = table.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Communication", exact=True)
    )
    expect(calm_row.get_by_role("cell")).to_have_text(["3", "3", "3.00", "3", "3", "0", "2"])
    expect(table.get_by_role("row").filter(has_text="Overall mean")).to_contain_text("3.50")
    log_out(page, max_)

    # Mia discusses with Max and records the decision.
    log_in(page, manager)
    page.goto(candidate.get_absolute_url())
    decision = page.get_by_role("region", name="Record the decision")
    expect(decision).to_contain_text("The assessors disagree on at least one competency")
    checkbox_group(decision, "Decision").get_by_role("radio", name="rejected", exact=True).check()
    field(decision, "Reason").fill("Resilience under complaint pressure below what the role needs.")
    decision.get_by_role("button", name="Record decision", exact=True).click()

    candidate.refresh_from_db()
    assert candidate.status == Candidate.Status.REJECTED
    assert candidate.decided_by == manager
    deleted_on = timezone.localdate() + relativedelta(months=6)
    assert candidate.delete_after == deleted_on
    expect(page.get_by_role("status")).to_contain_text("Decision recorded: rejected.")
    retention = page.get_by_role("region", name="Candidate", exact=True)
    expect(retention).to_contain_text(
        f"Will be deleted on {date_format(deleted_on, 'DATE_FORMAT')}."
    )
    expect(page.get_by_role("region", name="Record the decision")).to_have_count(0)
    expect(page.get_by_role("link", name="Change my assessment")).to_have_count(0)
    assert CandidateAssessment.objects.filter(candidate=candidate).count() == 2
