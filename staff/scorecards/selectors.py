"""Staff scorecards, their read model: the figures of one employee, and of a branch with a
comparison table of its customer-facing people (see docs/domain.md).

Every figure family is ONE grouped aggregate query for all the people of the page together
(mystery shopping, complaints, surveys, coaching here; punctuality and training in
staff.people.figures; follow-up adherence in followups.figures), so a branch page costs the same
number of queries whatever the number of employees and rows. The results are plain frozen
dataclasses that the pages, the API and the CSV export read alike.

Scoping: who may open whose scorecard is decided by `scorecard_employee` / `scorecard_branch`;
the figures themselves are read through each model's `visible_to(viewer)`, so a manager sees an
employee's work in the manager's branches only.

Time: a period is whole calendar months ending with the current one (the last 3, 6 or 12),
bounded at midnight in the project's time zone (settings.TIME_ZONE). The mystery-shop trend
groups the visits by month of `visited_at` in that same zone (not each branch's own zone: our
branches are at most an hour or two apart, and one zone keeps the trend's months and the period's
bounds the same).
"""

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from aftersales.access import sees_all_branches, visible_branch_ids
from aftersales.models import Branch
from aftersales.roles import BRANCH_ROLES, CUSTOMER_FACING_ROLES
from followups.figures import Adherence, followup_adherence
from followups.models import SurveyDay
from quality.models import ComplaintDay
from staff.mystery.models import MysteryShopResult
from staff.people import figures as staff_figures
from staff.people.models import CoachingAction
from staff.people.selectors import OPEN_COACHING, overdue_coaching
from staff.people.services import STAFF_ATTENTION_CATEGORY

PERIOD_MONTHS = (3, 6, 12)
DEFAULT_PERIOD_MONTHS = 12
LAST_RESULTS = 5
TENTH = Decimal("0.1")


# --- the period ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The last `months` calendar months, the current one included, up to `end` (today)."""

    months: int
    start: date
    end: date

    @classmethod
    def last(cls, months=DEFAULT_PERIOD_MONTHS, *, today=None):
        today = today or timezone.localdate()
        start = today.replace(day=1) - relativedelta(months=months - 1)
        return cls(months=months, start=start, end=today)

    @property
    def start_at(self):
        return timezone.make_aware(datetime.combine(self.start, time.min))

    @property
    def end_at(self):
        """The first moment after the period (exclusive bound)."""
        return timezone.make_aware(datetime.combine(self.end + timedelta(days=1), time.min))

    @property
    def month_starts(self):
        return [self.start + relativedelta(months=number) for number in range(self.months)]


# --- figure families -----------------------------------------------------------------------------


def _mean(total, count):
    if not count:
        return None
    return (Decimal(total) / count).quantize(TENTH, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class MonthScore:
    month: date
    count: int
    average: Decimal | None


@dataclass(frozen=True)
class MysteryShop:
    """Accepted mystery-shop results (their overall score in %)."""

    count: int = 0
    score_sum: Decimal = Decimal(0)
    trend: tuple[MonthScore, ...] = ()

    @property
    def average(self):
        return _mean(self.score_sum, self.count)


@dataclass(frozen=True)
class CategoryCount:
    """Complaints in one top-level category (a child category counts for its parent)."""

    id: int
    code: str
    name: str
    total: int = 0
    open: int = 0

    @property
    def is_staff_attention(self):
        return self.code == STAFF_ATTENTION_CATEGORY


@dataclass(frozen=True)
class Complaints:
    """Complaints received in the period that name the person as responsible salesperson."""

    categories: tuple[CategoryCount, ...] = ()

    @property
    def total(self):
        return sum(category.total for category in self.categories)

    @property
    def open(self):
        return sum(category.open for category in self.categories)

    @property
    def closed(self):
        """Resolved or closed."""
        return self.total - self.open

    @property
    def staff_attention(self):
        return sum(c.total for c in self.categories if c.is_staff_attention)

    @property
    def staff_attention_category(self):
        return next((c for c in self.categories if c.is_staff_attention), None)

    @property
    def other_categories(self):
        return tuple(c for c in self.categories if not c.is_staff_attention)

    @property
    def others(self):
        return self.total - self.staff_attention


@dataclass(frozen=True)
class Satisfaction:
    """Survey answers on the person's sales (the purchase's salesperson), answered in the period."""

    count: int = 0
    promoters: int = 0
    detractors: int = 0
    nps_sum: int = 0
    purchase_sum: int = 0
    handover_sum: int = 0

    def __add__(self, other):
        return Satisfaction(
            count=self.count + other.count,
            promoters=self.promoters + other.promoters,
            detractors=self.detractors + other.detractors,
            nps_sum=self.nps_sum + other.nps_sum,
            purchase_sum=self.purchase_sum + other.purchase_sum,
            handover_sum=self.handover_sum + other.handover_sum,
        )

    @property
    def nps(self):
        """Net promoter score: promoters (9–10) minus detractors (0–6), in % of the answers."""
        if not self.count:
            return None
        share = Decimal(100 * (self.promoters - self.detractors)) / self.count
        return int(share.quantize(Decimal(1), rounding=ROUND_HALF_UP))

    @property
    def mean_nps(self):
        return _mean(self.nps_sum, self.count)

    @property
    def mean_purchase(self):
        return _mean(self.purchase_sum, self.count)

    @property
    def mean_handover(self):
        return _mean(self.handover_sum, self.count)


@dataclass(frozen=True)
class Coaching:
    open: int = 0
    overdue: int = 0
    actions: tuple = ()  # the open actions themselves, on an employee's scorecard


@dataclass(frozen=True)
class Training:
    """Training compliance of a group of people (an employee's own is their Compliance)."""

    people: int = 0
    compliant: int = 0
    valid: int = 0
    expiring: int = 0
    expired: int = 0
    missing: int = 0


@dataclass(frozen=True)
class Figures:
    mystery_shop: MysteryShop
    punctuality: object  # staff.people.figures.Punctuality
    adherence: Adherence
    complaints: Complaints
    satisfaction: Satisfaction
    coaching: Coaching


@dataclass(frozen=True)
class EmployeeScorecard:
    employee: object
    period: Period
    branch: Branch | None
    figures: Figures
    compliance: object  # staff.people.figures.Compliance
    results: tuple  # the latest accepted results


@dataclass(frozen=True)
class EmployeeRow:
    """One line of a branch's comparison table."""

    employee: object
    figures: Figures
    compliance: object

    @property
    def name(self):
        return str(self.employee)


@dataclass(frozen=True)
class BranchScorecard:
    branch: Branch
    period: Period
    figures: Figures
    training: Training
    rows: tuple[EmployeeRow, ...]
    results: tuple


# --- who may be seen -----------------------------------------------------------------------------


def can_see_branch_scorecards(user):
    return user.has_perm("staff.view_branch_scorecards")


def scorecard_branches(user, *, search=""):
    """The branches whose scorecards the user may open (with the permission: their branches),
    optionally those whose name or code contains `search`."""
    if not can_see_branch_scorecards(user):
        return Branch.objects.none()
    branches = Branch.objects.visible_to(user)
    if search:
        branches = branches.filter(Q(name__icontains=search) | Q(code__icontains=search))
    return branches.order_by("name", "pk")


def scorecard_employee(user, pk):
    """The person whose scorecard `user` may open: themselves, or, with view_branch_scorecards,
    someone who works in one of their branches (administrators: anyone with a branch role).
    Raises DoesNotExist otherwise, which the pages and the API answer with 404."""
    users = get_user_model().objects.all()
    if pk == user.pk:
        return users.get(pk=pk)
    if not can_see_branch_scorecards(user):
        raise get_user_model().DoesNotExist
    if sees_all_branches(user):
        people = users.filter(groups__name__in=BRANCH_ROLES)
    else:
        people = users.filter(branches__in=visible_branch_ids(user))
    return people.filter(pk=pk).distinct().get()


def scorecard_branch(user, pk):
    """A branch whose scorecard `user` may open (raises DoesNotExist otherwise)."""
    return scorecard_branches(user).get(pk=pk)


def employee_branch_choices(viewer, employee):
    """The employee's branches that the viewer may see: the employee scorecard's branch filter."""
    branches = Branch.objects.filter(members=employee)
    if not sees_all_branches(viewer):
        branches = branches.filter(pk__in=visible_branch_ids(viewer))
    return branches.order_by("name", "pk")


def customer_facing_staff(branch):
    """Active people of the branch in a customer-facing role: the comparison table's rows."""
    return (
        get_user_model()
        .objects.filter(is_active=True, branches=branch, groups__name__in=CUSTOMER_FACING_ROLES)
        .distinct()
        .order_by("last_name", "first_name", "username", "pk")
    )


# --- the grouped queries -------------------------------------------------------------------------


def _mystery_shop(viewer, period, *, people=None, branch=None):
    """One query: accepted results visited in the period, per person served and month.
    Returns ({person id: MysteryShop}, total MysteryShop)."""
    results = (
        MysteryShopResult.objects.visible_to(viewer)
        .counting()
        .filter(visited_at__gte=period.start_at, visited_at__lt=period.end_at, score__isnull=False)
    )
    if people is not None:
        results = results.filter(served_by__in=people)
    if branch is not None:
        results = results.filter(assignment__branch=branch)
    groups = (
        results.order_by()
        .annotate(month=TruncMonth("visited_at", tzinfo=timezone.get_current_timezone()))
        .values("served_by", "month")
        .annotate(count=Count("pk"), score_sum=Sum("score"))
    )
    months = {}  # person id (None: total) → {month: (count, sum)}
    for row in groups:
        month = timezone.localtime(row["month"]).date() if row["month"] else None
        for key in (row["served_by"], None):
            count, total = months.setdefault(key, {}).get(month, (0, Decimal(0)))
            months[key][month] = (count + row["count"], total + row["score_sum"])

    def shop(by_month):
        trend = tuple(
            MonthScore(month=start, count=count, average=_mean(total, count))
            for start in period.month_starts
            for count, total in [by_month.get(start, (0, 0))]
        )
        return MysteryShop(
            count=sum(count for count, _total in by_month.values()),
            score_sum=sum((total for _count, total in by_month.values()), Decimal(0)),
            trend=trend,
        )

    per_person = {key: shop(value) for key, value in months.items() if key is not None}
    return per_person, shop(months.get(None, {}))


def _latest_results(viewer, period, *, employee=None, branch=None):
    """One query: the latest accepted results (employee's, or at the branch), newest first."""
    results = (
        MysteryShopResult.objects.visible_to(viewer)
        .counting()
        .filter(visited_at__gte=period.start_at, visited_at__lt=period.end_at)
        .select_related("assignment__template", "assignment__branch", "served_by")
    )
    if employee is not None:
        results = results.filter(served_by=employee)
    if branch is not None:
        results = results.filter(assignment__branch=branch)
    return tuple(results.order_by("-visited_at", "-pk")[:LAST_RESULTS])


def _complaints(viewer, period, *, people=None, branch=None):
    """One query over the daily complaint roll-up (quality's ComplaintDay): complaints received
    in the period per responsible salesperson and top-level category, and how many of them are
    open now. Returns ({person id: Complaints}, total Complaints)."""
    complaints = ComplaintDay.objects.visible_to(viewer).filter(
        day__range=(period.start, period.end)
    )
    if people is not None:
        complaints = complaints.filter(salesperson__in=people)
    if branch is not None:
        complaints = complaints.filter(branch=branch)
    groups = (
        complaints.order_by()
        .annotate(
            top_id=Coalesce("category__parent_id", "category_id"),
            top_code=Coalesce("category__parent__code", "category__code"),
            top_name=Coalesce("category__parent__name", "category__name"),
        )
        .values("top_id", "top_code", "top_name", responsible_salesperson=F("salesperson"))
        .annotate(total=Sum("complaints"), open=Sum("open_complaints"))
        .filter(total__gt=0)
    )
    counts = {}  # person id (None: total) → {category id: CategoryCount}
    for row in groups:
        for key in (row["responsible_salesperson"], None):
            categories = counts.setdefault(key, {})
            known = categories.get(row["top_id"]) or CategoryCount(
                id=row["top_id"], code=row["top_code"], name=row["top_name"]
            )
            categories[row["top_id"]] = CategoryCount(
                id=known.id,
                code=known.code,
                name=known.name,
                total=known.total + row["total"],
                open=known.open + row["open"],
            )

    def ordered(categories):
        return Complaints(
            categories=tuple(
                sorted(categories.values(), key=lambda c: (-c.total, c.name.lower(), c.id))
            )
        )

    per_person = {key: ordered(value) for key, value in counts.items() if key is not None}
    return per_person, ordered(counts.get(None, {}))


def _satisfaction(viewer, period, *, people=None, branch=None):
    """One query over the daily survey roll-up (followups' SurveyDay): survey answers of the
    period per salesperson of the surveyed purchase."""
    days = SurveyDay.objects.visible_to(viewer).filter(day__range=(period.start, period.end))
    if people is not None:
        days = days.filter(salesperson__in=people)
    if branch is not None:
        days = days.filter(branch=branch)
    groups = (
        days.order_by()
        .values(person=F("salesperson"))
        .annotate(
            count=Sum("answers"),
            promoters=Sum("promoters"),
            detractors=Sum("detractors"),
            nps_sum=Sum("nps_sum"),
            purchase_sum=Sum("purchase_sum"),
            handover_sum=Sum("handover_sum"),
        )
        .filter(count__gt=0)
    )
    per_person, total = {}, Satisfaction()
    for row in groups:
        figures = Satisfaction(
            count=row["count"],
            promoters=row["promoters"],
            detractors=row["detractors"],
            nps_sum=row["nps_sum"],
            purchase_sum=row["purchase_sum"],
            handover_sum=row["handover_sum"],
        )
        total += figures
        if row["person"] is not None:
            per_person[row["person"]] = figures
    return per_person, total


def _coaching_counts(viewer, *, people=None, branch=None, today):
    """One query: open coaching actions (any period: open is open) per employee."""
    actions = CoachingAction.objects.visible_to(viewer).filter(status__in=OPEN_COACHING)
    if people is not None:
        actions = actions.filter(employee__in=people)
    if branch is not None:
        actions = actions.filter(branch=branch)
    groups = (
        actions.order_by()
        .values("employee")
        .annotate(open=Count("pk"), overdue=Count("pk", filter=overdue_coaching(today)))
    )
    per_person = {
        row["employee"]: Coaching(open=row["open"], overdue=row["overdue"]) for row in groups
    }
    return per_person, Coaching(
        open=sum(c.open for c in per_person.values()),
        overdue=sum(c.overdue for c in per_person.values()),
    )


def _open_coaching_actions(viewer, employee, *, today, branch=None):
    """One query: the employee's open coaching actions, earliest due first, each with
    `is_overdue`."""
    actions = (
        CoachingAction.objects.visible_to(viewer)
        .filter(employee=employee, status__in=OPEN_COACHING)
        .select_related("branch", "coach")
        .annotate(
            is_overdue=ExpressionWrapper(overdue_coaching(today), output_field=BooleanField())
        )
    )
    if branch is not None:
        actions = actions.filter(branch=branch)
    return tuple(actions.order_by("due_on", "pk"))


# --- the scorecards ------------------------------------------------------------------------------


def employee_scorecard(viewer, employee, *, period, branch=None, today=None):
    """One employee's figures as `viewer` may see them, optionally in one of their branches.

    Queries: mystery shop (grouped), latest results, punctuality, follow-up adherence, complaints
    (grouped), surveys (grouped), open coaching actions, training compliance."""
    today = today or timezone.localdate()
    people = [employee.pk]
    shop, _total = _mystery_shop(viewer, period, people=people, branch=branch)
    complaints, _total = _complaints(viewer, period, people=people, branch=branch)
    satisfaction, _total = _satisfaction(viewer, period, people=people, branch=branch)
    actions = _open_coaching_actions(viewer, employee, today=today, branch=branch)
    punctuality = staff_figures.punctuality(
        viewer, start=period.start, end=period.end, branch=branch, employee=employee
    )
    adherence = followup_adherence(
        viewer, start=period.start, end=period.end, branch=branch, assignee=employee
    )
    compliance = staff_figures.training_compliance([employee], today=today).get(employee.pk)
    figures = Figures(
        mystery_shop=shop.get(employee.pk) or _empty_shop(period),
        punctuality=punctuality.for_person(employee.pk),
        adherence=adherence.for_person(employee.pk),
        complaints=complaints.get(employee.pk, Complaints()),
        satisfaction=satisfaction.get(employee.pk, Satisfaction()),
        coaching=Coaching(
            open=len(actions),
            overdue=sum(1 for action in actions if action.is_overdue),
            actions=actions,
        ),
    )
    return EmployeeScorecard(
        employee=employee,
        period=period,
        branch=branch,
        figures=figures,
        compliance=compliance,
        results=_latest_results(viewer, period, employee=employee, branch=branch),
    )


def _empty_shop(period):
    return MysteryShop(
        trend=tuple(MonthScore(month=start, count=0, average=None) for start in period.month_starts)
    )


# Sort keys of the comparison table: (key, is the value missing). Missing figures sort last
# whichever the direction; ties by name.
def _sort_value(row, column):
    figures = row.figures
    values = {
        "name": (row.employee.last_name.lower(), row.employee.first_name.lower()),
        "mystery": figures.mystery_shop.average,
        "punctuality": figures.punctuality.on_time_rate,
        "followups": figures.adherence.on_time_rate,
        "complaints": (figures.complaints.total, figures.complaints.staff_attention),
        "nps": figures.satisfaction.nps,
        "training": (
            (row.compliance.is_compliant, -row.compliance.missing, -row.compliance.expired)
            if row.compliance is not None
            else None
        ),
        "coaching": (figures.coaching.open, figures.coaching.overdue),
    }
    return values[column]


SORT_COLUMNS = (
    "name",
    "mystery",
    "punctuality",
    "followups",
    "complaints",
    "nps",
    "training",
    "coaching",
)


def sort_rows(rows, sort):
    column = sort.lstrip("-")
    if column not in SORT_COLUMNS:
        column, sort = "name", "name"
    descending = sort.startswith("-")
    by_name = sorted(rows, key=lambda row: _sort_value(row, "name"))
    present = [row for row in by_name if _sort_value(row, column) is not None]
    missing = [row for row in by_name if _sort_value(row, column) is None]
    present.sort(key=lambda row: _sort_value(row, column), reverse=descending)
    return tuple(present + missing)


def branch_scorecard(viewer, branch, *, period, sort="name", today=None):
    """A branch's figures and its comparison table, in a constant number of queries:
    the branch's customer-facing staff, mystery shop (grouped), latest results, punctuality,
    follow-up adherence, complaints (grouped), surveys (grouped), coaching (grouped), training
    compliance."""
    today = today or timezone.localdate()
    employees = list(customer_facing_staff(branch))
    shop, shop_total = _mystery_shop(viewer, period, branch=branch)
    complaints, complaints_total = _complaints(viewer, period, branch=branch)
    satisfaction, satisfaction_total = _satisfaction(viewer, period, branch=branch)
    coaching, coaching_total = _coaching_counts(viewer, branch=branch, today=today)
    punctuality = staff_figures.punctuality(
        viewer, start=period.start, end=period.end, branch=branch
    )
    adherence = followup_adherence(viewer, start=period.start, end=period.end, branch=branch)
    compliance = staff_figures.training_compliance(employees, today=today)
    rows = tuple(
        EmployeeRow(
            employee=employee,
            compliance=compliance.get(employee.pk),
            figures=Figures(
                mystery_shop=shop.get(employee.pk) or _empty_shop(period),
                punctuality=punctuality.for_person(employee.pk),
                adherence=adherence.for_person(employee.pk),
                complaints=complaints.get(employee.pk, Complaints()),
                satisfaction=satisfaction.get(employee.pk, Satisfaction()),
                coaching=coaching.get(employee.pk, Coaching()),
            ),
        )
        for employee in employees
    )
    states = [state for state in compliance.values() if state is not None]
    training = Training(
        people=len(states),
        compliant=sum(1 for state in states if state.is_compliant),
        valid=sum(state.valid for state in states),
        expiring=sum(state.expiring for state in states),
        expired=sum(state.expired for state in states),
        missing=sum(state.missing for state in states),
    )
    return BranchScorecard(
        branch=branch,
        period=period,
        figures=Figures(
            mystery_shop=shop_total,
            punctuality=punctuality.for_branch(branch.pk),
            adherence=adherence.for_branch(branch.pk),
            complaints=complaints_total,
            satisfaction=satisfaction_total,
            coaching=coaching_total,
        ),
        training=training,
        rows=sort_rows(rows, sort),
        results=_latest_results(viewer, period, branch=branch),
    )


def percent(rate):
    """A share 0–1 as a whole percentage (None stays None)."""
    return None if rate is None else math.floor(rate * 100 + 0.5)


# --- what the pages, the charts and the export show ----------------------------------------------


def _url(name, *args, **params):
    """A page's address with its filters (empty ones left out)."""
    url = reverse(name, args=args)
    params = {key: value for key, value in params.items() if value not in (None, "")}
    return f"{url}?{urlencode(params)}" if params else url


def scorecard_links(viewer, period, *, employee=None, branch=None):
    """The lists behind the numbers of an employee's or a branch's scorecard, for the viewer's
    permissions (a missing key: no such list for them)."""
    person = employee.pk if employee is not None else None
    place = branch.pk if branch is not None else None
    dates = {"start": period.start.isoformat(), "end": period.end.isoformat()}
    links = {}
    if viewer.has_perm("quality.view_dissonance_dashboard"):
        # The dashboard's complaint list filters by the same stored responsible salesperson.
        links["complaints"] = _url(
            "quality:dashboard-signals",
            list="complaints",
            salesperson=person,
            branch=place,
            measure="",
            **dates,
        )
    if viewer.has_perm("staff.view_coachingaction"):
        links["coaching"] = _url(
            "staff:coaching-list", employee=person, branch=place, status="open"
        )
    if viewer.has_perm("staff.view_appointment"):
        links["appointments"] = _url(
            "staff:appointment-list", employee=person, branch=place, **dates
        )
    if viewer.has_perm("staff.view_trainingrecord"):
        if employee is None:
            links["training"] = _url("staff:training-compliance", branch=place)
        elif employee.pk == viewer.pk:
            links["training"] = _url("staff:my-training")
        else:
            links["training"] = _url("staff:training-employee", employee.pk)
    if viewer.has_perm("staff.view_mysteryshopresult"):
        links["results"] = _url(
            "staff:result-list", employee=person, branch=place, status="accepted"
        )
    return links


def chart_data(figures):
    """What the page's charts draw (json_script): translated names and plain numbers."""
    punctuality, adherence = figures.punctuality, figures.adherence
    trend, categories = figures.mystery_shop.trend, figures.complaints.categories
    return {
        "trend": {
            "labels": [month.month.strftime("%Y-%m") for month in trend],
            "average": [None if month.average is None else float(month.average) for month in trend],
            "count": [month.count for month in trend],
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
            "labels": [category.name for category in categories],
            "total": [category.total for category in categories],
            "open": [category.open for category in categories],
            "staff_attention": [category.is_staff_attention for category in categories],
            "names": {"total": _("Complaints"), "open": _("of them open")},
        },
    }


def _blank_if_none(value):
    return "" if value is None else value


def comparison_table(card):
    """A branch scorecard's comparison table as rows of plain values, the header first, in the
    order shown (the CSV export)."""
    header = [
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
    rows = [
        [
            row.name,
            _blank_if_none(row.figures.mystery_shop.average),
            row.figures.mystery_shop.count,
            _blank_if_none(percent(row.figures.punctuality.on_time_rate)),
            _blank_if_none(percent(row.figures.adherence.on_time_rate)),
            row.figures.complaints.total,
            row.figures.complaints.staff_attention,
            _blank_if_none(row.figures.satisfaction.nps),
            row.figures.satisfaction.count,
            _("yes") if row.compliance is None or row.compliance.is_compliant else _("no"),
            row.compliance.missing if row.compliance else 0,
            row.compliance.expired if row.compliance else 0,
            row.figures.coaching.open,
            row.figures.coaching.overdue,
        ]
        for row in card.rows
    ]
    return [header, *rows]
