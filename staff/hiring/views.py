"""Pages of the aptitude assessment for hiring (managers and administrators only): the candidate
list, adding and correcting a candidate, the candidate page with one's own assessment, the
combined results and the decision, the assessment form with the anchored scales, and erasure.

Thin views over staff.hiring.selectors and staff.hiring.services; candidates of other branches
are 404, everyone without the hiring permissions gets 403.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.errors import DomainError
from aftersales.views import add_domain_error, or_404, paginate
from staff.hiring import selectors, services
from staff.hiring.forms import AssessmentForm, CandidateFilterForm, CandidateForm, DecisionForm
from staff.hiring.models import Candidate, Competency


@login_required
@permission_required("staff.view_candidate", raise_exception=True)
@require_GET
def candidate_list(request):
    filters = CandidateFilterForm(request.GET or None, user=request.user)
    candidates = selectors.candidate_list(
        request.user, **filters.selector_arguments(), ordering=request.GET.get("sort", "-created")
    )
    return render(
        request,
        "staff/hiring/candidate_list.html",
        {"filters": filters, "page": paginate(request, candidates)},
    )


@login_required
@permission_required("staff.add_candidate", raise_exception=True)
def candidate_create(request):
    form = CandidateForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            candidate = services.add_candidate(by=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Candidate %(name)s added.") % {"name": candidate})
            return redirect(candidate)
    return render(request, "staff/hiring/candidate_form.html", {"form": form})


@login_required
@permission_required("staff.change_candidate", raise_exception=True)
def candidate_update(request, pk):
    candidate = or_404(selectors.candidate_detail, request.user, pk)
    if candidate.status != Candidate.Status.OPEN:
        messages.error(request, _("A candidate's data cannot be changed after the decision."))
        return redirect(candidate)
    form = CandidateForm(
        request.POST or None, user=request.user, initial=CandidateForm.initial_for(candidate)
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.update_candidate(candidate=candidate, by=request.user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Candidate %(name)s saved.") % {"name": candidate})
            return redirect(candidate)
    return render(
        request, "staff/hiring/candidate_form.html", {"form": form, "candidate": candidate}
    )


def _render_detail(request, candidate, decision_form=None):
    user = request.user
    can_decide = candidate.status == Candidate.Status.OPEN and user.has_perm(
        "staff.change_candidate"
    )
    return render(
        request,
        "staff/hiring/candidate_detail.html",
        {
            "candidate": candidate,
            "overview": selectors.assessment_overview(user, candidate),
            "can_assess": candidate.status == Candidate.Status.OPEN
            and user.has_perm("staff.add_candidateassessment"),
            "can_decide": can_decide,
            "decision_form": (decision_form or DecisionForm()) if can_decide else None,
            "disagreement_spread": selectors.DISAGREEMENT_SPREAD,
            "retention_months": settings.CANDIDATE_RETENTION_MONTHS,
        },
    )


@login_required
@permission_required("staff.view_candidate", raise_exception=True)
@require_GET
def candidate_detail(request, pk):
    return _render_detail(request, or_404(selectors.candidate_detail, request.user, pk))


@login_required
@permission_required("staff.add_candidateassessment", raise_exception=True)
def assessment_edit(request, pk):
    """The user's own assessment of the candidate: new, or changed until the decision."""
    user = request.user
    candidate = or_404(selectors.candidate_detail, user, pk)
    if candidate.status != Candidate.Status.OPEN:
        messages.error(
            request, _("The decision has been recorded: assessments can no longer be changed.")
        )
        return redirect(candidate)
    mine = selectors.my_assessment(user, candidate)
    form = AssessmentForm(request.POST or None, initial=AssessmentForm.initial_for(mine))
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_assessment(
                candidate=candidate,
                assessor=user,
                ratings=form.ratings(),
                notes=form.cleaned_data["notes"],
            )
        except DomainError as error:
            if error.field in Competency.values:
                error.field = f"{error.field}_rating"
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("Your assessment of %(name)s is saved.") % {"name": candidate}
                if mine
                else _("Your assessment of %(name)s is submitted.") % {"name": candidate},
            )
            return redirect(candidate)
    return render(
        request,
        "staff/hiring/assessment_form.html",
        {"form": form, "candidate": candidate, "mine": mine},
    )


@login_required
@permission_required("staff.change_candidate", raise_exception=True)
@require_POST
def candidate_decide(request, pk):
    candidate = or_404(selectors.candidate_detail, request.user, pk)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            candidate = services.decide(candidate=candidate, by=request.user, **form.cleaned_data)
        except DomainError as error:
            if error.field not in form.fields:
                messages.error(request, error.message)
                return redirect(candidate)
            add_domain_error(form, error)
        else:
            if candidate.delete_after:
                message = _(
                    "Decision recorded: %(status)s. The candidate's data will be deleted on "
                    "%(date)s."
                ) % {
                    "status": candidate.get_status_display(),
                    "date": date_format(candidate.delete_after, "DATE_FORMAT"),
                }
            else:
                message = _("Decision recorded: %(status)s.") % {
                    "status": candidate.get_status_display()
                }
            messages.success(request, message)
            return redirect(candidate)
    return _render_detail(request, candidate, decision_form=form)


@login_required
@permission_required("staff.delete_candidate", raise_exception=True)
def candidate_delete(request, pk):
    """Erase a candidate and their assessments at once, after confirmation."""
    candidate = or_404(selectors.candidate_detail, request.user, pk)
    if request.method == "POST":
        name = str(candidate)
        try:
            services.delete_candidate(candidate=candidate, by=request.user)
        except DomainError as error:
            messages.error(request, error.message)
            return redirect(candidate)
        messages.success(
            request, _("%(name)s and their assessments have been deleted.") % {"name": name}
        )
        return redirect("staff:candidate-list")
    return render(request, "staff/hiring/candidate_confirm_delete.html", {"candidate": candidate})
