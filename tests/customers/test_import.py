"""The purchase import: the service (customers.importing), its pages and its commands."""

import csv
import io
import os
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import resolve, reverse
from django.utils import timezone

from aftersales.errors import DomainError
from aftersales.models import Branch, Job
from customers.importing import (
    ImportRejected,
    RowError,
    background,
    import_purchases,
    preview_import,
)
from customers.importing.uploads import discard_stale_uploads, read_upload, store_upload
from customers.models import ConsentRecord, Customer, InvolvementLevel, Purchase, PurchaseLine
from customers.selectors import search_customers
from customers.signals import purchases_imported
from tests.customers.factories import (
    CustomerFactory,
    ProductCategoryFactory,
    ProductFactory,
    PurchaseFactory,
)

HEADER = [
    "purchase_ref", "customer_ref", "branch_code", "salesperson", "customer_kind", "company_name",
    "salutation", "first_name", "last_name", "email", "phone", "street", "postcode", "city",
    "consent_email", "consent_phone", "purchase_date", "handover_date", "identifier",
    "product_sku", "quantity", "unit_price", "notes",
]  # fmt: skip


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def car(db):
    category = ProductCategoryFactory(
        code="cars", involvement=InvolvementLevel.HIGH, default_warranty_months=24
    )
    return ProductFactory(sku="CAR-1", category=category, list_price=Decimal("25990.00"))


@pytest.fixture
def mats(db):
    category = ProductCategoryFactory(
        code="accessories", involvement=InvolvementLevel.LOW, default_warranty_months=0
    )
    return ProductFactory(sku="MAT-1", category=category, list_price=Decimal("89.90"))


def row(**values):
    """One data row: a car bought in North by Erika Mustermann, unless overridden."""
    return {
        "purchase_ref": "A-1",
        "customer_ref": "K-1",
        "branch_code": "NORTH",
        "customer_kind": "person",
        "salutation": "Frau",
        "first_name": "Erika",
        "last_name": "Mustermann",
        "email": "erika@example.com",
        "phone": "089 1234567",
        "street": "Hauptstraße 1",
        "postcode": "80331",
        "city": "München",
        "consent_email": "ja",
        "purchase_date": "01.03.2024",
        "handover_date": "15.03.2024",
        "identifier": "WVWZZZ1JZXW000001",
        "product_sku": "CAR-1",
        "quantity": "1",
        "unit_price": "25.990,00",
    } | values


def csv_file(*rows, delimiter=";", header=HEADER):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(header)
    for values in rows:
        writer.writerow([values.get(column, "") for column in header])
    return out.getvalue().encode()


def two_purchases():
    """Purchase A-1 with two lines (car and mats), purchase A-2 for the same customer."""
    return csv_file(
        row(),
        row(product_sku="MAT-1", quantity="2", unit_price="89,90", identifier=""),
        row(purchase_ref="A-2", purchase_date="2024-05-02", handover_date="", identifier=""),
    )


# --- What an import writes ---------------------------------------------------------------------


def test_import_creates_customers_purchases_lines_and_consent(north, manager, car, mats):
    result = import_purchases(data=two_purchases(), by=manager)

    assert result.applied
    assert (result.summary.customers_created, result.summary.purchases_created) == (1, 2)
    assert (result.summary.lines_created, result.summary.consents_recorded) == (3, 1)
    customer = Customer.objects.get(external_ref="K-1")
    assert (customer.branch, customer.created_by) == (north, manager)
    assert (customer.last_name, customer.salutation, customer.city) == (
        "Mustermann",
        "ms",
        "München",
    )
    assert customer.consent_email is True
    assert customer.consent_phone is False

    first = Purchase.objects.get(external_ref="A-1")
    assert first.customer == customer
    assert first.lines.count() == 2
    assert first.total == Decimal("25990.00") + 2 * Decimal("89.90")
    # As log_purchase: the highest-involvement line decides; warranty from the handover date.
    assert first.main_category == car.category
    assert first.warranty_end == date(2026, 3, 15)
    assert first.status == Purchase.Status.HANDED_OVER
    assert (first.identifier, first.created_by, first.branch) == (
        "WVWZZZ1JZXW000001",
        manager,
        north,
    )
    second = Purchase.objects.get(external_ref="A-2")
    assert (second.purchase_date, second.status, second.warranty_end) == (
        date(2024, 5, 2),
        Purchase.Status.ORDERED,
        None,
    )
    assert second.lines.get().unit_price == Decimal("25990.00")


def test_import_records_consent_as_written_proof(north, manager, car):
    import_purchases(data=csv_file(row(consent_email="ja", consent_phone="nein")), by=manager)

    records = ConsentRecord.objects.order_by("channel")
    assert [(r.channel, r.granted, r.source, r.note) for r in records] == [
        ("email", True, ConsentRecord.Source.WRITTEN, "import"),
        ("phone", False, ConsentRecord.Source.WRITTEN, "import"),
    ]
    assert records[0].recorded_by == manager


def test_imported_customers_are_searchable_by_name_and_vin(north, manager, car):
    import_purchases(data=csv_file(row()), by=manager)

    assert search_customers(Customer.objects.all(), "mustermann").count() == 1
    assert search_customers(Customer.objects.all(), "WVWZZZ1JZXW000001").count() == 1


def test_import_writes_history_like_bulk_create_with_history(north, manager, car):
    import_purchases(data=csv_file(row()), by=manager)

    customer = Customer.objects.get()
    record = customer.history.get()
    assert (record.history_type, record.history_user, record.history_change_reason) == (
        "+",
        manager,
        "CSV import",
    )
    assert record.last_name == "Mustermann"
    assert Purchase.objects.get().history.get().external_ref == "A-1"


def test_import_announces_the_new_purchases_once(north, manager, car, mats):
    received = []

    def receiver(sender, purchases, **kwargs):
        received.extend(
            (purchase.pk, purchase.customer.external_ref, purchase.branch.code)
            for purchase in purchases
        )

    purchases_imported.connect(receiver)
    try:
        import_purchases(data=two_purchases(), by=manager)
    finally:
        purchases_imported.disconnect(receiver)

    assert sorted(received) == sorted(
        (purchase.pk, "K-1", "NORTH") for purchase in Purchase.objects.all()
    )


def test_company_customer_and_comma_delimited_iso_file(north, admin_user, car):
    data = csv_file(
        row(customer_kind="firma", company_name="Muster GmbH", purchase_date="2024-03-01",
            handover_date="2024-03-15", unit_price="1,234.50"),
        delimiter=",",
    )  # fmt: skip

    import_purchases(data=data, by=admin_user)

    customer = Customer.objects.get()
    assert (customer.kind, customer.company_name) == (Customer.Kind.COMPANY, "Muster GmbH")
    assert Purchase.objects.get().total == Decimal("1234.50")


def test_bom_and_short_rows_are_accepted(north, manager, car):
    data = (
        "\ufeff"
        + "purchase_ref;customer_ref;branch_code;purchase_date;product_sku;last_name;email\n"
    )
    data += "A-1;K-1;NORTH;01.03.2024;CAR-1;Mustermann;erika@example.com\n"
    data += "A-2;K-1;NORTH;01.04.2024;CAR-1\n"  # trailing empty cells left out

    result = import_purchases(data=data.encode(), by=manager)

    assert result.summary.purchases_created == 2


# --- Errors, per row and column; all or nothing ------------------------------------------------


@pytest.mark.parametrize(
    ("values", "column", "message"),
    [
        ({"purchase_date": "31.02.2024"}, "purchase_date", "is not a date"),
        ({"purchase_date": "2024/03/01"}, "purchase_date", "is not a date"),
        ({"product_sku": "NOPE-9"}, "product_sku", "No product in the catalogue"),
        ({"branch_code": "WEST"}, "branch_code", "No branch has the code"),
        ({"branch_code": "SOUTH"}, "branch_code", "You do not work in branch South"),
        ({"purchase_ref": ""}, "purchase_ref", "This column is required"),
        ({"customer_ref": ""}, "customer_ref", "This column is required"),
        ({"quantity": "-1"}, "quantity", "must be 1 or more"),
        ({"quantity": "1,5"}, "quantity", "not a whole number"),
        ({"unit_price": "-5"}, "unit_price", "cannot be negative"),
        ({"unit_price": "25.000"}, "unit_price", "is not an amount"),
        ({"email": "erika(at)example.com"}, "email", "is not an e-mail address"),
        ({"consent_email": "vielleicht"}, "consent_email", "is not allowed"),
        ({"salesperson": "nobody"}, "salesperson", "No active user"),
        ({"handover_date": "28.02.2024"}, "handover_date", "cannot be before the purchase"),
        ({"last_name": "", "customer_kind": "person"}, "last_name", "last name"),
        ({"customer_kind": "company"}, "company_name", "company's name"),
        ({"email": "", "phone": "", "street": ""}, "email", "at least one way to reach"),
        ({"identifier": "X" * 61}, "identifier", "At most 60 characters"),
    ],
)
def test_row_errors_name_row_and_column(north, south, manager, car, values, column, message):
    data = csv_file(row(purchase_ref="A-0", customer_ref="K-0"), row(**values))

    with pytest.raises(ImportRejected) as rejected:
        import_purchases(data=data, by=manager)

    errors = rejected.value.result.errors
    assert [(error.row, error.column) for error in errors] == [(3, column)]
    assert message in errors[0].message
    # All or nothing: the good row 2 was not imported either.
    assert not Customer.objects.exists()
    assert not Purchase.objects.exists()
    assert not ConsentRecord.objects.exists()


def test_future_purchase_date_is_an_error(north, manager, car):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()

    result = preview_import(
        data=csv_file(row(purchase_date=tomorrow, handover_date="")), by=manager
    )

    assert [(e.row, e.column) for e in result.errors] == [(2, "purchase_date")]


def test_one_bad_row_among_many_writes_nothing(north, manager, car, mats):
    rows = [row(purchase_ref=f"A-{n}", customer_ref=f"K-{n}") for n in range(20)]
    rows[13]["product_sku"] = "GONE"

    with pytest.raises(ImportRejected) as rejected:
        import_purchases(data=csv_file(*rows), by=manager)

    assert rejected.value.result.errors == [
        RowError(15, "product_sku", "No product in the catalogue has the SKU “GONE”.")
    ]
    assert Customer.objects.count() == Purchase.objects.count() == PurchaseLine.objects.count() == 0


def test_every_bad_row_is_listed(north, manager, car):
    rows = [row(purchase_ref=f"A-{n}", customer_ref=f"K-{n}", quantity="0") for n in range(3)]

    result = preview_import(data=csv_file(*rows), by=manager)

    assert [(e.row, e.column) for e in result.errors] == [
        (2, "quantity"),
        (3, "quantity"),
        (4, "quantity"),
    ]


def test_rows_of_one_purchase_must_agree(north, manager, car, mats):
    data = csv_file(row(), row(product_sku="MAT-1", purchase_date="02.03.2024"))

    result = preview_import(data=data, by=manager)

    assert [(e.row, e.column) for e in result.errors] == [(3, "purchase_date")]
    assert "row 2" in result.errors[0].message


def test_rows_of_one_customer_must_agree(north, manager, car):
    data = csv_file(row(), row(purchase_ref="A-2", consent_email="nein", email="other@example.com"))

    result = preview_import(data=data, by=manager)

    assert sorted((e.row, e.column) for e in result.errors) == [(3, "consent_email"), (3, "email")]


@pytest.mark.parametrize(
    ("data", "row_number", "message"),
    [
        (b"", 0, "The file is empty"),
        (b"purchase_ref;customer_ref\nA-1;K-1\n", 1, "Required columns are missing"),
        (",".join([*HEADER, "colour"]).encode() + b"\n", 1, "Unknown columns: colour"),
        ("purchase_ref;last_name\nA-1;Müller\n".encode("latin-1"), 0, "not UTF-8"),
        (";".join(HEADER).encode() + b"\n", 0, "no data rows"),
    ],
)
def test_file_level_errors(north, manager, data, row_number, message):
    result = preview_import(data=data, by=manager)

    assert result.errors[0].row == row_number
    assert message in result.errors[0].message


def test_customer_of_a_branch_out_of_scope_is_an_error(north, south, manager, car):
    CustomerFactory(branch=south, external_ref="K-1")

    result = preview_import(data=csv_file(row()), by=manager)

    assert [(e.row, e.column) for e in result.errors] == [(2, "customer_ref")]


def test_only_importers_may_import(north, owner, car):
    with pytest.raises(DomainError):
        preview_import(data=csv_file(row()), by=owner)


# --- Idempotency ---------------------------------------------------------------------------------


def test_importing_the_same_file_twice_creates_nothing_new(north, manager, car, mats):
    import_purchases(data=two_purchases(), by=manager)
    counts = [
        model.objects.count() for model in (Customer, Purchase, PurchaseLine, ConsentRecord)
    ] + [Customer.history.count(), Purchase.history.count()]

    result = import_purchases(data=two_purchases(), by=manager)

    summary = result.summary
    assert (summary.customers_created, summary.customers_updated, summary.customers_unchanged) == (
        0,
        0,
        1,
    )
    assert (summary.purchases_created, summary.purchases_skipped) == (0, 2)
    assert (summary.lines_created, summary.consents_recorded) == (0, 0)
    assert counts == [
        model.objects.count() for model in (Customer, Purchase, PurchaseLine, ConsentRecord)
    ] + [Customer.history.count(), Purchase.history.count()]


def test_reimport_reuses_and_updates_known_customers(north, manager, car):
    import_purchases(data=csv_file(row()), by=manager)
    newer = csv_file(
        row(phone="030 999888", consent_email="nein"),
        row(purchase_ref="A-2", phone="030 999888", consent_email="nein", identifier="VIN-NEW"),
    )

    result = import_purchases(data=newer, by=manager)

    assert (result.summary.customers_created, result.summary.customers_updated) == (0, 1)
    assert (result.summary.purchases_created, result.summary.purchases_skipped) == (1, 1)
    customer = Customer.objects.get()
    assert customer.phone == "030 999888"
    assert customer.consent_email is False
    assert customer.purchases.count() == 2
    assert customer.history.first().history_type == "~"
    assert ConsentRecord.objects.filter(channel="email").count() == 2
    # The search text follows the new phone number and the new purchase's identifier.
    assert search_customers(Customer.objects.all(), "030999888").get() == customer
    assert search_customers(Customer.objects.all(), "VIN-NEW").get() == customer


def test_existing_customer_keeps_branch_and_fields_not_in_the_file(north, admin_user, car):
    customer = CustomerFactory(branch=north, external_ref="K-1", mobile="0171 555")

    import_purchases(data=csv_file(row(branch_code="NORTH", phone="")), by=admin_user)

    customer.refresh_from_db()
    assert customer.mobile == "0171 555"
    assert customer.purchases.get().external_ref == "A-1"


def test_customer_of_skipped_purchases_only_is_not_created(north, manager, car):
    # As after an erasure: the purchase is known, its customer number no longer is.
    PurchaseFactory(customer=CustomerFactory(branch=north), external_ref="A-1")

    result = import_purchases(data=csv_file(row(customer_ref="K-ERASED")), by=manager)

    assert (result.summary.customers_created, result.summary.purchases_skipped) == (0, 1)
    assert not Customer.objects.filter(external_ref="K-ERASED").exists()
    assert not ConsentRecord.objects.exists()


def test_stale_uploads_are_discarded(media_root):
    fresh, stale = store_upload(b"fresh"), store_upload(b"stale")
    old = (timezone.now() - timedelta(days=2)).timestamp()
    os.utime(media_root / "imports" / f"{stale}.csv", (old, old))

    discard_stale_uploads()

    assert read_upload(fresh) == b"fresh"
    with pytest.raises(DomainError):
        read_upload(stale)


# --- Pages ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("owner", 403),
        ("colleague", 403),
        ("outsider", 403),
        ("shopper", 403),
        ("manager", 200),
        ("admin_user", 200),
    ],
)
def test_import_page_access(request, login, persona, status):
    client = login(request.getfixturevalue(persona))

    assert client.get(reverse("customers:import-upload")).status_code == status


def test_import_page_needs_login(client, db):
    response = client.get(reverse("customers:import-upload"))

    assert response.status_code == 302
    assert "/login/" in response.url


def upload(client, data, name="dms.csv"):
    return client.post(
        reverse("customers:import-upload"), {"file": SimpleUploadedFile(name, data, "text/csv")}
    )


def checked(client, data):
    """The check job of an uploaded file, run as the worker runs it."""
    response = upload(client, data)
    assert response.status_code == 302
    job = Job.objects.get(pk=resolve(response.url).kwargs["pk"])
    assert job.kind == background.PREVIEW and job.state == Job.QUEUED
    background.run_import_job(job.pk)
    job.refresh_from_db()
    return job


def test_upload_check_confirm(login, north, manager, car, mats, media_root):
    client = login(manager)

    job = checked(client, two_purchases())
    preview = client.get(reverse("customers:import-job", args=[job.pk]))
    assert preview.status_code == 200
    assert preview.context["summary"]["purchases_created"] == 2 and preview.context["can_import"]
    assert not Purchase.objects.exists()
    token = job.params["token"]
    assert (media_root / "imports" / f"{token}.csv").exists()

    done = client.post(reverse("customers:import-job-confirm", args=[job.pk]))

    assert done.status_code == 302
    confirmation = Job.objects.get(pk=resolve(done.url).kwargs["pk"])
    assert confirmation.kind == background.CONFIRM and not Purchase.objects.exists()
    waiting = client.get(done.url)
    assert b'role="progressbar"' in waiting.content and b'http-equiv="refresh"' in waiting.content
    background.run_import_job(confirmation.pk)
    assert Purchase.objects.count() == 2
    assert not (media_root / "imports" / f"{token}.csv").exists()
    page = client.get(done.url)
    assert page.status_code == 200 and b'role="progressbar"' not in page.content
    assert page.context["summary"]["purchases_created"] == 2
    assert "Import finished" in page.content.decode()
    upload_page = client.get(reverse("customers:import-upload"))
    assert upload_page.context["recent_jobs"] == [confirmation, job]


def test_progress_is_polled_until_the_job_is_done(login, north, manager, car):
    client = login(manager)
    response = upload(client, csv_file(row()))
    pk = resolve(response.url).kwargs["pk"]
    progress_url = reverse("customers:import-job-progress", args=[pk])

    polled = client.get(progress_url)
    assert polled.status_code == 200
    assert b'aria-valuenow="0"' in polled.content and b'hx-trigger="every 1s"' in polled.content
    Job.objects.filter(pk=pk).update(state=Job.RUNNING, rows_total=200, rows_done=50)
    assert b'aria-valuenow="25"' in client.get(progress_url).content

    background.run_import_job(pk)  # running without a heartbeat: no worker holds it
    finished = client.get(progress_url).content.decode()
    assert 'aria-valuenow="100"' in finished and "every 1s" not in finished
    # ...and it fetches the outcome into the page, in place of the running job's content.
    assert f'hx-get="{reverse("customers:import-job", args=[pk])}"' in finished
    assert 'hx-select="#import-job"' in finished


def test_check_lists_errors_with_row_and_column(login, north, south, manager, car):
    client = login(manager)
    job = checked(client, csv_file(row(), row(branch_code="SOUTH")))

    preview = client.get(reverse("customers:import-job", args=[job.pk]))

    assert [(e["row"], e["column"]) for e in preview.context["errors"]] == [(3, "branch_code")]
    content = preview.content.decode()
    assert "branch_code" in content
    assert reverse("customers:import-job-confirm", args=[job.pk]) not in content
    errors_csv = client.get(reverse("customers:import-job-errors", args=[job.pk]))
    assert "branch_code" in b"".join(errors_csv.streaming_content).decode("utf-8-sig")
    confirm = client.post(reverse("customers:import-job-confirm", args=[job.pk]))
    assert confirm.status_code == 400
    assert "Only a checked file without errors can be imported." in confirm.content.decode()
    assert not Job.objects.filter(kind=background.CONFIRM).exists()
    assert not Purchase.objects.exists()


def test_error_file_says_how_many_errors_it_left_out(login, north, manager, car, monkeypatch):
    monkeypatch.setattr(background, "KEPT_ERRORS", 2)
    client = login(manager)
    bad = [row(purchase_ref=f"X-{n}", product_sku="NOPE") for n in range(5)]
    job = checked(client, csv_file(*bad))

    errors_csv = client.get(reverse("customers:import-job-errors", args=[job.pk]))

    lines = b"".join(errors_csv.streaming_content).decode("utf-8-sig").splitlines()
    assert len(lines) == 1 + 2 + 1
    assert "3 more errors" in lines[-1]
    assert client.get(reverse("customers:import-job", args=[job.pk])).context["error_count"] == 5


def test_confirmation_checks_again(login, north, manager, car):
    client = login(manager)
    job = checked(client, csv_file(row()))
    car.delete()  # the catalogue changed after the check

    response = client.post(reverse("customers:import-job-confirm", args=[job.pk]))
    confirmation = Job.objects.get(pk=resolve(response.url).kwargs["pk"])
    background.run_import_job(confirmation.pk)

    page = client.get(response.url)
    assert page.context["job"].state == Job.FAILED
    assert [(e["row"], e["column"]) for e in page.context["errors"]] == [(2, "product_sku")]
    assert "Nothing was imported" in page.content.decode()
    assert not Customer.objects.exists()


def test_a_job_is_only_visible_to_its_starter(login, client, north, manager, admin_user, car):
    job = checked(login(manager), csv_file(row()))
    client.logout()
    other = login(admin_user)

    for name in ("import-job", "import-job-progress", "import-job-errors"):
        assert other.get(reverse(f"customers:{name}", args=[job.pk])).status_code == 404
    assert other.post(reverse("customers:import-job-confirm", args=[job.pk])).status_code == 404
    assert other.get(reverse("customers:import-upload")).context["recent_jobs"] == []
    assert not Job.objects.filter(kind=background.CONFIRM).exists()


def test_confirm_needs_post(login, north, manager, car):
    client = login(manager)
    job = checked(client, csv_file(row()))

    assert client.get(reverse("customers:import-job-confirm", args=[job.pk])).status_code == 405


def test_an_oversized_upload_is_refused_with_a_field_error(login, north, manager, monkeypatch):
    monkeypatch.setattr("customers.importing.uploads.MAX_UPLOAD_BYTES", 10)
    response = upload(login(manager), csv_file(row()))

    assert response.status_code == 200
    assert "larger than" in str(response.context["form"].errors["file"])
    assert not Job.objects.exists()


# --- Commands ------------------------------------------------------------------------------------


def test_command_imports_as_the_given_user(tmp_path, north, manager, car, mats, capsys):
    path = tmp_path / "dms.csv"
    path.write_bytes(two_purchases())

    call_command("import_purchases", str(path), "--as", "mia")

    assert Purchase.objects.filter(created_by=manager).count() == 2
    assert "Purchases: 2 new with 3 lines" in capsys.readouterr().out


def test_command_prints_every_error_and_fails(tmp_path, north, manager, car, capsys):
    path = tmp_path / "dms.csv"
    path.write_bytes(csv_file(row(), row(purchase_ref="A-2", product_sku="NOPE", quantity="-2")))

    with pytest.raises(CommandError, match="2 errors"):
        call_command("import_purchases", str(path), "--as", "mia")

    err = capsys.readouterr().err
    assert "Row 3, column product_sku: No product in the catalogue" in err
    assert "Row 3, column quantity:" in err
    assert not Purchase.objects.exists()


def test_command_dry_run_writes_nothing(tmp_path, north, car, capsys):
    path = tmp_path / "dms.csv"
    path.write_bytes(csv_file(row()))

    call_command("import_purchases", str(path), "--dry-run")

    assert not Purchase.objects.exists()
    assert "Dry run" in capsys.readouterr().out


def test_command_without_user_acts_as_the_system(tmp_path, north, car):
    path = tmp_path / "dms.csv"
    path.write_bytes(csv_file(row()))

    call_command("import_purchases", str(path))

    assert Purchase.objects.get().created_by is None


def test_command_respects_the_users_permission(tmp_path, north, owner, car):
    path = tmp_path / "dms.csv"
    path.write_bytes(csv_file(row()))

    with pytest.raises(CommandError, match="may not import"):
        call_command("import_purchases", str(path), "--as", "alice")


def test_benchmark_refuses_to_run_without_debug(settings, db):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        call_command("benchmark_import", "--rows", "10")


def test_benchmark_imports_and_rolls_back(settings, db, capsys):
    settings.DEBUG = True

    call_command("benchmark_import", "--rows", "40")

    assert "rows=40 seconds=" in capsys.readouterr().out
    assert not Customer.objects.exists()
    assert not Branch.objects.filter(code__startswith="BENCH-").exists()
