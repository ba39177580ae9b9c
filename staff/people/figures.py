"""Figures about people that pages and the scorecards read: appointment punctuality and training
compliance. Plain, frozen results, scoped to the user (followups/figures.py is the model)."""

from dataclasses import dataclass, fields
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.db import models
from django.db.models import Count, DateTimeField, DurationField, F, Func, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from followups.figures import LocalDate
from staff.people.models import (
    DEFAULT_PUNCTUALITY_TOLERANCE_MINUTES,
    Appointment,
    RequiredCourse,
    TrainingRecord,
)

# A record expiring within this many days is "expiring" (and its holder is reminded).
EXPIRING_WITHIN_DAYS = 30


# --- punctuality ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Punctuality:
    """How the appointments agreed for a period went.

    on_time: held and started no later than the agreed time plus the branch's tolerance;
    late: held and started after that; no_show: the customer did not come (not counted against
    the employee); not_recorded: the agreed time has passed and nobody recorded a start.
    Cancelled appointments and those still ahead count nowhere.
    """

    on_time: int = 0
    late: int = 0
    no_show: int = 0
    not_recorded: int = 0

    def __add__(self, other):
        return Punctuality(
            **{
                field.name: getattr(self, field.name) + getattr(other, field.name)
                for field in fields(self)
            }
        )

    @property
    def total(self):
        return self.on_time + self.late + self.no_show + self.not_recorded

    @property
    def settled(self):
        """The appointments that were held: those that are on time or not."""
        return self.on_time + self.late

    @property
    def on_time_rate(self):
        """Share (0 to 1) of the held appointments that started on time; None when none."""
        return self.on_time / self.settled if self.settled else None


@dataclass(frozen=True)
class PunctualityRow:
    """The figures of one person or one branch."""

    id: int | None
    name: str
    figures: Punctuality


@dataclass(frozen=True)
class PunctualityFigures:
    by_person: tuple[PunctualityRow, ...]
    by_branch: tuple[PunctualityRow, ...]
    total: Punctuality

    def for_person(self, user_id):
        return next((row.figures for row in self.by_person if row.id == user_id), Punctuality())

    def for_branch(self, branch_id):
        return next((row.figures for row in self.by_branch if row.id == branch_id), Punctuality())


class Minutes(Func):
    """An interval of so many minutes: PostgreSQL's `make_interval(mins => n)`."""

    function = "make_interval"
    template = "%(function)s(mins => %(expressions)s)"
    output_field = DurationField()


def tolerance_expression():
    """The tolerance of the appointment's branch: its policy's, or the default without one."""
    return Coalesce(
        F("branch__staff_policy__punctuality_tolerance_minutes"),
        Value(DEFAULT_PUNCTUALITY_TOLERANCE_MINUTES),
    )


def with_tolerance(appointments):
    """Alias `tolerance_minutes` for on_time_condition/late_condition. An alias, because a
    filter naming the policy directly would turn the policy's LEFT JOIN into an INNER one and
    drop the branches without a policy."""
    return appointments.alias(tolerance_minutes=tolerance_expression())


def on_time_condition():
    """Q for a held appointment that started within its branch's tolerance (needs
    with_tolerance)."""
    return Q(
        outcome=Appointment.Outcome.HELD,
        started_at__lte=F("agreed_at") + Minutes(F("tolerance_minutes")),
    )


def late_condition():
    """Q for a held appointment that started after its branch's tolerance (needs
    with_tolerance)."""
    return Q(
        outcome=Appointment.Outcome.HELD,
        started_at__gt=F("agreed_at") + Minutes(F("tolerance_minutes")),
    )


def _person_name(row):
    # As User.__str__ does it, without loading the users.
    full_name = f"{row['employee__first_name']} {row['employee__last_name']}".strip()
    return full_name or row["employee__username"]


def punctuality(user, *, start, end, branch=None, employee=None):
    """Punctuality per employee and per branch for the appointments agreed from `start` to `end`
    (dates in the branch's time zone, inclusive) that `user` may see, optionally for one branch
    or one employee.

    One query: the appointments grouped by branch and employee with a filtered count per outcome
    (the tolerance comes from the joined branch policy); sums are added up here.
    """
    now = Value(timezone.now(), output_field=DateTimeField())
    appointments = (
        with_tolerance(Appointment.objects.visible_to(user))
        .exclude(outcome=Appointment.Outcome.CANCELLED)
        .alias(agreed_on=LocalDate("branch__time_zone", "agreed_at"))
        .filter(agreed_on__range=(start, end))
    )
    if branch is not None:
        appointments = appointments.filter(branch=branch)
    if employee is not None:
        appointments = appointments.filter(employee=employee)
    groups = (
        appointments.order_by()
        .values(
            "branch",
            "branch__name",
            "employee",
            "employee__username",
            "employee__first_name",
            "employee__last_name",
        )
        .annotate(
            on_time=Count("pk", filter=on_time_condition()),
            late=Count("pk", filter=late_condition()),
            no_show=Count("pk", filter=Q(outcome=Appointment.Outcome.NO_SHOW)),
            not_recorded=Count(
                "pk", filter=Q(outcome=Appointment.Outcome.SCHEDULED, agreed_at__lt=now)
            ),
        )
    )
    people, branches = {}, {}
    total = Punctuality()
    for row in groups:
        figures = Punctuality(
            on_time=row["on_time"],
            late=row["late"],
            no_show=row["no_show"],
            not_recorded=row["not_recorded"],
        )
        if not figures.total:
            continue  # only appointments still ahead
        total += figures
        people[row["employee"]] = (
            _person_name(row),
            people.get(row["employee"], ("", Punctuality()))[1] + figures,
        )
        branches[row["branch"]] = (
            row["branch__name"],
            branches.get(row["branch"], ("", Punctuality()))[1] + figures,
        )

    def rows(groups):
        return tuple(
            PunctualityRow(id=pk, name=name, figures=figures)
            for pk, (name, figures) in sorted(
                groups.items(), key=lambda item: (item[1][0].lower(), item[0])
            )
        )

    return PunctualityFigures(by_person=rows(people), by_branch=rows(branches), total=total)


# --- training compliance -------------------------------------------------------------------------


class ComplianceState(models.TextChoices):
    VALID = "valid", _("valid")
    EXPIRING = "expiring", _("expiring within 30 days")
    EXPIRED = "expired", _("expired")
    MISSING = "missing", _("missing")


@dataclass(frozen=True)
class CourseCompliance:
    course_id: int
    title: str
    required: bool
    state: ComplianceState
    record_id: int | None
    completed_on: object = None
    expires_on: object = None


@dataclass(frozen=True)
class Compliance:
    items: tuple[CourseCompliance, ...] = ()

    def _count(self, state):
        return sum(1 for item in self.items if item.state == state)

    @property
    def valid(self):
        return self._count(ComplianceState.VALID)

    @property
    def expiring(self):
        return self._count(ComplianceState.EXPIRING)

    @property
    def expired(self):
        return self._count(ComplianceState.EXPIRED)

    @property
    def missing(self):
        return self._count(ComplianceState.MISSING)

    @property
    def required_items(self):
        return tuple(item for item in self.items if item.required)

    @property
    def is_compliant(self):
        """No required course expired or missing (expiring ones still count as held)."""
        return not any(
            item.state in {ComplianceState.EXPIRED, ComplianceState.MISSING}
            for item in self.required_items
        )


def record_state(expires_on, today):
    if expires_on is None:
        return ComplianceState.VALID
    if expires_on < today:
        return ComplianceState.EXPIRED
    if expires_on <= today + timedelta(days=EXPIRING_WITHIN_DAYS):
        return ComplianceState.EXPIRING
    return ComplianceState.VALID


def training_compliance(employees, *, today=None):
    """Compliance of each of `employees` (users or ids, a list or a queryset) by user id.

    Required courses are those required for any of the person's roles (active courses only);
    each is VALID, EXPIRING (expiry within 30 days), EXPIRED or MISSING by the person's current
    record. Courses held without being required are listed too (required=False).

    Three queries whatever the number of people: their roles, the required courses of those
    roles, and their current records.
    """
    today = today or timezone.localdate()
    ids = [getattr(employee, "pk", employee) for employee in employees]
    roles_of = {pk: set() for pk in ids}
    memberships = get_user_model().groups.through.objects.filter(user_id__in=ids)
    for user_id, role in memberships.values_list("user_id", "group__name"):
        roles_of[user_id].add(role)
    required_by_role = {}
    courses = {}
    required = RequiredCourse.objects.filter(
        role__in={role for roles in roles_of.values() for role in roles}, course__is_active=True
    ).values_list("role", "course_id", "course__title")
    for role, course_id, title in required:
        required_by_role.setdefault(role, set()).add(course_id)
        courses[course_id] = title
    records = {pk: {} for pk in ids}
    current = TrainingRecord.objects.filter(
        employee_id__in=ids,
        is_current=True,
        result__in=[TrainingRecord.Result.PASSED, TrainingRecord.Result.ATTENDED],
    ).values_list("employee_id", "course_id", "course__title", "pk", "completed_on", "expires_on")
    for employee_id, course_id, title, pk, completed_on, expires_on in current:
        records[employee_id][course_id] = (pk, completed_on, expires_on)
        courses[course_id] = title

    result = {}
    for pk in ids:
        required_ids = set().union(*(required_by_role.get(role, ()) for role in roles_of[pk]))
        items = []
        for course_id in required_ids | records[pk].keys():
            record = records[pk].get(course_id)
            items.append(
                CourseCompliance(
                    course_id=course_id,
                    title=courses[course_id],
                    required=course_id in required_ids,
                    state=record_state(record[2], today) if record else ComplianceState.MISSING,
                    record_id=record[0] if record else None,
                    completed_on=record[1] if record else None,
                    expires_on=record[2] if record else None,
                )
            )
        items.sort(key=lambda item: (not item.required, item.title.lower(), item.course_id))
        result[pk] = Compliance(items=tuple(items))
    return result
