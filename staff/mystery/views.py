"""Mystery shopping in the browser: scorecard templates and assignments (quality managers and
administrators), the shopper's own pages (their assignments and the result form), and the review
of results (quality managers and administrators; managers read their branches' results).

Staff pages need a staff role besides the model permission, because mystery shoppers hold view
permissions on assignments and results too (for their own); shoppers' pages need the shopper role.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.errors import DomainError
from aftersales.roles import Role
from aftersales.translated import translated
from aftersales.views import (
    add_domain_error,
    or_404,
    paginate,
    private_file_response,
    role_required,
    staff_member_required,
)
from quality.checklists.forms import MORE_ROWS
from staff.mystery import selectors, services
from staff.mystery.forms import (
    AssignmentFilterForm,
    AssignmentForm,
    CriterionFormSet,
    ResultFilterForm,
    ResultForm,
    ReturnForm,
    TemplateFilterForm,
    TemplateForm,
    criterion_rows,
    rows_from_post,
)
from staff.mystery.models import MysteryShopResult, ScorecardTemplate

Status = MysteryShopResult.Status


def _is_shopper(user):
    return user.has_role(Role.MYSTERY_SHOPPER)


shopper_only = role_required(_is_shopper)


# --- templates -----------------------------------------------------------------------------------


@login_required
@permission_required("staff.view_scorecardtemplate", raise_exception=True)
@staff_member_required
@require_GET
def template_list(request):
    filters = TemplateFilterForm(request.GET or None)
    templates = selectors.template_list(
        **filters.selector_arguments(), ordering=request.GET.get("sort", "scenario")
    )
    return render(
        request,
        "staff/mystery/template_list.html",
        {"filters": filters, "page": paginate(request, templates)},
    )


@login_required
@permission_required("staff.view_scorecardtemplate", raise_exception=True)
@staff_member_required
@require_GET
def template_detail(request, pk):
    template = or_404(selectors.template_detail, pk)
    versions = list(template.versions.all())
    if not versions:
        raise Http404
    shown = versions[0]
    wanted = request.GET.get("version", "")
    if wanted.isdigit():
        shown = next((v for v in versions if v.number == int(wanted)), shown)
    return render(
        request,
        "staff/mystery/template_detail.html",
        {
            "template": template,
            "versions": versions,
            "current": versions[0],
            "version": selectors.version_with_structure(shown.pk),
        },
    )


def _template_page(request, template=None):
    """Create or edit: the template's fields and its criteria, one row each, on one page."""
    version = None
    if template is not None:
        current = services.current_version(template)
        version = selectors.version_with_structure(current.pk) if current else None
    if request.method == "POST" and "more_rows" not in request.POST:
        form = TemplateForm(request.POST)
        formset = CriterionFormSet(request.POST, prefix="criteria")
        if form.is_valid() and formset.is_valid():
            data = form.cleaned_data
            arguments = {
                "by": request.user,
                **{column: data[column] for column in translated("name", "description")},
                "scenario": data["scenario"],
                "coaching_threshold": data["coaching_threshold"],
                "sections": formset.sections(),
            }
            try:
                if template is None:
                    saved = services.create_template(**arguments)
                    message = _("Scorecard “%(name)s” created.")
                else:
                    number = version.number if version else 0
                    saved = services.update_template(template=template, **arguments)
                    changed = services.current_version(saved).number != number
                    message = (
                        _(
                            "Scorecard “%(name)s” saved as a new version: results already "
                            "made keep the old one."
                        )
                        if changed
                        else _("Scorecard “%(name)s” saved.")
                    )
            except DomainError as error:
                if error.field in form.fields:
                    add_domain_error(form, error)
                else:
                    formset._non_form_errors = formset.error_class([error.message])
            else:
                messages.success(request, message % {"name": saved.name})
                return redirect(saved)
    elif request.method == "POST":
        # "More rows": show what was typed with empty rows added, without validating yet.
        form = TemplateForm(
            initial={key: request.POST.get(key) for key in TemplateForm.base_fields}
        )
        rows = rows_from_post(request.POST)
        formset = CriterionFormSet(prefix="criteria", initial=rows)
        formset.extra = MORE_ROWS
    else:
        initial = {}
        if template is not None:
            initial = {
                **{
                    column: getattr(template, column)
                    for column in translated("name", "description")
                },
                "scenario": template.scenario,
                "coaching_threshold": version.coaching_threshold if version else None,
            }
        form = TemplateForm(initial=initial or None)
        formset = CriterionFormSet(prefix="criteria", initial=criterion_rows(version))
    return render(
        request,
        "staff/mystery/template_form.html",
        {
            "form": form,
            "formset": formset,
            "template": template,
            "version": version,
            "in_use": bool(version and version.assignments.exists()),
        },
    )


@login_required
@permission_required("staff.add_scorecardtemplate", raise_exception=True)
@staff_member_required
def template_create(request):
    return _template_page(request)


@login_required
@permission_required("staff.change_scorecardtemplate", raise_exception=True)
@staff_member_required
def template_update(request, pk):
    return _template_page(request, or_404(lambda: ScorecardTemplate.objects.get(pk=pk)))


@login_required
@permission_required("staff.change_scorecardtemplate", raise_exception=True)
@staff_member_required
@require_POST
def template_set_active(request, pk):
    template = or_404(lambda: ScorecardTemplate.objects.get(pk=pk))
    active = request.POST.get("active") == "1"
    services.set_template_active(template=template, by=request.user, active=active)
    if active:
        messages.success(request, _("Scorecard “%(name)s” is active.") % {"name": template.name})
    else:
        messages.success(
            request,
            _("Scorecard “%(name)s” is inactive: it can no longer be assigned.")
            % {"name": template.name},
        )
    return redirect(template)


# --- assignments ---------------------------------------------------------------------------------


@login_required
@permission_required("staff.view_mysteryshopassignment", raise_exception=True)
@staff_member_required
@require_GET
def assignment_list(request):
    filters = AssignmentFilterForm(request.GET or None, user=request.user)
    assignments = selectors.assignment_list(
        request.user, **filters.selector_arguments(), ordering=request.GET.get("sort", "-window")
    )
    return render(
        request,
        "staff/mystery/assignment_list.html",
        {"filters": filters, "page": paginate(request, assignments)},
    )


@login_required
@permission_required("staff.add_mysteryshopassignment", raise_exception=True)
@staff_member_required
def assignment_create(request):
    user = request.user
    if request.method == "POST":
        form = AssignmentForm(request.POST, user=user)
        if form.is_valid():
            try:
                assignment = services.create_assignment(by=user, **form.cleaned_data)
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(
                    request,
                    _("Assignment sent to %(shopper)s.") % {"shopper": assignment.shopper},
                )
                return redirect(assignment)
    else:
        template = request.GET.get("template", "")
        form = AssignmentForm(
            user=user,
            initial={
                "template": int(template) if template.isdigit() else None,
                "window_start": timezone.localdate(),
            },
        )
    return render(request, "staff/mystery/assignment_form.html", {"form": form})


@login_required
@permission_required("staff.view_mysteryshopassignment", raise_exception=True)
@staff_member_required
@require_GET
def assignment_detail(request, pk):
    assignment = or_404(selectors.assignment_detail, request.user, pk)
    result = getattr(assignment, "result", None)
    return render(
        request,
        "staff/mystery/assignment_detail.html",
        {
            "assignment": assignment,
            "result": result,
            "can_cancel": request.user.has_perm("staff.change_mysteryshopassignment")
            and services.is_cancellable(assignment),
        },
    )


@login_required
@permission_required("staff.change_mysteryshopassignment", raise_exception=True)
@staff_member_required
@require_POST
def assignment_cancel(request, pk):
    assignment = or_404(selectors.assignment_detail, request.user, pk)
    try:
        services.cancel_assignment(assignment=assignment, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Assignment cancelled; the shopper was told."))
    return redirect(assignment)


# --- the shopper's pages -------------------------------------------------------------------------


@login_required
@permission_required("staff.view_mysteryshopassignment", raise_exception=True)
@shopper_only
@require_GET
def my_assignments(request):
    return render(
        request,
        "staff/mystery/my_assignments.html",
        {
            "assignments": selectors.shopper_open_assignments(request.user),
            "results": selectors.shopper_submitted_results(request.user),
            "State": selectors.AssignmentState,
        },
    )


def _result_form(request, assignment, criteria, data=None, files=None):
    result = getattr(assignment, "result", None)
    answers = selectors.result_answers(result) if result is not None else {}
    return ResultForm(data, files, assignment=assignment, criteria=criteria, answers=answers)


@login_required
@permission_required("staff.change_mysteryshopresult", raise_exception=True)
@shopper_only
def shopper_result(request, pk):
    """The result form of one of the shopper's assignments: "Save draft" keeps whatever is
    entered; "Submit" saves it too and then needs everything required. Read-only once sent."""
    user = request.user
    assignment = or_404(selectors.shopper_assignment, user, pk)
    criteria = selectors.version_criteria(assignment.version)
    result = getattr(assignment, "result", None)
    editable = services.is_editable_by_shopper(assignment)
    zone = assignment.branch.zone
    if request.method == "POST":
        if not editable:
            messages.error(request, _("This result is submitted and can no longer be changed."))
            return redirect("staff:shopper-result", pk=assignment.pk)
        form = _result_form(request, assignment, criteria, request.POST, request.FILES)
        with timezone.override(zone):
            valid = form.is_valid()
        if valid:
            try:
                result = services.save_result(
                    assignment=assignment, by=user, **form.service_arguments()
                )
                if "submit" in request.POST:
                    services.submit_result(result=result, by=user)
            except services.ResultIncomplete as incomplete:
                for name, message in incomplete.errors.items():
                    form.add_error(name if name in form.fields else None, message)
                messages.warning(
                    request,
                    _("Your entries are saved as a draft. Answer what is marked to submit."),
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                if "submit" in request.POST:
                    messages.success(request, _("Thank you: your result is submitted."))
                    return redirect("staff:my-assignments")
                messages.success(request, _("Draft saved. You can come back to it any time."))
                return redirect("staff:shopper-result", pk=assignment.pk)
    else:
        form = _result_form(request, assignment, criteria)
    with timezone.override(zone):
        return render(
            request,
            "staff/mystery/result_form.html",
            {
                "assignment": assignment,
                "result": result,
                "form": form,
                "editable": editable,
                "attachments": list(result.attachments.all()) if result else [],
            },
        )


@login_required
@permission_required("staff.change_mysteryshopresult", raise_exception=True)
@shopper_only
@require_POST
def shopper_attachment_remove(request, pk, attachment_pk):
    assignment = or_404(selectors.shopper_assignment, request.user, pk)
    result = getattr(assignment, "result", None)
    attachment = result.attachments.filter(pk=attachment_pk).first() if result else None
    if attachment is None:
        raise Http404
    try:
        services.remove_result_attachment(attachment=attachment, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(name)s removed.") % {"name": attachment.name})
    return redirect("staff:shopper-result", pk=assignment.pk)


@login_required
@permission_required("staff.view_mysteryshopresult", raise_exception=True)
@require_GET
def result_attachment(request, pk, attachment_pk):
    """A photo or receipt: for the shopper who sent it and staff who may see the result."""
    try:
        return private_file_response(selectors.result_attachment(request.user, pk, attachment_pk))
    except (ObjectDoesNotExist, FileNotFoundError) as missing:
        raise Http404 from missing


# --- review --------------------------------------------------------------------------------------


@login_required
@permission_required("staff.view_mysteryshopresult", raise_exception=True)
@staff_member_required
@require_GET
def result_list(request):
    filters = ResultFilterForm(request.GET or None, user=request.user)
    results = selectors.result_list(
        request.user, **filters.selector_arguments(), ordering=request.GET.get("sort", "-submitted")
    )
    return render(
        request,
        "staff/mystery/result_list.html",
        {"filters": filters, "page": paginate(request, results)},
    )


def _render_result(request, result, return_form=None):
    can_review = (
        request.user.has_perm("staff.review_mysteryshopresult")
        and result.status == Status.SUBMITTED
    )
    coaching = list(result.coaching_actions.all())
    return render(
        request,
        "staff/mystery/result_detail.html",
        {
            "result": result,
            "assignment": result.assignment,
            "sections": selectors.result_sections(result),
            "threshold": result.assignment.version.coaching_threshold,
            "needs_coaching": services.needs_coaching(result),
            "coached_employee": services.coached_employee(result),
            "coaching": coaching[0] if coaching else None,
            "can_review": can_review,
            "return_form": return_form or ReturnForm(),
        },
    )


@login_required
@permission_required("staff.view_mysteryshopresult", raise_exception=True)
@staff_member_required
@require_GET
def result_detail(request, pk):
    return _render_result(request, or_404(selectors.result_detail, request.user, pk))


@login_required
@permission_required("staff.review_mysteryshopresult", raise_exception=True)
@staff_member_required
@require_POST
def result_accept(request, pk):
    result = or_404(selectors.result_detail, request.user, pk)
    try:
        result = services.accept_result(result=result, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
        return redirect(result)
    action = result.coaching_actions.first()
    if action is not None:
        messages.success(
            request,
            _("Result accepted. A coaching action for %(employee)s was opened.")
            % {"employee": action.employee},
        )
    elif services.needs_coaching(result):
        messages.warning(
            request,
            _(
                "Result accepted. It is below the threshold, but nobody identifiable served the "
                "shopper, so no coaching action could be opened."
            ),
        )
    else:
        messages.success(request, _("Result accepted."))
    return redirect(result)


@login_required
@permission_required("staff.review_mysteryshopresult", raise_exception=True)
@staff_member_required
@require_POST
def result_return(request, pk):
    result = or_404(selectors.result_detail, request.user, pk)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.return_result(
                result=result, by=request.user, question=form.cleaned_data["question"]
            )
        except DomainError as error:
            if error.field != "question":
                messages.error(request, error.message)
                return redirect(result)
            add_domain_error(form, error)
        else:
            messages.success(request, _("Result sent back to the shopper with your question."))
            return redirect(result)
    return _render_result(request, result, return_form=form)
