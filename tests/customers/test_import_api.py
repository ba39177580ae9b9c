"""The purchase import through the API (customers.importing.api): the same jobs as the pages."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.models import Job
from customers.importing import background
from customers.models import Purchase
from tests.customers.factories import ProductFactory
from tests.customers.test_import import csv_file, row

URL = "/api/imports/"


@pytest.fixture
def car(db):
    return ProductFactory(sku="CAR-1", list_price=Decimal("25990.00"))


def two_purchases():
    return csv_file(row(), row(purchase_ref="A-2", identifier="WVWZZZ1JZXW000002"))


def post_file(client, data, name="dms.csv"):
    return client.post(
        URL, {"file": SimpleUploadedFile(name, data, "text/csv")}, format="multipart"
    )


def worked(client, response):
    """The job of an API answer, run as the worker runs it, as the API then shows it."""
    assert response.status_code == 202, response.content
    background.run_import_job(response.json()["id"])
    return client.get(f"{URL}{response.json()['id']}/").json()


def test_upload_check_and_import(client_for, north, manager, car):
    client = client_for(manager)

    started = post_file(client, two_purchases())
    assert started.status_code == 202
    assert started.json()["step"] == "check" and started.json()["state"] == Job.QUEUED
    check = worked(client, started)
    assert check["state"] == Job.DONE and check["percent"] == 100
    assert check["summary"]["purchases_created"] == 2
    assert check["error_count"] == 0 and check["errors"] == []
    assert not Purchase.objects.exists()

    confirmed = client.post(f"{URL}{check['id']}/confirm/")
    assert confirmed.json()["step"] == "import"
    imported = worked(client, confirmed)

    assert imported["state"] == Job.DONE and imported["summary"]["purchases_created"] == 2
    assert Purchase.objects.count() == 2
    listed = client.get(URL).json()["results"]
    assert [job["id"] for job in listed] == [imported["id"], check["id"]]


def test_a_file_with_errors_is_listed_and_cannot_be_imported(client_for, north, manager, car):
    client = client_for(manager)
    check = worked(client, post_file(client, csv_file(row(), row(product_sku="NOPE"))))

    assert check["error_count"] == 1
    assert [(e["row"], e["column"]) for e in check["errors"]] == [(3, "product_sku")]
    refused = client.post(f"{URL}{check['id']}/confirm/")
    assert refused.status_code == 400
    assert "Only a checked file without errors" in str(refused.json())
    assert not Job.objects.filter(kind=background.CONFIRM).exists()


@pytest.mark.parametrize(
    "body",
    [{}, {"file": "not a file"}],
)
def test_an_upload_without_a_file_is_a_field_error(client_for, north, manager, body):
    response = client_for(manager).post(URL, body, format="multipart")

    assert response.status_code == 400
    assert "file" in str(response.json())
    assert not Job.objects.exists()


def test_an_oversized_file_is_a_field_error(client_for, north, manager, monkeypatch):
    monkeypatch.setattr("customers.importing.uploads.MAX_UPLOAD_BYTES", 10)

    response = post_file(client_for(manager), csv_file(row()))

    assert response.status_code == 400 and "larger than" in str(response.json())
    assert not Job.objects.exists()


def test_jobs_are_their_starters_own(client_for, north, manager, admin_user, car):
    own = client_for(manager)
    check = worked(own, post_file(own, csv_file(row())))
    other = client_for(admin_user)

    assert other.get(f"{URL}{check['id']}/").status_code == 404
    assert other.post(f"{URL}{check['id']}/confirm/").status_code == 404
    assert other.get(URL).json()["results"] == []


@pytest.mark.parametrize("persona", ["owner", "quality_manager", "shopper"])
def test_who_may_not_import_is_refused(request, client_for, north, persona):
    client = client_for(request.getfixturevalue(persona))

    assert client.get(URL).status_code == 403
    assert post_file(client, csv_file(row())).status_code == 403
    assert not Job.objects.exists()


def test_anonymous_callers_get_401(api_client, db):
    assert api_client.get(URL).status_code == 401
    assert api_client.post(URL).status_code == 401
