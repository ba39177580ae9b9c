"""Journey: a German browser sees no English word of the shipped data on the main pages.

Each role logs in with the browser's locale de-DE and visits the pages of their day: inbox,
customer page, log purchase, complaint form, dissonance dashboard, playbooks, scorecards; the
quality manager also a mystery-shop scorecard and an accepted result, an audit template and a
carried-out audit. The English list is the shipped data's own: every English value of a seeded
row whose German value differs (category and product names, playbook and step texts, the
complaint taxonomy, courses, offer rules, scorecard and audit templates with their sections,
criteria and guidance). axe runs on every page through the ``page`` fixture.
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from playwright.sync_api import Page, expect

from aftersales.management.commands.load_demo_data import DEMO_PASSWORD
from aftersales.models import User
from customers.management.commands import seed_demo
from customers.models import Customer, Product, ProductCategory
from followups.models import OfferRule, Playbook, PlaybookStep
from quality.audits.models import Audit, AuditItem, AuditSection, AuditTemplate
from quality.models import ComplaintCategory
from staff.mystery.models import (
    Criterion,
    MysteryShopResult,
    ScorecardSection,
    ScorecardTemplate,
)
from staff.people.models import Course
from tests.e2e.helpers import E2E

pytestmark = [*E2E, pytest.mark.browser_context_args(locale="de-DE")]

SHIPPED_TEXTS = [
    (ProductCategory, "name"),
    (Product, "name"),
    (Playbook, "name"),
    (PlaybookStep, "title"),
    (PlaybookStep, "instructions"),
    (ComplaintCategory, "name"),
    (Course, "title"),
    (OfferRule, "name"),
    (ScorecardTemplate, "name"),
    (ScorecardSection, "title"),
    (Criterion, "text"),
    (Criterion, "guidance"),
    (AuditTemplate, "name"),
    (AuditSection, "title"),
    (AuditItem, "text"),
    (AuditItem, "guidance"),
]
ROLES = ["sales", "service", "manager", "quality"]


@pytest.fixture
def demo(settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setattr(seed_demo, "DEMO_CUSTOMERS", 12)
    call_command("load_demo_data", stdout=StringIO())
    # Notifications are written in their recipient's language: the demo team reads German here.
    User.objects.update(language="de")
    for command, *args in (
        ("seed_demo",),
        ("seed_playbooks",),
        ("seed_offers", "--no-generation"),
        ("seed_training",),
        ("seed_scorecards",),
        ("seed_audits",),
    ):
        call_command(command, *args, stdout=StringIO())


def english_words():
    """The English values of the shipped rows that differ from their German."""
    english = set()
    for model, field in SHIPPED_TEXTS:
        for value_en, value_de in model.objects.values_list(f"{field}_en", f"{field}_de"):
            if value_en and value_de and value_en != value_de:
                english.add(value_en)
    return english


def shown_text(page: Page):
    """The page's visible text and its choices' labels (a closed select shows one)."""
    return page.evaluate(
        """() => [document.body.innerText,
                  ...[...document.querySelectorAll('option')].map((o) => o.textContent)]
                 .join('\\n')"""
    )


def checklist_pages():
    """A scorecard and an accepted result, an audit template and a carried-out audit."""
    template = ScorecardTemplate.objects.get(name_en="Vehicle handover")
    result = MysteryShopResult.objects.filter(status=MysteryShopResult.Status.ACCEPTED).first()
    audit = Audit.objects.filter(score__isnull=False, branch__code="MUC").first()
    return [
        reverse("staff:template-detail", args=[template.pk]),
        reverse("staff:result-detail", args=[result.pk]),
        reverse("quality:audit-template-detail", args=[audit.template_id]),
        reverse("quality:audit-detail", args=[audit.pk]),
    ]


def main_pages(username):
    customer = Customer.objects.filter(purchases__isnull=False, branch__code="MUC").first()
    extra = checklist_pages() if username == "quality" else []
    return [
        reverse("home"),
        reverse("followups:inbox"),
        reverse("customers:customer-detail", args=[customer.pk]),
        reverse("customers:purchase-create"),
        reverse("quality:complaint-create"),
        reverse("quality:dashboard"),
        reverse("followups:playbook-list"),
        reverse("staff:scorecards"),
        *extra,
    ]


@pytest.mark.parametrize("username", ROLES)
def test_the_main_pages_show_no_shipped_english(page: Page, demo, username):
    english = english_words()
    assert {
        "New cars",
        "All-weather floor mats",
        "Thank-you call",
        "Wind noise",
        "Greeted within two minutes",
        "Prices as agreed in the order",
    } <= english
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(word)}(?!\w)" for word in english))
    page.goto("/login/")
    expect(page.locator("html")).to_have_attribute("lang", "de")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Anmelden", exact=True).click()
    expect(page).to_have_url("/")
    found = {}
    for url in main_pages(username):
        page.goto(url)
        hits = set(pattern.findall(shown_text(page)))
        if hits:
            found[url] = sorted(hits)
    assert not found, f"English shipped data on German pages: {found}"
