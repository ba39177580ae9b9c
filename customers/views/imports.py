"""CSV in and out: the purchase import (upload → check → import, each step a background job
with a progress bar) and the customer list export (a background job for a long list).

The upload is stored (customers.importing.uploads) and checked by a worker
(customers.importing.background); the job's page polls its progress with htmx and shows the
check's figures and errors when it is done, or the import's. A job opens only for the user who
started it, and the import checks the file again instead of trusting the check.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.csv_export import csv_download
from aftersales.errors import DomainError
from customers import exporting, importing
from customers.forms import PurchaseImportForm
from customers.importing import background, uploads

# The job page lists this many errors; the error file has every one the job kept.
PAGE_ERROR_LIMIT = 1000


def _own_job(request, pk):
    job = background.own_job(request.user, pk)
    if job is None:
        raise Http404
    return job


@login_required
@permission_required("customers.import_purchases", raise_exception=True)
def import_upload(request):
    form = PurchaseImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploads.discard_stale_uploads()
        token = uploads.store_upload(form.cleaned_data["file"])
        job = background.start_preview(token=token, by=request.user)
        return redirect("customers:import-job", pk=job.pk)
    return render(
        request,
        "customers/import_upload.html",
        {
            "form": form,
            "required_columns": importing.REQUIRED_COLUMNS,
            "optional_columns": [
                column for column in importing.COLUMNS if column not in importing.REQUIRED_COLUMNS
            ],
            "recent_jobs": background.recent_jobs(request.user),
            "check_kind": background.PREVIEW,
        },
    )


def _job_context(job):
    count = background.error_count(job)
    return {
        "job": job,
        "is_check": job.kind == background.PREVIEW,
        "summary": (job.result or {}).get("summary"),
        "errors": background.kept_errors(job)[:PAGE_ERROR_LIMIT],
        "error_count": count,
        "hidden_error_count": max(0, count - PAGE_ERROR_LIMIT),
        "erased_skipped": (job.result or {}).get("erased_skipped", []),
        "can_import": background.may_import(job),
    }


@login_required
@permission_required("customers.import_purchases", raise_exception=True)
@require_GET
def import_job(request, pk):
    return render(request, "customers/import_job.html", _job_context(_own_job(request, pk)))


@login_required
@permission_required("customers.import_purchases", raise_exception=True)
@require_GET
def import_job_progress(request, pk):
    """The progress bar, polled by the job page; once the job has finished, the bar shows its
    end and then fetches the job's outcome into the page."""
    return render(
        request, "customers/partials/import_progress.html", {"job": _own_job(request, pk)}
    )


@login_required
@permission_required("customers.import_purchases", raise_exception=True)
@require_POST
def import_job_confirm(request, pk):
    job = _own_job(request, pk)
    try:
        confirmation = background.confirm(job, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return render(request, "customers/import_job.html", _job_context(job), status=400)
    return redirect("customers:import-job", pk=confirmation.pk)


@login_required
@permission_required("customers.import_purchases", raise_exception=True)
@require_GET
def import_job_errors(request, pk):
    """Every error the job kept, as CSV (a file with more than the page shows)."""
    job = _own_job(request, pk)
    kept = background.kept_errors(job)
    more = background.error_count(job) - len(kept)
    rows = [
        [_("Row"), _("Column"), _("Problem")],
        *([error["row"] or "", error["column"], error["message"]] for error in kept),
    ]
    if more:
        rows.append(
            [
                "",
                "",
                _("… and %(count)d more errors: correct these first and check the file again.")
                % {"count": more},
            ]
        )
    return csv_download(rows, filename="import-errors.csv")


@login_required
@permission_required("customers.view_customer", raise_exception=True)
@require_GET
def customer_export(request):
    """The customer list as CSV, with the list page's filters and order (same GET parameters),
    scoped by the same selector: at once for a short list, as an export job for a long one."""
    query = dict(request.GET.lists())
    customers = exporting.list_of(request.user, query)
    if exporting.is_long(customers):
        job = exporting.start_export(by=request.user, query=query)
        return redirect("job", pk=job.pk)
    return csv_download(exporting.customer_rows(customers), filename=exporting.export_filename())
