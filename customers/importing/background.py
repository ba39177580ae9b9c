"""The import as background jobs (aftersales.jobs): a preview job checks an upload, a
confirmation job writes it. Both read the upload by its token from the job's parameters.

A confirmation is all-or-nothing: the job is marked done inside the import's own transaction,
so a job is done exactly when its purchases are committed. A worker killed mid-way leaves the
job running with an old heartbeat and nothing written; it is queued again and runs from the
start. A done job is never run again, and a second click on "Import" finds the job of the
first (one confirmation job per upload unless the earlier one failed).
"""

from dataclasses import asdict

from django.db import connection, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from aftersales import jobs
from aftersales.errors import DomainError
from aftersales.models import Job
from aftersales.services import notify
from customers.importing.results import ImportRejected
from customers.importing.service import _require_permission, import_purchases, preview_import
from customers.importing.uploads import read_upload

PREVIEW = "customers.import_preview"
CONFIRM = "customers.import_confirm"
TASKS = {PREVIEW: "customers.tasks.run_import_job", CONFIRM: "customers.tasks.run_import_job"}
# pg_advisory_xact_lock key serialising confirmation clicks ("cust_job").
CONFIRM_LOCK_KEY = 0x637573745F6A6F62


def _rows_in(data):
    return max(data.count(b"\n") - 1, 0) if data else 0


def start_preview(*, token, by):
    _require_permission(by)
    data = read_upload(token)
    return jobs.start_job(
        kind=PREVIEW,
        task_name=TASKS[PREVIEW],
        by=by,
        params={"token": str(token)},
        rows_total=_rows_in(data),
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
        data = read_upload(token)
        return jobs.start_job(
            kind=CONFIRM,
            task_name=TASKS[CONFIRM],
            by=by,
            params={"token": str(token)},
            rows_total=_rows_in(data),
        )


def result_data(result):
    return {
        "summary": asdict(result.summary),
        "errors": [asdict(error) for error in result.errors],
        "erased_skipped": [asdict(row) for row in result.erased_skipped],
        "applied": result.applied,
    }


def run_import_job(job_id):
    """The task's body; returns the job's final state (or None when it was not for us to run)."""
    job = jobs.claim(job_id)
    if job is None:
        return None
    by = job.started_by
    progress = jobs.Progress(job)
    try:
        data = read_upload(job.params["token"])
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
    job.refresh_from_db()
    _tell(job)
    return job.state


def _tell(job):
    if job.started_by is None:
        return
    with translation.override(job.started_by.language or None):
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
            dedupe_key=f"import_job:{job.pk}:{job.state}",
            email=False,
        )
