"""Pages of the service history: declined work recorded at a visit and closed, and the
maintenance schedules administrators keep (the mileage panels are on the purchase and customer
pages, customers.views)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from aftersales.errors import DomainError
from aftersales.views import add_domain_error, paginate, parse_active
from customers.models import DeclinedWork
from customers.service_history import selectors, services
from customers.service_history.forms import (
    CloseDeclinedWorkForm,
    DeclinedWorkForm,
    MaintenanceScheduleForm,
)
from customers.views.purchases import purchase_or_404, purchase_page


@login_required
@permission_required("customers.add_declinedwork", raise_exception=True)
@require_POST
def declined_work_add(request, pk):
    visit = purchase_or_404(request.user, pk)
    form = DeclinedWorkForm(request.POST)
    if form.is_valid():
        try:
            services.record_declined_work(by=request.user, visit=visit, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Declined work recorded."))
            return redirect(visit)
    return purchase_page(request, visit, declined_work_form=form)


@login_required
@permission_required("customers.change_declinedwork", raise_exception=True)
@require_POST
def declined_work_close(request, pk):
    item = get_object_or_404(DeclinedWork.objects.visible_to(request.user), pk=pk)
    form = CloseDeclinedWorkForm(request.POST, visits=selectors.later_visits(item))
    if not form.is_valid():
        messages.error(request, _("Choose one of the car's later visits."))
        return redirect(item.visit)
    done_in = form.cleaned_data["done_in"]
    try:
        services.close_declined_work(by=request.user, item=item, done_in=done_in)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("“%(work)s” marked as done.") % {"work": item}
            if done_in
            else _("“%(work)s” marked as no longer needed.") % {"work": item},
        )
    return redirect(item.visit)


# --- maintenance schedules ---


@login_required
@permission_required("customers.view_maintenanceschedule", raise_exception=True)
def schedule_list(request):
    get = request.GET
    schedules = selectors.maintenance_schedules(
        search=get.get("q", "").strip(),
        kind=get.get("kind", ""),
        active=parse_active(get.get("active", "")),
        ordering=get.get("sort", "name"),
    )
    return render(
        request,
        "customers/schedule_list.html",
        {
            "page": paginate(request, schedules),
            "filtered": any(get.get(key) for key in ("q", "kind", "active")),
            "can_manage": request.user.has_perm("customers.change_maintenanceschedule"),
        },
    )


def _schedule_form(request, schedule=None):
    stored_name = schedule.name if schedule else None
    form = MaintenanceScheduleForm(request.POST or None, instance=schedule)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.save_schedule(by=request.user, schedule=schedule, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("Maintenance schedule “%(name)s” saved.") % {"name": saved.name},
            )
            return redirect("customers:schedule-list")
    return render(
        request,
        "customers/schedule_form.html",
        {"form": form, "schedule": schedule, "stored_name": stored_name},
    )


@login_required
@permission_required("customers.add_maintenanceschedule", raise_exception=True)
def schedule_create(request):
    return _schedule_form(request)


@login_required
@permission_required("customers.change_maintenanceschedule", raise_exception=True)
def schedule_update(request, pk):
    return _schedule_form(request, get_object_or_404(selectors.maintenance_schedules(), pk=pk))
