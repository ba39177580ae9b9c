"""The adherence roll-up (AdherenceDay) that the scorecards read: kept by the follow-ups'
triggers through every kind of write, and equal to a count over the raw follow-ups, which is
worked out here in Python, independently of the SQL outcome function."""

import random
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from aftersales.bulk import insert_objects
from aftersales.models import Branch, User
from followups.figures import rebuild_rollups
from followups.models import AdherenceDay, FollowUp
from tests.aftersales.factories import BranchFactory, UserFactory
from tests.customers.factories import CustomerFactory
from tests.followups.test_figures import make

Status = FollowUp.Status
DAY = date(2026, 6, 1)


def expected():
    """The roll-up as it must be: the follow-ups counted by due day, branch, assignee and
    outcome, the outcome from the completion's local date in the branch's zone."""
    counts = Counter()
    for followup in FollowUp.objects.select_related("branch"):
        if followup.status == Status.DONE:
            if followup.completed_at is None:
                continue
            done_on = followup.completed_at.astimezone(ZoneInfo(followup.branch.time_zone)).date()
            outcome = "on_time" if done_on <= followup.due_date else "late"
        elif followup.status == Status.CANCELLED:
            continue
        else:
            outcome = followup.status
        counts[(followup.due_date, followup.branch_id, followup.assignee_id, outcome)] += 1
    return dict(counts)


def rolled_up():
    return {
        (row.due_date, row.branch_id, row.assignee_id, row.outcome): row.followups
        for row in AdherenceDay.objects.exclude(followups=0)
    }


@pytest.fixture
def branches(db):
    return [
        BranchFactory(name="Berlin", code="BER", time_zone="Europe/Berlin"),
        BranchFactory(name="New York", code="NYC", time_zone="America/New_York"),
    ]


@pytest.fixture
def people(branches):
    return [UserFactory(username=f"person{index}") for index in range(3)]


def random_followups(generator, branches, people, count):
    """Follow-ups in every state, completions around midnight of either zone."""
    for _ in range(count):
        branch = generator.choice(branches)
        due = DAY + timedelta(days=generator.randrange(10))
        status = generator.choice(list(Status))
        completed_at = None
        if status == Status.DONE:
            completed_at = datetime.combine(due, datetime.min.time(), tzinfo=UTC) + timedelta(
                hours=generator.randrange(-30, 54)
            )
        make(branch, generator.choice([*people, None]), due, status, completed_at)


def test_every_kind_of_write_keeps_the_rollup(branches, people):
    generator = random.Random(12)
    random_followups(generator, branches, people, 60)
    assert rolled_up() == expected()

    followups = list(FollowUp.objects.order_by("pk"))
    # One row at a time, as the services write: completed late, moved, handed over.
    first, second, third = followups[:3]
    first.status, first.completed_at = Status.DONE, datetime(2026, 7, 1, 9, tzinfo=UTC)
    first.save()
    second.due_date += timedelta(days=3)
    second.save(update_fields=["due_date"])
    third.assignee = people[0] if third.assignee != people[0] else people[1]
    third.save()
    assert rolled_up() == expected()

    # Set-based, as the hourly tick marks missed ones and a cancelled purchase cancels them.
    FollowUp.objects.filter(status=Status.OPEN, due_date__lt=DAY + timedelta(days=5)).update(
        status=Status.MISSED
    )
    FollowUp.objects.filter(pk__in=[row.pk for row in followups[10:20]]).update(
        status=Status.CANCELLED
    )
    # A change that touches no counted field counts nothing twice.
    FollowUp.objects.filter(pk__in=[row.pk for row in followups[20:30]]).update(notes="called")
    assert rolled_up() == expected()

    # Deleted follow-ups and a deleted person (the follow-ups go to nobody).
    FollowUp.objects.filter(pk__in=[row.pk for row in followups[30:35]]).delete()
    User.objects.filter(pk=people[2].pk).delete()
    assert rolled_up() == expected()


def test_a_bulk_copy_is_rolled_up_once(branches, people):
    customer = CustomerFactory(branch=branches[0])
    followups = [
        FollowUp(
            customer=customer,
            branch=branches[0],
            kind="check_in",
            channel="phone",
            purpose="care",
            title="Check-in",
            assignee_role="salesperson",
            assignee=people[index % 3],
            planned_date=DAY + timedelta(days=index % 4),
            due_date=DAY + timedelta(days=index % 4),
        )
        for index in range(1200)
    ]
    insert_objects(FollowUp, followups, now=datetime(2026, 6, 1, 8, tzinfo=UTC))
    assert sum(rolled_up().values()) == 1200
    assert rolled_up() == expected()


def test_the_nightly_rebuild_gives_the_same_rows_and_follows_a_new_time_zone(branches, people):
    generator = random.Random(3)
    random_followups(generator, branches, people, 40)
    kept = rolled_up()
    rebuild_rollups()
    assert rolled_up() == kept == expected()

    # A branch's zone is changed: a completion late in the evening may land on another day.
    Branch.objects.filter(pk=branches[0].pk).update(time_zone="Pacific/Auckland")
    rebuild_rollups()
    assert rolled_up() == expected()


def test_the_day_ends_at_midnight_in_the_branchs_zone(db):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT followups_adherence_outcome('done', %s, %s, 'Europe/Berlin'),"
            " followups_adherence_outcome('done', %s, %s, 'Europe/Berlin'),"
            " followups_adherence_outcome('cancelled', NULL, %s, 'Europe/Berlin')",
            [
                datetime(2026, 6, 2, 21, 59, tzinfo=UTC),
                date(2026, 6, 2),
                datetime(2026, 6, 2, 22, 1, tzinfo=UTC),
                date(2026, 6, 2),
                date(2026, 6, 2),
            ],
        )
        assert cursor.fetchone() == ("on_time", "late", None)
