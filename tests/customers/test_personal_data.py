"""GDPR access and erasure over every table that holds a customer's data (customers.personal_data).

The tables are found by introspection: every model with a chain of foreign keys to Customer. A
model added later that refers to customers and is not registered fails these tests until its app
registers it (see the module docstring of customers.personal_data).
"""

import json
import os
import subprocess
import time

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat
from django.urls import reverse
from model_bakery import baker

from aftersales.models import Notification, OutgoingEmail
from customers import services
from customers.importing import preview_import
from customers.models import ConsentRecord, Customer, ErasedIdentifier
from customers.personal_data import holdings, models_referring_to_customers, text_tables
from customers.personal_data.records import identifier_digest
from customers.selectors import customer_data_export
from followups.models import ContactEvent, SurveyResponse
from quality.models import ComplaintAttachment, InvoiceSample
from tests.aftersales.test_backup import libpq_env, server_major, tools_for
from tests.customers.factories import CustomerFactory, ProductFactory
from tests.customers.test_import import csv_file, row

NAME = ("Zebulon", "Quillfeather")
EMAIL = "zq.planted@example.org"
PHONE = "0171 9988776"
PLANTED = [*NAME, EMAIL, PHONE]


@pytest.fixture
def customer(north, owner):
    return CustomerFactory(
        branch=north,
        salesperson=owner,
        first_name=NAME[0],
        last_name=NAME[1],
        email=EMAIL,
        phone=PHONE,
        external_ref="DMS-4711",
        notes=f"{NAME[0]} prefers calls on {PHONE}.",
    )


def registered():
    return {holding.model: holding for holding in holdings()}


# Values the database's check constraints ask for, where random ones would not do.
ROW_VALUES = {
    InvoiceSample: {"clarity": 3},
    SurveyResponse: {"nps": 8, "satisfaction_purchase": 4, "satisfaction_handover": 4},
    ComplaintAttachment: {"_create_files": True},
}


def rows_everywhere(customer):
    """At least one row of the customer in every table that refers to customers, made with
    whatever each row requires (model-bakery fills in the rest)."""
    for model, path in models_referring_to_customers().items():
        holding = registered().get(model)
        if model is Customer or (holding and holding.rows(customer).exists()):
            continue
        baker.make(model, **{path: customer}, **ROW_VALUES.get(model, {}))


# Room for the row's number after the planted text: unique columns get a value per row.
ROW_SUFFIX = 12


def planted_text(field):
    text = f"Call {' '.join(NAME)} at {PHONE} or {EMAIL}."
    room = None if field.max_length is None else field.max_length - ROW_SUFFIX
    if room is None or len(text) <= room:
        return text
    return NAME[1] if len(NAME[1]) <= room else None


def plant_everywhere(customer):
    """The customer's name, e-mail and phone in every free text of every row of theirs, saved
    once more through the ORM so that django-simple-history keeps a copy too."""
    for holding in holdings():
        rows = holding.rows(customer)
        changes = {
            field.name: Concat(Value(f"{text} #"), Cast("pk", CharField()))
            for field in holding.text_fields()
            if (text := planted_text(field)) is not None
            and not (holding.model is Customer and field.name in ("email", "phone"))
        }
        if holding.model is Customer:
            changes.pop("first_name"), changes.pop("last_name")
        rows.update(**changes)
        if hasattr(holding.model, "history"):
            for instance in rows:
                instance.save()
    text = f"Complaint of {' '.join(NAME)} ({EMAIL}, {PHONE})"
    Notification.objects.create(recipient=customer.salesperson, kind="x", subject=text, body=text)
    OutgoingEmail.objects.create(to_address=EMAIL, subject=text, body=text)


def test_every_model_that_refers_to_customers_is_registered(db):
    missing = [
        f"{model._meta.label} (via {path or 'itself'})"
        for model, path in models_referring_to_customers().items()
        if model not in registered()
    ]
    assert not missing, (
        "Register these tables in customers.personal_data (in their app's personal_data module, "
        f"imported by its AppConfig.ready()): {', '.join(missing)}"
    )


def test_every_registered_path_leads_to_the_customer(customer):
    rows_everywhere(customer)
    other = CustomerFactory(branch=customer.branch)
    for holding in holdings():
        assert holding.rows(customer).exists(), holding.label
        assert not holding.rows(other).filter(pk__in=holding.rows(customer)).exists()


def test_the_export_holds_every_table_with_the_customers_rows(customer):
    rows_everywhere(customer)
    other = CustomerFactory(branch=customer.branch)
    rows_everywhere(other)

    data = json.loads(json.dumps(customer_data_export(customer), default=str))

    assert data["customer"]["email"] == EMAIL
    assert set(data["records"]) == {model._meta.label_lower for model in registered()}
    for model in models_referring_to_customers():
        rows = data["records"][model._meta.label_lower]
        expected = registered()[model].rows(customer).values_list("pk", flat=True)
        assert sorted(item["id"] for item in rows) == sorted(expected), model._meta.label
    attachment = data["records"]["quality.complaintattachment"][0]
    assert attachment["name"] and attachment["file"]


def test_the_export_download_for_a_customer_with_a_thousand_records(
    login, admin_user, customer, django_assert_max_num_queries
):
    rows_everywhere(customer)
    ContactEvent.objects.bulk_create(
        [
            baker.prepare(ContactEvent, customer=customer, followup=None, note=f"call {number}")
            for number in range(1000)
        ]
    )
    client = login(admin_user)
    started = time.monotonic()
    # One query per registered table, whatever the number of rows; besides them the sign-in's
    # (session, user, second factor, roles and permissions) and the customer's own.
    with django_assert_max_num_queries(len(holdings()) + 15):
        response = client.get(reverse("customers:customer-export", args=[customer.pk]))
    elapsed = time.monotonic() - started

    assert response.status_code == 200
    assert len(response.json()["records"]["followups.contactevent"]) >= 1000
    assert elapsed < 10, f"the export took {elapsed:.1f} s"


def dump_database():
    folder = tools_for(server_major())
    assert folder, "pg_dump is needed for this test"
    database = connection.settings_dict["NAME"]
    env = {**os.environ, **libpq_env(database)}
    return subprocess.run(  # noqa: S603 (PostgreSQL's own tool)
        [f"{folder}/pg_dump", "--data-only", "--no-owner", database],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    ).stdout


@pytest.mark.django_db(transaction=True)
def test_erasure_leaves_no_trace_in_a_full_database_dump(north, owner, admin_user, customer):
    rows_everywhere(customer)
    plant_everywhere(customer)
    attachment = ComplaintAttachment.objects.get(complaint__customer=customer)
    storage, stored = attachment.file.storage, attachment.file.name
    assert storage.exists(stored)
    before = dump_database().lower()
    assert all(value.lower() in before for value in PLANTED)

    services.erase_customer(customer=customer, by=admin_user)

    after = dump_database().lower()
    left = {value: after.count(value.lower()) for value in PLANTED if value.lower() in after}
    assert not left, f"still in the database dump after erasure: {left}"
    assert not storage.exists(stored)
    assert not ComplaintAttachment.objects.filter(pk=attachment.pk).exists()
    # What stays for statistics and as proof of consent stays.
    assert ConsentRecord.objects.filter(customer=customer).exists()
    assert all(holding.model.objects.exists() for holding in holdings() if not holding.delete)


def test_the_customers_own_words_are_blanked_and_other_texts_cleaned(admin_user, customer):
    rows_everywhere(customer)
    plant_everywhere(customer)
    services.erase_customer(customer=customer, by=admin_user)
    for holding in holdings():
        for instance in holding.rows(customer):
            for name in holding.blank:
                assert getattr(instance, name) == "", (holding.label, name)
            for field in holding.text_fields():
                text = getattr(instance, field.name) or ""
                assert NAME[1] not in text, (holding.label, field.name, text)
    for table in text_tables():
        for name in table.fields:
            assert not table.model.objects.filter(**{f"{name}__icontains": NAME[1]}).exists()


def test_other_customers_texts_are_untouched(admin_user, customer):
    other = CustomerFactory(branch=customer.branch, notes=f"Neighbour of {NAME[1]}")
    rows_everywhere(other)
    services.erase_customer(customer=customer, by=admin_user)
    other.refresh_from_db()
    assert other.notes == f"Neighbour of {NAME[1]}"


def test_names_are_replaced_as_whole_words_only(admin_user, north):
    customer = CustomerFactory(branch=north, first_name="Ann", last_name="Lee", email="")
    consent = baker.make(ConsentRecord, customer=customer, note="Ann Lee agreed; Annika too.")
    services.erase_customer(customer=customer, by=admin_user)
    consent.refresh_from_db()
    assert consent.note == "— agreed; Annika too."


def test_erased_identifiers_are_kept_as_hashes_only(admin_user, customer):
    services.erase_customer(customer=customer, by=admin_user)
    digests = set(ErasedIdentifier.objects.values_list("kind", "digest"))
    assert digests == {
        ("email", identifier_digest("email", EMAIL.upper())),
        ("external_ref", identifier_digest("external_ref", "DMS-4711")),
    }
    assert not ErasedIdentifier.objects.filter(digest__icontains="quillfeather").exists()


def test_an_import_skips_an_erased_person(north, manager, admin_user, customer):
    ProductFactory(sku="CAR-1")
    services.erase_customer(customer=customer, by=admin_user)
    data = csv_file(
        row(customer_ref="DMS-4711", email="someone@example.com"),
        row(purchase_ref="A-2", customer_ref="K-9", email=EMAIL.upper()),
        row(purchase_ref="A-3", customer_ref="K-10", email="new@example.com"),
    )
    result = preview_import(data=data, by=manager)
    assert result.ok, result.errors
    assert [skipped.row for skipped in result.erased_skipped] == [2, 3]
    assert result.summary.customers_created == 1


def test_text_fields_that_cannot_hold_an_identifier_are_left_alone():
    """A guard for the planting above: a text column too short for any planted value is no
    place a name could hide."""
    for holding in holdings():
        for field in holding.text_fields():
            if isinstance(field, CharField) and planted_text(field) is None:
                assert field.max_length < len(NAME[1]) + ROW_SUFFIX, (holding.label, field.name)


def test_a_stored_attachment_of_another_customer_stays(admin_user, customer, north):
    other = CustomerFactory(branch=north)
    attachment = baker.make(ComplaintAttachment, complaint__customer=other, _create_files=True)
    attachment.file.save("keep.txt", ContentFile(b"keep"))
    services.erase_customer(customer=customer, by=admin_user)
    assert attachment.file.storage.exists(attachment.file.name)
