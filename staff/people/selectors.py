"""Reads of the people pages (appointments, training, coaching), scoped to the user and joined for
their lists. Figures (punctuality, compliance) live in staff/people/figures.py."""

from django.contrib.auth import get_user_model
from django.db.models import BooleanField, ExpressionWrapper, F, Prefetch, Q
from django.utils import timezone

from aftersales.access import is_staff_member, sees_all_branches, visible_branch_ids
from aftersales.roles import CUSTOMER_FACING_ROLES, Role
from followups.figures import LocalDate
from staff.people.figures import (
    ComplianceState,
    late_condition,
    training_compliance,
    with_tolerance,
)
from staff.people.models import (
    Appointment,
    CoachingAction,
    Course,
    RequiredCourse,
    TrainingRecord,
)

OPEN_COACHING = [CoachingAction.Status.OPEN, CoachingAction.Status.IN_PROGRESS]

APPOINTMENT_ORDERINGS = {
    "agreed": ("agreed_at",),
    "-agreed": ("-agreed_at",),
    "customer": ("customer__last_name", "customer__first_name"),
    "-customer": ("-customer__last_name", "-customer__first_name"),
    "employee": ("employee__last_name", "employee__first_name"),
    "-employee": ("-employee__last_name", "-employee__first_name"),
    "kind": ("kind",),
    "-kind": ("-kind",),
    "outcome": ("outcome",),
    "-outcome": ("-outcome",),
}
COURSE_ORDERINGS = {
    "title": ("title",),
    "-title": ("-title",),
    "topic": ("topic", "title"),
    "-topic": ("-topic", "title"),
    "validity": (F("validity_months").asc(nulls_last=True), "title"),
    "-validity": (F("validity_months").desc(nulls_last=True), "title"),
}
COACHING_ORDERINGS = {
    "due": ("due_on",),
    "-due": ("-due_on",),
    "employee": ("employee__last_name", "employee__first_name"),
    "-employee": ("-employee__last_name", "-employee__first_name"),
    "status": ("status",),
    "-status": ("-status",),
    "created": ("created_at",),
    "-created": ("-created_at",),
}
COMPLIANCE_ORDERINGS = ("name", "-name", "missing", "expired", "expiring", "valid")


def leads_people(user):
    """Managers, quality managers and administrators look after other people's records."""
    return sees_all_branches(user) or (
        is_staff_member(user) and user.has_role(Role.MANAGER, Role.QUALITY)
    )


def people_of(user, *, branch=None):
    """Active customer-facing people of the user's branches, by name (everyone's for
    administrators); a person who leads nobody sees only themselves."""
    users = get_user_model().objects.filter(is_active=True)
    if not leads_people(user):
        return users.filter(pk=user.pk)
    users = users.filter(groups__name__in=CUSTOMER_FACING_ROLES, branches__isnull=False)
    if not sees_all_branches(user):
        users = users.filter(branches__in=visible_branch_ids(user))
    if branch is not None:
        users = users.filter(branches=branch)
    ids = users.values("pk")
    return get_user_model().objects.filter(pk__in=ids).order_by("last_name", "first_name", "pk")


def coaches_for(user):
    """Who may lead a coaching: active managers and quality managers of the user's branches
    (everyone's for administrators), by name."""
    coaches = get_user_model().objects.filter(
        is_active=True, groups__name__in=[Role.MANAGER, Role.QUALITY]
    )
    if not sees_all_branches(user):
        coaches = coaches.filter(branches__in=visible_branch_ids(user))
    return (
        get_user_model()
        .objects.filter(pk__in=coaches.values("pk"))
        .order_by("last_name", "first_name", "pk")
    )


def branch_staff(branch_ids=None):
    """The active customer-facing people (sales, service, managers) working in the given
    branches (in any branch without them), by name: who can be observed, own an appointment, a
    training or a coaching there."""
    people = get_user_model().objects.filter(is_active=True, groups__name__in=CUSTOMER_FACING_ROLES)
    if branch_ids is not None:
        people = people.filter(branches__in=branch_ids)
    return (
        get_user_model()
        .objects.filter(pk__in=people.values("pk"))
        .order_by("last_name", "first_name", "pk")
    )


# --- appointments --------------------------------------------------------------------------------


def appointments_visible_to(user):
    """With the `tolerance_minutes` alias that the lateness conditions need."""
    return with_tolerance(Appointment.objects.visible_to(user))


def _with_lateness(appointments):
    return appointments.annotate(
        is_late=ExpressionWrapper(late_condition(), output_field=BooleanField())
    )


def appointment_list(
    user,
    *,
    employee=None,
    start=None,
    end=None,
    kind="",
    outcome="",
    branch=None,
    late=False,
    ordering="agreed",
):
    """The appointments the user may see, filtered; each with `is_late` (held and started after
    its branch's tolerance). Dates are the agreed time's date in the branch's zone."""
    appointments = appointments_visible_to(user).select_related(
        "customer", "employee", "branch", "purchase"
    )
    if start is not None or end is not None:
        appointments = appointments.alias(agreed_on=LocalDate("branch__time_zone", "agreed_at"))
        if start is not None:
            appointments = appointments.filter(agreed_on__gte=start)
        if end is not None:
            appointments = appointments.filter(agreed_on__lte=end)
    if employee is not None:
        appointments = appointments.filter(employee=employee)
    if kind:
        appointments = appointments.filter(kind=kind)
    if outcome:
        appointments = appointments.filter(outcome=outcome)
    if branch is not None:
        appointments = appointments.filter(branch=branch)
    if late:
        appointments = appointments.filter(late_condition())
    order = APPOINTMENT_ORDERINGS.get(ordering, APPOINTMENT_ORDERINGS["agreed"])
    return _with_lateness(appointments).order_by(*order, "pk")


def appointment_detail(user, pk):
    """Raises Appointment.DoesNotExist outside the user's branches."""
    return (
        _with_lateness(appointments_visible_to(user))
        .select_related("customer__branch", "employee", "branch", "purchase", "created_by")
        .get(pk=pk)
    )


def purchases_of(customer):
    return customer.purchases.order_by("-purchase_date", "-pk")


# --- training ------------------------------------------------------------------------------------


def course_list(user, *, search="", topic="", active=None, ordering="title"):
    courses = Course.objects.prefetch_related(
        Prefetch("required_for", RequiredCourse.objects.order_by("role"))
    )
    if search:
        courses = courses.filter(Q(title__icontains=search) | Q(description__icontains=search))
    if topic:
        courses = courses.filter(topic=topic)
    if active is not None:
        courses = courses.filter(is_active=active)
    order = COURSE_ORDERINGS.get(ordering, COURSE_ORDERINGS["title"])
    return courses.order_by(*order, "pk")


def course_detail(pk):
    return Course.objects.prefetch_related("required_for").get(pk=pk)


def training_records_visible_to(user):
    return TrainingRecord.objects.visible_to(user)


def training_record_detail(user, pk):
    return (
        training_records_visible_to(user)
        .select_related("employee", "course", "recorded_by")
        .get(pk=pk)
    )


def training_history(user, employee):
    """The employee's records, newest first (only those the user may see)."""
    return (
        training_records_visible_to(user)
        .filter(employee=employee)
        .select_related("course", "recorded_by")
        .order_by("-completed_on", "-pk")
    )


def training_person(user, pk):
    """A person whose training the user may see: themselves, or one of their branches' people
    for managers, quality managers and administrators. Raises DoesNotExist otherwise."""
    if pk == user.pk:
        return get_user_model().objects.get(pk=pk)
    return people_of(user).get(pk=pk)


def compliance_overview(
    user, *, branch=None, state="", course=None, search="", ordering="name", today=None
):
    """[(person, compliance)] for the people of the user's branches.

    Queries: the people with their branches (2), then training_compliance's three. Filtering by
    state keeps people with a required course in that state (that course's state, when a course
    is given)."""
    people = people_of(user, branch=branch).prefetch_related("branches")
    if search:
        people = people.filter(
            Q(first_name__icontains=search)
            | Q(last_name__icontains=search)
            | Q(username__icontains=search)
        )
    people = list(people)
    compliance = training_compliance(people, today=today)
    rows = []
    for person in people:
        items = compliance[person.pk].required_items
        if course is not None:
            items = tuple(item for item in items if item.course_id == course.pk)
            if not items:
                continue
        if state and not any(item.state == state for item in items):
            continue
        rows.append((person, compliance[person.pk]))
    if ordering.lstrip("-") in ComplianceState.values:
        rows.sort(key=lambda row: -getattr(row[1], ordering.lstrip("-")))
    elif ordering == "-name":
        rows.reverse()
    return rows


# --- coaching ------------------------------------------------------------------------------------


def coaching_visible_to(user):
    return CoachingAction.objects.visible_to(user)


def overdue_coaching(today=None):
    """Q for an open (or in progress) coaching action past its due date."""
    return Q(status__in=OPEN_COACHING, due_on__lt=today or timezone.localdate())


def _with_overdue(actions, today=None):
    return actions.annotate(
        is_overdue=ExpressionWrapper(overdue_coaching(today), output_field=BooleanField())
    )


def coaching_list(
    user,
    *,
    status="",
    source="",
    employee=None,
    branch=None,
    overdue=False,
    ordering="due",
    today=None,
):
    """The coaching actions the user may see, filtered; each with `is_overdue`."""
    actions = coaching_visible_to(user).select_related("employee", "coach", "branch", "course")
    if status == "open":
        actions = actions.filter(status__in=OPEN_COACHING)
    elif status:
        actions = actions.filter(status=status)
    if source:
        actions = actions.filter(source=source)
    if employee is not None:
        actions = actions.filter(employee=employee)
    if branch is not None:
        actions = actions.filter(branch=branch)
    if overdue:
        actions = actions.filter(overdue_coaching(today))
    order = COACHING_ORDERINGS.get(ordering, COACHING_ORDERINGS["due"])
    return _with_overdue(actions, today).order_by(*order, "pk")


def coaching_detail(user, pk):
    """With `is_overdue`; raises CoachingAction.DoesNotExist outside what the user may see."""
    return (
        _with_overdue(coaching_visible_to(user))
        .select_related(
            "employee",
            "coach",
            "branch",
            "course",
            "created_by",
            "complaint",
            "mystery_shop_result",
        )
        .get(pk=pk)
    )
