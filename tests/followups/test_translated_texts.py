"""Playbooks, their steps, the follow-ups planned from them and the offer rules in German and
English: the reader's language with a fallback, both edited side by side, both in the demo."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation

from customers.management.commands import seed_demo
from followups import services
from followups.management.commands import seed_playbooks
from followups.models import FollowUp, OfferRule, Playbook, PlaybookStep
from tests.customers.factories import ProductCategoryFactory, ProductFactory, PurchaseFactory
from tests.followups.factories import PlaybookFactory, PlaybookStepFactory


@pytest.fixture
def thank_you(db):
    category = ProductCategoryFactory(name_en="New cars", name_de="Neuwagen", code="nc")
    playbook = PlaybookFactory(name_en="New cars", name_de="Neuwagen", category=category)
    return PlaybookStepFactory(
        playbook=playbook,
        offset_days=1,
        title_en="Thank-you call",
        title_de="Dankesanruf",
        instructions_en="Ask specifically: Any noises?",
        instructions_de="Fragen Sie gezielt: Gibt es Geräusche?",
    )


def test_a_step_reads_in_the_active_language_with_a_fallback(thank_you):
    with translation.override("de"):
        assert (thank_you.title, thank_you.playbook.name) == ("Dankesanruf", "Neuwagen")
    with translation.override("en"):
        assert thank_you.instructions == "Ask specifically: Any noises?"
    PlaybookStep.objects.filter(pk=thank_you.pk).update(instructions_de="")
    with translation.override("de"):
        assert PlaybookStep.objects.get(pk=thank_you.pk).instructions == (
            "Ask specifically: Any noises?"
        )


def test_a_planned_follow_up_keeps_both_languages_of_its_step(thank_you):
    purchase = PurchaseFactory(
        main_category=thank_you.playbook.category,
        handover_date=timezone.localdate() - timedelta(days=1),
    )
    services.plan_followups(purchase=purchase)
    followup = FollowUp.objects.get(step=thank_you)
    assert (followup.title_de, followup.title_en) == ("Dankesanruf", "Thank-you call")
    assert followup.instructions_de == "Fragen Sie gezielt: Gibt es Geräusche?"
    with translation.override("de"):
        assert FollowUp.objects.get(pk=followup.pk).title == "Dankesanruf"
    with translation.override("en"):
        assert FollowUp.objects.get(pk=followup.pk).title == "Thank-you call"


def test_the_playbook_api_reads_the_requests_language_and_both(client_for, admin_user, thank_you):
    url = f"/api/playbooks/{thank_you.playbook.pk}/"
    german = client_for(admin_user).get(url, HTTP_ACCEPT_LANGUAGE="de").json()
    assert (german["name"], german["name_en"]) == ("Neuwagen", "New cars")
    assert german["steps"][0]["title"] == "Dankesanruf"
    english = client_for(admin_user).get(url, HTTP_ACCEPT_LANGUAGE="en").json()
    assert english["steps"][0]["title"] == "Thank-you call"


def test_the_playbook_form_edits_both_languages_side_by_side(login, admin_user, thank_you):
    client = login(admin_user)
    url = reverse("followups:playbook-update", args=[thank_you.playbook.pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Titel (Deutsch)" in html or "Title (Deutsch)" in html
    step = {
        "id": str(thank_you.pk),
        "anchor": thank_you.anchor,
        "offset_days": "2",
        "kind": thank_you.kind,
        "channel": thank_you.channel,
        "assignee_role": thank_you.assignee_role,
        "purpose": thank_you.purpose,
        "title_de": "Persönlicher Dankesanruf",
        "title_en": "Personal thank-you call",
        "instructions_de": "Bedanken Sie sich.",
        "instructions_en": "Say thank you.",
    }
    data = {
        "name_de": "Neuwagen-Plan",
        "name_en": "New cars plan",
        "category": thank_you.playbook.category.pk,
        "involvement": "",
        "is_active": "on",
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "1",
        "steps-MIN_NUM_FORMS": "0",
        "steps-MAX_NUM_FORMS": "1000",
        **{f"steps-0-{name}": value for name, value in step.items()},
    }
    assert client.post(url, data).status_code == 302
    thank_you.refresh_from_db()
    assert (thank_you.title_de, thank_you.title_en) == (
        "Persönlicher Dankesanruf",
        "Personal thank-you call",
    )
    assert Playbook.objects.get(pk=thank_you.playbook.pk).name_de == "Neuwagen-Plan"


def test_an_offer_rule_api_write_goes_to_the_requests_language(client_for, admin_user):
    rule = OfferRule.objects.create(
        name_en="Winter tyres",
        script_en="Winter is coming.",
        category=ProductCategoryFactory(),
        product=ProductFactory(),
        discount_percent=10,
    )
    response = client_for(admin_user).patch(
        f"/api/offer-rules/{rule.pk}/",
        {"name": "Winterreifen", "script_de": "Der Winter kommt."},
        format="json",
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["name"] == "Winterreifen"
    rule.refresh_from_db()
    assert (rule.name_de, rule.name_en, rule.script_de) == (
        "Winterreifen",
        "Winter tyres",
        "Der Winter kommt.",
    )


def blank(field):
    return Q(**{f"{field}_de": ""}) | Q(**{f"{field}_de__isnull": True})


@pytest.fixture
def demo(db, settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setattr(seed_demo, "DEMO_CUSTOMERS", 20)
    call_command("load_demo_data", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())


def test_the_demo_playbooks_and_offer_rules_are_complete_in_both_languages(demo):
    call_command("seed_playbooks", stdout=StringIO())
    call_command("seed_offers", "--no-generation", stdout=StringIO())
    for model, fields in (
        (Playbook, ("name",)),
        (PlaybookStep, ("title", "instructions")),
        (FollowUp, ("title", "instructions")),
        (OfferRule, ("name", "script")),
    ):
        assert model.objects.exists(), model
        for field in fields:
            english = model.objects.exclude(**{f"{field}_en": ""})
            assert not english.filter(blank(field)).exists(), (model, field)
    with translation.override("de"):
        step = PlaybookStep.objects.filter(playbook__category__code="new-cars").first()
        assert step.title == "Dankesanruf"
        assert step.playbook.name == "Neuwagen"


def test_seeding_again_adds_the_german_to_texts_seeded_before(demo):
    call_command("seed_playbooks", stdout=StringIO())
    PlaybookStep.objects.update(title_de=None, instructions_de=None)
    FollowUp.objects.update(title_de=None)
    reworded = PlaybookStep.objects.filter(title_en="Thank-you call").first()
    PlaybookStep.objects.filter(pk=reworded.pk).update(title_de="Unser Dankeschön")
    out = StringIO()
    call_command("seed_playbooks", stdout=out)
    assert "German texts added" in out.getvalue()
    assert not PlaybookStep.objects.filter(blank("title")).exists()
    assert not FollowUp.objects.exclude(step=None).filter(blank("title")).exists()
    assert PlaybookStep.objects.get(pk=reworded.pk).title_de == "Unser Dankeschön"
    assert PlaybookStep.objects.filter(title_de=seed_playbooks.GERMAN["Thank-you call"]).exists()
