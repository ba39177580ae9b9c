"""The dissonance dashboard in the browser: the page, the at-risk list, the list behind every
number and their CSV export. Thin views over `quality.dashboard`; the filters travel in the
query string, so every link and export repeats exactly what the page counted.
"""

from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from aftersales.csv_export import csv_download
from aftersales.views import paginate
from quality import dashboard
from quality.dashboard_forms import DashboardFilterForm, DrillDownForm

PAGE_SIZE = 25
EXPORT_CHUNK = 500
PERMISSION = "quality.view_dissonance_dashboard"


def _none_labels():
    return (_("no product category"), _("nobody"))


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_GET
def dashboard_page(request):
    form = DashboardFilterForm(request.GET or None, user=request.user)
    overview = dashboard.overview(
        request.user,
        form.filters(),
        measure=form.heat_measure,
        known_names=form.known_names,
        none_labels=_none_labels(),
    )
    return render(
        request,
        "quality/dashboard.html",
        {
            "form": form,
            "overview": overview,
            "figures": overview.figures,
            "trend_chart": _trend_chart(request, overview.trend),
        },
    )


def _trend_chart(request, months):
    """What static/js/dashboard.js draws (passed with json_script, never as inline code)."""
    signals_url = reverse("quality:dashboard-signals")
    return {
        "labels": [date_format(month.start, "M Y") for month in months],
        "signals": [month.signals for month in months],
        "complaints": [month.complaints for month in months],
        "mean_score": [
            None if month.mean_score is None else round(month.mean_score, 1) for month in months
        ],
        "links": [
            f"{signals_url}?{_query(request, list='signals', start=month.start, end=month.end)}"
            for month in months
        ],
        "names": {
            "signals": _("Signals"),
            "complaints": _("Complaints"),
            "mean_score": _("Mean score"),
            "count": _("Number per month"),
            "score": _("Score (0–100)"),
        },
    }


def _query(request, **changes):
    params = request.GET.copy()
    for key in ("page", "measure"):
        params.pop(key, None)
    for key, value in changes.items():
        params[key] = str(value)
    return params.urlencode()


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_GET
def dashboard_customers(request):
    """The customers by score, at risk first: the whole list behind the dashboard's table and
    the level counts. htmx asks for the table alone when paging."""
    form = DrillDownForm(request.GET or None, user=request.user)
    scores = dashboard.customer_score_list(
        request.user, form.filters(), **form.customer_arguments()
    )
    page = paginate(request, scores, PAGE_SIZE)
    context = {
        "form": form,
        "page": page,
        "rows": dashboard.at_risk_rows(page.object_list),
        "active_filters": form.active_filters(with_period=False),
    }
    if request.htmx:
        return render(request, "quality/partials/dashboard_customer_table.html", context)
    return render(request, "quality/dashboard_customers.html", context)


LIST_SELECTORS = {
    "signals": dashboard.signal_list,
    "complaints": dashboard.complaint_list,
    "surveys": dashboard.survey_list,
}
LIST_TITLES = {
    "signals": gettext_lazy("Dissonance signals"),
    "complaints": gettext_lazy("Complaints"),
    "surveys": gettext_lazy("Survey answers"),
}


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_GET
def dashboard_list(request):
    """The list behind a number: signals, complaints or survey answers with the dashboard's
    filters and what the number counted (`list`, `kind`, `state`, `nature`, ...)."""
    form = DrillDownForm(request.GET or None, user=request.user)
    name, arguments = form.list_arguments()
    if name == "customers":
        return redirect(f"{reverse('quality:dashboard-customers')}?{request.GET.urlencode()}")
    items = LIST_SELECTORS[name](request.user, form.filters(), **arguments)
    active_filters = form.active_filters()
    if arguments.get("category"):
        category = dashboard.complaint_category(arguments["category"])
        active_filters.append((_("Complaint category"), str(category or "—")))
    context = {
        "form": form,
        "list_name": name,
        "title": LIST_TITLES[name],
        "page": paginate(request, items, PAGE_SIZE),
        "active_filters": active_filters,
    }
    if request.htmx:
        return render(request, f"quality/partials/dashboard_{name}_table.html", context)
    return render(request, "quality/dashboard_list.html", context)


# --- CSV export ----------------------------------------------------------------------------------


@login_required
@permission_required(PERMISSION, raise_exception=True)
@require_GET
def dashboard_export(request):
    """Any of the dashboard's lists as CSV, streamed, with the same filters and scope."""
    form = DrillDownForm(request.GET or None, user=request.user)
    name, arguments = form.list_arguments()
    filters = form.filters()
    if name == "customers":
        rows = _customer_rows(dashboard.customer_score_list(request.user, filters, **arguments))
    else:
        items = LIST_SELECTORS[name](request.user, filters, **arguments)
        rows = EXPORT_ROWS[name](items)
    return csv_download(rows, filename=f"dissonance-{name}-{timezone.localdate().isoformat()}.csv")


def _when(value):
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _person(user):
    return str(user) if user else ""


def _number(value, digits=1):
    return "" if value is None else f"{value:.{digits}f}"


def _customer_rows(scores):
    yield [
        _("Customer number"),
        _("Customer"),
        _("Branch"),
        _("Score"),
        _("Level"),
        _("Top reasons"),
        _("Purchase"),
        _("Product category"),
        _("Salesperson"),
        _("Recovery call"),
        _("Assigned to"),
        _("Due"),
    ]
    batch = []
    for score in scores.iterator(chunk_size=EXPORT_CHUNK):
        batch.append(score)
        if len(batch) == EXPORT_CHUNK:
            yield from _customer_batch(batch)
            batch = []
    yield from _customer_batch(batch)


def _customer_batch(scores):
    # One query for the purchases of the whole batch (at_risk_rows), never one per row.
    for row in dashboard.at_risk_rows(scores):
        purchase, recovery = row.purchase, row.recovery
        yield [
            row.customer.pk,
            row.customer.display_name,
            row.score.branch.name,
            row.score.score,
            row.score.get_level_display(),
            " | ".join(
                _("%(summary)s (%(points)d points)")
                % {"summary": reason.summary, "points": reason.points}
                for reason in row.reasons
            ),
            (purchase.identifier or str(purchase)) if purchase else "",
            purchase.main_category.name if purchase and purchase.main_category else "",
            _person(row.salesperson),
            recovery.get_status_display() if recovery else "",
            _person(recovery.assignee) if recovery else "",
            recovery.due_date.isoformat() if recovery else "",
        ]


def _signal_rows(signals):
    yield [
        _("When"),
        _("Kind"),
        _("What"),
        _("Points"),
        _("Customer number"),
        _("Customer"),
        _("Branch"),
        _("Purchase"),
        _("Product category"),
        _("Salesperson"),
    ]
    for signal in signals.iterator(chunk_size=EXPORT_CHUNK):
        purchase = signal.purchase
        seller = (purchase.salesperson if purchase else None) or signal.customer.salesperson
        yield [
            _when(signal.occurred_at),
            signal.get_kind_display(),
            signal.text,
            signal.weight,
            signal.customer_id,
            signal.customer.display_name,
            signal.branch.name,
            (purchase.identifier or str(purchase)) if purchase else "",
            purchase.main_category.name if purchase and purchase.main_category else "",
            _person(seller),
        ]


def _complaint_rows(complaints):
    yield [
        _("Number"),
        _("Received"),
        _("Customer"),
        _("Branch"),
        _("Category"),
        _("Nature"),
        _("Severity"),
        _("Status"),
        _("Acknowledged"),
        _("Hours to acknowledge"),
        _("Resolved"),
        _("Days to resolve"),
        _("What the customer said"),
    ]
    for complaint in complaints.iterator(chunk_size=EXPORT_CHUNK):
        acknowledge, resolve = complaint.time_to_acknowledge, complaint.time_to_resolve
        yield [
            complaint.pk,
            _when(complaint.received_at),
            complaint.customer.display_name,
            complaint.branch.name,
            str(complaint.category),
            complaint.get_nature_display(),
            complaint.get_severity_display(),
            complaint.get_status_display(),
            _when(complaint.acknowledged_at),
            _number(acknowledge.total_seconds() / 3600) if acknowledge else "",
            _when(complaint.resolved_at),
            _number(resolve.total_seconds() / 86400) if resolve else "",
            complaint.description,
        ]


def _survey_rows(answers):
    yield [
        _("Answered"),
        _("Customer"),
        _("Branch"),
        _("Likelihood to recommend (0–10)"),
        _("Satisfaction with the purchase (1–5)"),
        _("Satisfaction with the handover (1–5)"),
        _("Comment"),
    ]
    for answer in answers.iterator(chunk_size=EXPORT_CHUNK):
        invitation = answer.invitation
        yield [
            _when(answer.created_at),
            invitation.customer.display_name,
            invitation.branch.name,
            answer.nps,
            answer.satisfaction_purchase,
            answer.satisfaction_handover,
            answer.comment,
        ]


EXPORT_ROWS = {
    "signals": _signal_rows,
    "complaints": _complaint_rows,
    "surveys": _survey_rows,
}
