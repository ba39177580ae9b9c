"""Course titles and descriptions in German and English: the reader's language with a
fallback, both edited side by side, both in the API and in the demo data."""

import pytest
from django.core.management import call_command
from django.db.models import Q
from django.urls import reverse
from django.utils import translation

from staff.management.commands import seed_training
from staff.people import services
from staff.people.models import Course


@pytest.fixture
def handover(quality_manager):
    return services.create_course(
        by=quality_manager,
        title_en="Explaining every function at handover",
        title_de="Jede Funktion bei der Übergabe erklären",
        description_en="No button unexplained.",
        topic=Course.Topic.HANDOVER,
    )


def test_a_course_reads_in_the_active_language_with_a_fallback(handover):
    with translation.override("de"):
        assert handover.title == "Jede Funktion bei der Übergabe erklären"
        assert handover.description == "No button unexplained."
    with translation.override("en"):
        assert handover.title == "Explaining every function at handover"


def test_the_course_form_saves_both_languages(login, quality_manager, handover):
    client = login(quality_manager)
    url = reverse("staff:course-update", args=[handover.pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "(Deutsch)" in html and "(English)" in html
    response = client.post(
        url,
        {
            "title_de": "Übergabe ohne offene Fragen",
            "title_en": "A handover without open questions",
            "description_de": "Kein Knopf bleibt unerklärt.",
            "description_en": "No button unexplained.",
            "topic": Course.Topic.HANDOVER,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    handover.refresh_from_db()
    assert (handover.title_de, handover.title_en, handover.description_de) == (
        "Übergabe ohne offene Fragen",
        "A handover without open questions",
        "Kein Knopf bleibt unerklärt.",
    )


def test_a_title_taken_in_either_language_is_refused(quality_manager, handover):
    with pytest.raises(services.DomainError):
        services.create_course(
            by=quality_manager,
            title_en="Handover basics",
            title_de="jede funktion bei der übergabe erklären",
            topic=Course.Topic.HANDOVER,
        )


def test_the_api_reads_and_writes_the_requests_language(client_for, quality_manager, handover):
    client = client_for(quality_manager)
    url = f"/api/trainings/{handover.pk}/"
    german = client.get(url, HTTP_ACCEPT_LANGUAGE="de").json()
    assert (german["title"], german["title_en"]) == (
        "Jede Funktion bei der Übergabe erklären",
        "Explaining every function at handover",
    )
    response = client.patch(
        url,
        {"description": "Kein Knopf bleibt unerklärt."},
        format="json",
        HTTP_ACCEPT_LANGUAGE="de",
    )
    assert response.status_code == 200, response.json()
    handover.refresh_from_db()
    assert (handover.description_de, handover.description_en) == (
        "Kein Knopf bleibt unerklärt.",
        "No button unexplained.",
    )


def test_the_demo_courses_have_both_languages(db, settings):
    settings.DEBUG = True
    call_command("load_demo_data", verbosity=0)
    call_command("seed_training", verbosity=0)
    # A course seeded before the texts had two languages gets the German on the next run.
    Course.objects.update(title_de=None, description_de=None)
    call_command("seed_training", verbosity=0)
    assert Course.objects.count() == len(seed_training.COURSES)
    assert not Course.objects.filter(Q(title_de=None) | Q(title_de="")).exists()
    assert not Course.objects.filter(Q(description_de=None) | Q(description_de="")).exists()
    with translation.override("de"):
        assert Course.objects.get(title_en="Writing clear e-mails").title == (
            "Klare E-Mails schreiben"
        )
