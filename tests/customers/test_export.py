"""The customer list as CSV: the list page's filters and scope, streamed, formula-safe."""

import csv
import io
from datetime import date

import pytest
from django.http import StreamingHttpResponse
from django.urls import resolve, reverse
from django.utils import timezone

from aftersales import jobs
from aftersales.csv_export import escape_cell
from aftersales.models import Job, Notification
from customers import exporting, selectors
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

    with django_assert_num_queries(3):
        # 1. the session, 2. the user with their roles, permissions and the branches they work
        # in (scope), 3. whether the list is short enough to download at once (a count of at
        # most INLINE_ROWS + 1 rows); the rows are read with the body.
        response = client.get(reverse(URL))
    with django_assert_num_queries(1):
        # The customers with branch, salesperson and last purchase, in one (chunked) query.
        rows = b"".join(response.streaming_content)
    assert rows.count(b"\n") == 3


# --- a long list: an export job --------------------------------------------------------------


@pytest.fixture
def short_inline_limit(monkeypatch):
    monkeypatch.setattr(exporting, "INLINE_ROWS", 1)


def exported_by_job(client, **params):
    """The export of a list longer than the inline limit: the job it started, run as the
    worker runs it, and the rows of the file its page offers."""
    response = client.get(reverse(URL), params)
    assert response.status_code == 302
    job = Job.objects.get(pk=resolve(response.url).kwargs["pk"])
    assert job.kind == exporting.EXPORT and job.state == Job.QUEUED
    assert exporting.run_export(job.pk) == Job.DONE
    page = client.get(response.url)
    assert page.status_code == 200
    download = reverse("job-download", args=[job.pk])
    assert download in page.content.decode()
    file = client.get(download)
    assert file.status_code == 200 and file["Content-Type"] == "text/csv; charset=utf-8"
    content = b"".join(file.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")
    return job, list(csv.reader(io.StringIO(content[1:])))


def test_a_long_list_is_exported_by_a_job_with_the_same_rows(
    short_inline_limit, login, owner, erika, hans, sepp
):
    client = login(owner)

    job, rows = exported_by_job(client, sort="-name")

    assert ids(rows) == [erika.pk, hans.pk]  # North only, by name descending, as the list
    job.refresh_from_db()
    assert job.rows_total == 2 and job.result["rows"] == 2
    page = client.get(reverse("job", args=[job.pk])).content.decode()
    assert "2 customers exported." in page and "sort=-name" in page  # the way back to the list
    notification = Notification.objects.get(recipient=owner, kind="export_job")
    assert notification.link == reverse("job", args=[job.pk])


def test_the_export_job_is_its_starters_own(
    short_inline_limit, login, client, owner, admin_user, erika, hans
):
    job, _rows = exported_by_job(login(owner))
    client.logout()
    other = login(admin_user)

    for name in ("job", "job-progress", "job-download"):
        assert other.get(reverse(name, args=[job.pk])).status_code == 404


def test_the_job_page_polls_until_done(short_inline_limit, login, owner, erika, hans):
    client = login(owner)
    response = client.get(reverse(URL))
    job = Job.objects.get(pk=resolve(response.url).kwargs["pk"])
    waiting = client.get(response.url).content.decode()
    assert 'role="progressbar"' in waiting and 'http-equiv="refresh"' in waiting
    assert reverse("job-download", args=[job.pk]) not in waiting
    assert client.get(reverse("job-download", args=[job.pk])).status_code == 404

    exporting.run_export(job.pk)

    finished = client.get(reverse("job-progress", args=[job.pk])).content.decode()
    assert 'aria-valuenow="100"' in finished and f'hx-get="{response.url}"' in finished
    assert exporting.run_export(job.pk) is None  # a redelivered message does nothing


def test_an_export_that_breaks_fails_its_job_and_leaves_no_file(
    short_inline_limit, login, owner, erika, hans, monkeypatch
):
    client = login(owner)
    job = Job.objects.get(pk=resolve(client.get(reverse(URL)).url).kwargs["pk"])

    def broken(customer, yes, no):
        raise ValueError("the disk is full")

    monkeypatch.setattr(exporting, "customer_row", broken)
    with pytest.raises(ValueError):
        exporting.run_export(job.pk)

    job.refresh_from_db()
    assert job.state == Job.FAILED and "the disk is full" in job.error
    assert not jobs.output_path(job).exists()
    assert not jobs.output_path(job).with_suffix(".part").exists()
    assert (
        "The work stopped with an error."
        in client.get(reverse("job", args=[job.pk])).content.decode()
    )
