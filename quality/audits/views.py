"""The audits' browser UI: templates, the plan, carrying an audit out on a tablet (save and
resume, per-item notes and photos), samples, sign-off, findings and corrective actions, the root
cause on the complaint page, and the quality dashboard. Thin views over selectors and services."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.csv_export import csv_download
from aftersales.errors import DomainError
from aftersales.translated import translated
from aftersales.views import (
    add_domain_error,
    next_url,
    or_404,
    paginate,
    private_file_response,
    staff_member_required,
)
from customers.models import Purchase
from quality import selectors as complaint_selectors
from quality.audits import dashboard, selectors, services
from quality.audits.forms import (
    ITEM_ROW_FIELDS,
    ActionForm,
    AuditItemFormSet,
    CompleteForm,
    DrawSampleForm,
    FindingFilterForm,
    InvoiceSampleForm,
    NoteForm,
    PlanAuditForm,
    PlanFilterForm,
    RateSampleForm,
    ReopenForm,
    RootCauseForm,
    SignOffForm,
    TemplateForm,
)
from quality.audits.models import (
    ActionStatus,
    Area,
    AuditItem,
    AuditPhoto,
    AuditTemplate,
    CommunicationSample,
    CorrectiveAction,
    InvoiceSample,
)
from quality.checklists.forms import MORE_ROWS, rows_from_post, version_rows

Kind = AuditItem.Kind
DASHBOARD = "quality.view_quality_dashboard"
ASSIGN_IDS = "assign_%s"


def _error(request, error):
    messages.error(request, error.message)


# --- templates ----------------------------------------------------------------------------------


@login_required
@staff_member_required
@permission_required("quality.view_audittemplate", raise_exception=True)
@require_GET
def template_list(request):
    return render(
        request, "quality/audits/template_list.html", {"templates": selectors.templates()}
    )


@login_required
@staff_member_required
@permission_required("quality.view_audittemplate", raise_exception=True)
@require_GET
def template_detail(request, pk):
    template = or_404(lambda: selectors.templates().get(pk=pk))
    version = template.current_version()
    return render(
        request,
        "quality/audits/template_detail.html",
        {
            "template": template,
            "version": version,
            "sections": selectors.version_sections(version.pk) if version else [],
        },
    )


ROWS_PREFIX = "items"


def _template_form_post(request, template, version):
    """Validate and save the posted template; (form, formset, saved template or None)."""
    form = TemplateForm(
        request.POST,
        editing=template is not None,
        initial={"area": template.area} if template is not None else None,
    )
    formset = AuditItemFormSet(request.POST, prefix=ROWS_PREFIX)
    if not (form.is_valid() and formset.is_valid()):
        return form, formset, None
    data = form.cleaned_data
    arguments = {
        "by": request.user,
        **{column: data[column] for column in translated("name", "description")},
        "pass_threshold": data["pass_threshold"],
        "sections": formset.sections(),
    }
    try:
        if template is None:
            saved = services.create_template(area=data["area"], **arguments)
            message = _("Audit template “%(name)s” created.")
        else:
            saved = services.update_template(template=template, **arguments)
            changed = saved.current_version().number != version.number
            message = (
                _(
                    "Audit template “%(name)s” saved as a new version: audits made so far keep "
                    "the old one."
                )
                if changed
                else _("Audit template “%(name)s” saved.")
            )
    except DomainError as error:
        if error.field in form.fields:
            add_domain_error(form, error)
        else:
            formset._non_form_errors = formset.error_class([error.message])
        return form, formset, None
    messages.success(request, message % {"name": saved.name})
    return form, formset, saved


def _template_page(request, template=None):
    """Create or edit a template on one page: its sections and items as formset rows. Saving
    changes into a version an audit uses makes a new version (services.update_template)."""
    version = template.current_version() if template is not None else None
    if request.method == "POST" and "more_rows" not in request.POST:
        form, formset, saved = _template_form_post(request, template, version)
        if saved is not None:
            return redirect(saved)
    elif request.method == "POST":
        # "More rows": show what was typed with empty rows added, without validating yet.
        form = TemplateForm(
            initial={key: request.POST.get(key) for key in TemplateForm.base_fields},
            editing=template is not None,
        )
        if template is not None:
            form.initial["area"] = template.area
        formset = AuditItemFormSet(
            prefix=ROWS_PREFIX,
            initial=rows_from_post(
                request.POST,
                fields=ITEM_ROW_FIELDS,
                flags=("is_critical", "higher_is_better"),
                prefix=ROWS_PREFIX,
            ),
        )
        formset.extra = MORE_ROWS
    else:
        initial = None
        if template is not None:
            initial = {
                **{
                    column: getattr(template, column)
                    for column in translated("name", "description")
                },
                "area": template.area,
                "pass_threshold": version.pass_threshold if version else None,
            }
        form = TemplateForm(initial=initial, editing=template is not None)
        if version is not None:
            version = selectors.version_with_sections(version.pk)
        formset = AuditItemFormSet(
            prefix=ROWS_PREFIX,
            initial=version_rows(version, items="items", fields=ITEM_ROW_FIELDS),
        )
    return render(
        request,
        "quality/audits/template_form.html",
        {
            "form": form,
            "formset": formset,
            "template": template,
            "version": version,
            "in_use": bool(version and version.audits.exists()),
        },
    )


@login_required
@staff_member_required
@permission_required("quality.add_audittemplate", raise_exception=True)
def template_create(request):
    return _template_page(request)


@login_required
@staff_member_required
@permission_required("quality.change_audittemplate", raise_exception=True)
def template_update(request, pk):
    return _template_page(request, or_404(AuditTemplate.objects.get, pk=pk))


# --- the plan -----------------------------------------------------------------------------------


@login_required
@staff_member_required
@permission_required("quality.view_audit", raise_exception=True)
def plan(request):
    user = request.user
    form = None
    if user.has_perm("quality.add_audit"):
        # Ids of its own: the filter form above has a branch field too.
        form = PlanAuditForm(request.POST or None, user=user, auto_id="plan_%s")
        if request.method == "POST" and form.is_valid():
            try:
                audit = services.plan_audit(by=user, **form.cleaned_data)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("%(audit)s planned.") % {"audit": audit})
                return redirect("quality:audit-plan")
    elif request.method == "POST":
        raise PermissionDenied
    filters = PlanFilterForm(request.GET or {"year": timezone.localdate().year}, user=user)
    audits = selectors.audit_list(user, **filters.selector_arguments())
    return render(
        request,
        "quality/audits/plan.html",
        {"filters": filters, "page": paginate(request, audits, per_page=50), "form": form},
    )


# --- one audit ----------------------------------------------------------------------------------


def _audit_or_404(user, pk):
    return or_404(selectors.audit_detail, user, pk)


def checklist_entries(post, files, items):
    """The posted checklist: ({item id: entries}, {item id: uploads})."""
    answers, photos = {}, {}
    for item in items:
        prefix = f"item_{item.pk}_"
        if not any(key.startswith(prefix) for key in post) and f"{prefix}photos" not in files:
            continue
        answers[item.pk] = {
            "met": post.get(f"{prefix}met") or None,
            "rating": post.get(f"{prefix}rating") or None,
            "value": post.get(f"{prefix}value") or None,
            "not_applicable": post.get(f"{prefix}na") == "1",
            "note": post.get(f"{prefix}note", ""),
        }
        uploads = files.getlist(f"{prefix}photos")
        if uploads:
            photos[item.pk] = uploads
    return answers, photos


def _audit_context(request, audit, **extra):
    context = {
        "audit": audit,
        "checklist": selectors.checklist(audit),
        "findings": selectors.finding_list(request.user, audit=audit),
        "can_audit": request.user.has_perm("quality.change_audit") and audit.is_editable,
        "can_sign_off": request.user.has_perm("quality.sign_off_audit")
        and audit.status == "submitted",
        "sign_off_form": SignOffForm(),
        "errors": {},
    }
    if audit.area == Area.INVOICING:
        context["invoice_samples"] = audit.invoice_samples.select_related("purchase")
        context["invoice_form"] = InvoiceSampleForm()
    if audit.area == Area.COMMUNICATION:
        context["communication_samples"] = audit.communication_samples.select_related("customer")
        today = timezone.localdate()
        context["draw_form"] = DrawSampleForm(
            initial={"start": today.replace(day=1), "end": today, "size": 20}
        )
    context.update(extra)
    return context


@login_required
@staff_member_required
@permission_required("quality.view_audit", raise_exception=True)
def audit_detail(request, pk):
    user = request.user
    audit = _audit_or_404(user, pk)
    errors = {}
    if request.method == "POST":
        if not user.has_perm("quality.change_audit"):
            raise PermissionDenied
        items = services.version_items(audit.version_id)
        answers, photos = checklist_entries(request.POST, request.FILES, items)
        try:
            audit = services.save_audit(
                audit=audit,
                by=user,
                answers=answers,
                notes=request.POST.get("notes"),
                photos=photos,
            )
            if "submit" in request.POST:
                audit = services.submit_audit(audit=audit, by=user)
                messages.success(
                    request,
                    _("Audit submitted: %(score)s %%.") % {"score": audit.score},
                )
            else:
                messages.success(request, _("Saved. You can continue later."))
            return redirect(audit)
        except services.AuditIncomplete as error:
            errors = error.errors
            messages.error(request, error.message)
        except DomainError as error:
            _error(request, error)
        audit = _audit_or_404(user, pk)
    return render(
        request, "quality/audits/audit_detail.html", _audit_context(request, audit, errors=errors)
    )


@login_required
@staff_member_required
@permission_required("quality.sign_off_audit", raise_exception=True)
@require_POST
def audit_sign_off(request, pk):
    audit = _audit_or_404(request.user, pk)
    form = SignOffForm(request.POST)
    form.is_valid()
    try:
        services.sign_off_audit(
            audit=audit, by=request.user, note=form.cleaned_data.get("note", "")
        )
    except DomainError as error:
        _error(request, error)
    else:
        messages.success(request, _("Audit signed off; it is locked now."))
    return redirect(audit)


@login_required
@staff_member_required
@permission_required("quality.view_audit", raise_exception=True)
@require_GET
def audit_photo(request, pk, photo_pk):
    audit = _audit_or_404(request.user, pk)
    photo = or_404(AuditPhoto.objects.get, audit=audit, pk=photo_pk)
    try:
        return private_file_response(photo)
    except FileNotFoundError as missing:
        raise Http404 from missing


@login_required
@staff_member_required
@permission_required("quality.add_invoicesample", raise_exception=True)
@require_POST
def invoice_sample_add(request, pk):
    audit = _audit_or_404(request.user, pk)
    form = InvoiceSampleForm(request.POST)
    if form.is_valid():
        data = dict(form.cleaned_data)
        purchase_id = data.pop("purchase")
        purchase = None
        if purchase_id:
            purchase = Purchase.objects.visible_to(request.user).filter(pk=purchase_id).first()
            if purchase is None:
                form.add_error("purchase", _("No such purchase in your branches."))
        if form.is_valid():
            try:
                services.add_invoice_sample(audit=audit, by=request.user, purchase=purchase, **data)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(
                    request, _("Invoice %(number)s added.") % {"number": data["number"]}
                )
                return redirect(audit.get_absolute_url() + "#invoices")
    return render(
        request,
        "quality/audits/audit_detail.html",
        _audit_context(request, audit, invoice_form=form),
    )


@login_required
@staff_member_required
@permission_required("quality.delete_invoicesample", raise_exception=True)
@require_POST
def invoice_sample_remove(request, pk, sample_pk):
    audit = _audit_or_404(request.user, pk)
    sample = or_404(InvoiceSample.objects.get, audit=audit, pk=sample_pk)
    try:
        services.remove_invoice_sample(sample=sample, by=request.user)
    except DomainError as error:
        _error(request, error)
    return redirect(audit.get_absolute_url() + "#invoices")


@login_required
@staff_member_required
@permission_required("quality.add_communicationsample", raise_exception=True)
@require_POST
def communication_draw(request, pk):
    audit = _audit_or_404(request.user, pk)
    form = DrawSampleForm(request.POST)
    if form.is_valid():
        try:
            drawn = services.draw_communication_sample(
                audit=audit, by=request.user, **form.cleaned_data
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("%(count)d drawn.") % {"count": len(drawn)})
            return redirect(audit.get_absolute_url() + "#communication")
    return render(
        request, "quality/audits/audit_detail.html", _audit_context(request, audit, draw_form=form)
    )


@login_required
@staff_member_required
@permission_required("quality.change_communicationsample", raise_exception=True)
@require_POST
def communication_rate(request, pk, sample_pk):
    audit = _audit_or_404(request.user, pk)
    sample = or_404(CommunicationSample.objects.get, audit=audit, pk=sample_pk)
    form = RateSampleForm(request.POST)
    if form.is_valid():
        try:
            services.rate_communication_sample(sample=sample, by=request.user, **form.cleaned_data)
        except DomainError as error:
            _error(request, error)
    else:
        messages.error(request, _("Rate every aspect from 1 to 5."))
    return redirect(audit.get_absolute_url() + "#communication")


# --- findings and actions -----------------------------------------------------------------------


@login_required
@staff_member_required
@permission_required("quality.view_finding", raise_exception=True)
@require_GET
def finding_list(request):
    filters = FindingFilterForm(request.GET or None, user=request.user)
    findings = selectors.finding_list(request.user, **filters.selector_arguments())
    return render(
        request,
        "quality/audits/finding_list.html",
        {"filters": filters, "page": paginate(request, findings)},
    )


def _finding_context(request, finding, **extra):
    user = request.user
    context = {
        "finding": finding,
        "complaints": selectors.explained_complaints(user, finding),
        "action_form": ActionForm(finding=finding, initial={"owner": None}, auto_id=ASSIGN_IDS),
        "can_assign": user.has_perm("quality.add_correctiveaction") and finding.is_open,
        "can_verify": user.has_perm("quality.verify_correctiveaction"),
    }
    for action in finding.actions.all():
        action.may_complete = action.status == ActionStatus.OPEN and services.may_complete(
            user, action
        )
        # Each action's forms with ids of their own, so every label names its own field.
        action.complete_form = CompleteForm(auto_id=f"action{action.pk}_complete_%s")
        action.verify_form = NoteForm(auto_id=f"action{action.pk}_verify_%s")
        action.reopen_form = ReopenForm(auto_id=f"action{action.pk}_reopen_%s")
    context.update(extra)
    return context


@login_required
@staff_member_required
@permission_required("quality.view_finding", raise_exception=True)
@require_GET
def finding_detail(request, pk):
    finding = or_404(selectors.finding_detail, request.user, pk)
    return render(request, "quality/audits/finding_detail.html", _finding_context(request, finding))


@login_required
@staff_member_required
@permission_required("quality.add_correctiveaction", raise_exception=True)
@require_POST
def action_add(request, pk):
    finding = or_404(selectors.finding_detail, request.user, pk)
    form = ActionForm(request.POST, finding=finding, auto_id=ASSIGN_IDS)
    if form.is_valid():
        try:
            services.add_corrective_action(finding=finding, by=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Corrective action assigned."))
            return redirect(finding)
    return render(
        request,
        "quality/audits/finding_detail.html",
        _finding_context(request, finding, action_form=form),
    )


# step: (permission, form, service, confirmation). Completing is the owner's (the service checks
# whose action it is); verifying and reopening are the quality manager's.
ACTION_STEPS = {
    "complete": (
        "quality.change_correctiveaction",
        CompleteForm,
        services.complete_action,
        _("Completed; the quality manager verifies it."),
    ),
    "verify": (
        "quality.verify_correctiveaction",
        NoteForm,
        services.verify_action,
        _("Verified."),
    ),
    "reopen": (
        "quality.verify_correctiveaction",
        ReopenForm,
        services.reopen_action,
        _("Reopened; the owner is told."),
    ),
}


@login_required
@staff_member_required
@permission_required("quality.change_correctiveaction", raise_exception=True)
@require_POST
def action_step(request, pk, step):
    permission, form_class, service, done = ACTION_STEPS[step]
    if not request.user.has_perm(permission):
        raise PermissionDenied
    action = or_404(
        CorrectiveAction.objects.visible_to(request.user).select_related("finding").get, pk=pk
    )
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(m for errors in form.errors.values() for m in errors))
    else:
        try:
            service(action=action, by=request.user, **form.cleaned_data)
        except DomainError as error:
            _error(request, error)
        else:
            messages.success(request, done)
    return redirect(next_url(request, action.get_absolute_url()))


@login_required
@staff_member_required
@permission_required("quality.view_correctiveaction", raise_exception=True)
@require_GET
def action_list(request):
    user = request.user
    mine = request.GET.get("mine") == "1" or not user.has_perm("quality.view_audit")
    actions = selectors.action_list(
        user,
        mine=mine,
        status=request.GET.get("status") or None,
        overdue=request.GET.get("overdue") == "1",
        branch=request.GET.get("branch") or None,
    )
    return render(
        request,
        "quality/audits/action_list.html",
        {"page": paginate(request, actions), "mine": mine, "statuses": ActionStatus.choices},
    )


@login_required
@staff_member_required
@permission_required("quality.change_finding", raise_exception=True)
@require_POST
def complaint_root_cause(request, pk):
    try:
        complaint = complaint_selectors.complaint_detail(request.user, pk)
    except ObjectDoesNotExist as missing:
        raise Http404 from missing
    form = RootCauseForm(request.POST, user=request.user, complaint=complaint)
    if form.is_valid():
        try:
            services.link_root_cause(
                complaint=complaint, finding=form.cleaned_data["finding"], by=request.user
            )
        except DomainError as error:
            _error(request, error)
        else:
            messages.success(request, _("Root cause saved."))
    return redirect(complaint)


# --- the dashboard ------------------------------------------------------------------------------


def _dashboard_figures(request):
    branch = request.GET.get("branch")
    branch = int(branch) if branch and branch.isdigit() else None
    months = request.GET.get("months")
    months = int(months) if months and months.isdigit() and 1 <= int(months) <= 36 else 12
    return dashboard.figures(request.user, p=dashboard.period(months=months, branch=branch))


@login_required
@staff_member_required
@permission_required(DASHBOARD, raise_exception=True)
@require_GET
def dashboard_page(request):
    branches = selectors.branch_choices(request.user)
    figures = _dashboard_figures(request)
    return render(
        request,
        "quality/audits/dashboard.html",
        {
            "figures": figures,
            "branches": branches,
            "areas": Area.choices,
        },
    )


@login_required
@staff_member_required
@permission_required(DASHBOARD, raise_exception=True)
@require_GET
def dashboard_export(request):
    return csv_download(
        dashboard.csv_rows(_dashboard_figures(request)), filename="quality-dashboard.csv"
    )


@login_required
@staff_member_required
@permission_required(DASHBOARD, raise_exception=True)
@require_GET
def product_complaints(request, product_pk):
    complaints = (
        complaint_selectors.complaints_visible_to(request.user)
        .filter(purchase__lines__product=product_pk)
        .select_related("customer", "category", "branch")
        .distinct()
        .order_by("-received_at")
    )
    return render(
        request,
        "quality/audits/product_complaints.html",
        {"page": paginate(request, complaints), "product_pk": product_pk},
    )
