"""The import as background jobs (aftersales.jobs): a preview job checks an upload, a
confirmation job writes it. Both read the upload by its token from the job's parameters.

The page that starts a job only stores the upload and creates the row: the worker reads the file,
counts its rows and runs in the starter's language (the errors it keeps are shown to them).

A confirmation is all-or-nothing: the job is marked done inside the import's own transaction,
so a job is done exactly when its purchases are committed. A worker killed mid-way leaves the
job running with an old heartbeat and nothing written; it is queued again and runs from the
start. A done job is never run again, and a second click on "Import" finds the job of the
first (one confirmation job per upload unless the earlier one failed).
"""

from dataclasses import asdict

from django.db import connection, transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from aftersales import jobs
from aftersales.errors import DomainError
from aftersales.models import Job
from aftersales.services import notify
from customers.importing.results import ImportRejected
from customers.importing.service import _require_permission, import_purchases, preview_import
from customers.importing.uploads import discard_upload, read_upload

PREVIEW = "customers.import_preview"
CONFIRM = "customers.import_confirm"
TASKS = {PREVIEW: "customers.tasks.run_import_job", CONFIRM: "customers.tasks.run_import_job"}
# pg_advisory_xact_lock key serialising confirmation clicks ("cust_job").
CONFIRM_LOCK_KEY = 0x637573745F6A6F62
# A job keeps this many errors for its page and error file, and counts the rest.
KEPT_ERRORS = 10_000
# The import page lists this many of the user's latest jobs.
RECENT_JOBS = 10


def _rows_in(data):
    return max(data.count(b"\n") - 1, 0) if data else 0


def start_preview(*, token, by):
    _require_permission(by)
    return jobs.start_job(
        kind=PREVIEW, task_name=TASKS[PREVIEW], by=by, params={"token": str(token)}
    )


def start_confirmation(*, token, by):
    """The confirmation job for this upload: a new one, or the one a first click started."""
    _require_permission(by)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [CONFIRM_LOCK_KEY])
        earlier = (
            Job.objects.filter(kind=CONFIRM, params__token=str(token))
            .exclude(state=Job.FAILED)
            .first()
        )
        if earlier is not None:
            return earlier
        return jobs.start_job(
            kind=CONFIRM, task_name=TASKS[CONFIRM], by=by, params={"token": str(token)}
        )


def kept_errors(job):
    """The errors the job kept (up to KEPT_ERRORS), as dicts with row, column and message."""
    return (job.result or {}).get("errors", [])


def error_count(job):
    """How many errors the job found, those it did not keep included."""
    return (job.result or {}).get("error_count", len(kept_errors(job)))


def may_import(job):
    """Only a check that is done and found no error leads to the import."""
    return job.kind == PREVIEW and job.state == Job.DONE and not error_count(job)


def confirm(job, *, by):
    """The confirmation job of a checked upload: only a preview that found no error."""
    if not may_import(job):
        raise DomainError(_("Only a checked file without errors can be imported."))
    return start_confirmation(token=job.params["token"], by=by)


def own_job(user, pk):
    """The user's own import job, or None."""
    job = jobs.own_job(user, pk)
    return job if job is not None and job.kind in TASKS else None


def recent_jobs(user):
    return list(
        Job.objects.filter(kind__in=list(TASKS), started_by=user).order_by("-created_at")[
            :RECENT_JOBS
        ]
    )


def result_data(result):
    return {
        "summary": asdict(result.summary),
        "errors": [asdict(error) for error in result.errors[:KEPT_ERRORS]],
        "error_count": len(result.errors),
        "erased_skipped": [asdict(row) for row in result.erased_skipped],
        "applied": result.applied,
        # Seconds per step in their order (a JSON object's keys lose it), for
        # manage.py benchmark_import --job.
        "timings": list(result.timings.items()),
    }


def run_import_job(job_id):
    """The task's body; returns the job's final state (or None when it was not for us to run)."""
    job = jobs.claim(job_id)
    if job is None:
        return None
    by = job.started_by
    with translation.override(jobs.language_of(by)):
        _run(job, by)
    job.refresh_from_db()
    if job.kind == CONFIRM and job.state == Job.DONE:
        discard_upload(job.params["token"])
    _tell(job)
    return job.state


def _run(job, by):
    try:
        data = read_upload(job.params["token"])
    except DomainError as error:
        jobs.fail(job, error=error)
        return
    progress = jobs.Progress(job, total=_rows_in(data))
    try:
        if job.kind == PREVIEW:
            result = preview_import(data=data, by=by, progress=progress)
            jobs.finish(job, result=result_data(result))
        else:
            import_purchases(
                data=data,
                by=by,
                progress=progress,
                before_commit=lambda result: jobs.finish(job, result=result_data(result)),
            )
    except ImportRejected as rejected:
        jobs.fail(job, error=rejected, result=result_data(rejected.result))
    except DomainError as error:
        jobs.fail(job, error=error)
    finally:
        progress.close()


def _tell(job):
    if job.started_by is None:
        return
    with translation.override(jobs.language_of(job.started_by)):
        if job.state == Job.DONE and job.kind == CONFIRM:
            subject = _("Your purchase import is done.")
        elif job.state == Job.DONE:
            subject = _("Your import file has been checked.")
        else:
            subject = _("Your purchase import failed.")
        notify(
            recipient=job.started_by,
            kind="import_job",
            subject=subject,
            body=job.error,
            link=reverse("customers:import-job", args=[job.pk]),
            dedupe_key=f"import_job:{job.pk}:{job.state}",
            email=False,
        )
