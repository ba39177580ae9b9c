"""The complaints browser UI: thin views over quality's selectors and services.

Recording: the customer is found as you type with the customers app's picker
(customers.picker), which posts this form back with the entries so far and returns with the
customer chosen and their purchases offered.

The complaint page shows the workflow actions its status allows; each posts to its own endpoint,
which calls the service and returns to the page (a DomainError becomes a message or a form
error). What was recorded wrongly is corrected on its own page, with the same customer picker.
The dissonance dashboard's views live in quality/dashboard_views.py.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.errors import DomainError
from aftersales.views import add_domain_error, paginate, private_file_response
from customers.picker import customer_picking
from quality import selectors, services
from quality.audits.forms import RootCauseForm
from quality.forms import (
    AssignForm,
    ComplaintCorrectionForm,
    ComplaintFilterForm,
    ComplaintForm,
    NoteForm,
    ReopenForm,
    ResolveForm,
)
from quality.models import Complaint

Status = Complaint.Status
# Buttons of the recording form that choose the customer rather than save the complaint.
# Which workflow actions the page offers in each status (the services have the final word).
AVAILABLE_ACTIONS = {
    Status.NEW: ("acknowledge", "start", "resolve", "assign"),
    Status.ACKNOWLEDGED: ("start", "resolve", "assign"),
    Status.IN_PROGRESS: ("resolve", "assign"),
    Status.RESOLVED: ("close", "reopen"),
    Status.CLOSED: ("reopen",),
}
# The list's quick views: their query parameters (paging and sorting aside).
QUICK_VIEWS = {
    "all": {},
    "mine": {"mine": "1"},
    "open": {"status": "open"},
    "breached": {"breached": "1"},
}


def _complaint_or_404(user, pk):
    try:
        return selectors.complaint_detail(user, pk)
    except ObjectDoesNotExist as missing:
        raise Http404 from missing


# --- List ---


@login_required
@permission_required("quality.view_complaint", raise_exception=True)
@require_GET
def complaint_list(request):
    now = timezone.now()
    filters = ComplaintFilterForm(request.GET or None, user=request.user)
    complaints = selectors.complaint_list(
        request.user,
        **filters.selector_arguments(),
        ordering=request.GET.get("sort", "-received"),
        now=now,
    )
    page = paginate(request, complaints)
    for complaint in page:
        complaint.time_left = selectors.time_left(complaint, now)
    params = {key: value for key, value in request.GET.items() if key not in ("page", "sort")}
    quick = next((name for name, view in QUICK_VIEWS.items() if view == params), None)
    return render(
        request,
        "quality/complaint_list.html",
        {"filters": filters, "page": page, "quick": quick},
    )


# --- Record ---


@login_required
@permission_required("quality.add_complaint", raise_exception=True)
def complaint_create(request):
    user = request.user
    picking = customer_picking(
        request, ComplaintForm, defaults={"received_at": timezone.now(), "owner": user.pk}
    )
    if request.method != "POST" or picking.step:
        form = ComplaintForm(user=user, initial=picking.initial)
    else:
        form = ComplaintForm(request.POST, request.FILES, user=user)
        # A time without zone is the chosen customer's branch time.
        with timezone.override(form.zone):
            valid = form.is_valid()
        if valid:
            try:
                complaint = services.record_complaint(by=user, **form.service_arguments())
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(
                    request, _("Complaint %(number)s recorded.") % {"number": complaint.pk}
                )
                return redirect(complaint)
    with timezone.override(form.zone):
        return render(
            request, "quality/complaint_form.html", {"form": form, "search": picking.search}
        )


# --- One complaint: page, attachments, workflow actions ---


def _can_work(user):
    return user.has_perm("quality.change_complaint") and not selectors.sees_only_own_customers(user)


def _action_form(action, complaint, data=None):
    auto_id = f"id_{action}_%s"
    if action == "resolve":
        return ResolveForm(data, auto_id=auto_id)
    if action == "reopen":
        return ReopenForm(data, auto_id=auto_id)
    if action == "assign":
        return AssignForm(
            data, auto_id=auto_id, complaint=complaint, initial={"owner": complaint.owner_id}
        )
    return NoteForm(data, auto_id=auto_id)


def _render_detail(request, complaint, bound_forms=None):
    bound_forms = bound_forms or {}
    actions = AVAILABLE_ACTIONS.get(complaint.status, ()) if _can_work(request.user) else ()
    return render(
        request,
        "quality/complaint_detail.html",
        {
            "complaint": complaint,
            "time_left": selectors.time_left(complaint),
            "corrections": selectors.complaint_corrections(request.user, complaint),
            "can_correct": complaint.is_open and services.may_correct(request.user),
            "actions": actions,
            "action_forms": {
                action: bound_forms.get(action) or _action_form(action, complaint)
                for action in actions
            },
            # The audit finding named as its root cause (quality.audits).
            "root_cause_form": RootCauseForm(
                user=request.user,
                complaint=complaint,
                initial={"finding": complaint.root_cause_id},
            )
            if request.user.has_perm("quality.change_finding")
            else None,
        },
    )


@login_required
@permission_required("quality.view_complaint", raise_exception=True)
@require_GET
def complaint_detail(request, pk):
    return _render_detail(request, _complaint_or_404(request.user, pk))


@login_required
@permission_required("quality.view_complaint", raise_exception=True)
@require_GET
def attachment(request, pk, attachment_pk):
    """An attachment, only for someone who may see its complaint (never a public media URL)."""
    try:
        upload = selectors.complaint_attachment(request.user, pk, attachment_pk)
        return private_file_response(upload)
    except (ObjectDoesNotExist, FileNotFoundError) as missing:
        raise Http404 from missing


def _acknowledge(complaint, by, data):
    services.acknowledge_complaint(complaint=complaint, by=by, note=data["note"])
    return _("Complaint acknowledged.")


def _start(complaint, by, data):
    services.start_complaint(complaint=complaint, by=by, note=data["note"])
    return _("Work on the complaint has started.")


def _resolve(complaint, by, data):
    resolved = services.resolve_complaint(
        complaint=complaint,
        by=by,
        resolution=data["resolution"],
        notes=data["notes"],
        customer_satisfied=data["customer_satisfied"],
    )
    if resolved.status == Status.RESOLVED:
        return _("Complaint resolved.")
    return _("The customer is not satisfied: the complaint is open again.")


def _close(complaint, by, data):
    services.close_complaint(complaint=complaint, by=by, note=data["note"])
    return _("Complaint closed.")


def _reopen(complaint, by, data):
    services.reopen_complaint(complaint=complaint, by=by, note=data["note"])
    return _("Complaint reopened.")


def _assign(complaint, by, data):
    assigned = services.assign_complaint(complaint=complaint, to=data["owner"], by=by)
    return _("The complaint is now owned by %(name)s.") % {"name": assigned.owner}


PERFORM = {
    "acknowledge": _acknowledge,
    "start": _start,
    "resolve": _resolve,
    "close": _close,
    "reopen": _reopen,
    "assign": _assign,
}


@login_required
@permission_required("quality.change_complaint", raise_exception=True)
@require_POST
def complaint_action(request, pk, action):
    """POST one workflow action: call its service, then back to the complaint page."""
    user = request.user
    complaint = _complaint_or_404(user, pk)
    if not _can_work(user):
        raise PermissionDenied
    form = _action_form(action, complaint, request.POST)
    if form.is_valid():
        try:
            message = PERFORM[action](complaint, user, form.cleaned_data)
        except DomainError as error:
            if error.field not in form.fields:
                # E.g. the status changed meanwhile: the page will show what is possible now.
                messages.error(request, error.message)
                return redirect(complaint)
            add_domain_error(form, error)
        else:
            messages.success(request, message)
            return redirect(complaint)
    if action not in AVAILABLE_ACTIONS.get(complaint.status, ()):
        messages.error(
            request,
            _("A complaint that is %(status)s cannot do this.")
            % {"status": complaint.get_status_display()},
        )
        return redirect(complaint)
    return _render_detail(request, complaint, {action: form})


# --- Correct what was recorded ---


@login_required
@permission_required("quality.add_complaintcorrection", raise_exception=True)
def complaint_correct(request, pk):
    """Correct the customer, purchase, category, nature or severity of an open complaint, with
    the recording page's customer picker; the reason is required."""
    user = request.user
    complaint = _complaint_or_404(user, pk)
    if not complaint.is_open:
        messages.error(
            request,
            _("Only an open complaint can be corrected; this one is %(status)s.")
            % {"status": complaint.get_status_display()},
        )
        return redirect(complaint)
    picking = customer_picking(
        request, ComplaintCorrectionForm, defaults=ComplaintCorrectionForm.initial_for(complaint)
    )
    if request.method != "POST":
        form = ComplaintCorrectionForm(
            user=user, complaint=complaint, initial=ComplaintCorrectionForm.initial_for(complaint)
        )
    elif picking.step:
        form = ComplaintCorrectionForm(user=user, complaint=complaint, initial=picking.initial)
    else:
        form = ComplaintCorrectionForm(request.POST, user=user, complaint=complaint)
        if form.is_valid():
            try:
                services.correct_complaint(complaint=complaint, by=user, **form.service_arguments())
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(
                    request, _("Complaint %(number)s corrected.") % {"number": complaint.pk}
                )
                return redirect(f"{complaint.get_absolute_url()}#corrections")
    return render(
        request,
        "quality/complaint_correct.html",
        {"complaint": complaint, "form": form, "search": picking.search},
    )
