"""The dissonance dashboard's read side: key figures, at-risk customers, where doubt arises and the
trend, plus the lists behind every number. Scoped to the user, filtered by period, branch,
product category and salesperson.

It must stay fast with 100,000 customers and a constant number of queries (issue 5), so every
figure is one aggregate computed by PostgreSQL: conditional counts (`Count(filter=...)`), averages
of intervals, GROUP BY for the heat maps, `date_trunc` (TruncMonth) for the trend. Nothing runs a
query per row: the purchases shown in the at-risk list come in one query for the whole page.

The two dimensions of a signal, complaint or survey answer:
- product category: the main category of the purchase it concerns (NONE: no purchase, or one
  without a category);
- salesperson: who sold that purchase, else the customer's responsible salesperson (NONE: nobody).
Signals and complaints store both when they are recorded (`category`, `salesperson`;
`product_category`, `responsible_salesperson`), so that their filtered figures and breakdowns read
indexed columns instead of joining the 160,000 purchases; survey answers look their purchase up.
A customer's score matches a category or salesperson filter when one of their signals does: the
manager asks "who doubts their car?" or "whose customers doubt?".

Period figures count what happened in the period (signals that occurred, complaints received,
survey answers given). Levels, the at-risk list and "open complaints" are the state now.
"""

from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import (
    Avg,
    BigIntegerField,
    BooleanField,
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.fields.json import KT
from django.db.models.functions import Cast, Coalesce, TruncMonth
from django.utils import timezone

from aftersales.access import sees_all_branches, visible_branch_ids
from aftersales.models import Branch
from aftersales.roles import Role
from aftersales.translated import localized
from customers.models import Customer, ProductCategory, Purchase
from customers.selectors import search_query
from followups.models import (
    DETRACTOR_UNTIL,
    PROMOTER_FROM,
    SurveyDay,
    SurveyInvitation,
    SurveyResponse,
)
from quality import scoring
from quality import texts as quality_texts
from quality.models import (
    OPEN_COMPLAINT_STATUSES,
    Complaint,
    ComplaintCategory,
    ComplaintDay,
    DissonanceScore,
    DissonanceSignal,
    Level,
    Nature,
    SignalBranchMonth,
)

NONE = "none"
DEFAULT_PERIOD_DAYS = 90
TREND_MONTHS = 12
AT_RISK_ON_DASHBOARD = 10
TOP_COMPLAINT_CATEGORIES = 8
TOP_REASONS = 3
# People a purchase can be credited to (managers close deals too, see seed_demo).
SELLER_ROLES = (Role.SALES, Role.MANAGER)
LEVEL_STYLES = {
    Level.CRITICAL: "danger",
    Level.HIGH: "warning",
    Level.ELEVATED: "info",
    Level.LOW: "secondary",
}
# The heat maps' shades, weakest to strongest (the .heat-N classes of static/css/app.css).
HEAT_STEPS = (10, 25, 50, 75, 100)


# --- filters -------------------------------------------------------------------------------------


def local_midnight(day):
    return datetime.combine(day, time.min, tzinfo=timezone.get_current_timezone())


def period(start=None, end=None, *, today=None):
    """The period a page or API call asks for, with the defaults filled in: the last day is
    today unless given, the first the 90th day up to the last (both included) unless given.
    The dashboard's form and the API both read their dates through here."""
    end = end or today or timezone.localdate()
    return start or end - timedelta(days=DEFAULT_PERIOD_DAYS - 1), end


@dataclass(frozen=True)
class Filters:
    """What the manager chose. `category` and `salesperson` are an id, NONE or None (any)."""

    start: date
    end: date
    branch: int | None = None
    category: int | str | None = None
    salesperson: int | str | None = None

    @property
    def start_at(self):
        return local_midnight(self.start)

    @property
    def end_at(self):
        """The first moment after the period (the end day is included)."""
        return local_midnight(self.end + timedelta(days=1))

    @classmethod
    def default(cls, today=None):
        start, end = period(today=today)
        return cls(start=start, end=end)


def _customers_salesperson(prefix=""):
    return Subquery(
        Customer.objects.filter(pk=OuterRef(f"{prefix}customer_id"))
        .order_by()
        .values("salesperson_id")[:1]
    )


def _purchases(field, prefix=""):
    return Subquery(
        Purchase.objects.filter(pk=OuterRef(f"{prefix}purchase_id")).order_by().values(field)[:1]
    )


def _seller(prefix=""):
    """Who sold the purchase, else the customer's responsible salesperson, for rows that do not
    store it (survey answers, through their invitation).

    Purchase and customer are looked up by primary key in subqueries rather than joined: joining
    would make PostgreSQL hash all 160,000 purchases to filter a few thousand answers, and
    COALESCE evaluates the customer's only for the rare row without a purchase's salesperson."""
    return Coalesce(
        _purchases("salesperson_id", prefix),
        _customers_salesperson(prefix),
        output_field=BigIntegerField(),
    )


def _with_dimensions(queryset, filters, *, category, salesperson, branch="branch"):
    """Rows in the chosen branch, product category and salesperson. `category` and `salesperson`
    name the row's stored column (signals, complaints: filled when they are recorded, so that
    the filtered aggregates use their indexes and never join the purchases) or are expressions
    computing it (survey answers)."""
    if filters.branch is not None:
        queryset = queryset.filter(**{branch: filters.branch})
    for value, dimension, name in (
        (filters.category, category, "dashboard_category"),
        (filters.salesperson, salesperson, "dashboard_seller"),
    ):
        if value is None:
            continue
        if isinstance(dimension, str):
            name = dimension
        else:
            queryset = queryset.alias(**{name: dimension})
        if value == NONE:
            queryset = queryset.filter(**{f"{name}__isnull": True})
        else:
            queryset = queryset.filter(**{name: value})
    return queryset


def _signal_dimensions(queryset, filters):
    return _with_dimensions(queryset, filters, category="category", salesperson="salesperson")


def signals_in_scope(user, filters):
    """The user's signals in the chosen branch, category and salesperson, of any time."""
    return _signal_dimensions(DissonanceSignal.objects.visible_to(user), filters)


def period_signals(user, filters):
    return signals_in_scope(user, filters).filter(
        occurred_at__gte=filters.start_at, occurred_at__lt=filters.end_at
    )


def complaints_in_scope(user, filters):
    return _with_dimensions(
        Complaint.objects.visible_to(user),
        filters,
        category="product_category",
        salesperson="responsible_salesperson",
    )


def _complaint_days(user, filters):
    """The daily complaint roll-up (ComplaintDay) in the user's branches and the chosen branch,
    product category and salesperson."""
    return _with_dimensions(
        ComplaintDay.objects.visible_to(user),
        filters,
        category="product_category",
        salesperson="salesperson",
    )


def received_in(filters):
    return Q(received_at__gte=filters.start_at, received_at__lt=filters.end_at)


def missed_deadline(now):
    """A complaint that missed its acknowledgement or resolution deadline: done late, or not done
    and the deadline is behind us. Unlike the complaint list's "breached" (open ones overdue
    now), this also counts complaints that were late but have been dealt with since."""
    return (
        Q(acknowledged_at__gt=F("acknowledge_due_at"))
        | Q(acknowledged_at__isnull=True, acknowledge_due_at__lt=now)
        | Q(resolved_at__gt=F("resolve_due_at"))
        | Q(resolved_at__isnull=True, resolve_due_at__lt=now)
    )


def survey_answers(user, filters):
    """Survey answers given in the period, through invitations the user may see."""
    answers = SurveyResponse.objects.filter(
        invitation__in=SurveyInvitation.objects.visible_to(user),
        created_at__gte=filters.start_at,
        created_at__lt=filters.end_at,
    )
    return _with_dimensions(
        answers,
        filters,
        branch="invitation__branch",
        category=_purchases("main_category_id", "invitation__"),
        salesperson=_seller("invitation__"),
    )


def customer_scores(user, filters):
    """Customers' stored scores (not per purchase), the state now."""
    scores = DissonanceScore.objects.visible_to(user).filter(purchase__isnull=True)
    if filters.branch is not None:
        scores = scores.filter(branch=filters.branch)
    if filters.category is not None or filters.salesperson is not None:
        matching = _signal_dimensions(DissonanceSignal.objects.all(), replace(filters, branch=None))
        scores = scores.filter(customer__in=matching.values("customer_id"))
    return scores


# --- choices of the filter form ------------------------------------------------------------------


def branch_choices(user):
    return list(Branch.objects.visible_to(user).order_by("name").values_list("pk", "name"))


def category_choices():
    return list(ProductCategory.objects.order_by("name").values_list("pk", "name"))


def salesperson_choices(user):
    """(id, name) of the people who sell in the user's branches."""
    people = get_user_model().objects.filter(groups__name__in=SELLER_ROLES)
    if not sees_all_branches(user):
        people = people.filter(branches__in=visible_branch_ids(user))
    rows = (
        people.order_by("last_name", "first_name", "username", "pk")
        .values_list("pk", "first_name", "last_name", "username")
        .distinct()
    )
    return [(pk, person_name(first, last, username)) for pk, first, last, username in rows]


def person_name(first_name, last_name, username):
    # As User.__str__ says it, without loading the user.
    return f"{first_name or ''} {last_name or ''}".strip() or username or ""


# --- key figures ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class KeyFigures:
    levels: dict
    new_signals: int
    signal_points: int
    complaints: int
    open_complaints: int
    breached: int
    acknowledged: int
    mean_acknowledge: timedelta | None
    resolved: int
    mean_resolve: timedelta | None
    subjective: int
    surveys: int
    promoters: int
    detractors: int

    @property
    def level_rows(self):
        """(value, label, count, Bootstrap colour) per level, highest first."""
        return [
            (value, label, self.levels[value], LEVEL_STYLES[value])
            for value, label in reversed(Level.choices)
        ]

    @property
    def at_risk(self):
        return sum(self.levels[level] for level in scoring.AT_RISK_LEVELS)

    @property
    def subjective_share(self):
        """Share (0 to 1) of the complaints received in the period that are subjective."""
        return self.subjective / self.complaints if self.complaints else None

    @property
    def nps(self):
        """Net promoter score: promoters (9–10) minus detractors (0–6) in % of all answers."""
        if not self.surveys:
            return None
        return round(100 * (self.promoters - self.detractors) / self.surveys)

    @property
    def mean_acknowledge_hours(self):
        return _hours(self.mean_acknowledge)

    @property
    def mean_resolve_days(self):
        hours = _hours(self.mean_resolve)
        return None if hours is None else hours / 24


def _hours(duration):
    return None if duration is None else duration.total_seconds() / 3600


def level_counts(user, filters):
    """One query: the customers at each level."""
    return customer_scores(user, filters).aggregate(
        **{level: Count("pk", filter=Q(level=level)) for level in Level.values}
    )


def complaint_figures(user, filters, now):
    """One query: everything the key figures say about complaints."""
    received = received_in(filters)
    acknowledged = received & Q(acknowledged_at__isnull=False)
    resolved = received & Q(resolved_at__isnull=False)
    return (
        complaints_in_scope(user, filters)
        .filter(received | Q(status__in=OPEN_COMPLAINT_STATUSES))
        .aggregate(
            complaints=Count("pk", filter=received),
            open_complaints=Count("pk", filter=Q(status__in=OPEN_COMPLAINT_STATUSES)),
            breached=Count("pk", filter=received & missed_deadline(now)),
            acknowledged=Count("pk", filter=acknowledged),
            mean_acknowledge=Avg(F("acknowledged_at") - F("received_at"), filter=acknowledged),
            resolved=Count("pk", filter=resolved),
            mean_resolve=Avg(F("resolved_at") - F("received_at"), filter=resolved),
            subjective=Count("pk", filter=received & Q(nature=Nature.SUBJECTIVE)),
        )
    )


def survey_figures(user, filters):
    """One query over the daily survey roll-up (SurveyDay): answers, promoters and detractors
    of the period."""
    days = _with_dimensions(
        SurveyDay.objects.visible_to(user).filter(day__range=(filters.start, filters.end)),
        filters,
        category="category",
        salesperson="seller",
    )
    return days.aggregate(
        surveys=Coalesce(Sum("answers"), 0),
        promoters=Coalesce(Sum("promoters"), 0),
        detractors=Coalesce(Sum("detractors"), 0),
    )


# --- at-risk customers -------------------------------------------------------------------------


@dataclass(frozen=True)
class Reason:
    """One line of a score's explanation, as stored in DissonanceScore.reasons, with its
    signal's text in the reader's language."""

    summary: str
    kind: str
    points: int
    share: float
    occurred_at: datetime | None
    signal: int | None

    @classmethod
    def from_stored(cls, reason, signals):
        """`signals`: the reasons' signals by id (quality.texts.reason_signals)."""
        occurred_at = reason.get("occurred_at")
        return cls(
            summary=quality_texts.reason_text(reason, signals),
            kind=reason.get("kind", ""),
            points=reason.get("points", 0),
            share=reason.get("share", 0),
            occurred_at=datetime.fromisoformat(occurred_at) if occurred_at else None,
            signal=reason.get("signal"),
        )

    @property
    def percent(self):
        return round(self.share * 100)

    @property
    def age_days(self):
        if self.occurred_at is None:
            return None
        return max((timezone.now() - self.occurred_at).days, 0)


@dataclass(frozen=True)
class AtRiskRow:
    score: DissonanceScore
    reasons: list
    purchase: Purchase | None
    salesperson: object

    @property
    def customer(self):
        return self.score.customer

    @property
    def recovery(self):
        return self.score.recovery_followup

    @property
    def level_style(self):
        """The Bootstrap colour of the score's level."""
        return LEVEL_STYLES.get(self.score.level, "secondary")


def customer_score_list(user, filters, *, level=None, search="", customer=None):
    """The customers' scores, highest first: at risk (high and critical) unless a level is
    given ("all" for every level), of the customers a search term finds (name, e-mail, phone;
    the customer list's full-text search), or of one customer (by id: the customer page's link).
    Each carries the id of the purchase to show: the top reason's purchase, else the customer's
    latest."""
    scores = customer_scores(user, filters)
    if customer is not None:
        scores = scores.filter(customer_id=customer)
    query = search_query(search)
    if query is not None:
        scores = scores.filter(customer__search_vector=query)
    if level is None:
        scores = scores.filter(level__in=scoring.AT_RISK_LEVELS)
    elif level != "all":
        scores = scores.filter(level=level)
    top_signal_purchase = DissonanceSignal.objects.filter(pk=OuterRef("top_signal")).values(
        "purchase_id"
    )[:1]
    latest_purchase = (
        Purchase.objects.filter(customer=OuterRef("customer_id"))
        .order_by("-purchase_date", "-pk")
        .values("pk")[:1]
    )
    return (
        scores.select_related("customer__salesperson", "branch", "recovery_followup__assignee")
        .alias(top_signal=Cast(KT("reasons__0__signal"), BigIntegerField()))
        .annotate(
            shown_purchase_id=Coalesce(
                Subquery(top_signal_purchase),
                Subquery(latest_purchase),
                output_field=BigIntegerField(),
            )
        )
        .order_by("-score", "-level_changed_at", "pk")
    )


def at_risk_rows(scores):
    """The rows of a page of `customer_score_list`: reasons in words, the purchase and the
    salesperson. One query for the signals of the page's reasons (for their texts) with their
    purchases, which are mostly the purchases shown (the top reason's); a second only for the
    customers whose top reason has no purchase (their latest is shown)."""
    scores = list(scores)
    signals = quality_texts.reason_signals(
        (reason for score in scores for reason in score.reasons[:TOP_REASONS]),
        related=("purchase__salesperson", "purchase__main_category"),
    )
    purchases = {
        signal.purchase_id: signal.purchase for signal in signals.values() if signal.purchase_id
    }
    missing = {score.shown_purchase_id for score in scores if score.shown_purchase_id} - set(
        purchases
    )
    if missing:
        purchases |= Purchase.objects.select_related("salesperson", "main_category").in_bulk(
            missing
        )
    rows = []
    for score in scores:
        purchase = purchases.get(score.shown_purchase_id)
        salesperson = purchase.salesperson if purchase and purchase.salesperson_id else None
        rows.append(
            AtRiskRow(
                score=score,
                reasons=[
                    Reason.from_stored(reason, signals) for reason in score.reasons[:TOP_REASONS]
                ],
                purchase=purchase,
                salesperson=salesperson or score.customer.salesperson,
            )
        )
    return rows


# --- where doubt arises --------------------------------------------------------------------------


@dataclass(frozen=True)
class HeatCell:
    column: object
    count: int
    points: int
    step: int  # 0 (nothing) or one of HEAT_STEPS


@dataclass(frozen=True)
class HeatRow:
    key: object  # the product category's id, or NONE
    name: str
    cells: list
    count: int
    points: int


@dataclass(frozen=True)
class HeatMap:
    columns: list  # [(branch id, name)]
    rows: list
    measure: str

    @property
    def count(self):
        return sum(row.count for row in self.rows)

    @property
    def points(self):
        return sum(row.points for row in self.rows)


@dataclass(frozen=True)
class SellerRow:
    key: object  # the user's id, or NONE
    name: str
    signals: int
    points: int
    complaints: int
    step: int


def _step(value, highest):
    if not value or not highest:
        return 0
    return next(step for step in HEAT_STEPS if value / highest <= step / 100)


def missing_names(groups, known):
    """Names of branches, categories and salespeople in `groups` that the filter form's
    choices (`known`: {"branch": {id: name}, ...}) do not list: people who have left a branch,
    categories made since. Usually nothing to ask, so usually no query."""
    lookups = {
        "branch": (Branch.objects, "branch", ("name",)),
        "category": (ProductCategory.objects, "category", ("name",)),
        "salesperson": (
            get_user_model().objects,
            "seller",
            ("first_name", "last_name", "username"),
        ),
    }
    names = {key: dict(values) for key, values in known.items()}
    for key, (manager, column, fields) in lookups.items():
        missing = {g[column] for g in groups if g[column] and g[column] not in names[key]}
        if missing:
            for pk, *parts in manager.filter(pk__in=missing).values_list("pk", *fields):
                names[key][pk] = person_name(*parts) if len(parts) == 3 else parts[0]
    return names


def category_branch_heat_map(groups, names, *, measure="points", none_label=""):
    """Product category (rows) × branch (columns), from `signal_figures`."""
    columns = sorted(
        {(g["branch"], names["branch"].get(g["branch"], "")) for g in groups}, key=lambda c: c[1]
    )
    values, rows_named = {}, {}
    for group in groups:
        category = group["category"] or NONE
        key = (category, group["branch"])
        count, points = values.get(key, (0, 0))
        values[key] = (count + group["count"], points + group["points"])
        rows_named[category] = names["category"].get(category, none_label)
    # Categories by name, signals without a product category last.
    ordered = sorted(rows_named.items(), key=lambda item: (item[0] == NONE, item[1]))
    index = 0 if measure == "count" else 1
    highest = max((pair[index] for pair in values.values()), default=0)
    rows = []
    for key, name in ordered:
        cells = []
        for column, _name in columns:
            count, points = values.get((key, column), (0, 0))
            cells.append(HeatCell(column, count, points, _step((count, points)[index], highest)))
        rows.append(
            HeatRow(
                key=key,
                name=name,
                cells=cells,
                count=sum(cell.count for cell in cells),
                points=sum(cell.points for cell in cells),
            )
        )
    return HeatMap(columns=columns, rows=rows, measure=measure)


def salesperson_doubt(groups, names, *, measure="points", none_label=""):
    """Per salesperson, most doubt first (nobody's last), from `signal_figures`."""
    sellers = {}
    for group in groups:
        key = group["seller"] or NONE
        signals, points, complaints = sellers.get(key, (0, 0, 0))
        sellers[key] = (
            signals + group["count"],
            points + group["points"],
            complaints + group["complaints"],
        )
    index = 0 if measure == "count" else 1
    highest = max((values[index] for values in sellers.values()), default=0)
    rows = [
        SellerRow(
            key=key,
            name=names["salesperson"].get(key, "") if key != NONE else none_label,
            signals=signals,
            points=points,
            complaints=complaints,
            step=_step((signals, points)[index], highest),
        )
        for key, (signals, points, complaints) in sellers.items()
    ]
    return sorted(rows, key=lambda row: (row.key == NONE, -(row.signals, row.points)[index]))


@dataclass(frozen=True)
class CategoryRow:
    category_id: int
    name: str
    total: int
    objective: int
    subjective: int
    unknown: int

    def percent(self, part):
        return round(100 * part / self.total) if self.total else 0

    @property
    def objective_percent(self):
        return self.percent(self.objective)

    @property
    def subjective_percent(self):
        return self.percent(self.subjective)

    @property
    def unknown_percent(self):
        return 100 - self.objective_percent - self.subjective_percent


def top_complaint_categories(user, filters, *, limit=TOP_COMPLAINT_CATEGORIES):
    """One query over the daily complaint roll-up: the complaint categories received most in
    the period, by nature."""
    groups = (
        _complaint_days(user, filters)
        .filter(day__range=(filters.start, filters.end))
        .order_by()
        .values(
            "category",
            category_name=localized("category__name"),
            parent_name=localized("category__parent__name"),
        )
        .annotate(
            total=Sum("complaints"),
            objective=Coalesce(Sum("complaints", filter=Q(nature=Nature.OBJECTIVE)), 0),
            subjective=Coalesce(Sum("complaints", filter=Q(nature=Nature.SUBJECTIVE)), 0),
            unknown=Coalesce(Sum("complaints", filter=Q(nature=Nature.UNKNOWN)), 0),
        )
        .filter(total__gt=0)
        .order_by("-total", "category_name", "category")[:limit]
    )
    return [
        CategoryRow(
            category_id=group["category"],
            name=(
                f"{group['parent_name']} → {group['category_name']}"
                if group["parent_name"]
                else group["category_name"]
            ),
            total=group["total"],
            objective=group["objective"],
            subjective=group["subjective"],
            unknown=group["unknown"],
        )
        for group in groups
    ]


# --- trend ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrendMonth:
    start: date
    end: date  # the month's last day
    signals: int
    points: int
    customers: int  # with at least one signal in the month
    mean_score: float | None
    complaints: int
    subjective: int


def trend_months(today=None, count=TREND_MONTHS):
    """The first days of the last `count` months, this month last."""
    today = today or timezone.localdate()
    months = []
    year, month = today.year, today.month
    for _step_back in range(count):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def _next_month(day):
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


def _points_added():
    """A signal's points as its customer's score weighs them: the SQL function that the monthly
    roll-up's triggers use too (migration quality 0016)."""
    return Func(
        F("weight"),
        F("category__involvement"),
        F("occurred_at"),
        F("handover_date"),
        function="quality_signal_added",
        output_field=DecimalField(),
    )


def _signal_months(user, filters, *, months):
    """The trend's months from the monthly roll-up per branch (SignalBranchMonth), as
    `signal_figures` computes them from the signals: one query over a row per month and branch."""
    rows = SignalBranchMonth.objects.visible_to(user).filter(month__gte=months[0], customers__gt=0)
    if filters.branch is not None:
        rows = rows.filter(branch=filters.branch)
    return {
        row["month"]: (
            row["signals"],
            row["points"],
            row["customers"],
            row["score_sum"] / row["customers"],
        )
        for row in rows.order_by()
        .values("month")
        .annotate(
            signals=Sum("signals"),
            points=Sum("points"),
            customers=Sum("customers"),
            score_sum=Sum("score_sum"),
        )
    }


def signal_figures(user, filters, *, months, now):
    """Everything the dashboard says about signals, in one query over the signals:

    - the period's signals grouped by branch, product category and salesperson, counted and
      weighed (both heat maps and "new signals" are sums of these few rows);
    - per month of the trend: signals, points, customers with any, and the mean score.

    The mean score of a month is what the month's signals in a branch add to the score of a
    customer who had any there (weights, involvement and early-months factors of
    quality.scoring, capped at 100), averaged over those customers. Scores are stored only as
    they are now; recomputing every customer's decayed score at each month's end would join
    every signal with every month (several hundred milliseconds with 100,000 customers), so the
    trend shows the doubt that arose each month instead, on the same 0–100 scale.

    Without a category or salesperson filter the months come from the monthly roll-up instead
    (`_signal_months`, a second query), and the signals are read for the period only: a year
    of a big dealer's signals is tens of thousands.

    Returns (groups: [{branch, category, seller, count, points, complaints}],
    trend: {first day of month: (signals, points, customers, mean score)})."""
    rolled_up = filters.category is None and filters.salesperson is None
    trend_start = local_midnight(months[0])
    in_period = Q(occurred_at__gte=filters.start_at, occurred_at__lt=filters.end_at)
    in_trend = Value(False) if rolled_up else Q(occurred_at__gte=trend_start)
    # Only the trend weighs the signals; the roll-up has done it for the unfiltered one.
    added = Value(0, output_field=DecimalField()) if rolled_up else _points_added()
    since = filters.start_at if rolled_up else min(trend_start, filters.start_at)
    signals = (
        signals_in_scope(user, filters)
        .filter(occurred_at__gte=since, occurred_at__lt=now)
        .order_by()
        # All annotations, so that the outer query can name every column.
        .annotate(
            s_branch=F("branch_id"),
            s_category=F("category_id"),
            s_seller=F("salesperson_id"),
            s_customer=F("customer_id"),
            s_complaint=Case(
                When(kind=DissonanceSignal.Kind.COMPLAINT, then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            s_weight=F("weight"),
            s_month=TruncMonth("occurred_at"),
            s_in_period=ExpressionWrapper(in_period, output_field=BooleanField()),
            s_in_trend=ExpressionWrapper(in_trend, output_field=BooleanField()),
            s_added=added,
        )
        .values(
            "s_branch",
            "s_category",
            "s_seller",
            "s_customer",
            "s_complaint",
            "s_weight",
            "s_month",
            "s_in_period",
            "s_in_trend",
            "s_added",
        )
    )
    inner_sql, params = signals.query.sql_with_params()
    sql = f"""
        WITH s AS MATERIALIZED ({inner_sql})
        SELECT 'group', s_branch, s_category, s_seller, NULL::timestamp,
               COUNT(*), SUM(s_weight), SUM(s_complaint), NULL::bigint, NULL::float
        FROM s WHERE s_in_period
        GROUP BY s_branch, s_category, s_seller
        UNION ALL
        SELECT 'month', NULL, NULL, NULL, s_month,
               SUM(n), SUM(points), NULL, COUNT(*), AVG(score)::float
        FROM (
            SELECT s_month, s_customer, COUNT(*) AS n, SUM(s_weight) AS points,
                   LEAST(100, ROUND(SUM(s_added))) AS score
            FROM s WHERE s_in_trend
            GROUP BY s_month, s_branch, s_customer
        ) AS per_customer
        GROUP BY s_month
    """  # noqa: S608  # nosec B608 (the inner query is Django's; parameters passed apart)
    groups, trend_rows = [], {}
    # The planner's estimate for the whole year of signals can pass jit_above_cost; every
    # connection has JIT off (aftersales.settings: DATABASES' options), compiling would cost
    # more than the query.
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for (
            part,
            branch,
            category,
            seller,
            month,
            count,
            points,
            extra,
            customers,
            mean,
        ) in cursor.fetchall():
            if part == "group":
                groups.append(
                    {
                        "branch": branch,
                        "category": category,
                        "seller": seller,
                        "count": int(count),
                        "points": int(points),
                        "complaints": int(extra),
                    }
                )
            else:
                trend_rows[_month_start(month)] = (int(count), int(points), customers, mean)
    if rolled_up:
        trend_rows = _signal_months(user, filters, months=months)
    return groups, trend_rows


def _month_start(value):
    """TruncMonth's value from raw SQL: a naive local timestamp (or a date)."""
    return value.date() if isinstance(value, datetime) else value


def trend(user, filters, signal_months, *, months):
    """The last 12 months, whatever the period: the signals' months from `signal_figures` and
    one query over the daily complaint roll-up for the complaints."""
    complaint_months = {
        row["month"]: row
        for row in _complaint_days(user, filters)
        .filter(day__gte=months[0])
        .annotate(month=TruncMonth("day"))
        .order_by()
        .values("month")
        .annotate(
            count=Sum("complaints"),
            subjective=Coalesce(Sum("complaints", filter=Q(nature=Nature.SUBJECTIVE)), 0),
        )
    }
    result = []
    for month in months:
        signals, points, customers, mean = signal_months.get(month, (0, 0, 0, None))
        complaints = complaint_months.get(month, {})
        result.append(
            TrendMonth(
                start=month,
                end=_next_month(month) - timedelta(days=1),
                signals=signals,
                points=points,
                customers=customers,
                mean_score=mean,
                complaints=complaints.get("count", 0),
                subjective=complaints.get("subjective", 0),
            )
        )
    return result


# --- everything on the dashboard -----------------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    filters: Filters
    figures: KeyFigures
    at_risk: list
    heat_map: HeatMap
    salespeople: list
    categories: list
    trend: list


def overview(user, filters, *, measure="points", known_names=None, none_labels=("", ""), now=None):
    """The whole dashboard in a fixed number of queries (seven, plus the three of
    `known_names` when the caller has not read them for its filter form already)."""
    now = now or timezone.now()
    no_category, no_salesperson = none_labels
    if known_names is None:
        known_names = {
            "branch": branch_choices(user),
            "category": category_choices(),
            "salesperson": salesperson_choices(user),
        }
    months = trend_months(timezone.localdate(now))
    groups, signal_months = signal_figures(user, filters, months=months, now=now)
    names = missing_names(groups, known_names)
    heat_map = category_branch_heat_map(groups, names, measure=measure, none_label=no_category)
    figures = KeyFigures(
        levels=level_counts(user, filters),
        # The groups add up to the period's signals: no query of their own.
        new_signals=heat_map.count,
        signal_points=heat_map.points,
        **complaint_figures(user, filters, now),
        **survey_figures(user, filters),
    )
    return Overview(
        filters=filters,
        figures=figures,
        at_risk=at_risk_rows(customer_score_list(user, filters)[:AT_RISK_ON_DASHBOARD]),
        heat_map=heat_map,
        salespeople=salesperson_doubt(groups, names, measure=measure, none_label=no_salesperson),
        categories=top_complaint_categories(user, filters),
        trend=trend(user, filters, signal_months, months=months),
    )


# --- the lists behind the numbers ----------------------------------------------------------------


def signal_list(user, filters, *, kind=""):
    """The period's signals (the heat maps' cells, the salespeople's rows, "new signals")."""
    signals = period_signals(user, filters)
    if kind:
        signals = signals.filter(kind=kind)
    return signals.select_related(
        "customer__salesperson",
        "branch",
        "purchase__main_category",
        "purchase__salesperson",
        *quality_texts.SIGNAL_TEXT_RELATED,
    ).order_by("-occurred_at", "-pk")


def complaint_list(user, filters, *, state="", nature="", category=None, now=None):
    """Complaints behind the key figures and the category table: received in the period
    (state ""), open now, received and late, received and acknowledged or resolved (with the
    time it took)."""
    now = now or timezone.now()
    complaints = complaints_in_scope(user, filters)
    complaints = complaints.open() if state == "open" else complaints.filter(received_in(filters))
    if state == "breached":
        complaints = complaints.filter(missed_deadline(now))
    elif state == "acknowledged":
        complaints = complaints.filter(acknowledged_at__isnull=False)
    elif state == "resolved":
        complaints = complaints.filter(resolved_at__isnull=False)
    if nature:
        complaints = complaints.filter(nature=nature)
    if category is not None:
        complaints = complaints.filter(category=category)
    return (
        complaints.select_related(
            "customer", "branch", "category__parent", "owner", "purchase__main_category"
        )
        .annotate(
            time_to_acknowledge=F("acknowledged_at") - F("received_at"),
            time_to_resolve=F("resolved_at") - F("received_at"),
        )
        .order_by("-received_at", "-pk")
    )


def complaint_category(pk):
    """The complaint category a list is about, for its heading (None if there is none)."""
    return ComplaintCategory.objects.select_related("parent").filter(pk=pk).first()


def survey_list(user, filters, *, answer=""):
    answers = survey_answers(user, filters)
    if answer == "promoter":
        answers = answers.filter(nps__gte=PROMOTER_FROM)
    elif answer == "detractor":
        answers = answers.filter(nps__lte=DETRACTOR_UNTIL)
    elif answer == "passive":
        answers = answers.filter(nps__gt=DETRACTOR_UNTIL, nps__lt=PROMOTER_FROM)
    return answers.select_related(
        "invitation__customer", "invitation__branch", "invitation__purchase__main_category"
    ).order_by("-created_at", "-pk")


def key_figures(user, filters):
    """The dashboard's key figures (quality.dashboard) in four aggregate queries: levels,
    the period's signals, complaints, survey answers."""
    signals = period_signals(user, filters).aggregate(
        new_signals=Count("pk"), signal_points=Coalesce(Sum("weight"), 0)
    )
    return KeyFigures(
        levels=level_counts(user, filters),
        **signals,
        **complaint_figures(user, filters, timezone.now()),
        **survey_figures(user, filters),
    )
