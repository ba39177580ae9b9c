"""The customers REST API: catalogue, customers with consent, purchases.

Personas from tests/conftest.py: owner and colleague sell in North, the outsider in South, the
mystery shopper is external; "sven" works in North's service department (read-only).
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta
from django.utils import timezone

from aftersales.signin.services import issue_token
from customers import services
from customers.models import (
    ConsentRecord,
    Customer,
    InvolvementLevel,
    Product,
    ProductCategory,
    Purchase,
)
from tests.aftersales.factories import UserFactory
from tests.api_helpers import fresh, ids
from tests.customers.factories import CustomerFactory, ProductCategoryFactory, ProductFactory

TODAY = timezone.localdate


def days_ago(days):
    return TODAY() - timedelta(days=days)


@pytest.fixture
def service_user(north):
    return UserFactory(username="sven", roles=["service"], branches=[north])


@pytest.fixture
def cars(db):
    return ProductCategoryFactory(
        name="Cars", code="cars", involvement=InvolvementLevel.HIGH, default_warranty_months=24
    )


@pytest.fixture
def accessories(db):
    return ProductCategoryFactory(
        name="Accessories", code="accessories", involvement=InvolvementLevel.LOW
    )


@pytest.fixture
def car(cars):
    return ProductFactory(name="Estate", category=cars, sku="CAR-1", list_price=Decimal("30000"))


@pytest.fixture
def mats(accessories):
    return ProductFactory(
        name="Floor mats", category=accessories, sku="ACC-1", list_price=Decimal("80")
    )


@pytest.fixture
def retired_car(cars):
    return ProductFactory(name="Old model", category=cars, sku="CAR-0", is_active=False)


@pytest.fixture
def customer(north, owner):
    return CustomerFactory(
        branch=north,
        salesperson=owner,
        first_name="Hans",
        last_name="Müller",
        email="hans.mueller@example.com",
        phone="089 111111",
        postcode="80331",
    )


@pytest.fixture
def south_customer(south):
    return CustomerFactory(branch=south, first_name="Sepp", last_name="Huber", postcode="1010")


def log(by, customer, product, **kwargs):
    """A purchase through the service, as the browser or the API would log it."""
    return services.log_purchase(
        by=by,
        customer=customer,
        branch=customer.branch,
        salesperson=kwargs.pop("salesperson", by),
        purchase_date=kwargs.pop("purchase_date", days_ago(30)),
        lines=kwargs.pop("lines", [(product, 1, product.list_price)]),
        **kwargs,
    )


@pytest.fixture
def purchase(owner, customer, car):
    return log(owner, customer, car, identifier="WVW0001", handover_date=None)


# --- access -------------------------------------------------------------------------------------

LIST_URLS = ["/api/product-categories/", "/api/products/", "/api/customers/", "/api/purchases/"]


@pytest.mark.parametrize("url", LIST_URLS)
def test_anonymous_callers_are_refused(api_client, db, url):
    assert api_client.get(url).status_code == 401
    assert api_client.post(url, {}, format="json").status_code == 401


def test_mystery_shoppers_get_403_everywhere(client_for, shopper, customer, purchase, car):
    client = client_for(shopper)
    for url in LIST_URLS:
        assert client.get(url).status_code == 403
        assert client.post(url, {}, format="json").status_code == 403
    for url in [
        f"/api/customers/{customer.pk}/",
        f"/api/customers/{customer.pk}/consents/",
        f"/api/purchases/{purchase.pk}/",
        f"/api/products/{car.pk}/",
    ]:
        assert client.get(url).status_code == 403
    assert client.patch(f"/api/customers/{customer.pk}/", {}).status_code == 403
    assert client.post(f"/api/purchases/{purchase.pk}/cancel/", {"reason": "x"}).status_code == 403


@pytest.mark.parametrize(
    ("persona", "sees_north", "sees_south"),
    [
        ("owner", True, False),
        ("colleague", True, False),
        ("manager", True, False),
        ("quality_manager", True, False),
        ("service_user", True, False),
        ("outsider", False, True),
        ("admin_user", True, True),
    ],
)
def test_customers_and_purchases_are_scoped_to_branches(
    request, client_for, customer, south_customer, purchase, persona, sees_north, sees_south
):
    client = client_for(request.getfixturevalue(persona))
    customers = ids(client.get("/api/customers/"))
    assert (customer.pk in customers) is sees_north
    assert (south_customer.pk in customers) is sees_south
    assert (purchase.pk in ids(client.get("/api/purchases/"))) is sees_north
    expected = 200 if sees_north else 404
    assert client.get(f"/api/customers/{customer.pk}/").status_code == expected
    assert client.get(f"/api/customers/{customer.pk}/consents/").status_code == expected
    assert client.get(f"/api/purchases/{purchase.pk}/").status_code == expected


def test_outsider_cannot_touch_another_branchs_records(client_for, outsider, customer, purchase):
    client = client_for(outsider)
    assert client.patch(f"/api/customers/{customer.pk}/", {"city": "X"}).status_code == 404
    consent = {"channel": "email", "granted": True, "source": "verbal"}
    assert client.post(f"/api/customers/{customer.pk}/consents/", consent).status_code == 404
    change = {"handover_date": str(TODAY())}
    assert client.post(f"/api/purchases/{purchase.pk}/change/", change).status_code == 404
    assert client.post(f"/api/purchases/{purchase.pk}/cancel/", {"reason": "x"}).status_code == 404
    customer.refresh_from_db()
    purchase.refresh_from_db()
    assert customer.city != "X"
    assert not customer.consent_email
    assert purchase.status == Purchase.Status.ORDERED


def test_service_staff_can_read_but_not_write(client_for, service_user, customer, purchase, car):
    client = client_for(service_user)
    assert client.get("/api/customers/").status_code == 200
    assert client.get(f"/api/customers/{customer.pk}/consents/").status_code == 200
    assert client.get("/api/purchases/").status_code == 200
    assert client.get("/api/products/").status_code == 200
    new_customer = {"branch": customer.branch_id, "last_name": "Neu", "email": "neu@example.com"}
    assert client.post("/api/customers/", new_customer, format="json").status_code == 403
    assert client.patch(f"/api/customers/{customer.pk}/", {"city": "X"}).status_code == 403
    consent = {"channel": "email", "granted": True, "source": "verbal"}
    assert client.post(f"/api/customers/{customer.pk}/consents/", consent).status_code == 403
    assert client.post("/api/purchases/", {}, format="json").status_code == 403
    change = {"handover_date": str(TODAY())}
    assert client.post(f"/api/purchases/{purchase.pk}/change/", change).status_code == 403
    assert client.post(f"/api/purchases/{purchase.pk}/cancel/", {"reason": "x"}).status_code == 403
    assert Customer.objects.count() == 1
    assert not ConsentRecord.objects.exists()


def test_token_authentication(api_client, owner, customer):
    _token, key = issue_token(user=owner)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    assert ids(api_client.get("/api/customers/")) == [customer.pk]
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert api_client.get("/api/customers/").status_code == 401


def test_non_numeric_ids_are_404(client_for, owner):
    client = client_for(owner)
    assert client.get("/api/customers/abc/").status_code == 404
    assert client.get("/api/purchases/1.5/").status_code == 404


# --- product catalogue --------------------------------------------------------------------------


def test_staff_read_the_catalogue_but_only_administrators_change_it(client_for, owner, car):
    client = client_for(owner)
    assert ids(client.get("/api/products/")) == [car.pk]
    assert ids(client.get("/api/product-categories/")) == [car.category_id]
    product = {"name": "X", "category": car.category_id, "sku": "X-1", "list_price": "1.00"}
    assert client.post("/api/products/", product).status_code == 403
    assert client.patch(f"/api/products/{car.pk}/", {"name": "Y"}).status_code == 403
    assert client.post("/api/product-categories/", {"name": "X", "code": "x"}).status_code == 403
    assert client.patch(f"/api/product-categories/{car.category_id}/", {}).status_code == 403
    assert Product.objects.count() == 1


def test_administrator_maintains_the_catalogue(client_for, admin_user):
    client = client_for(admin_user)
    response = client.post(
        "/api/product-categories/",
        {"name": "Vans", "code": "vans", "involvement": "high", "default_warranty_months": 36},
    )
    assert response.status_code == 201, response.content
    assert response.json()["product_count"] == 0
    vans = ProductCategory.objects.get(code="vans")
    assert (vans.involvement, vans.default_warranty_months) == ("high", 36)

    response = client.post(
        "/api/products/",
        {"name": "Transporter", "category": vans.pk, "sku": "VAN-1", "list_price": "41000.00"},
    )
    assert response.status_code == 201, response.content
    van = Product.objects.get(sku="VAN-1")
    assert (van.name, van.category, van.list_price) == ("Transporter", vans, Decimal("41000"))

    response = client.patch(f"/api/products/{van.pk}/", {"is_active": False, "name": "T6"})
    assert response.status_code == 200, response.content
    van.refresh_from_db()
    assert (van.name, van.is_active) == ("T6", False)

    response = client.patch(f"/api/product-categories/{vans.pk}/", {"involvement": "medium"})
    assert response.json()["product_count"] == 1
    vans.refresh_from_db()
    assert vans.involvement == "medium"
    assert vans.history.count() == 2


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "X", "sku": "CAR-1", "list_price": "1"}, "sku"),
        ({"name": "X", "sku": "X-1", "list_price": "-1"}, "list_price"),
        ({"name": "X", "sku": "X-1", "list_price": "cheap"}, "list_price"),
        ({"name": "X", "sku": "X-1", "list_price": "1", "category": 999999}, "category"),
        ({"sku": "X-1", "list_price": "1"}, "name"),
    ],
)
def test_product_validation(client_for, admin_user, car, payload, field):
    response = client_for(admin_user).post(
        "/api/products/", {"category": car.category_id, **payload}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()


def test_product_filters_search_and_ordering(
    client_for, owner, car, mats, retired_car, cars, accessories
):
    client = client_for(owner)
    assert ids(client.get("/api/products/", {"category": accessories.pk})) == [mats.pk]
    assert ids(client.get("/api/products/", {"is_active": "false"})) == [retired_car.pk]
    assert ids(client.get("/api/products/", {"involvement": "low"})) == [mats.pk]
    assert ids(client.get("/api/products/", {"search": "car-1"})) == [car.pk]
    assert ids(client.get("/api/products/", {"search": "mats"})) == [mats.pk]
    by_price = ids(client.get("/api/products/", {"ordering": "-list_price"}))
    assert by_price == [car.pk, retired_car.pk, mats.pk]
    assert ids(client.get("/api/product-categories/", {"involvement": "high"})) == [cars.pk]
    assert client.get("/api/products/", {"category": "nope"}).status_code == 400


def test_product_list_query_count(client_for, owner, cars, django_assert_max_num_queries):
    ProductFactory.create_batch(12, category=cars)
    client = client_for(fresh(owner))
    # 1 the caller's groups (staff check), 2-3 their user and group permissions,
    # 4 COUNT for the pagination, 5 the page of products joined with their category.
    with django_assert_max_num_queries(5):
        response = client.get("/api/products/")
    assert response.json()["count"] == 12


# --- customers ----------------------------------------------------------------------------------


def new_customer(home, **fields):
    return {
        "branch": home.pk,
        "first_name": "Greta",
        "last_name": "Schulz",
        "email": "greta.schulz@example.com",
        "postcode": "20095",
        **fields,
    }


def test_create_customer_with_consent(client_for, owner, north):
    payload = new_customer(
        north,
        salesperson=owner.pk,
        consents=[
            {"channel": "email", "granted": True, "source": "form"},
            {"channel": "phone", "granted": False, "source": "form"},
        ],
    )
    response = client_for(owner).post("/api/customers/", payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["display_name"] == "Greta Schulz"
    assert (body["consent_email"], body["consent_phone"]) == (True, False)
    assert "consents" not in body
    created = Customer.objects.get(pk=body["id"])
    assert (created.branch, created.salesperson, created.created_by) == (north, owner, owner)
    assert created.consent_email
    records = created.consents.order_by("channel")
    assert [(r.channel, r.granted, r.recorded_by) for r in records] == [
        ("email", True, owner),
        ("phone", False, owner),
    ]


def test_likely_duplicate_is_409_until_confirmed(client_for, owner, north, customer):
    client = client_for(owner)
    payload = new_customer(north, email="HANS.MUELLER@example.com")
    response = client.post("/api/customers/", payload, format="json")
    assert response.status_code == 409
    assert response.json()["candidates"] == [
        {
            "id": customer.pk,
            "display_name": "Hans Müller",
            "email": "hans.mueller@example.com",
            "postcode": "80331",
        }
    ]
    assert "already exist" in response.json()["detail"]
    assert Customer.objects.count() == 1

    response = client.post("/api/customers/", {**payload, "confirmed_new": True}, format="json")
    assert response.status_code == 201
    assert Customer.objects.count() == 2


def test_duplicate_check_does_not_reveal_other_branches(client_for, outsider, south, customer):
    payload = new_customer(south, email=customer.email)
    response = client_for(outsider).post("/api/customers/", payload, format="json")
    assert response.status_code == 201
    assert "candidates" not in response.json()


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"last_name": ""}, "last_name"),
        ({"email": "", "postcode": ""}, "email"),
        ({"email": "not an address"}, "email"),
        ({"kind": "robot"}, "kind"),
        ({"kind": "company"}, "company_name"),
        ({"branch": None}, "branch"),
        ({"branch": "north"}, "branch"),
        ({"branch": 999999}, "branch"),
        ({"salesperson": 999999}, "salesperson"),
        ({"country": "Germany"}, "country"),
        ({"consents": [{"channel": "pigeon", "granted": True, "source": "form"}]}, "consents"),
        ({"consents": [{"channel": "email", "source": "form"}]}, "consents"),
        ({"consents": "email"}, "consents"),
        ({"confirmed_new": "maybe"}, "confirmed_new"),
    ],
)
def test_create_customer_validation(client_for, owner, north, changes, field):
    response = client_for(owner).post(
        "/api/customers/", new_customer(north, **changes), format="json"
    )
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Customer.objects.exists()


def test_customer_of_another_branch_cannot_be_created(client_for, owner, south, outsider):
    payload = new_customer(south, salesperson=outsider.pk)
    response = client_for(owner).post("/api/customers/", payload, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"branch", "salesperson"}


def test_create_customer_rejects_malformed_bodies(client_for, owner, north):
    client = client_for(owner)
    response = client.post("/api/customers/", "{", content_type="application/json")
    assert response.status_code == 400
    response = client.post("/api/customers/", [1, 2], format="json")
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_update_customer(client_for, colleague, customer):
    response = client_for(colleague).patch(
        f"/api/customers/{customer.pk}/",
        {"city": "Augsburg", "salesperson": colleague.pk, "consent_email": True},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["city"] == "Augsburg"
    customer.refresh_from_db()
    assert (customer.city, customer.salesperson) == ("Augsburg", colleague)
    # Consent changes only through the consent action, which keeps the proof.
    assert not customer.consent_email
    assert "augsburg" in customer.search_text


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"last_name": ""}, "last_name"),
        ({"preferred_channel": "fax"}, "preferred_channel"),
        ({"branch": "north"}, "branch"),
        ({"salesperson": 999999}, "salesperson"),
    ],
)
def test_update_customer_validation(client_for, owner, north, customer, changes, field):
    response = client_for(owner).patch(f"/api/customers/{customer.pk}/", changes, format="json")
    assert response.status_code == 400
    assert field in response.json()
    customer.refresh_from_db()
    assert (customer.last_name, customer.preferred_channel) == ("Müller", "phone")
    assert (customer.branch, customer.salesperson) == (north, owner)


def test_customer_moves_only_to_a_branch_of_the_caller(
    client_for, owner, admin_user, south, customer
):
    url = f"/api/customers/{customer.pk}/"
    response = client_for(owner).patch(url, {"branch": south.pk}, format="json")
    assert response.status_code == 400
    assert "branch" in response.json()
    response = client_for(admin_user).patch(url, {"branch": south.pk}, format="json")
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.branch == south


def test_customers_cannot_be_replaced_or_deleted(client_for, admin_user, customer):
    client = client_for(admin_user)
    assert client.put(f"/api/customers/{customer.pk}/", {}).status_code == 405
    assert client.delete(f"/api/customers/{customer.pk}/").status_code == 405


def test_customer_search_folds_umlauts(client_for, owner, north, customer):
    mueller = CustomerFactory(branch=north, first_name="Eva", last_name="Mueller")
    CustomerFactory(branch=north, first_name="Karl", last_name="Schmidt")
    client = client_for(owner)
    assert set(ids(client.get("/api/customers/", {"search": "muller"}))) == {
        customer.pk,
        mueller.pk,
    }
    assert ids(client.get("/api/customers/", {"search": "Müller Hans"})) == [customer.pk]


def test_customer_filters(client_for, owner, colleague, north, customer, car, mats):
    other = CustomerFactory(branch=north, last_name="Zimmer", salesperson=colleague)
    Customer.objects.filter(pk=other.pk).update(consent_sms=True)
    log(owner, customer, car, purchase_date=days_ago(100))
    log(owner, other, mats, purchase_date=days_ago(5))
    client = client_for(owner)
    assert ids(client.get("/api/customers/", {"salesperson": colleague.pk})) == [other.pk]
    assert ids(client.get("/api/customers/", {"consent": "sms"})) == [other.pk]
    assert ids(client.get("/api/customers/", {"consent": "none"})) == [customer.pk]
    assert ids(client.get("/api/customers/", {"involvement": "high"})) == [customer.pk]
    recent = {"purchased_from": str(days_ago(10)), "purchased_to": str(TODAY())}
    assert ids(client.get("/api/customers/", recent)) == [other.pk]
    assert ids(client.get("/api/customers/", {"branch": north.pk, "ordering": "-name"})) == [
        other.pk,
        customer.pk,
    ]
    by_last_purchase = ids(client.get("/api/customers/", {"ordering": "-last_purchase"}))
    assert by_last_purchase == [other.pk, customer.pk]


@pytest.mark.parametrize(
    "params",
    [
        {"branch": "north"},
        {"purchased_from": "last week"},
        {"consent": "pigeon"},
        {"ordering": "password"},
        {"involvement": "extreme"},
    ],
)
def test_customer_list_rejects_bad_parameters(client_for, owner, customer, params):
    response = client_for(owner).get("/api/customers/", params)
    assert response.status_code == 400
    assert set(response.json()) == set(params)


def test_customer_list_query_count(
    client_for, owner, colleague, north, django_assert_max_num_queries
):
    CustomerFactory.create_batch(15, branch=north, salesperson=colleague)
    client = client_for(fresh(owner))
    # 1 the caller's groups (staff check), 2 their branches (scope), 3-4 their user and group
    # permissions, 5 COUNT for the pagination, 6 the page of customers joined with branch and
    # salesperson, with the last purchase date as a subquery.
    with django_assert_max_num_queries(6):
        response = client.get("/api/customers/", {"search": "example"})
    assert response.json()["count"] == 15


def test_record_consent_and_read_history(client_for, owner, colleague, customer):
    client = client_for(owner)
    url = f"/api/customers/{customer.pk}/consents/"
    response = client.post(url, {"channel": "phone", "granted": True, "source": "verbal"})
    assert response.status_code == 201, response.content
    assert response.json()["recorded_by"] == owner.pk
    customer.refresh_from_db()
    assert customer.consent_phone

    response = client_for(colleague).post(
        url, {"channel": "phone", "granted": False, "source": "written", "note": "Letter of 3rd"}
    )
    assert response.status_code == 201
    customer.refresh_from_db()
    assert not customer.consent_phone

    history = client.get(url).json()["results"]
    assert [(r["granted"], r["recorded_by"], r["note"]) for r in history] == [
        (False, colleague.pk, "Letter of 3rd"),
        (True, owner.pk, ""),
    ]
    assert client.get(f"/api/customers/{customer.pk}/").json()["consent_phone"] is False


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"channel": "pigeon", "granted": True, "source": "form"}, "channel"),
        ({"channel": "email", "source": "form"}, "granted"),
        ({"channel": "email", "granted": "perhaps", "source": "form"}, "granted"),
        ({"channel": "email", "granted": True}, "source"),
        ({"channel": "email", "granted": True, "source": "form", "note": "x" * 201}, "note"),
    ],
)
def test_record_consent_validation(client_for, owner, customer, payload, field):
    url = f"/api/customers/{customer.pk}/consents/"
    response = client_for(owner).post(url, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ConsentRecord.objects.exists()


def test_erased_customer_cannot_grant_consent(client_for, admin_user, customer):
    services.erase_customer(customer=customer, by=admin_user)
    response = client_for(admin_user).post(
        f"/api/customers/{customer.pk}/consents/",
        {"channel": "email", "granted": True, "source": "form"},
    )
    assert response.status_code == 400
    assert "detail" in response.json()


# --- purchases ----------------------------------------------------------------------------------


def new_purchase(customer, *lines, **fields):
    return {
        "customer": customer.pk,
        "branch": customer.branch_id,
        "purchase_date": str(days_ago(3)),
        "lines": [
            {"product": product.pk, "quantity": quantity, "unit_price": price}
            for product, quantity, price in lines
        ],
        **fields,
    }


def test_log_purchase(client_for, owner, customer, car, mats):
    payload = new_purchase(
        customer,
        (car, 1, "29500.00"),
        (mats, 2, "75.50"),
        salesperson=owner.pk,
        handover_date=str(days_ago(1)),
        identifier=" WVWZZZ1KZ ",
        notes="Trade-in agreed.",
    )
    response = client_for(owner).post("/api/purchases/", payload, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["total"], body["status"], body["customer_name"]) == (
        "29651.00",
        "handed_over",
        "Hans Müller",
    )
    assert [line["amount"] for line in body["lines"]] == ["29500.00", "151.00"]
    purchase = Purchase.objects.get(pk=body["id"])
    assert purchase.identifier == "WVWZZZ1KZ"
    assert purchase.main_category == car.category
    assert purchase.warranty_end == days_ago(1) + relativedelta(years=2)
    assert (purchase.created_by, purchase.salesperson) == (owner, owner)
    assert [(line.product, line.quantity) for line in purchase.lines.all()] == [
        (car, 1),
        (mats, 2),
    ]
    customer.refresh_from_db()
    assert "wvwzzz1kz" in customer.search_text


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"customer": None}, "customer"),
        ({"customer": "hans"}, "customer"),
        ({"customer": 999999}, "customer"),
        ({"branch": 999999}, "branch"),
        ({"purchase_date": None}, "purchase_date"),
        ({"purchase_date": "yesterday"}, "purchase_date"),
        ({"purchase_date": str(TODAY() + timedelta(days=1))}, "purchase_date"),
        ({"handover_date": str(days_ago(4))}, "handover_date"),
        ({"salesperson": 999999}, "salesperson"),
        ({"identifier": "x" * 61}, "identifier"),
        ({"lines": []}, "lines"),
        ({"lines": None}, "lines"),
        ({"lines": "car"}, "lines"),
    ],
)
def test_log_purchase_validation(client_for, owner, customer, car, changes, field):
    payload = {**new_purchase(customer, (car, 1, "1.00")), **changes}
    response = client_for(owner).post("/api/purchases/", payload, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Purchase.objects.exists()


@pytest.mark.parametrize(
    "line",
    [
        {"product": 999999},
        {"product": None},
        {"product": "Estate"},
        {"quantity": -1},
        {"quantity": 0},
        {"quantity": "two"},
        {"quantity": 10**12},
        {"quantity": None},
        {"unit_price": "-5"},
        {"unit_price": "a lot"},
        {"unit_price": "1e20"},
        {"unit_price": "0.001"},
    ],
)
def test_purchase_line_validation(client_for, owner, customer, car, line):
    payload = new_purchase(customer, (car, 1, "1.00"))
    payload["lines"] = [{**payload["lines"][0], **line}]
    response = client_for(owner).post("/api/purchases/", payload, format="json")
    assert response.status_code == 400, response.content
    assert list(response.json()) == ["lines"]
    assert not Purchase.objects.exists()


def test_retired_products_cannot_be_sold(client_for, owner, customer, car, retired_car):
    payload = new_purchase(customer, (car, 1, "1.00"), (retired_car, 1, "1.00"))
    response = client_for(owner).post("/api/purchases/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"lines": ["Old model is no longer sold."]}
    assert not Purchase.objects.exists()


def test_purchase_for_another_branchs_customer_is_a_field_error(
    client_for, outsider, customer, south, car
):
    payload = {**new_purchase(customer, (car, 1, "1.00")), "branch": south.pk}
    response = client_for(outsider).post("/api/purchases/", payload, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"customer"}
    assert "Hans" not in response.content.decode()

    payload = new_purchase(customer, (car, 1, "1.00"))
    response = client_for(outsider).post("/api/purchases/", payload, format="json")
    assert set(response.json()) == {"customer", "branch"}
    assert not Purchase.objects.exists()


def test_purchase_list_filters_search_and_ordering(
    client_for, owner, colleague, north, customer, car, mats
):
    other = CustomerFactory(branch=north, first_name="Eva", last_name="Zimmer")
    old = log(owner, customer, car, purchase_date=days_ago(100), identifier="WVW0001")
    recent = log(colleague, other, mats, purchase_date=days_ago(5), handover_date=days_ago(5))
    services.cancel_purchase(purchase=old, by=owner, reason="Financing refused.")
    client = client_for(owner)
    assert ids(client.get("/api/purchases/")) == [recent.pk, old.pk]
    assert ids(client.get("/api/purchases/", {"status": "cancelled"})) == [old.pk]
    assert ids(client.get("/api/purchases/", {"salesperson": colleague.pk})) == [recent.pk]
    assert ids(client.get("/api/purchases/", {"main_category": car.category_id})) == [old.pk]
    assert ids(client.get("/api/purchases/", {"branch": north.pk, "ordering": "date"})) == [
        old.pk,
        recent.pk,
    ]
    window = {"date_from": str(days_ago(10)), "date_to": str(TODAY())}
    assert ids(client.get("/api/purchases/", window)) == [recent.pk]
    assert ids(client.get("/api/purchases/", {"search": "wvw0001"})) == [old.pk]
    assert ids(client.get("/api/purchases/", {"search": "zimmer"})) == [recent.pk]
    assert ids(client.get("/api/purchases/", {"ordering": "-total"})) == [old.pk, recent.pk]
    response = client.get("/api/purchases/", {"status": "lost", "date_from": "soon"})
    assert response.status_code == 400
    assert set(response.json()) == {"status", "date_from"}


def test_purchase_list_query_count(
    client_for, owner, north, car, mats, django_assert_max_num_queries
):
    for customer in CustomerFactory.create_batch(8, branch=north):
        log(owner, customer, car, lines=[(car, 1, "1"), (mats, 4, "2")])
    client = client_for(fresh(owner))
    # 1 the caller's groups (staff check), 2 their branches (scope), 3-4 their user and group
    # permissions, 5 COUNT for the pagination, 6 the page of purchases joined with customer,
    # branch, salesperson and main category, 7 their lines joined with the product, 8 their
    # declined work (no cars here, so no mileage queries).
    with django_assert_max_num_queries(8):
        response = client.get("/api/purchases/")
    assert response.json()["count"] == 8
    assert all(len(purchase["lines"]) == 2 for purchase in response.json()["results"])


def test_change_purchase(client_for, colleague, purchase):
    handover = days_ago(2)
    response = client_for(colleague).post(
        f"/api/purchases/{purchase.pk}/change/",
        {"handover_date": str(handover), "identifier": "WVW0002", "notes": "Delivered."},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "handed_over"
    purchase.refresh_from_db()
    assert (purchase.handover_date, purchase.identifier, purchase.notes) == (
        handover,
        "WVW0002",
        "Delivered.",
    )
    assert purchase.status == Purchase.Status.HANDED_OVER
    assert purchase.warranty_end == handover + relativedelta(years=2)


def test_change_purchase_keeps_omitted_fields(client_for, owner, customer, car):
    purchase = log(owner, customer, car, handover_date=days_ago(20), identifier="WVW0003")
    warranty_end = days_ago(-400)
    response = client_for(owner).post(
        f"/api/purchases/{purchase.pk}/change/", {"warranty_end": str(warranty_end)}
    )
    assert response.status_code == 200
    purchase.refresh_from_db()
    assert (purchase.handover_date, purchase.identifier, purchase.warranty_end) == (
        days_ago(20),
        "WVW0003",
        warranty_end,
    )


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"handover_date": "31/12/2030"}, "handover_date"),
        ({"handover_date": "BEFORE"}, "handover_date"),
        ({"warranty_end": None}, "warranty_end"),
        ({"identifier": "x" * 61}, "identifier"),
    ],
)
def test_change_purchase_validation(client_for, owner, purchase, payload, field):
    if payload.get("handover_date") == "BEFORE":
        payload = {"handover_date": str(purchase.purchase_date - timedelta(days=1))}
    response = client_for(owner).post(
        f"/api/purchases/{purchase.pk}/change/", payload, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    purchase.refresh_from_db()
    assert purchase.handover_date is None


def test_cancel_purchase(client_for, owner, purchase):
    client = client_for(owner)
    url = f"/api/purchases/{purchase.pk}/cancel/"
    assert "reason" in client.post(url, {"reason": "  "}).json()
    assert "reason" in client.post(url, {}).json()

    response = client.post(url, {"reason": " Financing refused. "})
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "cancelled"
    purchase.refresh_from_db()
    assert purchase.status == Purchase.Status.CANCELLED
    assert purchase.cancellation_reason == "Financing refused."
    assert purchase.cancelled_at is not None

    again = client.post(url, {"reason": "Twice"})
    assert again.status_code == 400
    assert "detail" in again.json()
    change = client.post(f"/api/purchases/{purchase.pk}/change/", {"notes": "x"})
    assert change.status_code == 400
    assert "detail" in change.json()


def test_purchases_cannot_be_edited_or_deleted_directly(client_for, admin_user, purchase):
    client = client_for(admin_user)
    assert client.patch(f"/api/purchases/{purchase.pk}/", {"status": "x"}).status_code == 405
    assert client.delete(f"/api/purchases/{purchase.pk}/").status_code == 405


def test_schema_documents_the_endpoints(client_for, owner):
    schema = client_for(owner).get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    paths = schema.json()["paths"]
    for path in [
        "/api/customers/",
        "/api/customers/{id}/consents/",
        "/api/purchases/{id}/change/",
        "/api/purchases/{id}/cancel/",
        "/api/products/",
        "/api/product-categories/",
    ]:
        assert path in paths
    assert "409" in paths["/api/customers/"]["post"]["responses"]
