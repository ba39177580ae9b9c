"""The browser UI of follow-ups and playbooks: thin views over followups' selectors and services.

The inbox and the team view work follow-ups inline with htmx: an action button fetches the form
as a table row (the same form partial the detail page includes), the form posts to the same
endpoint as the detail page, and the answer is the updated row. Without JavaScript the buttons
are links to the detail page and the forms post and redirect as usual.
"""

from urllib.parse import urlsplit

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import reswap, retarget

from aftersales.access import sees_all_branches, visible_branch_ids
from aftersales.errors import DomainError
from aftersales.models import Branch
from aftersales.views import add_domain_error, next_url, paginate, parse_active
from followups import contact_policy, replanning, selectors, services
from followups.calendar import holiday_name, policy_for
from followups.forms import (
    CompleteFollowUpForm,
    InboxFilterForm,
    PlaybookForm,
    PlaybookStepFormSet,
    ReassignFollowUpForm,
    SnoozeFollowUpForm,
    TeamFilterForm,
)
from followups.models import FollowUp
from followups.offers import selectors as offer_selectors

LAYOUTS = ("inbox", "team")
# "Monday 7 Dec" (German: "Montag, 7. Dezember"): a day someone plans around.
WEEKDAY_DATE_FORMAT = pgettext_lazy("date format: weekday, day and month", "l j M")


def _followup_or_404(user, pk, *, row=False):
    try:
        if row:
            return selectors.followup_row(user, pk)
        return selectors.followup_detail(user, pk)
    except ObjectDoesNotExist as missing:
        raise Http404 from missing


def _layout(request):
    layout = request.POST.get("layout") or request.GET.get("layout")
    return layout if layout in LAYOUTS else "inbox"


def _auto_id(action, followup):
    # Several rows of a list can have their inline form open at once: keep the ids unique.
    return f"id_{action}_{followup.pk}_%s"


def _page_url(request):
    """The page the user is on, where an action started there returns to: this request's, or
    for an htmx request the page that sent it."""
    if request.htmx:
        return request.htmx.current_url_abs_path or ""
    return request.get_full_path()


# --- Inbox ---


@login_required
@permission_required("followups.view_followup", raise_exception=True)
@require_GET
def inbox(request):
    user = request.user
    context = _inbox_context(request, request.GET)
    # The salesperson's open offers beside the follow-ups (followups/offers).
    context["offers"] = (
        offer_selectors.inbox_offers(user) if user.has_perm("followups.view_offer") else None
    )
    return render(request, "followups/inbox.html", context)


def _inbox_context(request, query):
    """The inbox's filters and sections as the query string `query` asks for them."""
    user = request.user
    filters = InboxFilterForm(query or None, branches=selectors.inbox_branches(user))
    show_all = query.get("upcoming") == "all"
    inbox_url = reverse("followups:inbox")
    return {
        "filters": filters,
        "inbox": selectors.inbox_for(
            user,
            **filters.selector_arguments(),
            show_all=show_all,
            pages={name: query.get(f"{name}_page") for name in selectors.INBOX_SECTIONS},
        ),
        "show_all": show_all,
        "upcoming_days": selectors.UPCOMING_DAYS,
        # The branch filter only helps people who work in several branches.
        "several_branches": sees_all_branches(user) or len(visible_branch_ids(user)) > 1,
        "layout": "inbox",
        # The links of the sections (pages, "show all") keep the page's other parameters.
        "page_query": query,
        "here": f"{inbox_url}?{query.urlencode()}" if query else inbox_url,
    }


def _render_inbox_sections(request, *, notice, moved):
    """htmx: the inbox's sections again, in place of the ones on the page, after an action that
    moved a follow-up to another section or out of the inbox: the counts are right again and
    the row is where it now belongs (or gone). The page's filters and pages are kept."""
    page = urlsplit(_page_url(request))
    query = QueryDict(page.query if page.path == reverse("followups:inbox") else "")
    context = _inbox_context(request, query)
    context.update(notice=notice, moved_pk=moved.pk)
    response = render(request, "followups/partials/inbox_sections.html", context)
    return retarget(reswap(response, "outerHTML"), "#inbox-sections")


# --- One follow-up: detail page, the three actions, the row partial ---


def _render_detail(request, followup, **forms):
    can_change = request.user.has_perm("followups.change_followup") and followup.is_open
    can_hand_over = can_change and services.can_hand_over(request.user, followup)
    context = {
        "followup": followup,
        "can_change": can_change,
        "can_hand_over": can_hand_over,
        # Where the user came from (the dashboard, the customer's page), where the forms return.
        "back": next_url(request, ""),
        "max_attempts": policy_for(followup.branch).max_attempts,
        # Care contacts are never capped, but counted and shown, next to the commercial ones.
        "contacts": contact_policy.contact_counts(followup.customer),
    }
    shown = set()
    if can_change:
        shown = {"complete_form", "snooze_form", *(["reassign_form"] if can_hand_over else [])}
        context.update(
            complete_form=forms.get("complete_form")
            or CompleteFollowUpForm(auto_id=_auto_id("complete", followup)),
            snooze_form=forms.get("snooze_form")
            or SnoozeFollowUpForm(auto_id=_auto_id("snooze", followup)),
        )
    if can_hand_over:
        context["reassign_form"] = forms.get("reassign_form") or ReassignFollowUpForm(
            auto_id=_auto_id("reassign", followup),
            staff=selectors.assignable_staff(followup.branch_id),
            initial={"assignee": followup.assignee_id},
        )
    # A form the page does not show (someone else completed the follow-up meanwhile, or the
    # user may not hand it over): say why nothing happened.
    for name, form in forms.items():
        if name not in shown:
            for error in form.non_field_errors():
                messages.error(request, error)
    return render(request, "followups/followup_detail.html", context)


@login_required
@permission_required("followups.view_followup", raise_exception=True)
@require_GET
def followup_detail(request, pk):
    return _render_detail(request, _followup_or_404(request.user, pk))


@login_required
@permission_required("followups.view_followup", raise_exception=True)
@require_GET
def followup_row(request, pk):
    """htmx: a follow-up's row again (after "cancel" on an inline form)."""
    return _render_row(request, _followup_or_404(request.user, pk, row=True))


def _render_row(request, followup, *, flash=""):
    return render(
        request,
        "followups/partials/followup_row.html",
        {
            "followup": followup,
            "layout": _layout(request),
            "flash": flash,
            "here": _page_url(request),
        },
    )


def _render_inline_form(request, followup, action, form, *, step=""):
    return render(
        request,
        "followups/partials/inline_form_row.html",
        {
            "followup": followup,
            "action": action,
            "form": form,
            "layout": _layout(request),
            "form_template": f"followups/partials/{action}_{step or 'form'}.html",
        },
    )


def _handle_action(
    request,
    pk,
    *,
    action,
    make_form,
    perform,
    done_message,
    default_next,
    needs_confirmation=lambda form: False,
    moves_in_inbox=False,
):
    """The shared flow of complete, reassign and snooze.

    GET (htmx): the inline form row; GET otherwise: the detail page. POST: validate, ask for a
    confirmation where `needs_confirmation` says so (htmx), call the service; a DomainError
    becomes a form error. Success answers htmx with the updated row (the inbox's sections when
    the action `moves_in_inbox`) and a browser with a message and a redirect: to the page the
    action started from (`next`), else `default_next`."""
    followup = _followup_or_404(request.user, pk)
    if request.method != "POST":
        if request.htmx:
            return _render_inline_form(request, followup, action, make_form(followup, None))
        return redirect(f"{followup.get_absolute_url()}#{action}")
    form = make_form(followup, request.POST)
    if form.is_valid():
        if request.htmx and needs_confirmation(form):
            return _render_inline_form(request, followup, action, form, step="confirm")
        try:
            updated = perform(followup, form)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            message = done_message(updated, form)
            if request.htmx:
                if moves_in_inbox and _layout(request) == "inbox":
                    return _render_inbox_sections(request, notice=message, moved=updated)
                row = _followup_or_404(request.user, pk, row=True)
                return _render_row(request, row, flash=message)
            messages.success(request, message)
            return redirect(next_url(request, default_next(updated)))
    if request.htmx:
        return _render_inline_form(request, followup, action, form)
    return _render_detail(request, followup, **{f"{action}_form": form})


def _completion_message(followup, form):
    if followup.status == FollowUp.Status.DONE:
        return _("Follow-up completed: %(outcome)s.") % {"outcome": followup.get_outcome_display()}
    if followup.status == FollowUp.Status.MISSED:
        return _("Not reached after %(attempts)d attempts: the follow-up counts as missed.") % {
            "attempts": followup.attempts
        }
    return _("Not reached (attempt %(attempts)d). Try again on %(date)s.") % {
        "attempts": followup.attempts,
        "date": date_format(followup.due_date, "SHORT_DATE_FORMAT"),
    }


@login_required
@permission_required("followups.change_followup", raise_exception=True)
def followup_complete(request, pk):
    return _handle_action(
        request,
        pk,
        action="complete",
        make_form=lambda followup, data: CompleteFollowUpForm(
            data, auto_id=_auto_id("complete", followup)
        ),
        perform=lambda followup, form: services.complete_followup(
            followup=followup, by=request.user, **form.service_arguments()
        ),
        done_message=_completion_message,
        default_next=lambda followup: reverse("followups:inbox"),
    )


@login_required
@permission_required("followups.change_followup", raise_exception=True)
def followup_reassign(request, pk):
    in_inbox = _layout(request) == "inbox"

    def make_form(followup, data):
        staff = selectors.assignable_staff(followup.branch_id)
        if in_inbox:
            # Handed over from one's own inbox: to a colleague, not back to oneself.
            staff = staff.exclude(pk=followup.assignee_id)
        return ReassignFollowUpForm(
            data,
            auto_id=_auto_id("reassign", followup),
            staff=staff,
            initial={"assignee": None if in_inbox else followup.assignee_id},
        )

    return _handle_action(
        request,
        pk,
        action="reassign",
        make_form=make_form,
        perform=lambda followup, form: services.reassign_followup(
            followup=followup, to=form.cleaned_data["assignee"], by=request.user
        ),
        done_message=lambda followup, form: (
            _("Follow-up handed over to %(name)s.") % {"name": followup.assignee}
        ),
        default_next=lambda followup: followup.get_absolute_url(),
        # The follow-up leaves the inbox: say to whom before it goes.
        needs_confirmation=lambda form: in_inbox and not form.cleaned_data["confirmed"],
        moves_in_inbox=True,
    )


@login_required
@permission_required("followups.change_followup", raise_exception=True)
def followup_snooze(request, pk):
    return _handle_action(
        request,
        pk,
        action="snooze",
        make_form=lambda followup, data: SnoozeFollowUpForm(
            data, auto_id=_auto_id("snooze", followup)
        ),
        perform=lambda followup, form: services.snooze_followup(
            followup=followup,
            by=request.user,
            until=form.cleaned_data["until"],
            reason=form.cleaned_data["reason"],
        ),
        done_message=_snooze_message,
        default_next=lambda followup: followup.get_absolute_url(),
        moves_in_inbox=True,
    )


def _snooze_message(followup, form):
    """Put off until the day asked for, or, when that is no working day of the branch, said
    where it moved and why."""
    asked = form.cleaned_data["until"]
    if followup.due_date == asked:
        return _("Follow-up put off until %(date)s.") % {
            "date": date_format(followup.due_date, "SHORT_DATE_FORMAT")
        }
    moved_to = date_format(followup.due_date, WEEKDAY_DATE_FORMAT)
    holiday = holiday_name(followup.branch, asked)
    if holiday:
        return _(
            "Follow-up put off. Moved to %(date)s: %(day)s is not a working day (%(name)s)."
        ) % {
            "date": moved_to,
            "day": date_format(asked, WEEKDAY_DATE_FORMAT),
            "name": holiday,
        }
    return _("Follow-up put off. Moved to %(date)s: %(weekday)s is not a working day.") % {
        "date": moved_to,
        "weekday": date_format(asked, "l"),
    }


# --- Team view ---


@login_required
@permission_required("followups.view_team_followups", raise_exception=True)
@require_GET
def team(request):
    user = request.user
    filters = TeamFilterForm(
        request.GET or None,
        branches=Branch.objects.visible_to(user).order_by("name"),
        staff=selectors.team_staff(user),
    )
    arguments = filters.selector_arguments()
    overview = selectors.team_overview(user, **arguments)
    followups = selectors.team_followups(user, **arguments, overdue_only=filters.overdue_only)
    return render(
        request,
        "followups/team.html",
        {
            "filters": filters,
            "overview": overview,
            "totals": {
                key: sum(row[key] for row in overview)
                for key in ("overdue", "due_today", "upcoming", "done", "missed")
            },
            "overdue_only": filters.overdue_only,
            "page": paginate(request, followups),
            "layout": "team",
            "here": request.get_full_path(),
            "upcoming_days": selectors.TEAM_UPCOMING_DAYS,
            "recent_days": selectors.TEAM_RECENT_DAYS,
        },
    )


# --- Playbooks (administrators) ---


def _playbook_or_404(pk):
    try:
        return selectors.playbook_detail(pk)
    except ObjectDoesNotExist as missing:
        raise Http404 from missing


@login_required
@permission_required("followups.change_playbook", raise_exception=True)
@require_GET
def playbook_list(request):
    playbooks = selectors.playbook_list(
        search=request.GET.get("q", "").strip(),
        active=parse_active(request.GET.get("active", "")),
        ordering=request.GET.get("sort", "name"),
    )
    return render(request, "followups/playbook_list.html", {"page": paginate(request, playbooks)})


@login_required
@permission_required("followups.change_playbook", raise_exception=True)
@require_GET
def playbook_detail(request, pk):
    return render(request, "followups/playbook_detail.html", {"playbook": _playbook_or_404(pk)})


@login_required
@permission_required("followups.change_playbook", raise_exception=True)
@require_POST
def playbook_replan(request, pk):
    """Plan the playbook's steps for the purchases that exist already, as a background job."""
    playbook = _playbook_or_404(pk)
    if not playbook.is_active:
        messages.error(request, _("An inactive playbook plans nothing."))
        return redirect("followups:playbook-detail", pk=playbook.pk)
    job = replanning.start_replanning(by=request.user, playbook=playbook)
    return redirect("job", pk=job.pk)


@login_required
@permission_required("followups.add_playbook", raise_exception=True)
def playbook_create(request):
    return _playbook_form(request, None)


@login_required
@permission_required("followups.change_playbook", raise_exception=True)
def playbook_update(request, pk):
    return _playbook_form(request, _playbook_or_404(pk))


def _playbook_form(request, playbook):
    data = request.POST if request.method == "POST" else None
    form = PlaybookForm(data, instance=playbook)
    steps = PlaybookStepFormSet(data, instance=playbook, prefix="steps")
    if data is not None and form.is_valid() and steps.is_valid():
        deleted = set(steps.deleted_forms)
        try:
            saved = services.save_playbook(
                by=request.user,
                playbook=playbook,
                data=form.cleaned_data,
                steps=[
                    step_form.step()
                    for step_form in steps.forms
                    if step_form.cleaned_data and step_form not in deleted
                ],
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Playbook “%(name)s” saved.") % {"name": saved.name})
            return redirect(saved)
    return render(
        request,
        "followups/playbook_form.html",
        {"form": form, "steps": steps, "playbook": playbook},
    )
