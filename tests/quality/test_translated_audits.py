"""Audit templates in German and English: the versions hold both languages (a change to the
German alone of a version in use is a new version), the editor types both side by side, the
auditor reads their own language, the migration and the demo data carry both."""

import importlib

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.db.models import Q
from django.urls import reverse
from django.utils import translation

from quality.audits import services
from quality.audits.models import Area, AuditItem, AuditSection, AuditTemplate
from quality.management.commands import seed_audits
from tests.quality.audit_helpers import plan

pytestmark = pytest.mark.django_db


def sections(**changes):
    return [
        {
            "title_en": "Correctness",
            "title_de": "Richtigkeit",
            "items": [
                {
                    "text_en": "Prices as agreed in the order",
                    "text_de": "Preise wie im Auftrag vereinbart",
                    "guidance_en": "Compare with the order.",
                    "guidance_de": "Mit dem Auftrag vergleichen.",
                    "weight": 3,
                    **changes,
                }
            ],
        }
    ]


@pytest.fixture
def template(quality_manager):
    return services.create_template(
        by=quality_manager,
        name_en="Invoicing",
        name_de="Rechnungsstellung",
        area=Area.INVOICING,
        sections=sections(),
    )


def item_of(version):
    return AuditItem.objects.get(section__version=version)


def test_changing_only_the_german_of_a_version_in_use_makes_a_new_version(
    north, quality_manager, template
):
    used = template.current_version()
    plan(branch=north, template=template, auditor=quality_manager)
    services.update_template(
        template=template,
        by=quality_manager,
        name_en="Invoicing",
        name_de="Rechnungsstellung",
        sections=sections(guidance_de="Mit der Auftragsbestätigung vergleichen."),
    )
    assert [version.number for version in template.versions.order_by("number")] == [1, 2]
    assert item_of(used).guidance_de == "Mit dem Auftrag vergleichen."
    copied = item_of(template.current_version())
    assert (copied.text_de, copied.text_en, copied.guidance_de, copied.section.title_de) == (
        "Preise wie im Auftrag vereinbart",
        "Prices as agreed in the order",
        "Mit der Auftragsbestätigung vergleichen.",
        "Richtigkeit",
    )


def test_the_same_words_make_no_new_version(north, quality_manager, template):
    plan(branch=north, template=template, auditor=quality_manager)
    services.update_template(
        template=template,
        by=quality_manager,
        name_en="Invoicing",
        sections=services.template_structure(template.current_version()),
    )
    assert template.versions.count() == 1


def test_the_editor_shows_and_saves_both_languages(login, quality_manager, template):
    client = login(quality_manager)
    url = reverse("quality:audit-template-update", args=[template.pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert 'value="Preise wie im Auftrag vereinbart"' in html
    assert 'value="Prices as agreed in the order"' in html
    response = client.post(
        url,
        {
            "name_en": "Invoicing",
            "name_de": "Rechnungsprüfung",
            "pass_threshold": "80",
            "items-TOTAL_FORMS": "1",
            "items-INITIAL_FORMS": "0",
            "items-0-section_de": "Richtigkeit",
            "items-0-section_en": "Correctness",
            "items-0-text_de": "Preise laut Auftrag",
            "items-0-text_en": "Prices as agreed in the order",
            "items-0-kind": "yes_no",
            "items-0-weight": "3",
        },
    )
    assert response.status_code == 302
    template.refresh_from_db()
    assert template.name_de == "Rechnungsprüfung"
    item = item_of(template.current_version())
    assert (item.text_de, item.text_en, item.guidance_de) == (
        "Preise laut Auftrag",
        "Prices as agreed in the order",
        "",
    )


def test_the_auditor_reads_the_items_in_their_language(north, login, quality_manager, template):
    audit = plan(branch=north, template=template, auditor=quality_manager)
    client = login(quality_manager)
    url = reverse("quality:audit-detail", args=[audit.pk])
    german = client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "Preise wie im Auftrag vereinbart" in german
    assert "Richtigkeit" in german
    assert "Prices as agreed in the order" not in german
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Prices as agreed in the order" in english
    assert "Preise wie im Auftrag vereinbart" not in english


def test_the_api_returns_the_requests_language_and_both(client_for, quality_manager, template):
    body = (
        client_for(quality_manager)
        .get(f"/api/audit-templates/{template.pk}/", HTTP_ACCEPT_LANGUAGE="de")
        .json()
    )
    assert (body["name"], body["name_en"]) == ("Rechnungsstellung", "Invoicing")
    item = body["sections"][0]["items"][0]
    assert (item["text"], item["text_en"]) == (
        "Preise wie im Auftrag vereinbart",
        "Prices as agreed in the order",
    )


def test_the_migration_copies_what_was_written_into_the_english_columns(template):
    migration = importlib.import_module("quality.migrations.0012_checklists_in_two_languages")
    state = MigrationExecutor(connection).loader.project_state(
        ("quality", "0012_checklists_in_two_languages")
    )
    AuditTemplate.objects.update(name_en=None)
    AuditSection.objects.update(title_en=None)
    AuditItem.objects.update(text_en=None, guidance_en=None)
    migration.fill_english(state.apps, None)
    template.refresh_from_db()
    item = item_of(template.current_version())
    assert (template.name_en, item.section.title_en, item.text_en, item.guidance_en) == (
        "Invoicing",
        "Correctness",
        "Prices as agreed in the order",
        "Compare with the order.",
    )


def test_the_demo_templates_have_both_languages(settings):
    settings.DEBUG = True
    call_command("seed_audits", verbosity=0)
    # Templates seeded before the texts had two languages get the German on the next run.
    AuditItem.objects.update(text_de=None, guidance_de=None)
    AuditSection.objects.update(title_de=None)
    AuditTemplate.objects.update(name_de="")
    call_command("seed_audits", verbosity=0)
    assert AuditTemplate.objects.count() == len(seed_audits.TEMPLATES)
    assert not AuditTemplate.objects.filter(Q(name_de=None) | Q(name_de="")).exists()
    assert not AuditSection.objects.filter(Q(title_de=None) | Q(title_de="")).exists()
    assert not AuditItem.objects.filter(Q(text_de=None) | Q(text_de="")).exists()
    assert not (
        AuditItem.objects.exclude(guidance_en="")
        .filter(Q(guidance_de=None) | Q(guidance_de=""))
        .exists()
    )
    with translation.override("de"):
        assert AuditTemplate.objects.get(name_en="Warehouse").name == "Lager"


def test_a_finding_copies_both_languages_of_its_failed_item(north, quality_manager, template):
    audit = plan(branch=north, template=template, auditor=quality_manager)
    item = item_of(template.current_version())
    services.save_audit(audit=audit, by=quality_manager, answers={item.pk: {"met": False}})
    services.submit_audit(audit=audit, by=quality_manager)
    finding = audit.findings.get()
    with translation.override("de"):
        assert finding.title == "Preise wie im Auftrag vereinbart"
    with translation.override("en"):
        assert finding.title == "Prices as agreed in the order"
