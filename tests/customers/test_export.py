"""The customer list as CSV: the list page's filters and scope, streamed, formula-safe."""

import csv
import io
from datetime import date

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils import timezone

from aftersales.csv_export import escape_cell
from customers import selectors
from tests.customers.factories import CustomerFactory, PurchaseFactory

URL = "customers:customer-list-export"


@pytest.fixture
def erika(north, owner):
    customer = CustomerFactory(
        branch=north,
        salesperson=owner,
        first_name="Erika",
        last_name="Mustermann",
        company_name="",
        email="erika@example.com",
        phone="089 1234567",
        postcode="80331",
        city="München",
        consent_email=True,
    )
    PurchaseFactory(customer=customer, purchase_date=date(2024, 3, 1))
    PurchaseFactory(customer=customer, purchase_date=date(2024, 6, 1))
    return customer


@pytest.fixture
def hans(north):
    return CustomerFactory(branch=north, first_name="Hans", last_name="Albers", consent_phone=True)


@pytest.fixture
def sepp(south):
    return CustomerFactory(branch=south, first_name="Sepp", last_name="Huber")


def export(client, **params):
    response = client.get(reverse(URL), params)
    assert response.status_code == 200
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")  # so that Excel reads UTF-8
    return list(csv.reader(io.StringIO(content[1:])))


def ids(rows):
    return [int(row[0]) for row in rows[1:]]


def test_export_columns_and_values(login, owner, erika):
    rows = export(login(owner))

    assert rows[0] == [
        "ID", "Name", "Company", "E-mail", "Phone", "Postcode", "City", "Branch", "Salesperson",
        "Consent: e-mail", "Consent: phone", "Consent: SMS", "Consent: letter", "Last purchase",
    ]  # fmt: skip
    assert rows[1] == [
        str(erika.pk), "Erika Mustermann", "", "erika@example.com", "089 1234567", "80331",
        "München", "North", str(owner), "yes", "no", "no", "no", "2024-06-01",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("owner", 200),
        ("colleague", 200),
        ("outsider", 200),
        ("manager", 200),
        ("admin_user", 200),
        ("shopper", 403),
    ],
)
def test_export_access(request, login, persona, status):
    response = login(request.getfixturevalue(persona)).get(reverse(URL))

    assert response.status_code == status


def test_export_needs_login(client, db):
    response = client.get(reverse(URL))

    assert response.status_code == 302
    assert "/login/" in response.url


def test_export_is_scoped_like_the_list(login, owner, outsider, admin_user, erika, hans, sepp):
    assert sorted(ids(export(login(owner)))) == sorted([erika.pk, hans.pk])
    # The outsider works in South: North's customers are not in their file.
    assert ids(export(login(outsider))) == [sepp.pk]
    assert sorted(ids(export(login(admin_user)))) == sorted([erika.pk, hans.pk, sepp.pk])


@pytest.mark.parametrize(
    "params",
    [
        {"q": "Mustermann"},
        {"consent": "phone"},
        {"consent": "none"},
        {"purchased_from": "2024-05-01"},
        {"purchased_to": "2024-01-01"},
        {"sort": "-name"},
        {"sort": "last_purchase"},
    ],
)
def test_export_uses_the_list_filters_and_order(login, owner, erika, hans, params):
    expected = selectors.customer_list(
        owner,
        search=params.get("q", ""),
        consent=params.get("consent", ""),
        purchased_from=params.get("purchased_from"),
        purchased_to=params.get("purchased_to"),
        ordering=params.get("sort", "name"),
    )

    assert ids(export(login(owner), **params)) == [customer.pk for customer in expected]


def test_export_filters_by_branch_and_salesperson(login, admin_user, owner, erika, hans, sepp):
    client = login(admin_user)

    assert sorted(ids(export(client, branch=erika.branch.pk))) == sorted([erika.pk, hans.pk])
    assert ids(export(client, salesperson=owner.pk)) == [erika.pk]


def test_erased_customers_are_not_exported(login, owner, erika, hans):
    hans.erased_at = timezone.now()
    hans.save()

    assert ids(export(login(owner))) == [erika.pk]


def test_export_defuses_formulas(login, owner, north):
    CustomerFactory(
        branch=north,
        first_name="",
        last_name='=HYPERLINK("http://evil.example","click")',
        company_name="@SUM(A1:A9)",
        email="-2+3@example.com",
        phone="+49 89 123",
        city="\tTab",
    )

    row = export(login(owner))[1]

    assert row[1] == '\'=HYPERLINK("http://evil.example","click")'
    assert row[2] == "'@SUM(A1:A9)"
    assert row[3] == "'-2+3@example.com"
    assert row[4] == "'+49 89 123"
    assert row[6] == "'\tTab"


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@cmd", "'@cmd"),
        ("\rx", "'\rx"),
        ("Müller", "Müller"),
        ("a=b", "a=b"),
        (None, ""),
        (42, "42"),
    ],
)
def test_escape_cell(value, cell):
    assert escape_cell(value) == cell


def test_german_export_uses_semicolons(client, login, owner, erika):
    client = login(owner)
    response = client.get(reverse(URL), HTTP_ACCEPT_LANGUAGE="de")

    content = b"".join(response.streaming_content).decode("utf-8")
    header = content[1:].splitlines()[0]
    assert header.count(";") == 13
    assert "," not in header


def test_export_queries(login, owner, erika, hans, django_assert_num_queries):
    client = login(owner)

    with django_assert_num_queries(2):
        # 1. the session, 2. the user with their roles, permissions and the branches they work
        # in (scope); no query happens before the body is read.
        response = client.get(reverse(URL))
    with django_assert_num_queries(1):
        # The customers with branch, salesperson and last purchase, in one (chunked) query.
        rows = b"".join(response.streaming_content)
    assert rows.count(b"\n") == 3
