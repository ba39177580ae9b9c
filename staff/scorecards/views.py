"""Scorecard pages: one employee's (their own for everyone on the staff; their branches' people
for whoever may see branch scorecards), a branch's with its comparison table and CSV export, and
the index of the branches one may open.

Access: a page that needs a permission answers 403 without it (a mystery shopper on any page, a
salesperson on the branch pages); a person or branch out of the viewer's scope answers 404, as
does a colleague's scorecard for someone who may see only their own.
"""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from aftersales.csv_export import csv_download
from aftersales.views import or_404, paginate, staff_member_required
from staff.scorecards import selectors
from staff.scorecards.forms import ScorecardFilterForm


def _render_employee(request, employee, *, own):
    user = request.user
    branches = list(selectors.employee_branch_choices(user, employee))
    filters = ScorecardFilterForm(request.GET or None, branches=branches)
    period, branch = filters.period(), filters.chosen_branch
    card = selectors.employee_scorecard(user, employee, period=period, branch=branch)
    return render(
        request,
        "staff/scorecards/employee.html",
        {
            "card": card,
            "figures": card.figures,
            "filters": filters,
            "own": own,
            "links": selectors.scorecard_links(user, period, employee=employee, branch=branch),
            "charts": selectors.chart_data(card.figures),
            "branches": branches,
        },
    )


@login_required
@staff_member_required
@require_GET
def my_scorecard(request):
    return _render_employee(request, request.user, own=True)


@login_required
@staff_member_required
@require_GET
def employee_scorecard(request, pk):
    employee = or_404(selectors.scorecard_employee, request.user, pk)
    return _render_employee(request, employee, own=employee.pk == request.user.pk)


@login_required
@staff_member_required
@permission_required("staff.view_branch_scorecards", raise_exception=True)
@require_GET
def scorecard_index(request):
    search = request.GET.get("q", "").strip()
    branches = selectors.scorecard_branches(request.user, search=search)
    return render(
        request,
        "staff/scorecards/index.html",
        {"page": paginate(request, branches), "search": search},
    )


def _branch_card(request, pk):
    branch = or_404(selectors.scorecard_branch, request.user, pk)
    filters = ScorecardFilterForm(request.GET or None)
    card = selectors.branch_scorecard(
        request.user, branch, period=filters.period(), sort=request.GET.get("sort", "name")
    )
    return filters, card


@login_required
@staff_member_required
@permission_required("staff.view_branch_scorecards", raise_exception=True)
@require_GET
def branch_scorecard(request, pk):
    filters, card = _branch_card(request, pk)
    return render(
        request,
        "staff/scorecards/branch.html",
        {
            "card": card,
            "figures": card.figures,
            "filters": filters,
            "links": selectors.scorecard_links(request.user, card.period, branch=card.branch),
            "charts": selectors.chart_data(card.figures),
        },
    )


@login_required
@staff_member_required
@permission_required("staff.view_branch_scorecards", raise_exception=True)
@require_GET
def branch_scorecard_export(request, pk):
    """The comparison table as CSV, in the order shown."""
    _filters, card = _branch_card(request, pk)
    name = f"scorecard-{card.branch.code}-{card.period.start:%Y-%m}-{card.period.end:%Y-%m}.csv"
    return csv_download(selectors.comparison_table(card), filename=name)
