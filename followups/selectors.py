"""Reads of the follow-ups app, scoped to the user and joined for the pages that show them."""

from dataclasses import dataclass
from datetime import timedelta
from operator import attrgetter

from django.contrib.auth import get_user_model
from django.core.paginator import Page, Paginator
from django.db.models import Count, Prefetch, Q, Value
from django.utils import timezone

from aftersales import texts
from aftersales.models import Branch
from aftersales.roles import Role
from customers.models import Customer, PurchaseLine
from customers.selectors import search_customers
from followups.models import ContactEvent, FollowUp, Playbook, PlaybookStep, StepKind

# --- Browser pages: inbox, follow-up detail, team view, playbooks ---

UPCOMING_DAYS = 14
# Each inbox section (and "N more later") is counted up to this many and pages that far; beyond,
# the inbox says "1,000+" ("more than 1,000 later"): nobody works through more in one list, and a
# count of every open follow-up of a year's plan would read tens of thousands of rows.
SECTION_COUNTED = 1000
TEAM_UPCOMING_DAYS = 7
TEAM_RECENT_DAYS = 30
# People who work follow-ups (quality managers and mystery shoppers do not).
FOLLOWUP_ROLES = [Role.SALES, Role.SERVICE, Role.MANAGER]


def _with_rows_joined(followups):
    """What a follow-up row shows: customer, purchase with its products, assignee, branch."""
    return followups.select_related(
        "customer", "purchase", "purchase__main_category", "assignee", "branch"
    ).prefetch_related(
        Prefetch("purchase__lines", PurchaseLine.objects.select_related("product").order_by("pk"))
    )


def prepare_texts(followups):
    """Before a list shows its follow-ups' generated instructions (a recovery call's questions
    from the customers' open complaints): load what they need for all of them at once."""
    followups = list(followups)
    texts.prepare(followups, code_of=attrgetter("instructions_code"))
    return followups


def _filtered(followups, *, branch=None, kind="", search="", assignee=None):
    if branch:
        followups = followups.filter(branch=branch)
    if kind in StepKind.values:
        followups = followups.filter(kind=kind)
    if search:
        followups = followups.filter(
            customer__in=search_customers(Customer.objects.all(), search).values("pk")
        )
    if assignee:
        followups = followups.filter(assignee=assignee)
    return followups


# Rows per section and page: the most urgent 45 follow-ups at a glance, each section paged on its
# own; 25 a section made the page the slowest of all (170 ms at a million customers).
INBOX_PAGE_SIZE = 15
INBOX_SECTIONS = ("overdue", "today", "upcoming")


class _CountedPaginator(Paginator):
    """A paginator told its total (the ids the inbox found, up to SECTION_COUNTED) instead of
    counting itself; `beyond` says there are more than that."""

    def __init__(self, count, per_page, *, beyond=False):
        super().__init__((), per_page)
        self.count = count
        self.beyond = beyond


@dataclass
class Inbox:
    """Each section is a page (a sequence of follow-ups; `section.paginator.count` is its
    total) with its own page parameter, so a long overdue list cannot crowd out today's."""

    overdue: Page
    today: Page
    upcoming: Page
    # Open follow-ups later than the upcoming window (shown on request), counted up to
    # SECTION_COUNTED; `later_beyond` says there are more.
    later_count: int = 0
    later_beyond: bool = False

    @property
    def is_empty(self):
        return not (
            self.overdue.paginator.count
            or self.today.paginator.count
            or self.upcoming.paginator.count
        )


def inbox_for(user, *, branch=None, kind="", search="", show_all=False, today=None, pages=None):
    """The user's open follow-ups in three sections (overdue, due today, upcoming), one page of
    each; `pages` maps a section to its requested page number.

    Never every open follow-up: one UNION ALL takes each section's first SECTION_COUNTED + 1
    ids in order by the partial index of open follow-ups by assignee and due date (and as many
    beyond the horizon, for "more later"), which gives both the counts and the pages' ids; one
    query joins the page's rows and one fetches their products: three queries and at most a few
    thousand index entries however long the inbox."""
    today = today or timezone.localdate()
    pages = pages or {}
    horizon = today + timedelta(days=UPCOMING_DAYS)
    followups = _filtered(
        FollowUp.objects.visible_to(user).open().for_people().filter(assignee=user),
        branch=branch,
        kind=kind,
        search=search,
    )
    upcoming = Q(due_date__gt=today) if show_all else Q(due_date__gt=today, due_date__lte=horizon)
    sections = {
        "overdue": Q(due_date__lt=today),
        "today": Q(due_date=today),
        "upcoming": upcoming,
    }
    if not show_all:
        sections["later"] = Q(due_date__gt=horizon)
    id_queries = [
        followups.filter(condition)
        .order_by("due_date", "pk")
        .values_list("pk", "due_date", Value(name))[: SECTION_COUNTED + 1]
        for name, condition in sections.items()
    ]
    found = {name: [] for name in sections}
    for pk, due_date, name in id_queries[0].union(*id_queries[1:], all=True):
        found[name].append((due_date, pk))
    section_pages = {}
    for name in INBOX_SECTIONS:
        ordered = sorted(found[name])
        paginator = _CountedPaginator(
            min(len(ordered), SECTION_COUNTED),
            INBOX_PAGE_SIZE,
            beyond=len(ordered) > SECTION_COUNTED,
        )
        page = paginator.get_page(pages.get(name))
        window = ordered[page.start_index() - 1 : page.end_index()]
        page.object_list = [pk for _due_date, pk in window]
        section_pages[name] = page
    shown = [pk for page in section_pages.values() for pk in page.object_list]
    rows = {}
    if shown:
        rows = {row.pk: row for row in _with_rows_joined(FollowUp.objects.filter(pk__in=shown))}
    for page in section_pages.values():
        page.object_list = [rows[pk] for pk in page.object_list]
    later = len(found.get("later", ()))
    return Inbox(
        **section_pages,
        later_count=min(later, SECTION_COUNTED),
        later_beyond=later > SECTION_COUNTED,
    )


def inbox_branches(user):
    """The branches the inbox can be filtered by: those the user works in."""
    return Branch.objects.visible_to(user).filter(is_active=True).order_by("name")


def followup_detail(user, pk):
    """One follow-up the user may see, with everything its page shows; DoesNotExist otherwise."""
    return (
        FollowUp.objects.visible_to(user)
        .select_related(
            "customer",
            "purchase",
            "purchase__main_category",
            "purchase__salesperson",
            "branch",
            "assignee",
            "completed_by",
            "step",
            "step__playbook",
        )
        .prefetch_related(
            Prefetch(
                "purchase__lines", PurchaseLine.objects.select_related("product").order_by("pk")
            ),
            Prefetch(
                "contacts", ContactEvent.objects.select_related("by").order_by("-happened_at")
            ),
        )
        .get(pk=pk)
    )


def followup_row(user, pk):
    """One follow-up with what its row in a list shows (the htmx partials)."""
    return _with_rows_joined(FollowUp.objects.visible_to(user)).get(pk=pk)


def assignable_staff(branch):
    """Active people who work follow-ups in the branch: who a follow-up can be handed to."""
    return (
        get_user_model()
        .objects.filter(is_active=True, branches=branch, groups__name__in=FOLLOWUP_ROLES)
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def team_staff(user):
    """People who work follow-ups in the branches the user sees (the team view's filter)."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            branches__in=Branch.objects.visible_to(user),
            groups__name__in=FOLLOWUP_ROLES,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def team_overview(user, *, branch=None, assignee=None, today=None, now=None):
    """Per assignee and branch: overdue, due today, upcoming 7 days, done and missed in the
    last 30 days. One aggregate query (GROUP BY assignee, branch), however large the team."""
    today = today or timezone.localdate()
    since = (now or timezone.now()) - timedelta(days=TEAM_RECENT_DAYS)
    upcoming_until = today + timedelta(days=TEAM_UPCOMING_DAYS)
    is_open = Q(status=FollowUp.Status.OPEN)
    recent_done = Q(status=FollowUp.Status.DONE, completed_at__gte=since)
    recent_missed = Q(status=FollowUp.Status.MISSED, missed_at__gte=since)
    followups = _filtered(FollowUp.objects.visible_to(user), branch=branch, assignee=assignee)
    rows = list(
        followups.filter((is_open & Q(due_date__lte=upcoming_until)) | recent_done | recent_missed)
        .values(
            "assignee_id",
            "assignee__username",
            "assignee__first_name",
            "assignee__last_name",
            "branch_id",
            "branch__name",
        )
        .annotate(
            overdue=Count("pk", filter=is_open & Q(due_date__lt=today)),
            due_today=Count("pk", filter=is_open & Q(due_date=today)),
            upcoming=Count("pk", filter=is_open & Q(due_date__gt=today)),
            done=Count("pk", filter=recent_done),
            missed=Count("pk", filter=recent_missed),
        )
        .order_by("branch__name", "assignee__last_name", "assignee__first_name", "assignee_id")
    )
    for row in rows:
        full_name = f"{row['assignee__first_name']} {row['assignee__last_name']}".strip()
        row["assignee_name"] = full_name or row["assignee__username"]
    return rows


def team_followups(user, *, branch=None, assignee=None, overdue_only=False, today=None):
    """The open follow-ups of the user's branches, oldest due first."""
    today = today or timezone.localdate()
    followups = _filtered(
        FollowUp.objects.visible_to(user).open().for_people(), branch=branch, assignee=assignee
    )
    if overdue_only:
        followups = followups.filter(due_date__lt=today)
    return _with_rows_joined(followups).order_by("due_date", "pk")


PLAYBOOK_ORDERINGS = {
    "name": ("name",),
    "-name": ("-name",),
    "updated": ("updated_at",),
    "-updated": ("-updated_at",),
}


def playbook_list(*, search="", active=None, ordering="name"):
    playbooks = Playbook.objects.select_related("category").annotate(step_count=Count("steps"))
    if search:
        playbooks = playbooks.filter(
            Q(name__icontains=search) | Q(category__name__icontains=search)
        )
    if active is not None:
        playbooks = playbooks.filter(is_active=active)
    return playbooks.order_by(*PLAYBOOK_ORDERINGS.get(ordering, ("name",)), "pk")


def playbook_detail(pk):
    return (
        Playbook.objects.select_related("category")
        .prefetch_related(
            Prefetch("steps", PlaybookStep.objects.order_by(*PlaybookStep._meta.ordering))
        )
        .get(pk=pk)
    )
