"""Scorecards in German and English: the versions hold both languages (a change to the German
alone of a version in use is a new version), the editor types both side by side, the shopper and
the reviewer read their own language with a fallback, the API and the demo data carry both."""

import importlib

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation

from aftersales.errors import DomainError
from staff.management.commands import seed_scorecards
from staff.mystery import services
from staff.mystery.models import Criterion, ScorecardSection, ScorecardTemplate
from tests.staff.factories import AssignmentFactory

pytestmark = pytest.mark.django_db


def greeting(**changes):
    return {
        "text_en": "Greeted within two minutes",
        "text_de": "Begrüßung innerhalb von zwei Minuten",
        "guidance_en": "Minutes until someone welcomed you.",
        "guidance_de": "Minuten bis zur Begrüßung.",
        "kind": Criterion.Kind.MINUTES,
        "weight": 2,
        "target_minutes": 2,
        **changes,
    }


def sections(**changes):
    return [{"title_en": "Welcome", "title_de": "Empfang", "criteria": [greeting(**changes)]}]


@pytest.fixture
def template(quality_manager):
    return services.create_template(
        by=quality_manager,
        name_en="Showroom visit",
        name_de="Showroom-Besuch",
        scenario="showroom_visit",
        description_en="Demo scorecard.",
        sections=sections(),
    )


def update(template, by, **changes):
    return services.update_template(
        template=template,
        by=by,
        name_en="Showroom visit",
        name_de="Showroom-Besuch",
        scenario="showroom_visit",
        sections=sections(**changes),
    )


def criterion_of(version):
    return Criterion.objects.get(section__version=version)


# --- versions ------------------------------------------------------------------------------------


def test_both_languages_are_stored_and_read_in_the_readers_language(template):
    criterion = criterion_of(template.current_version())
    with translation.override("de"):
        assert (template.name, criterion.section.title, criterion.text, criterion.guidance) == (
            "Showroom-Besuch",
            "Empfang",
            "Begrüßung innerhalb von zwei Minuten",
            "Minuten bis zur Begrüßung.",
        )
        # No German description: the English one stands in.
        assert template.description == "Demo scorecard."
    with translation.override("en"):
        assert (template.name, criterion.text) == ("Showroom visit", "Greeted within two minutes")


def test_changing_only_the_german_of_a_version_in_use_makes_a_new_version(
    template, quality_manager
):
    used = template.current_version()
    AssignmentFactory(version=used)
    update(template, quality_manager, text_de="Begrüßung binnen zwei Minuten")
    assert [version.number for version in template.versions.all()] == [2, 1]
    assert criterion_of(template.current_version()).text_de == "Begrüßung binnen zwei Minuten"
    # The version the assignment uses keeps its words in both languages.
    kept = criterion_of(used)
    assert (kept.text_de, kept.text_en) == (
        "Begrüßung innerhalb von zwei Minuten",
        "Greeted within two minutes",
    )
    assert services.version_structure(used) != services.version_structure(
        template.current_version()
    )


def test_the_new_version_copies_both_languages(template, quality_manager):
    AssignmentFactory(version=template.current_version())
    update(template, quality_manager, weight=3)
    copied = criterion_of(template.current_version())
    assert copied.weight == 3
    assert (copied.text_de, copied.guidance_de, copied.section.title_de) == (
        "Begrüßung innerhalb von zwei Minuten",
        "Minuten bis zur Begrüßung.",
        "Empfang",
    )


def test_saving_the_same_words_makes_no_new_version(template, quality_manager):
    AssignmentFactory(version=template.current_version())
    update(template, quality_manager)
    assert template.versions.count() == 1


def test_a_version_without_german_yet_is_unchanged_by_a_save_of_the_same_words(
    template, quality_manager
):
    """Rows written before the German columns existed hold NULL there, the editor sends ""."""
    version = template.current_version()
    Criterion.objects.filter(section__version=version).update(text_de=None, guidance_de=None)
    AssignmentFactory(version=version)
    update(template, quality_manager, text_de="", guidance_de="")
    assert template.versions.count() == 1


def test_an_unused_version_takes_a_german_change_in_place(template, quality_manager):
    update(template, quality_manager, text_de="Begrüßung binnen zwei Minuten")
    assert template.versions.count() == 1
    assert criterion_of(template.current_version()).text_de == "Begrüßung binnen zwei Minuten"


def test_english_is_required(quality_manager):
    with pytest.raises(DomainError):
        services.create_template(
            by=quality_manager,
            name_en="Showroom visit",
            scenario="showroom_visit",
            sections=sections(text_en=""),
        )
    with pytest.raises(DomainError):
        services.create_template(
            by=quality_manager,
            name_de="Showroom-Besuch",
            scenario="showroom_visit",
            sections=sections(),
        )


def test_a_bare_text_is_the_writers_language(quality_manager):
    with translation.override("de"):
        created = services.create_template(
            by=quality_manager,
            name_en="Phone enquiry",
            scenario="phone_enquiry",
            sections=[
                {
                    "title": "Das Gespräch",
                    "title_en": "The call",
                    "criteria": [{"text": "Name genannt", "text_en": "Name given"}],
                }
            ],
        )
    criterion = criterion_of(created.current_version())
    assert (criterion.text_de, criterion.text_en) == ("Name genannt", "Name given")
    assert criterion.section.title_de == "Das Gespräch"


# --- pages ---------------------------------------------------------------------------------------


def row(**values):
    return {f"criteria-0-{name}": value for name, value in values.items()}


def test_the_editor_shows_and_saves_both_languages(login, quality_manager, template):
    client = login(quality_manager)
    url = reverse("staff:template-update", args=[template.pk])
    page = client.get(url, HTTP_ACCEPT_LANGUAGE="de")
    html = page.content.decode()
    assert "Kriterium (Deutsch)" in html and "Kriterium (English)" in html
    assert 'value="Begrüßung innerhalb von zwei Minuten"' in html
    assert page.context["formset"].forms[0].initial["section_de"] == "Empfang"
    response = client.post(
        url,
        {
            "name_en": "Showroom visit",
            "name_de": "Besuch im Autohaus",
            "scenario": "showroom_visit",
            "description_en": "",
            "description_de": "",
            "coaching_threshold": "70",
            "criteria-TOTAL_FORMS": "1",
            "criteria-INITIAL_FORMS": "0",
        }
        | row(
            section_de="Empfang",
            section_en="Welcome",
            text_de="Begrüßung binnen zwei Minuten",
            text_en="Greeted within two minutes",
            guidance_de="",
            guidance_en="",
            kind="minutes",
            weight="2",
            target_minutes="2",
        ),
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.name_de == "Besuch im Autohaus"
    criterion = criterion_of(template.current_version())
    assert (criterion.text_de, criterion.text_en, criterion.section.title_de) == (
        "Begrüßung binnen zwei Minuten",
        "Greeted within two minutes",
        "Empfang",
    )


def test_the_editor_asks_for_the_english_of_a_german_row(login, quality_manager, template):
    response = login(quality_manager).post(
        reverse("staff:template-update", args=[template.pk]),
        {
            "name_en": "Showroom visit",
            "scenario": "showroom_visit",
            "coaching_threshold": "70",
            "criteria-TOTAL_FORMS": "1",
            "criteria-INITIAL_FORMS": "0",
        }
        | row(section_de="Empfang", text_de="Begrüßung", kind="yes_no", weight="1"),
    )
    assert response.status_code == 200
    assert response.context["formset"].forms[0].errors["text_en"] == [
        "Write the criterion in English too."
    ]


def test_the_shopper_reads_the_criteria_in_their_language(
    login, shopper, north, quality_manager, template
):
    assignment = services.create_assignment(
        by=quality_manager,
        template=template,
        shopper=shopper,
        branch=north,
        window_start=timezone.localdate(),
        window_end=timezone.localdate(),
    )
    client = login(shopper)
    url = reverse("staff:shopper-result", args=[assignment.pk])
    german = client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Begrüßung innerhalb von zwei Minuten" in german
    assert "Empfang" in german
    assert "Greeted within two minutes" not in german
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Greeted within two minutes" in english
    assert "Begrüßung innerhalb von zwei Minuten" not in english


# --- API -----------------------------------------------------------------------------------------


def test_the_api_reads_the_requests_language_and_both(client_for, quality_manager, template):
    client = client_for(quality_manager)
    body = client.get(
        f"/api/mystery-shop/templates/{template.pk}/", HTTP_ACCEPT_LANGUAGE="de"
    ).json()
    assert (body["name"], body["name_en"]) == ("Showroom-Besuch", "Showroom visit")
    section = body["current_version"]["sections"][0]
    assert (section["title"], section["title_en"]) == ("Empfang", "Welcome")
    criterion = section["criteria"][0]
    assert (criterion["text"], criterion["text_de"], criterion["text_en"]) == (
        "Begrüßung innerhalb von zwei Minuten",
        "Begrüßung innerhalb von zwei Minuten",
        "Greeted within two minutes",
    )


def test_the_api_writes_the_columns_and_needs_the_english(client_for, quality_manager):
    client = client_for(quality_manager)
    body = {
        "name_en": "Phone enquiry",
        "name_de": "Telefonische Anfrage",
        "scenario": "phone_enquiry",
        "sections": [
            {
                "title_en": "The call",
                "title_de": "Das Gespräch",
                "criteria": [{"text_en": "Name given", "text_de": "Name genannt"}],
            }
        ],
    }
    created = client.post("/api/mystery-shop/templates/", body, format="json")
    assert created.status_code == 201, created.json()
    criterion = Criterion.objects.get(section__version__template_id=created.json()["id"])
    assert (criterion.text_de, criterion.text_en) == ("Name genannt", "Name given")
    german_only = {**body, "sections": [{"title_de": "Das Gespräch", "criteria": []}]}
    german_only["sections"][0]["criteria"] = [{"text_de": "Name genannt"}]
    refused = client.post("/api/mystery-shop/templates/", german_only, format="json")
    assert refused.status_code == 400


# --- the migration and the demo data -------------------------------------------------------------


def test_the_migration_copies_what_was_written_into_the_english_columns(template):
    migration = importlib.import_module("staff.migrations.0005_scorecards_in_two_languages")
    state = MigrationExecutor(connection).loader.project_state(
        ("staff", "0005_scorecards_in_two_languages")
    )
    ScorecardTemplate.objects.update(name_en=None, description_en=None)
    ScorecardSection.objects.update(title_en=None)
    Criterion.objects.update(text_en=None, guidance_en=None)
    migration.fill_english(state.apps, None)
    template.refresh_from_db()
    criterion = criterion_of(template.current_version())
    assert template.name_en == "Showroom visit"
    assert template.description_en == "Demo scorecard."
    assert criterion.section.title_en == "Welcome"
    assert (criterion.text_en, criterion.guidance_en) == (
        "Greeted within two minutes",
        "Minutes until someone welcomed you.",
    )


def test_the_demo_scorecards_have_both_languages(settings):
    settings.DEBUG = True
    call_command("seed_scorecards", verbosity=0)
    # Scorecards seeded before the texts had two languages get the German on the next run.
    Criterion.objects.update(text_de=None, guidance_de=None)
    ScorecardSection.objects.update(title_de="")
    ScorecardTemplate.objects.update(name_de=None)
    call_command("seed_scorecards", verbosity=0)
    assert ScorecardTemplate.objects.count() == len(seed_scorecards.DEMO_TEMPLATES)
    assert not ScorecardTemplate.objects.filter(Q(name_de=None) | Q(name_de="")).exists()
    assert not ScorecardSection.objects.filter(Q(title_de=None) | Q(title_de="")).exists()
    assert not Criterion.objects.filter(Q(text_de=None) | Q(text_de="")).exists()
    assert (
        not Criterion.objects.exclude(guidance_en="")
        .filter(Q(guidance_de=None) | Q(guidance_de=""))
        .exists()
    )
    with translation.override("de"):
        greeting = Criterion.objects.filter(text_en="Greeted within two minutes").first()
        assert greeting.text == "Begrüßung innerhalb von zwei Minuten"


def test_more_rows_keeps_the_german_typed(login, quality_manager):
    response = login(quality_manager).post(
        reverse("staff:template-create"),
        {
            "name_en": "Showroom visit",
            "scenario": "showroom_visit",
            "coaching_threshold": "70",
            "criteria-TOTAL_FORMS": "1",
            "criteria-INITIAL_FORMS": "0",
            "more_rows": "1",
        }
        | row(section_de="Empfang", section_en="Welcome", text_de="Begrüßung", text_en="Greeting"),
    )
    first = response.context["formset"].forms[0].initial
    assert (first["section_de"], first["text_de"], first["text_en"]) == (
        "Empfang",
        "Begrüßung",
        "Greeting",
    )
