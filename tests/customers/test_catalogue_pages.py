from decimal import Decimal

import pytest
from django.urls import reverse

from aftersales.errors import DomainError
from customers import services
from customers.models import InvolvementLevel, Product, ProductCategory
from tests.customers.factories import ProductCategoryFactory, ProductFactory

NON_ADMINS = ["manager", "owner", "shopper"]


@pytest.fixture
def cars(db):
    return ProductCategoryFactory(name="New cars", code="new-cars")


@pytest.fixture
def tyres(db):
    return ProductCategoryFactory(
        name="Tyres", code="tyres", involvement=InvolvementLevel.LOW, default_warranty_months=0
    )


@pytest.fixture
def golf(cars):
    return ProductFactory(name="VW Golf", sku="NC-GOLF", category=cars, list_price="33500.00")


def product_data(category, **changes):
    return {
        "name_en": "Škoda Octavia",
        "sku": "NC-OCTAVIA",
        "category": category.pk,
        "list_price": "38450.00",
        "currency": "EUR",
        "is_active": "on",
        **changes,
    }


def category_data(**changes):
    return {
        "name_en": "Accessories",
        "code": "accessories",
        "involvement": InvolvementLevel.MEDIUM,
        "default_warranty_months": "12",
        "is_active": "on",
        **changes,
    }


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("customers:product-list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- Lists ---


def test_sales_can_look_up_the_catalogue(login, owner, golf):
    response = login(owner).get(reverse("customers:product-list"))
    assert response.status_code == 200
    assert [product.sku for product in response.context["page"]] == ["NC-GOLF"]
    # Read-only: no link to the edit page, no "new" button.
    assert reverse("customers:product-update", args=[golf.pk]) not in response.content.decode()
    assert reverse("customers:product-create") not in response.content.decode()


def test_sales_can_see_the_categories(login, owner, cars):
    response = login(owner).get(reverse("customers:category-list"))
    assert response.status_code == 200
    assert [category.code for category in response.context["page"]] == ["new-cars"]


@pytest.mark.parametrize("url_name", ["customers:product-list", "customers:category-list"])
def test_shopper_may_not_see_the_catalogue(login, shopper, url_name):
    assert login(shopper).get(reverse(url_name)).status_code == 403


def test_product_list_searches_name_and_sku(login, owner, golf, cars):
    ProductFactory(name="BMW 320d Touring", sku="NC-BMW-320D", category=cars)
    client = login(owner)
    by_name = client.get(reverse("customers:product-list"), {"q": "golf"})
    assert [product.sku for product in by_name.context["page"]] == ["NC-GOLF"]
    by_sku = client.get(reverse("customers:product-list"), {"q": "bmw-320"})
    assert [product.sku for product in by_sku.context["page"]] == ["NC-BMW-320D"]


def test_product_list_filters_by_category_and_status(login, owner, golf, tyres):
    ProductFactory(name="Winter tyres set", sku="TY-WINTER", category=tyres, list_price="560")
    ProductFactory(name="Snow chains", sku="TY-CHAINS", category=tyres, is_active=False)
    client = login(owner)
    response = client.get(reverse("customers:product-list"), {"category": tyres.pk})
    assert {product.sku for product in response.context["page"]} == {"TY-WINTER", "TY-CHAINS"}
    response = client.get(reverse("customers:product-list"), {"category": tyres.pk, "active": "no"})
    assert [product.sku for product in response.context["page"]] == ["TY-CHAINS"]


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("price", ["TY-WINTER", "NC-GOLF", "NC-BMW"]),
        ("-price", ["NC-BMW", "NC-GOLF", "TY-WINTER"]),
        ("sku", ["NC-BMW", "NC-GOLF", "TY-WINTER"]),
        ("-name", ["TY-WINTER", "NC-GOLF", "NC-BMW"]),
        ("-category", ["TY-WINTER", "NC-BMW", "NC-GOLF"]),
    ],
)
def test_product_list_sorts(login, owner, golf, cars, tyres, sort, expected):
    ProductFactory(name="BMW 320d", sku="NC-BMW", category=cars, list_price="52800")
    ProductFactory(name="Winter tyres set", sku="TY-WINTER", category=tyres, list_price="560")
    response = login(owner).get(reverse("customers:product-list"), {"sort": sort})
    assert [product.sku for product in response.context["page"]] == expected


def test_product_list_paginates(login, owner, cars):
    ProductFactory.create_batch(30, category=cars)
    client = login(owner)
    assert len(client.get(reverse("customers:product-list")).context["page"]) == 25
    second = client.get(reverse("customers:product-list"), {"page": 2})
    assert len(second.context["page"]) == 5


def test_product_list_shows_localised_money(login, owner, golf):
    response = login(owner).get(reverse("customers:product-list"), HTTP_ACCEPT_LANGUAGE="de")
    assert "33.500,00 EUR" in response.content.decode()


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({}, "The catalogue has no products yet."),
        ({"q": "nothing"}, "No products match. Change the search or the filter."),
    ],
)
def test_product_list_empty_states(login, admin_user, query, message):
    response = login(admin_user).get(reverse("customers:product-list"), query)
    assert message in response.content.decode()


def test_category_list_counts_products(login, admin_user, golf, cars, tyres):
    ProductFactory(category=cars)
    response = login(admin_user).get(reverse("customers:category-list"))
    counts = {category.code: category.product_count for category in response.context["page"]}
    assert counts == {"new-cars": 2, "tyres": 0}


def test_product_list_query_count_does_not_grow(
    login, owner, cars, tyres, django_assert_max_num_queries
):
    ProductFactory.create_batch(20, category=cars)
    ProductFactory.create_batch(20, category=tyres)
    client = login(owner)
    # session, user, groups (role names), user permissions, group permissions,
    # products count, products page (category joined), categories for the filter,
    # unread notifications in the navigation
    with django_assert_max_num_queries(9):
        response = client.get(reverse("customers:product-list"))
    assert len(response.context["page"]) == 25


def test_category_list_query_count_does_not_grow(
    login, owner, cars, tyres, django_assert_max_num_queries
):
    ProductFactory.create_batch(20, category=cars)
    ProductCategoryFactory.create_batch(10)
    client = login(owner)
    # session, user, groups (role names), user permissions, group permissions,
    # categories count, categories page with product counts, unread notifications
    with django_assert_max_num_queries(8):
        response = client.get(reverse("customers:category-list"))
    assert len(response.context["page"]) == 12


# --- Administrators maintain the catalogue ---


def test_administrator_creates_a_category(login, admin_user):
    response = login(admin_user).post(
        reverse("customers:category-create"), category_data(), follow=True
    )
    category = ProductCategory.objects.get(code="accessories")
    assert (category.name, category.involvement, category.default_warranty_months) == (
        "Accessories",
        InvolvementLevel.MEDIUM,
        12,
    )
    assert "Category “Accessories” created." in response.content.decode()


def test_administrator_edits_a_category(login, admin_user, tyres):
    response = login(admin_user).post(
        reverse("customers:category-update", args=[tyres.pk]),
        category_data(name_en="Tyres and wheels", code="tyres", default_warranty_months="6"),
        follow=True,
    )
    tyres.refresh_from_db()
    assert (tyres.name, tyres.default_warranty_months) == ("Tyres and wheels", 6)
    assert "Category “Tyres and wheels” saved." in response.content.decode()
    assert tyres.history.count() == 2


def test_duplicate_category_code_is_a_field_error(login, admin_user, tyres):
    response = login(admin_user).post(
        reverse("customers:category-create"), category_data(name_en="Wheels", code="tyres")
    )
    assert response.status_code == 200
    assert "code" in response.context["form"].errors
    assert ProductCategory.objects.count() == 1


def test_administrator_creates_a_product(login, admin_user, cars):
    response = login(admin_user).post(
        reverse("customers:product-create"), product_data(cars, currency="eur"), follow=True
    )
    product = Product.objects.get(sku="NC-OCTAVIA")
    assert (product.name, product.category, product.list_price, product.currency) == (
        "Škoda Octavia",
        cars,
        Decimal("38450.00"),
        "EUR",
    )
    assert "Product “Škoda Octavia” created." in response.content.decode()


def test_administrator_edits_a_product(login, admin_user, golf, cars):
    response = login(admin_user).post(
        reverse("customers:product-update", args=[golf.pk]),
        product_data(cars, name_en="VW Golf Life", sku="NC-GOLF", list_price="31990", is_active=""),
        follow=True,
    )
    golf.refresh_from_db()
    assert (golf.name, golf.list_price, golf.is_active) == (
        "VW Golf Life",
        Decimal("31990.00"),
        False,
    )
    assert "Product “VW Golf Life” saved." in response.content.decode()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sku": "NC-GOLF"}, "sku"),
        ({"list_price": "-1"}, "list_price"),
        ({"currency": "E1"}, "currency"),
        ({"name_en": ""}, "name_en"),
    ],
)
def test_invalid_product_is_a_form_error(login, admin_user, golf, cars, changes, field):
    response = login(admin_user).post(
        reverse("customers:product-create"), product_data(cars, **changes)
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert list(Product.objects.values_list("sku", flat=True)) == ["NC-GOLF"]


def test_invalid_edit_keeps_the_stored_name_in_the_title(login, admin_user, golf, cars):
    response = login(admin_user).post(
        reverse("customers:product-update", args=[golf.pk]),
        product_data(cars, name_en="Renamed", list_price="-5"),
    )
    assert response.status_code == 200
    assert "Edit product VW Golf" in response.content.decode()
    golf.refresh_from_db()
    assert golf.name == "VW Golf"


def test_retired_category_is_not_offered_for_new_products(login, admin_user, cars, tyres):
    ProductCategory.objects.filter(pk=tyres.pk).update(is_active=False)
    response = login(admin_user).get(reverse("customers:product-create"))
    assert list(response.context["form"].fields["category"].queryset) == [cars]


def test_service_refusal_is_shown_as_a_form_error(login, admin_user, cars, monkeypatch):
    """A DomainError from the service (here: a rule the form does not know) is a form error."""

    def refuse(**kwargs):
        raise DomainError("Only administrators may change the product catalogue.")

    monkeypatch.setattr(services, "save_product", refuse)
    response = login(admin_user).post(reverse("customers:product-create"), product_data(cars))
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Only administrators may change the product catalogue."
    ]


@pytest.mark.parametrize("persona", NON_ADMINS)
def test_only_administrators_create_products_and_categories(request, login, persona, cars):
    client = login(request.getfixturevalue(persona))
    for url_name in ("customers:product-create", "customers:category-create"):
        assert client.get(reverse(url_name)).status_code == 403
    assert client.post(reverse("customers:product-create"), product_data(cars)).status_code == 403
    response = client.post(reverse("customers:category-create"), category_data())
    assert response.status_code == 403
    assert not Product.objects.exists()
    assert not ProductCategory.objects.filter(code="accessories").exists()


@pytest.mark.parametrize("persona", NON_ADMINS)
def test_only_administrators_edit_products_and_categories(request, login, persona, golf, cars):
    client = login(request.getfixturevalue(persona))
    product_url = reverse("customers:product-update", args=[golf.pk])
    category_url = reverse("customers:category-update", args=[cars.pk])
    assert client.get(product_url).status_code == 403
    assert client.get(category_url).status_code == 403
    assert client.post(product_url, product_data(cars, name_en="Hacked")).status_code == 403
    assert client.post(category_url, category_data(name_en="Hacked")).status_code == 403
    golf.refresh_from_db()
    cars.refresh_from_db()
    assert (golf.name, cars.name) == ("VW Golf", "New cars")


def test_editing_an_unknown_product_is_404(login, admin_user):
    assert login(admin_user).get(reverse("customers:product-update", args=[999])).status_code == 404
