"""Figures about follow-ups that dashboards and higher apps read (the staff scorecards read
adherence here, docs/architecture.md): selectors returning plain, frozen results, scoped to the
user."""

from dataclasses import dataclass, fields

from django.db.models import DateTimeField, Q, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales import rollup_triggers
from aftersales.expressions import LocalDate
from followups.models import AdherenceDay


@dataclass(frozen=True)
class Adherence:
    """How follow-ups due in a period went.

    on_time: done on or before the due date (the completion's date in the branch's time zone);
    late: done after it; missed: never done (not reached too often, or open past the deadline);
    overdue: still open with the due date behind us; pending: open and not yet due.
    Cancelled follow-ups (a cancelled purchase) count nowhere. A snoozed or rescheduled
    follow-up is measured against its current due date.
    """

    on_time: int = 0
    late: int = 0
    missed: int = 0
    overdue: int = 0
    pending: int = 0

    def __add__(self, other):
        return Adherence(
            **{
                field.name: getattr(self, field.name) + getattr(other, field.name)
                for field in fields(self)
            }
        )

    @property
    def total(self):
        return self.on_time + self.late + self.missed + self.overdue + self.pending

    @property
    def settled(self):
        """Those that are already on time or not: everything but the pending ones."""
        return self.total - self.pending

    @property
    def on_time_rate(self):
        """Share (0 to 1) of the settled follow-ups done on time; None when there are none."""
        return self.on_time / self.settled if self.settled else None


@dataclass(frozen=True)
class AdherenceRow:
    """The figures of one person (id None: nobody assigned) or one branch."""

    id: int | None
    name: str
    figures: Adherence


@dataclass(frozen=True)
class AdherenceFigures:
    by_person: tuple[AdherenceRow, ...]
    by_branch: tuple[AdherenceRow, ...]
    total: Adherence

    def for_person(self, user_id):
        return next((row.figures for row in self.by_person if row.id == user_id), Adherence())

    def for_branch(self, branch_id):
        return next((row.figures for row in self.by_branch if row.id == branch_id), Adherence())


def _person_name(row):
    # As User.__str__ does it, without loading the users.
    full_name = f"{row['assignee__first_name']} {row['assignee__last_name']}".strip()
    return full_name or row["assignee__username"]


def followup_adherence(user, *, start, end, branch=None, assignee=None):
    """Adherence per person (the assignee) and per branch for the follow-ups due from `start` to
    `end` (dates, inclusive) that `user` may see, optionally in one branch or of one person.

    One query over the daily roll-up (AdherenceDay: a few rows per person and day, however many
    follow-ups), grouped by branch and assignee; the open ones are overdue before today in their
    branch's time zone. The sums per person and per branch are added up here.
    """
    today = LocalDate("branch__time_zone", Value(timezone.now(), output_field=DateTimeField()))
    days = AdherenceDay.objects.visible_to(user).filter(
        due_date__range=(start, end), followups__gt=0
    )
    if branch is not None:
        days = days.filter(branch=branch)
    if assignee is not None:
        days = days.filter(assignee=assignee)

    def counted(**conditions):
        return Coalesce(Sum("followups", filter=Q(**conditions)), 0)

    Outcome = AdherenceDay.Outcome
    groups = (
        days.order_by()
        .values(
            "branch",
            "branch__name",
            "assignee",
            "assignee__username",
            "assignee__first_name",
            "assignee__last_name",
        )
        .annotate(
            on_time=counted(outcome=Outcome.ON_TIME),
            late=counted(outcome=Outcome.LATE),
            missed=counted(outcome=Outcome.MISSED),
            overdue=counted(outcome=Outcome.OPEN, due_date__lt=today),
            pending=counted(outcome=Outcome.OPEN, due_date__gte=today),
        )
    )
    people, branches = {}, {}
    total = Adherence()
    for row in groups:
        figures = Adherence(
            on_time=row["on_time"],
            late=row["late"],
            missed=row["missed"],
            overdue=row["overdue"],
            pending=row["pending"],
        )
        total += figures
        person_id = row["assignee"]
        name = _person_name(row) if person_id is not None else _("Not assigned")
        people[person_id] = (name, people.get(person_id, ("", Adherence()))[1] + figures)
        branches[row["branch"]] = (
            row["branch__name"],
            branches.get(row["branch"], ("", Adherence()))[1] + figures,
        )
    return AdherenceFigures(
        # People by name, with the follow-ups nobody was assigned to last.
        by_person=tuple(
            AdherenceRow(id=pk, name=name, figures=figures)
            for pk, (name, figures) in sorted(
                people.items(), key=lambda item: (item[0] is None, item[1][0].lower(), item[0])
            )
        ),
        by_branch=tuple(
            AdherenceRow(id=pk, name=name, figures=figures)
            for pk, (name, figures) in sorted(
                branches.items(), key=lambda item: (item[1][0].lower(), item[0])
            )
        ),
        total=total,
    )


def rebuild_rollups():
    """The adherence and survey roll-ups again from the raw follow-ups and answers (the nightly
    tick), by their triggers' definitions (migrations followups 0010, 0011): this also follows
    a branch's changed time zone and a surveyed purchase's changed salesperson or category."""
    rollup_triggers.rebuild("followups_adherence", "followups_adherenceday")
    rollup_triggers.rebuild("followups_survey_day", "followups_surveyday")
