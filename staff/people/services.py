"""Writes that concern people: appointments, training records, coaching.

Every coaching action is opened through `open_coaching_action` here: by hand, for a complaint
about staff attention (`open_coaching_for_complaint`, from staff.receivers) and for a poor
mystery-shop result (staff.mystery.services)."""

import logging
from datetime import timedelta
from pathlib import PurePath

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from aftersales import services as core
from aftersales.access import require_branch, sees_all_branches, visible_branch_ids
from aftersales.errors import DomainError
from aftersales.models import Branch
from aftersales.roles import Role
from aftersales.translated import translated
from staff.people.figures import EXPIRING_WITHIN_DAYS
from staff.people.models import (
    Appointment,
    CoachingAction,
    Course,
    RequiredCourse,
    TrainingRecord,
)

logger = logging.getLogger(__name__)

COACHING_DUE_DAYS = 14
STAFF_ATTENTION_CATEGORY = "staff-attention"


def branch_managers(branch, *, besides=None):
    """The active managers of a branch (the administrators when it has none), by name."""
    users = get_user_model().objects.filter(is_active=True)
    if besides is not None:
        users = users.exclude(pk=besides.pk)
    managers = list(
        users.filter(branches=branch, groups__name=Role.MANAGER).order_by(
            "last_name", "first_name", "pk"
        )
    )
    return managers or list(
        users.filter(groups__name=Role.ADMIN).distinct().order_by("last_name", "first_name", "pk")
    )


def open_coaching_action(
    *,
    employee,
    branch,
    source,
    goal,
    by=None,
    due_on=None,
    measures="",
    course=None,
    coach=None,
    mystery_shop_result=None,
    complaint=None,
):
    """Open a coaching action for `employee` and tell the branch's managers.

    A result or complaint opens one action however often it is processed: a second call returns
    None (unique constraints) and notifies nobody.
    """
    managers = branch_managers(branch, besides=employee)
    action = CoachingAction(
        employee=employee,
        branch=branch,
        coach=coach or (managers[0] if managers else None),
        source=source,
        goal=goal,
        measures=measures,
        course=course,
        due_on=due_on or timezone.localdate() + timedelta(days=COACHING_DUE_DAYS),
        mystery_shop_result=mystery_shop_result,
        complaint=complaint,
        created_by=by,
    )
    action.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            action.save()
    except IntegrityError:
        if mystery_shop_result is not None or complaint is not None:
            return None
        raise
    for manager in managers:
        with translation.override(manager.language):
            core.notify(
                recipient=manager,
                kind="coaching_opened",
                subject=_("Coaching for %(employee)s: %(source)s")
                % {"employee": employee, "source": action.get_source_display()},
                body=goal,
                link=action.get_absolute_url(),
                dedupe_key=f"coaching-opened-{action.pk}-{manager.pk}",
            )
    return action


@transaction.atomic
def open_coaching_for_complaint(*, complaint):
    """A complaint about staff attention opens coaching for the salesperson it names."""
    category = complaint.category
    codes = {category.code, category.parent.code if category.parent_id else None}
    employee = complaint.responsible_salesperson
    if STAFF_ATTENTION_CATEGORY not in codes or employee is None:
        return None
    with translation.override(employee.language):
        goal = _("The customer felt you had no time for them (complaint %(number)s): %(words)s") % {
            "number": complaint.pk,
            "words": complaint.description[:500],
        }
    return open_coaching_action(
        employee=employee,
        branch=complaint.branch,
        source=CoachingAction.Source.COMPLAINT,
        goal=goal,
        complaint=complaint,
        by=complaint.created_by,
    )


def require_coach(user, action):
    if not user.has_perm("staff.change_coachingaction"):
        raise DomainError(_("You may not change coaching actions."))
    if not type(action).objects.visible_to(user).filter(pk=action.pk).exists():
        raise DomainError(_("This belongs to a branch you do not work in."))


# --- who may do what ---------------------------------------------------------------------------


def leads_branch(user, branch_id):
    """Administrators lead every branch; managers the branches they work in."""
    if sees_all_branches(user):
        return True
    return user.has_role(Role.MANAGER) and branch_id in visible_branch_ids(user)


def _works_in(employee, branch):
    return employee.is_active and employee.branches.filter(pk=branch.pk).exists()


# --- appointments --------------------------------------------------------------------------------


def can_change_appointment(user, appointment):
    """Managers any of their branches' appointments; everyone else (with the permission) their
    own. No query beyond the user's cached roles, permissions and branches."""
    if not user.has_perm("staff.change_appointment"):
        return False
    if leads_branch(user, appointment.branch_id):
        return True
    return appointment.employee_id == user.pk and appointment.branch_id in visible_branch_ids(user)


def _require_appointment_access(by, appointment):
    if not by.has_perm("staff.change_appointment"):
        raise DomainError(_("You may not change appointments."))
    if not can_change_appointment(by, appointment):
        raise DomainError(_("You can only change your own appointments."))


def _check_appointment(*, by, employee, customer, purchase):
    if not by.has_perm("staff.add_appointment"):
        raise DomainError(_("You may not schedule appointments."))
    branch = customer.branch
    require_branch(
        by,
        branch.pk,
        message=_("This customer belongs to a branch you do not work in."),
        field="customer",
    )
    if employee.pk != by.pk and not leads_branch(by, branch.pk):
        raise DomainError(_("You can only schedule your own appointments."), field="employee")
    if not _works_in(employee, branch):
        raise DomainError(
            _("%(name)s does not work in %(branch)s.") % {"name": employee, "branch": branch},
            field="employee",
        )
    if purchase is not None and purchase.customer_id != customer.pk:
        raise DomainError(_("Choose one of this customer's purchases."), field="purchase")
    return branch


@transaction.atomic
def schedule_appointment(*, by, employee, customer, kind, agreed_at, purchase=None, notes=""):
    """Agree a time with a customer; the appointment belongs to the customer's branch."""
    branch = _check_appointment(by=by, employee=employee, customer=customer, purchase=purchase)
    appointment = Appointment(
        branch=branch,
        employee=employee,
        customer=customer,
        purchase=purchase,
        kind=kind,
        agreed_at=agreed_at,
        notes=notes,
        created_by=by,
    )
    appointment.full_clean()
    appointment.save()
    return appointment


def _locked_appointment(appointment, by):
    appointment = (
        Appointment.objects.select_for_update(of=("self",))
        .select_related("branch", "customer", "employee")
        .get(pk=appointment.pk)
    )
    _require_appointment_access(by, appointment)
    return appointment


def _require_scheduled(appointment):
    if appointment.outcome == Appointment.Outcome.SCHEDULED:
        return
    messages = {
        Appointment.Outcome.CANCELLED: _("This appointment was cancelled."),
        Appointment.Outcome.HELD: _("This appointment has already started."),
        Appointment.Outcome.NO_SHOW: _("The customer did not come to this appointment."),
    }
    raise DomainError(messages[appointment.outcome])


@transaction.atomic
def update_appointment(
    *, appointment, by, employee, kind, agreed_at, purchase=None, notes="", started_at=None
):
    """Change an appointment that was not cancelled. The actual start can be corrected on one
    that was held (and only there: a start is recorded with `start_appointment`)."""
    appointment = _locked_appointment(appointment, by)
    if appointment.outcome == Appointment.Outcome.CANCELLED:
        raise DomainError(_("A cancelled appointment cannot be changed."))
    _check_appointment(by=by, employee=employee, customer=appointment.customer, purchase=purchase)
    if appointment.outcome == Appointment.Outcome.HELD:
        if started_at is None:
            raise DomainError(_("A held appointment keeps its actual start."), field="started_at")
        appointment.started_at = started_at
    elif started_at is not None:
        raise DomainError(
            _("Record the start with “Started now” once the appointment begins."),
            field="started_at",
        )
    appointment.employee = employee
    appointment.kind = kind
    appointment.agreed_at = agreed_at
    appointment.purchase = purchase
    appointment.notes = notes
    appointment.full_clean()
    appointment.save()
    return appointment


@transaction.atomic
def start_appointment(*, appointment, by, started_at=None):
    """The appointment began (now, unless a time is given): it was held."""
    appointment = _locked_appointment(appointment, by)
    _require_scheduled(appointment)
    started_at = started_at or timezone.now()
    if started_at > timezone.now() + timedelta(minutes=1):
        raise DomainError(_("An appointment cannot start in the future."), field="started_at")
    appointment.started_at = started_at
    appointment.outcome = Appointment.Outcome.HELD
    appointment.full_clean()
    appointment.save(update_fields=["started_at", "outcome", "updated_at"])
    return appointment


@transaction.atomic
def mark_no_show(*, appointment, by):
    """The customer did not come. Possible once the agreed time has come."""
    appointment = _locked_appointment(appointment, by)
    _require_scheduled(appointment)
    if not appointment.time_has_come:
        raise DomainError(_("The agreed time has not come yet."))
    appointment.outcome = Appointment.Outcome.NO_SHOW
    appointment.save(update_fields=["outcome", "updated_at"])
    return appointment


@transaction.atomic
def cancel_appointment(*, appointment, by, reason=""):
    """Called off before it happened; counts nowhere."""
    appointment = _locked_appointment(appointment, by)
    _require_scheduled(appointment)
    appointment.outcome = Appointment.Outcome.CANCELLED
    if reason:
        appointment.notes = "\n".join(
            part
            for part in [appointment.notes, _("Cancelled: %(reason)s") % {"reason": reason}]
            if part
        )
    appointment.save(update_fields=["outcome", "notes", "updated_at"])
    return appointment


@transaction.atomic
def move_customer_appointments(*, survivor, duplicate):
    """Two records of one customer are merged: the duplicate's appointments move along."""
    return Appointment.objects.filter(customer=duplicate).update(customer=survivor)


# --- training ------------------------------------------------------------------------------------

CERTIFICATE_TYPES = {
    ".pdf": "application/pdf",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
}
# The first bytes of each allowed kind of file, so a renamed file is refused too.
CERTIFICATE_SIGNATURES = {
    "application/pdf": (b"%PDF",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
}


def certificate_type(upload):
    """The content type of an allowed certificate upload; DomainError otherwise."""
    core.check_upload_size(upload, field="certificate")
    content_type = CERTIFICATE_TYPES.get(PurePath(upload.name).suffix.lower())
    upload.seek(0)
    head = upload.read(8)
    upload.seek(0)
    if content_type is None or not head.startswith(CERTIFICATE_SIGNATURES[content_type]):
        raise DomainError(
            _("%(name)s is not a PDF, JPEG or PNG file.") % {"name": upload.name},
            field="certificate",
        )
    return content_type


def _check_course(course):
    for column in translated("title"):
        title = (getattr(course, column) or "").strip()
        duplicate = Course.objects.filter(**{f"{column}__iexact": title}).exclude(pk=course.pk)
        if title and duplicate.exists():
            raise DomainError(_("A course with this title exists already."), field="title")
    course.full_clean(validate_constraints=False)


def _set_texts(course, title, description, texts):
    """`title` and `description` are in the writer's language; `texts` holds the columns of
    either language ("title_de", "description_en"), as the side-by-side form sends them."""
    unknown = set(texts) - set(COURSE_TEXTS)
    if unknown:
        raise TypeError(f"Unknown course fields: {', '.join(sorted(unknown))}")
    if title is not None:
        course.title = title.strip()
    if description is not None:
        course.description = description
    for column, value in texts.items():
        setattr(course, column, (value or "").strip() if column.startswith("title") else value)


def _set_required_roles(course, roles):
    roles = set(roles)
    course.required_for.exclude(role__in=roles).delete()
    existing = set(course.required_for.values_list("role", flat=True))
    RequiredCourse.objects.bulk_create(
        [RequiredCourse(course=course, role=role) for role in sorted(roles - existing)]
    )


def _require_course_permission(by, permission):
    if not by.has_perm(permission):
        raise DomainError(_("You may not edit the course catalogue."))


COURSE_TEXTS = translated("title", "description")


@transaction.atomic
def create_course(
    *,
    by,
    topic,
    title=None,
    description=None,
    validity_months=None,
    is_active=True,
    required_roles=(),
    **texts,
):
    _require_course_permission(by, "staff.add_course")
    course = Course(topic=topic, validity_months=validity_months, is_active=is_active)
    _set_texts(course, title, description, texts)
    _check_course(course)
    course.save()
    _set_required_roles(course, required_roles)
    return course


@transaction.atomic
def update_course(
    *,
    course,
    by,
    topic,
    title=None,
    description=None,
    validity_months=None,
    is_active=True,
    required_roles=(),
    **texts,
):
    """Change a course and which roles must hold it. Records already made keep their expiry."""
    _require_course_permission(by, "staff.change_course")
    course = Course.objects.select_for_update().get(pk=course.pk)
    _set_texts(course, title, description, texts)
    course.topic = topic
    course.validity_months = validity_months
    course.is_active = is_active
    _check_course(course)
    course.save()
    _set_required_roles(course, required_roles)
    return course


def require_people_lead(by, employee):
    """`by` leads one of the employee's branches (or administers everything)."""
    if sees_all_branches(by):
        return
    if (
        by.has_role(Role.MANAGER)
        and employee.branches.filter(pk__in=visible_branch_ids(by)).exists()
    ):
        return
    raise DomainError(_("You can only do this for people of your branches."), field="employee")


@transaction.atomic
def record_training(*, by, employee, course, completed_on, result, certificate=None, notes=""):
    """Record that `employee` took `course`. The latest record that was not failed is the
    current one (a newer one replaces the previous current record in this transaction); a failed
    one, or one older than the current record, is kept as history."""
    if not by.has_perm("staff.add_trainingrecord"):
        raise DomainError(_("You may not record training."))
    require_people_lead(by, employee)
    if completed_on > timezone.localdate():
        raise DomainError(_("A training cannot be completed in the future."), field="completed_on")
    if certificate:
        certificate_type(certificate)
    # One employee's records for one course, in order: the lock keeps two recordings apart.
    current = (
        TrainingRecord.objects.select_for_update()
        .filter(employee=employee, course=course, is_current=True)
        .first()
    )
    counts = result != TrainingRecord.Result.FAILED and (
        current is None or current.completed_on <= completed_on
    )
    record = TrainingRecord(
        employee=employee,
        course=course,
        completed_on=completed_on,
        result=result,
        expires_on=(
            completed_on + relativedelta(months=course.validity_months)
            if course.validity_months
            else None
        ),
        is_current=counts,
        notes=notes,
        recorded_by=by,
    )
    if certificate:
        record.certificate = certificate
    record.full_clean(validate_constraints=False)
    if counts and current is not None:
        current.is_current = False
        current.save(update_fields=["is_current"])
    record.save()
    return record


# --- coaching ------------------------------------------------------------------------------------


def _coaching_branch(by, employee):
    """The first (by name) of `by`'s branches that the employee works in."""
    branch = Branch.objects.visible_to(by).filter(members=employee).order_by("name").first()
    if branch is None:
        raise DomainError(_("Choose someone of your branches."), field="employee")
    return branch


def _require_coaching_lead(by, employee, branch):
    require_branch(by, branch.pk, field="employee")
    if not _works_in(employee, branch):
        raise DomainError(
            _("%(name)s does not work in %(branch)s.") % {"name": employee, "branch": branch},
            field="employee",
        )


def _check_coach(coach, branch):
    if coach is not None and not _works_in(coach, branch) and not coach.is_administrator:
        raise DomainError(_("Choose a coach who works in this branch."), field="coach")


def _check_due(due_on, action=None):
    if due_on < timezone.localdate() and (action is None or action.due_on != due_on):
        raise DomainError(_("The due date cannot lie in the past."), field="due_on")


def create_coaching_action(
    *, by, employee, goal, due_on, branch=None, measures="", course=None, coach=None
):
    """A coaching action opened by hand (managers and quality managers, for their branches).
    Without a branch it belongs to the first of `by`'s branches the employee works in."""
    with transaction.atomic():
        if not by.has_perm("staff.add_coachingaction"):
            raise DomainError(_("You may not open coaching actions."))
        branch = branch or _coaching_branch(by, employee)
        _require_coaching_lead(by, employee, branch)
        _check_coach(coach, branch)
        _check_due(due_on)
        return open_coaching_action(
            employee=employee,
            branch=branch,
            source=CoachingAction.Source.MANUAL,
            goal=goal,
            by=by,
            due_on=due_on,
            measures=measures,
            course=course,
            coach=coach,
        )


def _locked_action(action, by):
    action = (
        CoachingAction.objects.select_for_update(of=("self",))
        .select_related("branch", "employee")
        .get(pk=action.pk)
    )
    require_coach(by, action)
    if not action.is_open:
        raise DomainError(
            _("A coaching action that is %(status)s cannot be changed.")
            % {"status": action.get_status_display()}
        )
    return action


@transaction.atomic
def update_coaching_action(*, action, by, goal, measures, due_on, status, course=None, coach=None):
    """Change the goal, measures, linked training, due date, coach; open ↔ in progress."""
    action = _locked_action(action, by)
    if status not in {CoachingAction.Status.OPEN, CoachingAction.Status.IN_PROGRESS}:
        raise DomainError(_("Complete or cancel the action with its own button."), field="status")
    _check_coach(coach, action.branch)
    _check_due(due_on, action)
    if due_on != action.due_on:
        action.due_reminder_sent_at = None  # a new due date is reminded again
    action.goal = goal
    action.measures = measures
    action.due_on = due_on
    action.status = status
    action.course = course
    action.coach = coach
    action.full_clean(validate_constraints=False)
    action.save()
    return action


@transaction.atomic
def complete_coaching_action(*, action, by, outcome):
    action = _locked_action(action, by)
    if not outcome.strip():
        raise DomainError(_("Write down what came of it."), field="outcome")
    action.status = CoachingAction.Status.DONE
    action.outcome = outcome.strip()
    action.completed_at = timezone.now()
    action.save(update_fields=["status", "outcome", "completed_at", "updated_at"])
    return action


@transaction.atomic
def cancel_coaching_action(*, action, by, reason=""):
    action = _locked_action(action, by)
    action.status = CoachingAction.Status.CANCELLED
    action.outcome = reason.strip()
    action.completed_at = timezone.now()
    action.save(update_fields=["status", "outcome", "completed_at", "updated_at"])
    return action


# --- reminders (Celery ticks) ----------------------------------------------------------------

TICK_BATCH = 200


class ManagerDirectory:
    """Who `branch_managers` names, for a whole batch of a tick: the managers of the given
    branches in one query, the administrators (who stand in for a branch without a manager) in
    one more when needed — never a query per reminder."""

    def __init__(self, branch_ids):
        self._by_branch = {}
        managers = (
            get_user_model()
            .objects.filter(is_active=True, groups__name=Role.MANAGER, branches__in=set(branch_ids))
            .annotate(branch_id=F("branches"))
            .order_by("last_name", "first_name", "pk")
        )
        for manager in managers:
            self._by_branch.setdefault(manager.branch_id, []).append(manager)
        self._administrators = None

    def managers(self, branch_id, *, besides):
        found = [user for user in self._by_branch.get(branch_id, []) if user.pk != besides.pk]
        if found:
            return found
        if self._administrators is None:
            self._administrators = list(
                get_user_model()
                .objects.filter(is_active=True, groups__name=Role.ADMIN)
                .distinct()
                .order_by("last_name", "first_name", "pk")
            )
        return [user for user in self._administrators if user.pk != besides.pk]

    def managers_of(self, employee):
        """The managers of each of the employee's branches (prefetched), once each."""
        seen = {}
        for branch in sorted(employee.branches.all(), key=lambda branch: branch.name):
            for manager in self.managers(branch.pk, besides=employee):
                seen.setdefault(manager.pk, manager)
        return list(seen.values())


def _notify_all(recipients, *, kind, key, subject, body, link):
    for recipient in recipients:
        with translation.override(recipient.language):
            core.notify(
                recipient=recipient,
                kind=kind,
                subject=str(subject(recipient)),
                body=str(body(recipient)),
                link=link,
                dedupe_key=f"{key}-{recipient.pk}",
            )


def _training_batch(today, *, notice):
    """Claim up to TICK_BATCH due records (skipping those another worker holds)."""
    records = TrainingRecord.objects.filter(
        is_current=True, expires_on__isnull=False, employee__is_active=True
    )
    if notice:
        records = records.filter(expires_on__lte=today, expiry_notice_sent_at=None)
    else:
        records = records.filter(
            expires_on__gt=today,
            expires_on__lte=today + timedelta(days=EXPIRING_WITHIN_DAYS),
            expiry_warning_sent_at=None,
        )
    return list(
        records.select_for_update(of=("self",), skip_locked=True)
        .select_related("employee", "course")
        .prefetch_related("employee__branches")
        .order_by("expires_on", "pk")[:TICK_BATCH]
    )


def _remind_training(record, now, *, notice, directory):
    employee = record.employee
    if notice:
        kind, key = "training_expired", f"training-expired-{record.pk}"
    else:
        kind, key = "training_expiring", f"training-expiring-{record.pk}"

    def subject(recipient):
        names = {"course": record.course, "employee": employee}
        if recipient.pk == employee.pk:
            if notice:
                return _("Your training “%(course)s” has expired") % names
            return _("Your training “%(course)s” expires soon") % names
        if notice:
            return _("Training “%(course)s” of %(employee)s has expired") % names
        return _("Training “%(course)s” of %(employee)s expires soon") % names

    def body(recipient):
        return _("Valid until %(date)s. Please book a refresher.") % {
            "date": date_format(record.expires_on, "DATE_FORMAT")
        }

    _notify_all(
        [employee, *directory.managers_of(employee)],
        kind=kind,
        key=key,
        subject=subject,
        body=body,
        link=reverse("staff:training-employee", args=[employee.pk]),
    )
    if notice:
        record.expiry_notice_sent_at = now
        # Nobody needs the warning any more.
        record.expiry_warning_sent_at = record.expiry_warning_sent_at or now
    else:
        record.expiry_warning_sent_at = now
    record.save(update_fields=["expiry_warning_sent_at", "expiry_notice_sent_at"])


def send_training_reminders(*, now=None):
    """Warn the employee and their managers 30 days before a current record expires, and tell
    them when it has expired; each once (the marker is set with the notifications). Returns how
    many reminders went out."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    for notice in (True, False):
        while True:
            with transaction.atomic():
                batch = _training_batch(today, notice=notice)
                directory = ManagerDirectory(
                    branch.pk for record in batch for branch in record.employee.branches.all()
                )
                for record in batch:
                    _remind_training(record, now, notice=notice, directory=directory)
            sent += len(batch)
            if len(batch) < TICK_BATCH:
                break
    return sent


def _remind_coaching(action, now, *, directory):
    coaches = [action.coach] if action.coach and action.coach.is_active else []
    coaches = coaches or directory.managers(action.branch_id, besides=action.employee)
    recipients = {user.pk: user for user in [*coaches, action.employee]}

    def subject(recipient):
        return _("Coaching due: %(employee)s") % {"employee": action.employee}

    def body(recipient):
        return _("Due on %(date)s. Goal: %(goal)s") % {
            "date": date_format(action.due_on, "DATE_FORMAT"),
            "goal": action.goal,
        }

    _notify_all(
        recipients.values(),
        kind="coaching_due",
        key=f"coaching-due-{action.pk}-{action.due_on.isoformat()}",
        subject=subject,
        body=body,
        link=action.get_absolute_url(),
    )
    action.due_reminder_sent_at = now
    action.save(update_fields=["due_reminder_sent_at"])


def send_coaching_reminders(*, now=None):
    """Remind the coach (the branch's managers when there is none) and the employee once when an
    open coaching action is due. Returns how many actions were reminded."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    while True:
        with transaction.atomic():
            batch = list(
                CoachingAction.objects.filter(
                    status__in=[CoachingAction.Status.OPEN, CoachingAction.Status.IN_PROGRESS],
                    due_on__lte=today,
                    due_reminder_sent_at=None,
                )
                .select_for_update(of=("self",), skip_locked=True)
                .select_related("employee", "coach", "branch")
                .order_by("due_on", "pk")[:TICK_BATCH]
            )
            directory = ManagerDirectory(action.branch_id for action in batch)
            for action in batch:
                _remind_coaching(action, now, directory=directory)
        sent += len(batch)
        if len(batch) < TICK_BATCH:
            return sent
