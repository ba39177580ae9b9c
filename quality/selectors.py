"""Read queries of the quality app, already scoped to the user and joined.

Complaints first (list, detail, attachments, the choices their forms offer); the dissonance
dashboard's selectors follow below them.
"""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Prefetch, Q, Value, When
from django.db.models.functions import Least
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from aftersales.access import sees_all_branches, visible_branch_ids
from aftersales.models import Branch
from aftersales.roles import Role
from aftersales.translated import localized
from customers.models import Customer, Purchase
from customers.selectors import search_query
from quality.models import (
    OPEN_COMPLAINT_STATUSES,
    Complaint,
    ComplaintAttachment,
    ComplaintCategory,
    ComplaintCorrection,
    ComplaintEvent,
    DissonanceScore,
    Nature,
    Severity,
)

# --- complaints --------------------------------------------------------------------------------

Status = Complaint.Status
# Roles that work complaints of their branches (and so see all of them there).
COMPLAINT_ROLES = (Role.SERVICE, Role.MANAGER, Role.QUALITY)
SEVERITY_RANK = {Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3, Severity.CRITICAL: 4}
# Sorting by status follows the workflow, not the alphabet.
STATUS_RANK = {status: rank for rank, status in enumerate(Status.values, start=1)}
# Each ends on the primary key; the date orders in their own direction, so that one index
# (complaint_received_order) read forwards or backwards serves both at a manager's branches.
COMPLAINT_ORDERINGS = {
    "received": ("received_at", "pk"),
    "-received": ("-received_at", "-pk"),
    "due": (F("next_due_at").asc(nulls_last=True), "-pk"),
    "-due": (F("next_due_at").desc(nulls_last=True), "-pk"),
    "severity": ("severity_rank", "-pk"),
    "-severity": ("-severity_rank", "-pk"),
    "status": ("status_rank", "-pk"),
    "-status": ("-status_rank", "-pk"),
    "customer": ("customer__last_name", "customer__first_name", "-pk"),
    "-customer": ("-customer__last_name", "-customer__first_name", "-pk"),
}


def sees_only_own_customers(user):
    """Sales staff (without a role that works complaints) see their own customers' only."""
    return (
        not sees_all_branches(user)
        and not user.has_role(*COMPLAINT_ROLES)
        and user.has_role(Role.SALES)
    )


def complaints_visible_to(user):
    """The one scoping rule of complaints for pages, API and exports: the branches the user
    works in, and for sales staff only the complaints of customers (or purchases) they sold to."""
    complaints = Complaint.objects.visible_to(user)
    if sees_only_own_customers(user):
        complaints = complaints.filter(
            Q(customer__salesperson=user) | Q(purchase__salesperson=user)
        )
    return complaints


def scores_visible_to(user):
    """Customers' scores (not the per-purchase ones) of the caller's branches; sales staff see
    those of their own customers only (responsible salesperson, or they sold them something),
    as with complaints."""
    scores = DissonanceScore.objects.visible_to(user).filter(purchase__isnull=True)
    if sees_only_own_customers(user):
        sold_to = Purchase.objects.filter(customer=OuterRef("customer"), salesperson=user)
        scores = scores.filter(Q(customer__salesperson=user) | Exists(sold_to))
    return scores


def _with_next_due(complaints):
    """The next deadline of each open complaint: acknowledge while new, resolve while open."""
    return complaints.annotate(
        next_due_at=Case(
            When(status=Status.NEW, then=Least("acknowledge_due_at", "resolve_due_at")),
            When(status__in=OPEN_COMPLAINT_STATUSES, then=F("resolve_due_at")),
            default=None,
        ),
        severity_rank=Case(
            *(
                When(severity=severity, then=Value(rank))
                for severity, rank in SEVERITY_RANK.items()
            ),
            output_field=IntegerField(),
        ),
        status_rank=Case(
            *(When(status=status, then=Value(rank)) for status, rank in STATUS_RANK.items()),
            output_field=IntegerField(),
        ),
    )


def breached_q(now):
    """Open complaints with a deadline passed: not resolved in time, or not acknowledged in
    time (still unacknowledged, or acknowledged only after the deadline)."""
    late_acknowledgement = Q(acknowledged_at__isnull=True, acknowledge_due_at__lt=now) | Q(
        acknowledged_at__gt=F("acknowledge_due_at")
    )
    return Q(status__in=OPEN_COMPLAINT_STATUSES) & (
        Q(resolve_due_at__lt=now) | late_acknowledgement
    )


def complaint_list(
    user,
    *,
    search="",
    status="",
    severity="",
    category=None,
    nature="",
    branch=None,
    owner=None,
    breached=False,
    ordering="-received",
    now=None,
):
    complaints = complaints_visible_to(user).select_related(
        "customer", "branch", "category__parent", "owner"
    )
    if search:
        query = search_query(search)
        if query is not None:
            complaints = complaints.filter(customer__search_vector=query)
    if status == "open":
        complaints = complaints.open()
    elif status:
        complaints = complaints.filter(status=status)
    if severity:
        complaints = complaints.filter(severity=severity)
    if category is not None:
        # A parent category ("Noise") stands for itself and all its children.
        complaints = complaints.filter(Q(category=category) | Q(category__parent=category))
    if nature:
        complaints = complaints.filter(nature=nature)
    if branch is not None:
        complaints = complaints.filter(branch=branch)
    if owner is not None:
        complaints = complaints.filter(owner=owner)
    if breached:
        complaints = complaints.filter(breached_q(now or timezone.now()))
    order = COMPLAINT_ORDERINGS.get(ordering, COMPLAINT_ORDERINGS["-received"])
    return _with_next_due(complaints).order_by(*order)


def complaint_detail(user, pk):
    """One complaint with everything its page shows (raises Complaint.DoesNotExist)."""
    return (
        _with_next_due(complaints_visible_to(user))
        .select_related(
            "customer__branch",
            "customer__salesperson",
            "purchase__salesperson",
            "purchase__main_category",
            "branch",
            "category__parent",
            "owner",
            "created_by",
        )
        .prefetch_related(
            Prefetch(
                "attachments",
                ComplaintAttachment.objects.select_related("uploaded_by").order_by(
                    "uploaded_at", "pk"
                ),
            ),
            Prefetch("events", ComplaintEvent.objects.select_related("by").order_by("at", "pk")),
            Prefetch(
                "corrections",
                ComplaintCorrection.objects.select_related("by").order_by("at", "pk"),
            ),
        )
        .get(pk=pk)
    )


@dataclass(frozen=True)
class CorrectedFact:
    """One fact a correction changed, in words: "Purchase: none → Purchase 541 · 03.12.2026"."""

    field: str
    label: str
    before: str
    after: str


@dataclass(frozen=True)
class CorrectionEntry:
    correction: ComplaintCorrection
    facts: list[CorrectedFact]


# The models behind the ids a correction records, and the order its facts are shown in.
CORRECTED_MODELS = {
    "customer": Customer,
    "purchase": Purchase,
    "category": ComplaintCategory,
    "branch": Branch,
    "owner": get_user_model(),
}
CORRECTED_FIELDS = ("customer", "purchase", "branch", "owner", "category", "nature", "severity")
CORRECTED_CHOICES = {"nature": Nature, "severity": Severity}


def _corrected_objects(user, corrections):
    """The objects the corrections name, one query per kind however many corrections there
    are; customers and purchases only where the user may see them."""
    ids = {name: set() for name in CORRECTED_MODELS}
    for correction in corrections:
        for name, change in correction.changes.items():
            if name in ids:
                ids[name].update(value for value in change.values() if value is not None)
    found = {}
    for name, wanted in ids.items():
        if not wanted:
            found[name] = {}
            continue
        objects = CORRECTED_MODELS[name].objects
        if name in ("customer", "purchase"):
            objects = objects.visible_to(user)
        if name == "category":
            objects = objects.select_related("parent")
        found[name] = objects.in_bulk(wanted)
    return found


def _corrected_value(name, value, objects):
    if value is None:
        return _("no particular purchase") if name == "purchase" else _("nobody")
    if name in CORRECTED_CHOICES:
        choices = CORRECTED_CHOICES[name]
        return choices(value).label if value in choices.values else value
    named = objects[name].get(value)
    if named is None:
        return _("not visible to you") if name in ("customer", "purchase") else "—"
    if name == "purchase":
        return f"{named} · {date_format(named.purchase_date, 'SHORT_DATE_FORMAT')}"
    return str(named)


def complaint_corrections(user, complaint):
    """The complaint's corrections (prefetched by complaint_detail), oldest first, each with
    the facts it changed in the reader's language."""
    corrections = list(complaint.corrections.all())
    objects = _corrected_objects(user, corrections)
    entries = []
    for correction in corrections:
        facts = [
            CorrectedFact(
                field=name,
                label=Complaint._meta.get_field(name).verbose_name,
                before=_corrected_value(name, correction.changes[name]["from"], objects),
                after=_corrected_value(name, correction.changes[name]["to"], objects),
            )
            for name in CORRECTED_FIELDS
            if name in correction.changes
        ]
        entries.append(CorrectionEntry(correction=correction, facts=facts))
    return entries


def categories_for_correction(complaint):
    """The categories a complaint can be corrected to: those in use, and its own."""
    return complaint_categories().filter(Q(is_active=True) | Q(pk=complaint.category_id))


def complaint_attachment(user, complaint_pk, pk):
    """An attachment of a complaint the user may see (raises DoesNotExist otherwise)."""
    return ComplaintAttachment.objects.get(
        pk=pk, complaint__in=complaints_visible_to(user).filter(pk=complaint_pk)
    )


def complaint_categories(*, active_only=False):
    categories = ComplaintCategory.objects.select_related("parent")
    if active_only:
        categories = categories.filter(is_active=True)
    return categories.order_by(
        localized("parent__name").asc(nulls_first=True), "parent_id", localized("name"), "pk"
    )


def grouped_category_choices(categories):
    """Select choices grouped by parent: a plain option for a category without children, an
    option group for a parent (the parent itself first, then "Noise → Wind noise", ...)."""
    categories = list(categories)
    present = {category.pk for category in categories}
    children = {}
    for category in categories:
        if category.parent_id:
            children.setdefault(category.parent_id, []).append(category)
    choices = []
    for category in categories:
        if category.parent_id:
            if category.parent_id not in present:
                choices.append((category.pk, str(category)))
            continue
        if category.pk in children:
            group = [(category.pk, category.name)]
            group += [(child.pk, str(child)) for child in children[category.pk]]
            choices.append((category.name, group))
        else:
            choices.append((category.pk, category.name))
    return choices


def complaint_staff(branch_ids=None):
    """Active people who work complaints, in the given branches (all branches when None)."""
    staff = get_user_model().objects.filter(is_active=True, groups__name__in=COMPLAINT_ROLES)
    if branch_ids is not None:
        staff = staff.filter(branches__in=branch_ids)
    return staff.distinct().order_by("last_name", "first_name", "username")


def complaint_staff_for(user):
    """The owners the user can choose: complaint workers of the user's branches, and the user."""
    branch_ids = None if sees_all_branches(user) else visible_branch_ids(user)
    staff_ids = complaint_staff(branch_ids).values("pk")
    return (
        get_user_model()
        .objects.filter(Q(pk__in=staff_ids) | Q(pk=user.pk))
        .order_by("last_name", "first_name", "username")
    )


def purchases_for_complaint(user, customer):
    """The customer's purchases the user may see, newest first, to pick the one complained of."""
    return (
        Purchase.objects.visible_to(user)
        .filter(customer=customer)
        .select_related("main_category")
        .order_by("-purchase_date", "-pk")
    )


@dataclass(frozen=True)
class TimeLeft:
    """How long until a complaint's next deadline ("overdue by 2 h" once it has passed)."""

    kind: str
    due_at: datetime
    seconds: int

    @property
    def overdue(self):
        return self.seconds < 0

    @property
    def duration(self):
        seconds = abs(self.seconds)
        days, rest = divmod(seconds, 86400)
        hours, rest = divmod(rest, 3600)
        if days:
            return _("%(days)d d %(hours)d h") % {"days": days, "hours": hours}
        if hours:
            return _("%(hours)d h") % {"hours": hours}
        return _("%(minutes)d min") % {"minutes": max(rest // 60, 1)}

    @property
    def kind_label(self):
        return _("to acknowledge") if self.kind == "acknowledge" else _("to resolve")

    def __str__(self):
        if self.overdue:
            return _("overdue by %(duration)s") % {"duration": self.duration}
        return _("%(duration)s left") % {"duration": self.duration}


def time_left(complaint, now=None):
    """The next deadline of an open complaint (None once it is resolved or closed)."""
    if not complaint.is_open:
        return None
    now = now or timezone.now()
    if complaint.status == Status.NEW and complaint.acknowledge_due_at <= complaint.resolve_due_at:
        kind, due_at = "acknowledge", complaint.acknowledge_due_at
    else:
        kind, due_at = "resolve", complaint.resolve_due_at
    return TimeLeft(kind=kind, due_at=due_at, seconds=int((due_at - now).total_seconds()))
