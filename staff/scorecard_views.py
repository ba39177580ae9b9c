"""Scorecard pages: one employee's (their own for everyone on the staff; their branches' people
for whoever may see branch scorecards), a branch's with its comparison table and CSV export, and
the index of the branches one may open.

Access: a page that needs a permission answers 403 without it (a mystery shopper on any page, a
salesperson on the branch pages); a person or branch out of the viewer's scope answers 404, as
does a colleague's scorecard for someone who may see only their own.
"""

import csv

from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Q
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from aftersales.views import paginate, staff_member_required
from staff import scorecards
from staff.scorecard_forms import ScorecardFilterForm


def _url(name, *args, **params):
    """A page's address with its filters."""
    url = reverse(name, args=args)
    params = {key: value for key, value in params.items() if value not in (None, "")}
    return f"{url}?{urlencode(params)}" if params else url


def _links(user, period, *, employee=None, branch=None):
    """The lists behind the numbers, for the viewer's permissions (None: no such list)."""
    person = employee.pk if employee is not None else None
    place = branch.pk if branch is not None else None
    dates = {"start": period.start.isoformat(), "end": period.end.isoformat()}
    links = {}
    if user.has_perm("quality.view_dissonance_dashboard"):
        # The dashboard's complaint list filters by the same stored responsible salesperson.
        links["complaints"] = _url(
            "quality:dashboard-signals",
            list="complaints",
            salesperson=person,
            branch=place,
            measure="",
            **dates,
        )
    if user.has_perm("staff.view_coachingaction"):
        links["coaching"] = _url(
            "staff:coaching-list", employee=person, branch=place, status="open"
        )
    if user.has_perm("staff.view_appointment"):
        links["appointments"] = _url(
            "staff:appointment-list", employee=person, branch=place, **dates
        )
    if user.has_perm("staff.view_trainingrecord"):
        if employee is None:
            links["training"] = _url("staff:training-compliance", branch=place)
        elif employee.pk == user.pk:
            links["training"] = _url("staff:my-training")
        else:
            links["training"] = _url("staff:training-employee", employee.pk)
    if user.has_perm("staff.view_mysteryshopresult"):
        links["results"] = _url(
            "staff:result-list", employee=person, branch=place, status="accepted"
        )
    return links


def _render_employee(request, employee, *, own):
    user = request.user
    branches = scorecards.employee_branch_choices(user, employee)
    filters = ScorecardFilterForm(request.GET or None, branches=branches)
    period, branch = filters.period(), filters.chosen_branch
    card = scorecards.employee_scorecard(user, employee, period=period, branch=branch)
    return render(
        request,
        "staff/scorecards/employee.html",
        {
            "card": card,
            "figures": card.figures,
            "filters": filters,
            "own": own,
            "links": _links(user, period, employee=employee, branch=branch),
            "charts": chart_data(card.figures),
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
    try:
        employee = scorecards.scorecard_employee(request.user, pk)
    except ObjectDoesNotExist as missing:
        raise Http404 from missing
    return _render_employee(request, employee, own=employee.pk == request.user.pk)


@login_required
@staff_member_required
@permission_required("staff.view_branch_scorecards", raise_exception=True)
@require_GET
def scorecard_index(request):
    search = request.GET.get("q", "").strip()
    branches = scorecards.scorecard_branches(request.user)
    if search:
        branches = branches.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return render(
        request,
        "staff/scorecards/index.html",
        {"page": paginate(request, branches), "search": search},
    )


def _branch_card(request, pk):
    try:
        branch = scorecards.scorecard_branch(request.user, pk)
    except ObjectDoesNotExist as missing:
        raise Http404 from missing
    filters = ScorecardFilterForm(request.GET or None)
    card = scorecards.branch_scorecard(
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
            "links": _links(request.user, card.period, branch=card.branch),
            "charts": chart_data(card.figures),
        },
    )


def _percent(rate):
    value = scorecards.percent(rate)
    return "" if value is None else value


@login_required
@staff_member_required
@permission_required("staff.view_branch_scorecards", raise_exception=True)
@require_GET
def branch_scorecard_export(request, pk):
    """The comparison table as CSV, in the order shown."""
    _filters, card = _branch_card(request, pk)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    name = f"scorecard-{card.branch.code}-{card.period.start:%Y-%m}-{card.period.end:%Y-%m}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    writer = csv.writer(response)
    writer.writerow(
        [
            _("Employee"),
            _("Mystery-shop average (%)"),
            _("Mystery-shop results"),
            _("Punctuality on time (%)"),
            _("Follow-ups on time (%)"),
            _("Complaints"),
            _("of them staff attention"),
            _("Survey NPS"),
            _("Survey answers"),
            _("Training compliant"),
            _("Training missing"),
            _("Training expired"),
            _("Open coaching"),
            _("Overdue coaching"),
        ]
    )
    for row in card.rows:
        figures, compliance = row.figures, row.compliance
        average = figures.mystery_shop.average
        writer.writerow(
            [
                row.name,
                "" if average is None else average,
                figures.mystery_shop.count,
                _percent(figures.punctuality.on_time_rate),
                _percent(figures.adherence.on_time_rate),
                figures.complaints.total,
                figures.complaints.staff_attention,
                "" if figures.satisfaction.nps is None else figures.satisfaction.nps,
                figures.satisfaction.count,
                _("yes") if compliance is None or compliance.is_compliant else _("no"),
                compliance.missing if compliance else 0,
                compliance.expired if compliance else 0,
                figures.coaching.open,
                figures.coaching.overdue,
            ]
        )
    return response


def chart_data(figures):
    """What the page's charts draw (json_script): translated names and plain numbers."""
    punctuality, adherence = figures.punctuality, figures.adherence
    return {
        "trend": {
            "labels": [month.month.strftime("%Y-%m") for month in figures.mystery_shop.trend],
            "average": [
                None if month.average is None else float(month.average)
                for month in figures.mystery_shop.trend
            ],
            "count": [month.count for month in figures.mystery_shop.trend],
            "names": {"average": _("Average score (%)"), "count": _("Results")},
        },
        "punctuality": {
            "labels": [_("Appointments"), _("Follow-ups")],
            "series": [
                {
                    "name": _("on time"),
                    "colour": "success",
                    "data": [punctuality.on_time, adherence.on_time],
                },
                {
                    "name": _("late"),
                    "colour": "warning",
                    "data": [punctuality.late, adherence.late],
                },
                {
                    "name": _("missed or not recorded"),
                    "colour": "danger",
                    "data": [punctuality.not_recorded, adherence.missed + adherence.overdue],
                },
                {
                    "name": _("customer did not come"),
                    "colour": "secondary",
                    "data": [punctuality.no_show, 0],
                },
            ],
        },
        "complaints": {
            "labels": [category.name for category in figures.complaints.categories],
            "total": [category.total for category in figures.complaints.categories],
            "open": [category.open for category in figures.complaints.categories],
            "staff_attention": [
                category.is_staff_attention for category in figures.complaints.categories
            ],
            "names": {"total": _("Complaints"), "open": _("of them open")},
        },
    }
