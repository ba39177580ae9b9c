"""The people pages: appointments, training, coaching. Thin views over staff.people.selectors,
staff.people.figures and staff.people.services (a DomainError becomes a form error or a
message). Mystery shopping, hiring and scorecards have their own domain packages.

Scheduling an appointment finds the customer like recording a complaint does
(customers.picker). The quick buttons "Started now" and "Customer no-show" post with htmx and
get the table row back; without JavaScript they post and return to the list.
"""

from datetime import timedelta
from pathlib import PurePath
from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from aftersales.errors import DomainError
from aftersales.translated import translated
from aftersales.views import (
    add_domain_error,
    next_url,
    or_404,
    paginate,
    parse_active,
    private_file_response,
)
from customers.picker import customer_picking
from staff.people import figures, selectors, services
from staff.people.forms import (
    AppointmentEditForm,
    AppointmentFilterForm,
    AppointmentForm,
    CancelCoachingForm,
    CancelForm,
    CoachingFilterForm,
    CoachingForm,
    CompleteCoachingForm,
    ComplianceFilterForm,
    CourseFilterForm,
    CourseForm,
    TrainingRecordForm,
)
from staff.people.models import Appointment

# Without a chosen period the on-time rate at the top covers this many days up to today.
DEFAULT_FIGURES_DAYS = 30


# --- appointments --------------------------------------------------------------------------------


@login_required
@permission_required("staff.view_appointment", raise_exception=True)
@require_GET
def appointment_list(request):
    user = request.user
    data = request.GET
    if not data and not selectors.leads_people(user):
        data = {"mine": "on"}  # sales and service start with their own appointments
    filters = AppointmentFilterForm(data or None, user=user)
    arguments = filters.selector_arguments()
    appointments = selectors.appointment_list(
        user, **arguments, ordering=request.GET.get("sort", "agreed")
    )
    page = paginate(request, appointments)
    for appointment in page:
        appointment.can_act = services.can_change_appointment(user, appointment)
    end = arguments["end"] or timezone.localdate()
    start = arguments["start"] or end - timedelta(days=DEFAULT_FIGURES_DAYS - 1)
    period = figures.punctuality(
        user, start=start, end=end, branch=arguments["branch"], employee=arguments["employee"]
    )
    return render(
        request,
        "staff/appointments/appointment_list.html",
        {
            "filters": filters,
            "page": page,
            "period": period.total,
            "period_start": start,
            "period_end": end,
            "mine": bool(arguments["employee"] == user),
        },
    )


@login_required
@permission_required("staff.add_appointment", raise_exception=True)
def appointment_create(request):
    user = request.user
    picking = customer_picking(
        request,
        AppointmentForm,
        defaults={"employee": user.pk, "kind": Appointment.Kind.HANDOVER},
    )
    if request.method != "POST" or picking.step:
        form = AppointmentForm(user=user, initial=picking.initial)
    else:
        form = AppointmentForm(request.POST, user=user)
        with timezone.override(form.zone):
            valid = form.is_valid()
        if valid:
            try:
                appointment = services.schedule_appointment(by=user, **form.service_arguments())
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("Appointment scheduled."))
                return redirect(appointment)
    with timezone.override(form.zone):
        return render(
            request,
            "staff/appointments/appointment_form.html",
            {"form": form, "search": picking.search},
        )


@login_required
@permission_required("staff.view_appointment", raise_exception=True)
@require_GET
def appointment_detail(request, pk):
    appointment = or_404(selectors.appointment_detail, request.user, pk)
    return render(
        request,
        "staff/appointments/appointment_detail.html",
        {
            "appointment": appointment,
            "can_act": services.can_change_appointment(request.user, appointment),
            "cancel_form": CancelForm(),
        },
    )


@login_required
@permission_required("staff.change_appointment", raise_exception=True)
def appointment_update(request, pk):
    user = request.user
    appointment = or_404(selectors.appointment_detail, user, pk)
    if not services.can_change_appointment(user, appointment):
        raise PermissionDenied
    initial = {
        "kind": appointment.kind,
        "agreed_at": appointment.agreed_at,
        "started_at": appointment.started_at,
        "employee": appointment.employee_id,
        "purchase": appointment.purchase_id,
        "notes": appointment.notes,
    }
    form = AppointmentEditForm(
        request.POST if request.method == "POST" else None,
        appointment=appointment,
        initial=initial,
    )
    with timezone.override(form.zone):
        if request.method == "POST" and form.is_valid():
            try:
                services.update_appointment(
                    appointment=appointment, by=user, **form.service_arguments()
                )
            except DomainError as error:
                add_domain_error(form, error)
            else:
                messages.success(request, _("Appointment saved."))
                return redirect(appointment)
        return render(
            request,
            "staff/appointments/appointment_edit.html",
            {"form": form, "appointment": appointment},
        )


def _appointment_action(request, pk, perform, done):
    user = request.user
    appointment = or_404(selectors.appointment_detail, user, pk)
    if not services.can_change_appointment(user, appointment):
        raise PermissionDenied
    error = None
    try:
        perform(appointment, user)
    except DomainError as problem:
        error = problem.message
    if request.htmx:
        row = selectors.appointment_detail(user, pk)
        row.can_act = services.can_change_appointment(user, row)
        return render(
            request,
            "staff/appointments/partials/appointment_row.html",
            {
                "appointment": row,
                "error": error,
                "message": None if error else done,
            },
        )
    if error:
        messages.error(request, error)
    else:
        messages.success(request, done)
    return redirect(next_url(request, appointment.get_absolute_url()))


@login_required
@permission_required("staff.change_appointment", raise_exception=True)
@require_POST
def appointment_start(request, pk):
    return _appointment_action(
        request,
        pk,
        lambda appointment, by: services.start_appointment(appointment=appointment, by=by),
        _("Started now: the appointment was held."),
    )


@login_required
@permission_required("staff.change_appointment", raise_exception=True)
@require_POST
def appointment_no_show(request, pk):
    return _appointment_action(
        request,
        pk,
        lambda appointment, by: services.mark_no_show(appointment=appointment, by=by),
        _("Recorded: the customer did not come."),
    )


@login_required
@permission_required("staff.change_appointment", raise_exception=True)
@require_POST
def appointment_cancel(request, pk):
    form = CancelForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    return _appointment_action(
        request,
        pk,
        lambda appointment, by: services.cancel_appointment(
            appointment=appointment, by=by, reason=reason
        ),
        _("Appointment cancelled."),
    )


# --- courses -------------------------------------------------------------------------------------


@login_required
@permission_required("staff.view_course", raise_exception=True)
@require_GET
def course_list(request):
    filters = CourseFilterForm(request.GET or None)
    data = filters.cleaned_data if filters.is_valid() else {}
    courses = selectors.course_list(
        request.user,
        search=data.get("q", "").strip(),
        topic=data.get("topic", ""),
        active=parse_active(data.get("active", "")),
        ordering=request.GET.get("sort", "title"),
    )
    return render(
        request,
        "staff/training/course_list.html",
        {"filters": filters, "page": paginate(request, courses)},
    )


def _course_arguments(form):
    data = form.cleaned_data
    return {
        **{column: data[column] for column in translated("title", "description")},
        "topic": data["topic"],
        "validity_months": data["validity_months"],
        "is_active": data["is_active"],
        "required_roles": data["required_roles"],
    }


@login_required
@permission_required("staff.add_course", raise_exception=True)
def course_create(request):
    form = CourseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            course = services.create_course(by=request.user, **_course_arguments(form))
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Course “%(title)s” created.") % {"title": course})
            return redirect(course)
    return render(request, "staff/training/course_form.html", {"form": form})


@login_required
@permission_required("staff.view_course", raise_exception=True)
@require_GET
def course_detail(request, pk):
    course = or_404(selectors.course_detail, pk)
    return render(request, "staff/training/course_detail.html", {"course": course})


@login_required
@permission_required("staff.change_course", raise_exception=True)
def course_update(request, pk):
    course = or_404(selectors.course_detail, pk)
    initial = {
        **{column: getattr(course, column) for column in translated("title", "description")},
        "topic": course.topic,
        "validity_months": course.validity_months,
        "is_active": course.is_active,
        "required_roles": [required.role for required in course.required_for.all()],
    }
    form = CourseForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_course(course=course, by=request.user, **_course_arguments(form))
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Course “%(title)s” saved.") % {"title": course.title})
            return redirect(course)
    return render(request, "staff/training/course_form.html", {"form": form, "course": course})


# --- training records and compliance -------------------------------------------------------------


@login_required
@permission_required("staff.add_trainingrecord", raise_exception=True)
def training_record_create(request):
    user = request.user
    form = TrainingRecordForm(
        request.POST or None,
        request.FILES or None,
        user=user,
        initial={"employee": request.GET.get("employee"), "completed_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            record = services.record_training(by=user, **form.cleaned_data)
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(
                request,
                _("Training “%(course)s” recorded for %(employee)s.")
                % {"course": record.course, "employee": record.employee},
            )
            return redirect("staff:training-employee", record.employee_id)
    return render(request, "staff/training/record_form.html", {"form": form})


@login_required
@permission_required("staff.view_trainingrecord", raise_exception=True)
@require_GET
def training_record_detail(request, pk):
    record = or_404(selectors.training_record_detail, request.user, pk)
    return render(request, "staff/training/record_detail.html", {"record": record})


@login_required
@permission_required("staff.view_trainingrecord", raise_exception=True)
@require_GET
def training_certificate(request, pk):
    record = or_404(selectors.training_record_detail, request.user, pk)
    if not record.certificate:
        raise Http404
    name = PurePath(record.certificate.name).name
    content_type = services.CERTIFICATE_TYPES.get(PurePath(name).suffix.lower())
    # The shape private_file_response streams: the stored file, its name and content type.
    certificate = SimpleNamespace(
        file=record.certificate,
        name=name,
        content_type=content_type or "application/octet-stream",
    )
    try:
        return private_file_response(certificate)
    except FileNotFoundError as missing:
        raise Http404 from missing


@login_required
@permission_required("staff.view_trainingrecord", raise_exception=True)
@require_GET
def training_compliance(request):
    user = request.user
    if not selectors.leads_people(user):
        raise PermissionDenied
    filters = ComplianceFilterForm(request.GET or None, user=user)
    rows = selectors.compliance_overview(
        user, **filters.selector_arguments(), ordering=request.GET.get("sort", "name")
    )
    return render(
        request,
        "staff/training/compliance.html",
        {"filters": filters, "page": paginate(request, rows)},
    )


def _training_page(request, person):
    compliance = figures.training_compliance([person])[person.pk]
    return render(
        request,
        "staff/training/employee_training.html",
        {
            "person": person,
            "compliance": compliance,
            "history": selectors.training_history(request.user, person),
            "is_self": person.pk == request.user.pk,
            "can_record": request.user.has_perm("staff.add_trainingrecord")
            and selectors.leads_people(request.user)
            and person.pk != request.user.pk,
        },
    )


@login_required
@permission_required("staff.view_trainingrecord", raise_exception=True)
@require_GET
def training_employee(request, pk):
    return _training_page(request, or_404(selectors.training_person, request.user, pk))


@login_required
@permission_required("staff.view_trainingrecord", raise_exception=True)
@require_GET
def my_training(request):
    return _training_page(request, request.user)


# --- coaching ------------------------------------------------------------------------------------


@login_required
@permission_required("staff.view_coachingaction", raise_exception=True)
@require_GET
def coaching_list(request):
    filters = CoachingFilterForm(request.GET or None, user=request.user)
    actions = selectors.coaching_list(
        request.user, **filters.selector_arguments(), ordering=request.GET.get("sort", "due")
    )
    return render(
        request,
        "staff/coaching/coaching_list.html",
        {"filters": filters, "page": paginate(request, actions)},
    )


def _coaching_arguments(form):
    data = form.cleaned_data
    return {
        "goal": data["goal"],
        "measures": data["measures"],
        "course": data["course"],
        "due_on": data["due_on"],
        "coach": data["coach"],
    }


@login_required
@permission_required("staff.add_coachingaction", raise_exception=True)
def coaching_create(request):
    user = request.user
    form = CoachingForm(
        request.POST or None,
        user=user,
        initial={
            "employee": request.GET.get("employee"),
            "due_on": timezone.localdate() + timedelta(days=services.COACHING_DUE_DAYS),
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            action = services.create_coaching_action(
                by=user,
                employee=form.cleaned_data["employee"],
                branch=form.cleaned_data["branch"],
                **_coaching_arguments(form),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Coaching action opened."))
            return redirect(action)
    return render(request, "staff/coaching/coaching_form.html", {"form": form})


def _can_coach(user, action):
    return action.is_open and user.has_perm("staff.change_coachingaction")


def _render_coaching(request, action, *, complete_form=None, cancel_form=None):
    return render(
        request,
        "staff/coaching/coaching_detail.html",
        {
            "action": action,
            "can_work": _can_coach(request.user, action),
            "complete_form": complete_form or CompleteCoachingForm(auto_id="id_complete_%s"),
            "cancel_form": cancel_form or CancelCoachingForm(auto_id="id_cancel_%s"),
        },
    )


@login_required
@permission_required("staff.view_coachingaction", raise_exception=True)
@require_GET
def coaching_detail(request, pk):
    return _render_coaching(request, or_404(selectors.coaching_detail, request.user, pk))


@login_required
@permission_required("staff.change_coachingaction", raise_exception=True)
def coaching_update(request, pk):
    user = request.user
    action = or_404(selectors.coaching_detail, user, pk)
    if not action.is_open:
        messages.error(request, _("Only an open coaching action can be changed."))
        return redirect(action)
    initial = {
        "goal": action.goal,
        "measures": action.measures,
        "course": action.course_id,
        "due_on": action.due_on,
        "coach": action.coach_id,
        "status": action.status,
    }
    form = CoachingForm(request.POST or None, user=user, action=action, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_coaching_action(
                action=action,
                by=user,
                status=form.cleaned_data["status"],
                **_coaching_arguments(form),
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            messages.success(request, _("Coaching action saved."))
            return redirect(action)
    return render(request, "staff/coaching/coaching_form.html", {"form": form, "action": action})


def _coaching_step(request, pk, form_class, perform, done, form_key):
    user = request.user
    action = or_404(selectors.coaching_detail, user, pk)
    form = form_class(request.POST, auto_id=f"id_{form_key}_%s")
    if form.is_valid():
        try:
            perform(action, user, form.cleaned_data)
        except DomainError as error:
            if error.field not in form.fields:
                messages.error(request, error.message)
                return redirect(action)
            add_domain_error(form, error)
        else:
            messages.success(request, done)
            return redirect(action)
    return _render_coaching(request, action, **{f"{form_key}_form": form})


@login_required
@permission_required("staff.change_coachingaction", raise_exception=True)
@require_POST
def coaching_complete(request, pk):
    return _coaching_step(
        request,
        pk,
        CompleteCoachingForm,
        lambda action, by, data: services.complete_coaching_action(
            action=action, by=by, outcome=data["outcome"]
        ),
        _("Coaching action completed."),
        "complete",
    )


@login_required
@permission_required("staff.change_coachingaction", raise_exception=True)
@require_POST
def coaching_cancel(request, pk):
    return _coaching_step(
        request,
        pk,
        CancelCoachingForm,
        lambda action, by, data: services.cancel_coaching_action(
            action=action, by=by, reason=data["reason"]
        ),
        _("Coaching action cancelled."),
        "cancel",
    )
