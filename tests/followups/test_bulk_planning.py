"""Planning in bulk (seed_playbooks, the CSV import) makes exactly the follow-ups the planner of
one purchase makes, with a number of queries that does not grow with the purchases."""

from datetime import date, timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import InvolvementLevel, Purchase
from followups import services
from followups.models import AssigneeRole, FollowUp, Playbook, PlaybookStep, StepKind
from tests.aftersales.factories import BranchFactory, UserFactory
from tests.customers.factories import CustomerFactory, ProductCategoryFactory, PurchaseFactory

TODAY = date(2026, 6, 1)
PLANNED_FIELDS = (
    "purchase_id", "customer_id", "branch_id", "step_id", "kind", "channel", "purpose", "title",
    "assignee_role", "assignee_id", "planned_date", "due_date", "status",
)  # fmt: skip


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(TODAY, tick=False):
        yield


@pytest.fixture
def world(db):
    """Two branches (one in Vienna, with a service team), a category with its own playbook, one
    planned by its involvement's fallback, one without any; sellers, one of them gone."""
    north = BranchFactory(code="BULKN")
    south = BranchFactory(code="BULKS", time_zone="Europe/Vienna", country="AT")
    cars = ProductCategoryFactory(code="bulk-cars", involvement=InvolvementLevel.HIGH)
    tyres = ProductCategoryFactory(code="bulk-tyres", involvement=InvolvementLevel.LOW)
    loose = ProductCategoryFactory(code="bulk-loose", involvement=InvolvementLevel.MEDIUM)
    own = Playbook.objects.create(name="Cars", category=cars)
    fallback = Playbook.objects.create(name="Low", involvement=InvolvementLevel.LOW)
    for playbook, offset, kind, who, anchor in [
        (own, 1, StepKind.THANK_YOU, AssigneeRole.SALESPERSON, PlaybookStep.Anchor.HANDOVER),
        (own, 6, StepKind.CHECK_IN, AssigneeRole.SALESPERSON, PlaybookStep.Anchor.HANDOVER),
        (own, 30, StepKind.SERVICE_REMINDER, AssigneeRole.SERVICE, PlaybookStep.Anchor.HANDOVER),
        (own, -60, StepKind.WARRANTY_END, AssigneeRole.MANAGER, PlaybookStep.Anchor.WARRANTY_END),
        (fallback, 3, StepKind.CHECK_IN, AssigneeRole.SALESPERSON, PlaybookStep.Anchor.HANDOVER),
    ]:
        PlaybookStep.objects.create(
            playbook=playbook,
            offset_days=offset,
            kind=kind,
            assignee_role=who,
            anchor=anchor,
            title=f"{kind} {offset}",
        )
    sellers = [
        UserFactory(roles=["sales"], branches=[north]),
        UserFactory(roles=["sales"], branches=[south]),
        UserFactory(roles=["sales"], branches=[north], is_active=False),
    ]
    UserFactory(roles=["manager"], branches=[north, south])
    UserFactory(roles=["service"], branches=[south])
    return {"branches": (north, south), "categories": (cars, tyres, loose), "sellers": sellers}


def purchases(world, count):
    """`count` purchases spread over branches, categories, sellers and handover dates: some in
    the future, some so old their steps are missed, some without handover, some cancelled."""
    made = []
    for number in range(count):
        branch = world["branches"][number % 2]
        handover = TODAY + timedelta(days=(number * 7) % 120 - 100)
        made.append(
            PurchaseFactory(
                customer=CustomerFactory(branch=branch),
                branch=branch,
                salesperson=world["sellers"][number % 3] if number % 5 else None,
                main_category=world["categories"][number % 3],
                purchase_date=handover - timedelta(days=5),
                handover_date=None if number % 11 == 0 else handover,
                warranty_end=handover + timedelta(days=90),
                status=Purchase.Status.CANCELLED if number % 13 == 0 else "handed_over",
            )
        )
    return made


def planned():
    return sorted(FollowUp.objects.values_list(*PLANNED_FIELDS))


def loaded(batch):
    return list(
        Purchase.objects.filter(pk__in=[p.pk for p in batch]).select_related(
            "branch", "main_category"
        )
    )


def test_the_bulk_planner_makes_what_the_planner_of_one_purchase_makes(world):
    batch = purchases(world, 60)
    for purchase in loaded(batch):
        services.plan_followups(purchase=purchase)
    one_by_one = planned()
    assert len(one_by_one) > 20

    FollowUp.objects.all().delete()
    services.plan_followups_for_many(purchases=loaded(batch), new_purchases=True)
    assert planned() == one_by_one

    FollowUp.objects.all().delete()
    services.plan_followups_for_many(purchases=loaded(batch))
    assert planned() == one_by_one
    # Planning again adds nothing.
    services.plan_followups_for_many(purchases=loaded(batch))
    assert planned() == one_by_one


def queries_to_plan(world, count):
    batch = loaded(purchases(world, count))
    with CaptureQueriesContext(connection) as captured:
        services.plan_followups_for_many(purchases=batch, new_purchases=True)
    return len(captured)


def test_the_bulk_planner_is_set_based(world):
    # Lookups per batch, category and branch (both sizes plan in both branches), never per row.
    assert queries_to_plan(world, 40) == queries_to_plan(world, 200)


def test_seed_playbooks_plans_the_demo_purchases_like_the_planner(world, monkeypatch):
    """The demo purchases were logged before the playbooks existed; seed_playbooks plans them
    in batches (small ones here, so several run)."""
    PlaybookStep.objects.all().delete()
    Playbook.objects.all().delete()
    cars, tyres, _loose = world["categories"]
    cars.code, tyres.code = "new-cars", "tyres"  # categories of the demo playbooks
    cars.save()
    tyres.save()
    batch = purchases(world, 30)
    monkeypatch.setattr("followups.management.commands.seed_playbooks.PLAN_BATCH", 7)
    call_command("seed_playbooks", stdout=StringIO())
    seeded = planned()
    assert len(seeded) > 30

    FollowUp.objects.all().delete()
    for purchase in loaded(batch):
        services.plan_followups(purchase=purchase)
    assert planned() == seeded
