"""The complaint taxonomy in German and English: the shipped categories have both (the
migration gives them their German), shown in the reader's language with a fallback."""

import pytest
from django.db.models import Q
from django.utils import translation

from quality import selectors
from quality.models import ComplaintCategory

pytestmark = pytest.mark.django_db


def test_the_shipped_taxonomy_has_both_languages():
    shipped = ComplaintCategory.objects.filter(code__in=["noise", "noise-wind", "other"])
    assert shipped.count() == 3
    empty = Q(name_de=None) | Q(name_de="") | Q(name_en=None) | Q(name_en="")
    assert not shipped.filter(empty).exists()


def test_a_category_reads_in_the_active_language():
    wind = ComplaintCategory.objects.select_related("parent").get(code="noise-wind")
    with translation.override("de"):
        assert str(wind) == "Geräusch → Windgeräusch"
    with translation.override("en"):
        assert str(wind) == "Noise → Wind noise"


def test_the_choices_group_and_sort_in_the_readers_language():
    ComplaintCategory.objects.create(name_en="Accessories fit", code="fit")
    with translation.override("de"):
        choices = selectors.grouped_category_choices(selectors.complaint_categories())
        labels = [label for _value, label in choices]
    # The German names sort, the one without German shows its English.
    assert labels.index("Accessories fit") < labels.index("Funktion") < labels.index("Rechnung")
    # The parent with children is an option group under its German name.
    assert "Geräusch" in [value for value, _label in choices]
