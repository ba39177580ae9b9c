"""The run of the main pages in one language (test_german_only.py, test_english_only.py): each
role logs in with the browser's locale set and visits the pages of their day, and no page may
show a value of the shipped data in the other language.

The other language's list is the shipped data's own: every value of a seeded row in that
language that differs from its value in the reader's (category and product names, playbook and
step texts, the complaint taxonomy, courses, offer rules, scorecard and audit templates with
their sections, criteria and guidance). axe runs on every page through the ``page`` fixture.
"""

import re
from io import StringIO

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
# The login form's labels in each language.
LOGIN = {
    "de": ("Benutzername", "Passwort", "Anmelden"),
    "en": ("Username", "Password", "Log in"),
}


def seed_demo_team(settings, monkeypatch, language):
    """The demo data, with the demo team reading `language` (notifications are written in
    their recipient's language)."""
    settings.DEBUG = True
    monkeypatch.setattr(seed_demo, "DEMO_CUSTOMERS", 12)
    call_command("load_demo_data", stdout=StringIO())
    User.objects.update(language=language)
    for command, *args in (
        ("seed_demo",),
        ("seed_playbooks",),
        ("seed_offers", "--no-generation"),
        ("seed_training",),
        ("seed_scorecards",),
        ("seed_audits",),
    ):
        call_command(command, *args, stdout=StringIO())


def shipped_words(*, shown, other):
    """The `other` language's values of the shipped rows that differ from the `shown` one's."""
    words = set()
    for model, field in SHIPPED_TEXTS:
        for value_other, value_shown in model.objects.values_list(
            f"{field}_{other}", f"{field}_{shown}"
        ):
            if value_other and value_shown and value_other != value_shown:
                words.add(value_other)
    return words


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


def pages_showing(page: Page, username, *, language, words):
    """{page: the `words` it shows} for the role's main pages, signed in with the browser in
    `language`."""
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(word)}(?!\w)" for word in words))
    username_label, password_label, button = LOGIN[language]
    page.goto("/login/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.get_by_label(username_label).fill(username)
    page.get_by_label(password_label).fill(DEMO_PASSWORD)
    page.get_by_role("button", name=button, exact=True).click()
    expect(page).to_have_url("/")
    found = {}
    for url in main_pages(username):
        page.goto(url)
        hits = set(pattern.findall(shown_text(page)))
        if hits:
            found[url] = sorted(hits)
    return found
