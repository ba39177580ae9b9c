"""The import as background jobs (customers.importing.background, aftersales.jobs)."""

import time
from datetime import timedelta
from decimal import Decimal

import psycopg
import pytest
from django.db import connection
from django.utils import timezone, translation

from aftersales import jobs
from aftersales.errors import DomainError
from aftersales.models import Job, Notification
from customers.importing import background
from customers.importing.service import preview_import
from customers.importing.uploads import discard_upload, read_upload, store_upload
from customers.models import InvolvementLevel, Purchase, PurchaseLine
from tests.aftersales.factories import UserFactory
from tests.customers.factories import ProductCategoryFactory, ProductFactory
from tests.customers.test_import import csv_file, row

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def car(transactional_db):
    category = ProductCategoryFactory(
        code="cars", involvement=InvolvementLevel.HIGH, default_warranty_months=24
    )
    return ProductFactory(sku="CAR-1", category=category, list_price=Decimal("25990.00"))


def many_rows(count):
    return csv_file(
        *(
            row(purchase_ref=f"P-{n}", customer_ref=f"K-{n}", identifier=f"WVWZZZ1JZXW{n:06d}")
            for n in range(1, count + 1)
        )
    )


def test_preview_job_reports_progress_and_the_errors(north, manager, car, monkeypatch):
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 0)
    data = many_rows(2500) + csv_file(row(purchase_ref="X", product_sku="NOPE")).split(b"\n", 1)[1]
    job = background.start_preview(token=store_upload(data), by=manager)
    assert job.state == Job.QUEUED and job.rows_total == 0  # the worker counts the rows
    seen = []
    original = jobs.Progress._write

    def watch(self, done, total=None):
        original(self, done, total)
        seen.append(Job.objects.get(pk=job.pk).rows_done)  # read as the page reads it

    monkeypatch.setattr(jobs.Progress, "_write", watch)
    assert background.run_import_job(job.pk) == Job.DONE
    assert seen == [0, 1000, 2000]
    job.refresh_from_db()
    assert job.rows_total == 2501
    assert job.percent == 100 and job.attempts == 1 and job.finished_at
    assert [e["row"] for e in job.result["errors"]] == [2502]
    assert not Purchase.objects.exists()
    assert Notification.objects.filter(recipient=manager, kind="import_job").count() == 1


def test_confirmation_progress_is_visible_while_the_write_is_open(north, manager, car, monkeypatch):
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 0)
    job = background.start_confirmation(token=store_upload(many_rows(2000)), by=manager)
    seen = []
    original = jobs.Progress._write

    def watch(self, done, total=None):
        original(self, done, total)
        # Another connection: the import's transaction is open and has written nothing visible.
        seen.append((Job.objects.get(pk=job.pk).rows_done, Purchase.objects.count()))

    monkeypatch.setattr(jobs.Progress, "_write", watch)
    assert background.run_import_job(job.pk) == Job.DONE
    assert seen == [(0, 0), (1000, 0), (2000, 0)]
    job.refresh_from_db()
    assert job.state == Job.DONE and job.result["summary"]["purchases_created"] == 2000
    assert Purchase.objects.count() == 2000


def test_worker_dying_mid_write_leaves_nothing_and_the_retry_imports_once(
    north, manager, car, monkeypatch
):
    job = background.start_confirmation(token=store_upload(many_rows(300)), by=manager)
    from customers.importing import writing

    real_update = writing._update_customers

    def die(*args, **kwargs):
        raise SystemExit("worker killed")  # not an Exception: nothing handles it, as with a kill

    monkeypatch.setattr(writing, "_update_customers", die)
    with pytest.raises(SystemExit):
        background.run_import_job(job.pk)
    job.refresh_from_db()
    assert job.state == Job.RUNNING and not Purchase.objects.exists()
    assert not PurchaseLine.objects.exists()

    # A fresh heartbeat: another worker may still be on it, so a redelivery does not run it.
    assert background.run_import_job(job.pk) is None

    Job.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=5))
    assert jobs.requeue_stale_jobs() == 1
    monkeypatch.setattr(writing, "_update_customers", real_update)
    assert background.run_import_job(job.pk) == Job.DONE
    job.refresh_from_db()
    assert job.attempts == 2 and Purchase.objects.count() == 300

    # A retry after success (a redelivered message) does nothing.
    assert background.run_import_job(job.pk) is None
    assert Purchase.objects.count() == 300 and PurchaseLine.objects.count() == 300
    assert jobs.requeue_stale_jobs() == 0


def test_a_second_confirmation_click_finds_the_first_job(north, manager, car):
    token = store_upload(many_rows(5))
    first = background.start_confirmation(token=token, by=manager)
    second = background.start_confirmation(token=token, by=manager)
    assert first.pk == second.pk
    background.run_import_job(first.pk)
    third = background.start_confirmation(token=token, by=manager)
    assert third.pk == first.pk
    assert Job.objects.filter(kind=background.CONFIRM).count() == 1
    assert Purchase.objects.count() == 5


def test_a_rejected_file_fails_the_job_and_writes_nothing(north, manager, car):
    data = csv_file(row(), row(purchase_ref="A-2", product_sku="NOPE"))
    job = background.start_confirmation(token=store_upload(data), by=manager)
    assert background.run_import_job(job.pk) == Job.FAILED
    job.refresh_from_db()
    assert job.result["errors"][0]["column"] == "product_sku"
    assert not Purchase.objects.exists()
    # A failed confirmation may be tried again: a new job.
    assert background.start_confirmation(token=job.params["token"], by=manager).pk != job.pk


def test_who_may_not_import_starts_no_job(north, car):
    seller = UserFactory(username="sam", roles=["sales"], branches=[north])
    token = store_upload(many_rows(1))
    with pytest.raises(DomainError):
        background.start_preview(token=token, by=seller)
    with pytest.raises(DomainError):
        background.start_confirmation(token=token, by=seller)
    assert not Job.objects.exists()


def test_rows_of_another_branch_fail_the_job(north, south, car):
    importer = UserFactory(username="stan", roles=["manager"], branches=[south])
    job = background.start_confirmation(token=store_upload(many_rows(2)), by=importer)
    assert background.run_import_job(job.pk) == Job.FAILED
    assert not Purchase.objects.exists()


def test_a_job_beats_while_its_work_reports_nothing(north, manager, car, monkeypatch):
    """The import's write step counts no rows for minutes; the beat keeps the job from looking
    dead (and from being run a second time) all the same."""
    monkeypatch.setattr(jobs, "HEARTBEAT_EVERY", 0.05)
    job = background.start_confirmation(token=store_upload(many_rows(3)), by=manager)
    from customers.importing import writing

    real_update = writing._update_customers
    long_ago = timezone.now() - timedelta(hours=1)
    beats = []

    def slow_write(*args, **kwargs):
        # Another connection, as the requeue tick would look, while the import's is busy.
        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        with psycopg.connect(**params, autocommit=True) as other:
            other.execute(
                "UPDATE aftersales_job SET heartbeat_at = %s WHERE id = %s", [long_ago, job.pk]
            )
            deadline = time.monotonic() + 5
            while not beats and time.monotonic() < deadline:
                time.sleep(0.02)
                [beat] = other.execute(
                    "SELECT heartbeat_at FROM aftersales_job WHERE id = %s", [job.pk]
                ).fetchone()
                if beat > long_ago:
                    beats.append(beat)
        return real_update(*args, **kwargs)

    monkeypatch.setattr(writing, "_update_customers", slow_write)
    assert background.run_import_job(job.pk) == Job.DONE
    assert beats, "no heartbeat while the write step ran"


def test_the_job_speaks_its_starters_language(north, manager, car):
    manager.language = "de"
    manager.save(update_fields=["language"])
    job = background.start_preview(
        token=store_upload(csv_file(row(purchase_ref="X", product_sku="NOPE"))), by=manager
    )

    background.run_import_job(job.pk)

    job.refresh_from_db()
    [error] = job.result["errors"]
    with translation.override("en"):
        english = preview_import(data=read_upload(job.params["token"]), by=manager)
    assert error["column"] == "product_sku"
    assert error["message"] != english.errors[0].message  # written in German, not English
    assert Notification.objects.get(recipient=manager).subject == "Ihre Importdatei wurde geprüft."


def test_a_vanished_upload_fails_the_job_with_a_clear_message(north, manager, car):
    token = store_upload(many_rows(1))
    job = background.start_preview(token=token, by=manager)
    discard_upload(token)

    assert background.run_import_job(job.pk) == Job.FAILED
    job.refresh_from_db()
    assert "no longer available" in job.error


def test_stale_jobs_are_requeued_every_minute(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["jobs-requeue"]
    assert entry["task"] == "aftersales.tasks.requeue_stale_jobs"
    assert entry["schedule"] == timedelta(minutes=1)
