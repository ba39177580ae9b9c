"""The browser UI of cross-selling: offer rules (administrators), the offer list and an offer's
page with the pipeline's actions, the figures page with its CSV export. Thin views over
followups.offers' selectors, services and figures."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.csv_export import csv_download
from aftersales.errors import DomainError
from aftersales.models import Branch
from aftersales.views import add_domain_error, next_url, or_404, paginate, parse_active
from followups import contact_policy
from followups.offers import figures, selectors, services
from followups.offers.forms import (
    AcceptOfferForm,
    DeclineOfferForm,
    FiguresFilterForm,
    OfferFilterForm,
    OfferRuleFilterForm,
    OfferRuleForm,
    PresentOfferForm,
    ReassignOfferForm,
)
from followups.offers.models import OPEN_OFFER_STATES, OfferEvent, OfferState
from followups.selectors import assignable_staff, team_staff

# --- offer rules (administrators) ---


@login_required
@permission_required("followups.change_offerrule", raise_exception=True)
@require_GET
def offer_rule_list(request):
    filters = OfferRuleFilterForm(request.GET or None)
    rules = selectors.offer_rule_list(
        **filters.selector_arguments(), ordering=request.GET.get("sort", "-priority")
    )
    return render(
        request,
        "followups/offers/rule_list.html",
        {"filters": filters, "page": paginate(request, rules)},
    )


@login_required
@permission_required("followups.add_offerrule", raise_exception=True)
def offer_rule_create(request):
    return _rule_form(request, None)


@login_required
@permission_required("followups.change_offerrule", raise_exception=True)
def offer_rule_update(request, pk):
    return _rule_form(request, or_404(selectors.offer_rule_detail, pk))


def _rule_form(request, rule):
    form = OfferRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_offer_rule(by=request.user, rule=rule, data=form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Offer rule “%(name)s” saved.") % {"name": saved.name})
            return redirect("followups:offer-rule-list")
    return render(request, "followups/offers/rule_form.html", {"form": form, "rule": rule})


@login_required
@permission_required("followups.change_offerrule", raise_exception=True)
@require_POST
def offer_rule_toggle(request, pk):
    rule = or_404(selectors.offer_rule_detail, pk)
    rule = services.set_offer_rule_active(by=request.user, rule=rule, active=not rule.is_active)
    if rule.is_active:
        messages.success(request, _("Offer rule “%(name)s” is active.") % {"name": rule.name})
    else:
        messages.success(
            request,
            _("Offer rule “%(name)s” is switched off: it finds no new offers.")
            % {"name": rule.name},
        )
    return redirect(next_url(request, "followups:offer-rule-list"))


# --- offers ---


def _offer_filters(request):
    user = request.user
    return OfferFilterForm(
        request.GET or None,
        rules=selectors.rule_choices(),
        branches=Branch.objects.visible_to(user).order_by("name"),
        staff=team_staff(user),
    )


@login_required
@permission_required("followups.view_offer", raise_exception=True)
@require_GET
def offer_list(request):
    filters = _offer_filters(request)
    arguments = filters.selector_arguments()
    offers = selectors.offer_list(
        request.user, **arguments, ordering=request.GET.get("sort", "-found")
    )
    page = paginate(request, offers)
    labels = contact_policy.reason_labels()
    for offer in page:
        offer.hold_label = labels.get(offer.hold_reason, offer.hold_reason)
    event = arguments.get("event")
    return render(
        request,
        "followups/offers/offer_list.html",
        {
            "filters": filters,
            "page": page,
            "drill_down": OfferEvent(event).label if event else "",
            "drill_down_reason": labels.get(arguments.get("reason"), arguments.get("reason")),
        },
    )


ACTIONS = {
    "present": (PresentOfferForm, "followups.change_offer"),
    "accept": (AcceptOfferForm, "followups.change_offer"),
    "decline": (DeclineOfferForm, "followups.change_offer"),
    "reassign": (ReassignOfferForm, "followups.reassign_offer"),
}


def _make_form(action, offer, data=None):
    form_class, _permission = ACTIONS[action]
    if action == "present":
        return PresentOfferForm(data, offer=offer, prefix=action)
    if action == "reassign":
        return ReassignOfferForm(data, staff=assignable_staff(offer.branch_id), prefix=action)
    return form_class(data, prefix=action)


# The states in which each action is offered (the services refuse the others).
AVAILABLE_IN = {
    "present": (OfferState.SUGGESTED,),
    "accept": (OfferState.PRESENTED,),
    "decline": OPEN_OFFER_STATES,
    "reassign": OPEN_OFFER_STATES,
}


def _render_offer(request, offer, bound=None):
    user = request.user
    forms = {}
    for action, (_form_class, permission) in ACTIONS.items():
        if offer.state in AVAILABLE_IN[action] and user.has_perm(permission):
            forms[action] = bound if bound and bound.prefix == action else _make_form(action, offer)
    if bound is not None and bound.prefix not in forms:
        # The form is not shown (someone else decided the offer meanwhile): say why not.
        for error in bound.non_field_errors():
            messages.error(request, error)
    return render(
        request,
        "followups/offers/offer_detail.html",
        {
            "offer": offer,
            "forms": forms,
            "contacts": contact_policy.contact_counts(offer.customer),
            "hold_label": (
                contact_policy.reason_labels().get(offer.hold_reason, offer.hold_reason)
                if offer.state == OfferState.HELD_BACK
                else ""
            ),
        },
    )


@login_required
@permission_required("followups.view_offer", raise_exception=True)
@require_GET
def offer_detail(request, pk):
    return _render_offer(request, or_404(selectors.offer_detail, request.user, pk))


def _perform(request, offer, action, form):
    data, by = form.cleaned_data, request.user
    if action == "present":
        return services.present_offer(
            offer=offer, by=by, channel=data["channel"], note=data["note"]
        ), _("Offer presented.")
    if action == "accept":
        offer = services.accept_offer(
            offer=offer,
            by=by,
            value=data["value"],
            purchase_date=data["purchase_date"],
            handover_date=data["handover_date"],
        )
        return offer, _("Offer accepted: purchase %(purchase)s logged, its follow-ups planned.") % {
            "purchase": offer.accepted_purchase_id
        }
    if action == "decline":
        return services.decline_offer(
            offer=offer, by=by, reason=data["reason"], note=data["note"]
        ), _("Offer declined.")
    offer = services.reassign_offer(offer=offer, by=by, to=data["assignee"])
    return offer, _("Offer handed over to %(name)s.") % {"name": offer.assignee}


@login_required
@permission_required("followups.view_offer", raise_exception=True)
@require_POST
def offer_action(request, pk, action):
    if action not in ACTIONS:
        raise Http404
    if not request.user.has_perm(ACTIONS[action][1]):
        raise PermissionDenied
    offer = or_404(selectors.offer_detail, request.user, pk)
    form = _make_form(action, offer, request.POST)
    if form.is_valid():
        try:
            _updated, message = _perform(request, offer, action, form)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, message)
            return redirect(next_url(request, offer.get_absolute_url()))
    return _render_offer(request, offer, bound=form)


# --- figures (managers) ---


def _figures_form(request):
    return FiguresFilterForm(
        request.GET or None,
        branches=Branch.objects.visible_to(request.user).order_by("name"),
        rules=selectors.rule_choices(),
    )


# The figures' columns in the order of the tables, each the offer list's drill-down event.
COLUMNS = ("suggested", "held_back", "presented", "accepted", "declined", "expired")


def _linked(rows, key, base):
    """The table rows with the offer-list query behind their numbers (none for the offers
    nobody was assigned to: the list cannot filter for them)."""
    return [
        {
            "name": row.name,
            "counts": row.counts,
            "query": f"{base}&{urlencode({key: row.id})}" if row.id is not None else "",
            "links": [(event, getattr(row.counts, event)) for event in COLUMNS],
        }
        for row in rows
    ]


@login_required
@permission_required("followups.view_offer_figures", raise_exception=True)
@require_GET
def offer_figures(request):
    form = _figures_form(request)
    start, end = form.period()
    filters = form.filters()
    result = figures.offer_figures(request.user, start=start, end=end, **filters)
    base = urlencode(
        {
            "start": start.isoformat(),
            "end": end.isoformat(),
            **{name: value.pk for name, value in filters.items() if value is not None},
        }
    )
    return render(
        request,
        "followups/offers/figures.html",
        {
            "form": form,
            "figures": result,
            "start": start,
            "end": end,
            "base_query": base,
            "rule_rows": _linked(result.by_rule, "rule", base),
            "branch_rows": _linked(result.by_branch, "branch", base),
            "person_rows": _linked(result.by_salesperson, "assignee", base),
            "charts": figures.chart_data(result),
        },
    )


@login_required
@permission_required("followups.view_offer_figures", raise_exception=True)
@require_GET
def declined_work_list(request):
    """The declined work behind the figures' recapture rate (`recaptured=yes|no` for a part)."""
    form = _figures_form(request)
    start, end = form.period()
    recaptured = parse_active(request.GET.get("recaptured", ""))
    work = selectors.declined_work_list(
        request.user, start=start, end=end, branch=form.filters()["branch"], recaptured=recaptured
    )
    return render(
        request,
        "followups/offers/declined_work_list.html",
        {"page": paginate(request, work), "start": start, "end": end, "recaptured": recaptured},
    )


@login_required
@permission_required("followups.view_offer_figures", raise_exception=True)
@require_GET
def offer_figures_export(request):
    """The figures page's tables as one CSV, with the same period, filters and scope."""
    form = _figures_form(request)
    start, end = form.period()
    result = figures.offer_figures(request.user, start=start, end=end, **form.filters())
    return csv_download(
        figures.csv_rows(result),
        filename=f"offer-figures-{start.isoformat()}-{end.isoformat()}.csv",
    )


@login_required
@permission_required("followups.view_offer", raise_exception=True)
@require_GET
def offer_export(request):
    """The offer list (e.g. the drill-down behind a figure) as CSV."""
    filters = _offer_filters(request)
    offers = selectors.offer_list(request.user, **filters.selector_arguments())
    return csv_download(
        figures.offer_rows(offers, contact_policy.reason_labels()),
        filename=f"offers-{timezone.localdate().isoformat()}.csv",
    )
