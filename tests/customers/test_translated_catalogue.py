"""The catalogue's names in German and English: read in the reader's language with a fallback,
edited side by side, both in the API, both in the demo data."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from customers.management import demo_data
from customers.management.commands import seed_demo
from customers.models import InvolvementLevel, Product, ProductCategory
from tests.customers.factories import ProductCategoryFactory, ProductFactory


@pytest.fixture
def mats(db):
    category = ProductCategoryFactory(name_en="Accessories", name_de="Zubehör", code="acc")
    return ProductFactory(
        name_en="All-weather floor mats", name_de="Allwetter-Fußmatten", category=category
    )


def test_a_name_reads_in_the_active_language(mats):
    with translation.override("de"):
        assert (mats.name, mats.category.name) == ("Allwetter-Fußmatten", "Zubehör")
    with translation.override("en"):
        assert (mats.name, mats.category.name) == ("All-weather floor mats", "Accessories")


@pytest.mark.parametrize(
    ("missing", "reader", "shown"), [("de", "de", "Roof box"), ("en", "en", "Dachbox")]
)
def test_a_missing_language_falls_back_to_the_other(db, missing, reader, shown):
    names = {"name_en": "Roof box", "name_de": "Dachbox", f"name_{missing}": ""}
    product = ProductFactory(**names)
    with translation.override(reader):
        assert Product.objects.get(pk=product.pk).name == shown


def test_the_catalogue_lists_and_sorts_in_the_readers_language(login, owner, mats):
    ProductFactory(name_en="Winter tyres", name_de="Winterreifen", category=mats.category)
    client = login(owner)
    german = client.get(reverse("customers:product-list"), HTTP_ACCEPT_LANGUAGE="de")
    assert [p.name for p in german.context["page"]] == ["Allwetter-Fußmatten", "Winterreifen"]
    english = client.get(
        reverse("customers:product-list"), {"sort": "-name"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert [p.name for p in english.context["page"]] == ["Winter tyres", "All-weather floor mats"]


def test_the_search_finds_either_language(login, owner, mats):
    response = login(owner).get(
        reverse("customers:product-list"), {"q": "fußmatten"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert [p.pk for p in response.context["page"]] == [mats.pk]


def test_the_category_form_shows_both_languages_and_saves_them(login, admin_user):
    client = login(admin_user)
    page = client.get(reverse("customers:category-create"), HTTP_ACCEPT_LANGUAGE="de")
    html = page.content.decode()
    assert "Name (Deutsch)" in html and "Name (English)" in html
    form = page.context["form"]
    assert (form.fields["name_en"].required, form.fields["name_de"].required) == (True, False)
    client.post(
        reverse("customers:category-create"),
        {
            "name_de": "Neuwagen",
            "name_en": "New cars",
            "code": "new-cars",
            "involvement": InvolvementLevel.HIGH,
            "default_warranty_months": "24",
            "is_active": "on",
        },
    )
    category = ProductCategory.objects.get(code="new-cars")
    assert (category.name_de, category.name_en) == ("Neuwagen", "New cars")


def test_the_api_reads_the_requests_language_and_every_language(client_for, owner, mats):
    url = f"/api/products/{mats.pk}/"
    german = client_for(owner).get(url, HTTP_ACCEPT_LANGUAGE="de").json()
    assert (german["name"], german["name_de"], german["name_en"]) == (
        "Allwetter-Fußmatten",
        "Allwetter-Fußmatten",
        "All-weather floor mats",
    )
    assert client_for(owner).get(url, HTTP_ACCEPT_LANGUAGE="en").json()["name"] == (
        "All-weather floor mats"
    )


def test_the_api_writes_both_languages_or_the_requests_one(client_for, admin_user, mats):
    url = f"/api/product-categories/{mats.category.pk}/"
    client = client_for(admin_user)
    response = client.patch(url, {"name_de": "Autozubehör"}, format="json")
    assert response.status_code == 200, response.json()
    client.patch(url, {"name": "Car accessories"}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    mats.category.refresh_from_db()
    assert (mats.category.name_de, mats.category.name_en) == ("Autozubehör", "Car accessories")


def test_the_api_requires_the_english_name_of_a_new_category(client_for, admin_user):
    response = client_for(admin_user).post(
        "/api/product-categories/",
        {"name_de": "Reifen", "code": "tyres", "involvement": InvolvementLevel.LOW},
        format="json",
    )
    assert response.status_code == 400
    assert not ProductCategory.objects.filter(code="tyres").exists()


def test_the_demo_catalogue_has_every_name_in_both_languages(db, settings, monkeypatch):
    settings.DEBUG = True
    call_command("load_demo_data", stdout=StringIO())
    # A catalogue seeded before the names had two languages: English only, one name reworded.
    ProductCategory.objects.create(
        name_en="New cars", code="new-cars", involvement=InvolvementLevel.HIGH
    )
    ProductCategory.objects.filter(code="new-cars").update(name_de=None)
    monkeypatch.setattr(seed_demo, "DEMO_CUSTOMERS", 1)
    call_command("seed_demo", stdout=StringIO())
    call_command("seed_demo", stdout=StringIO())
    shipped_skus = [sku for items in demo_data.PRODUCTS.values() for sku, *_rest in items]
    assert ProductCategory.objects.count() == len(demo_data.CATEGORIES)
    assert Product.objects.filter(sku__in=shipped_skus).count() == len(shipped_skus)
    for model in (ProductCategory, Product):
        empty = model.objects.filter(name_de__in=["", None]) | model.objects.filter(
            name_en__in=["", None]
        )
        assert not empty.exists(), model
    with translation.override("de"):
        assert ProductCategory.objects.get(code="new-cars").name == "Neuwagen"
        assert Product.objects.get(sku="AC-FLOORMATS").name == "Allwetter-Fußmatten"
