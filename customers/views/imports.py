"""CSV in and out: the purchase import (upload → preview → confirm) and the customer list export.

The uploaded file is kept under MEDIA_ROOT/imports/<uuid>.csv between preview and confirmation;
only the user who uploaded it can open it (its UUID is remembered in their session), and the
confirmation validates the file again instead of trusting the preview.
"""

from dataclasses import asdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.csv_export import csv_download
from aftersales.errors import DomainError
from customers import exporting, importing, selectors
from customers.forms import CustomerFilterForm, PurchaseImportForm
from customers.importing import uploads

UPLOADS_SESSION_KEY = "customer_imports"
DONE_SESSION_KEY = "customer_import_done"
# The preview lists this many errors; all of them are in the error file.
PREVIEW_ERROR_LIMIT = 1000


def _own_upload(request, token):
    """The stored file's bytes, for its uploader only."""
    if str(token) not in request.session.get(UPLOADS_SESSION_KEY, []):
        raise Http404
    return uploads.read_upload(token)


def _forget_upload(request, token):
    uploads.discard_upload(token)
    tokens = request.session.get(UPLOADS_SESSION_KEY, [])
    request.session[UPLOADS_SESSION_KEY] = [value for value in tokens if value != str(token)]


def _render_preview(request, token, result, status=200):
    return render(
        request,
        "customers/import_preview.html",
        {
            "token": token,
            "result": result,
            "summary": result.summary,
            "errors": result.errors[:PREVIEW_ERROR_LIMIT],
            "hidden_error_count": max(0, len(result.errors) - PREVIEW_ERROR_LIMIT),
        },
        status=status,
    )


@login_required
@permission_required("customers.import_purchases", raise_exception=True)
def import_upload(request):
    form = PurchaseImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        uploads.discard_stale_uploads()
        token = uploads.store_upload(form.cleaned_data["file"].read())
        request.session[UPLOADS_SESSION_KEY] = [
            *request.session.get(UPLOADS_SESSION_KEY, []),
            str(token),
        ]
        return redirect("customers:import-preview", token=token)
    return render(
        request,
        "customers/import_upload.html",
        {
            "form": form,
            "required_columns": importing.REQUIRED_COLUMNS,
            "optional_columns": [
                column for column in importing.COLUMNS if column not in importing.REQUIRED_COLUMNS
            ],
        },
    )


@login_required
@permission_required("customers.import_purchases", raise_exception=True)
@require_GET
def import_preview(request, token):
    try:
        data = _own_upload(request, token)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("customers:import-upload")
    return _render_preview(request, token, importing.preview_import(data=data, by=request.user))


@login_required
@permission_required("customers.import_purchases", raise_exception=True)
@require_POST
def import_confirm(request, token):
    try:
        data = _own_upload(request, token)
        result = importing.import_purchases(data=data, by=request.user)
    except importing.ImportRejected as rejected:
        messages.error(request, rejected.message)
        return _render_preview(request, token, rejected.result, status=400)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("customers:import-upload")
    _forget_upload(request, token)
    request.session[DONE_SESSION_KEY] = asdict(result.summary)
    messages.success(request, _("The file has been imported."))
    return redirect("customers:import-done")


@login_required
@permission_required("customers.import_purchases", raise_exception=True)
@require_GET
def import_errors(request, token):
    """Every error of the stored file as CSV, for files with more than the preview shows."""
    try:
        data = _own_upload(request, token)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("customers:import-upload")
    result = importing.preview_import(data=data, by=request.user)
    rows = [
        [_("Row"), _("Column"), _("Problem")],
        *([error.row or "", error.column, error.message] for error in result.errors),
    ]
    return csv_download(rows, filename="import-errors.csv")


@login_required
@permission_required("customers.import_purchases", raise_exception=True)
@require_GET
def import_done(request):
    summary = request.session.get(DONE_SESSION_KEY)
    if summary is None:
        return redirect("customers:import-upload")
    return render(request, "customers/import_done.html", {"summary": summary})


@login_required
@permission_required("customers.view_customer", raise_exception=True)
@require_GET
def customer_export(request):
    """The customer list as CSV, with the list page's filters and order (same GET parameters),
    scoped by the same selector."""
    filters = CustomerFilterForm(request.GET or None, user=request.user)
    customers = selectors.customer_list(
        request.user, **filters.selector_arguments(), ordering=request.GET.get("sort", "name")
    )
    return csv_download(
        exporting.customer_rows(customers),
        filename=f"customers-{timezone.localdate().isoformat()}.csv",
    )
