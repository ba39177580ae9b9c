"""Playbook expansion: working days, time zones, handover changes, cancellation, idempotency."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
import time_machine

from customers import services as customer_services
from customers.importing import import_purchases
from customers.models import InvolvementLevel, Purchase
from customers.signals import purchase_logged
from followups import services
from followups.models import (
    AssigneeRole,
    BranchPolicy,
    FollowUp,
    Playbook,
    PlaybookStep,
    PublicHoliday,
    StepKind,
)
from tests.aftersales.factories import UserFactory
from tests.customers.factories import CustomerFactory, ProductCategoryFactory, ProductFactory
from tests.customers.test_import import csv_file, row

# A Wednesday; the week after has a Saturday (working) and a Sunday (not).
WEDNESDAY = date(2026, 6, 3)


@pytest.fixture(autouse=True)
def frozen_today():
    with time_machine.travel(date(2026, 6, 1), tick=False):
        yield


@pytest.fixture
def cars(db):
    return ProductCategoryFactory(code="cars", involvement=InvolvementLevel.HIGH)


@pytest.fixture
def car(cars):
    return ProductFactory(category=cars, list_price=Decimal("30000"))


@pytest.fixture
def playbook(cars):
    playbook = Playbook.objects.create(name="Cars", category=cars)
    for offset, kind, who in [
        (1, StepKind.THANK_YOU, AssigneeRole.SALESPERSON),
        (4, StepKind.CHECK_IN, AssigneeRole.SALESPERSON),
        (30, StepKind.SERVICE_REMINDER, AssigneeRole.SERVICE),
    ]:
        PlaybookStep.objects.create(
            playbook=playbook, offset_days=offset, kind=kind, assignee_role=who, title=kind
        )
    PlaybookStep.objects.create(
        playbook=playbook,
        anchor=PlaybookStep.Anchor.WARRANTY_END,
        offset_days=-60,
        kind=StepKind.WARRANTY_END,
        assignee_role=AssigneeRole.MANAGER,
        title="Warranty",
    )
    return playbook


@pytest.fixture
def service_user(north):
    return UserFactory(username="sven", roles=["service"], branches=[north])


def log(owner, north, car, handover=WEDNESDAY, purchase_date=date(2026, 5, 20)):
    return customer_services.log_purchase(
        by=owner,
        customer=CustomerFactory(branch=north),
        branch=north,
        salesperson=owner,
        purchase_date=purchase_date,
        handover_date=handover,
        lines=[(car, 1, car.list_price)],
    )


def due_dates(purchase):
    return {f.kind: f.due_date for f in FollowUp.objects.filter(purchase=purchase)}


def test_logging_a_purchase_plans_its_followups(owner, manager, service_user, north, car, playbook):
    purchase = log(owner, north, car)
    followups = {f.kind: f for f in FollowUp.objects.filter(purchase=purchase)}
    assert set(followups) == {"thank_you", "check_in", "service_reminder", "warranty_end"}
    assert followups["thank_you"].due_date == WEDNESDAY + timedelta(days=1)
    assert followups["thank_you"].assignee == owner
    assert followups["service_reminder"].assignee == service_user
    assert followups["warranty_end"].assignee == manager
    assert followups["warranty_end"].planned_date == date(2028, 6, 3) - timedelta(days=60)
    assert all(f.status == FollowUp.Status.OPEN for f in followups.values())


def test_due_dates_skip_sundays_and_holidays(owner, north, car, playbook):
    # Wednesday + 4 days is a Sunday: due on Monday. Make that Monday a holiday: Tuesday.
    PublicHoliday.objects.create(date=date(2026, 6, 8), name="Pfingstmontag", country="DE")
    purchase = log(owner, north, car)
    assert due_dates(purchase)["check_in"] == date(2026, 6, 9)


def test_branch_working_days_are_honoured(owner, north, car, playbook):
    BranchPolicy.objects.create(branch=north, working_days=[0, 1, 2, 3, 4])
    # Wednesday + 30 days is Friday 3 July; +1 is Thursday: both working days. Check-in on
    # Sunday 7 June moves to Monday, and a Saturday is no longer a working day either.
    purchase = log(owner, north, car, handover=date(2026, 6, 5))  # Friday
    assert due_dates(purchase)["thank_you"] == date(2026, 6, 8)  # Saturday → Monday


def test_a_holiday_of_another_country_does_not_count(owner, north, car, playbook):
    PublicHoliday.objects.create(date=date(2026, 6, 4), name="Fronleichnam", country="AT")
    purchase = log(owner, north, car)
    assert due_dates(purchase)["thank_you"] == date(2026, 6, 4)


def test_the_same_signal_twice_plans_once(owner, north, car, playbook):
    purchase = log(owner, north, car)
    purchase_logged.send(sender=Purchase, purchase=purchase)
    services.plan_followups(purchase=purchase)
    assert FollowUp.objects.filter(purchase=purchase).count() == 4


def test_no_handover_no_plan_until_the_handover_date_is_set(owner, north, car, playbook):
    purchase = log(owner, north, car, handover=None)
    assert not FollowUp.objects.filter(purchase=purchase).exists()
    customer_services.change_purchase(purchase=purchase, by=owner, handover_date=WEDNESDAY)
    assert FollowUp.objects.filter(purchase=purchase).count() == 4


def test_a_new_handover_date_moves_the_open_followups(owner, north, car, playbook):
    purchase = log(owner, north, car)
    done = FollowUp.objects.get(purchase=purchase, kind="thank_you")
    services.complete_followup(followup=done, by=owner, outcome="satisfied", satisfaction=5)
    customer_services.change_purchase(
        purchase=purchase, by=owner, handover_date=WEDNESDAY + timedelta(days=7)
    )
    dates = due_dates(purchase)
    assert dates["thank_you"] == WEDNESDAY + timedelta(days=1)  # done: stays where it was
    assert dates["check_in"] == date(2026, 6, 15)  # Sunday 14 June → Monday
    assert dates["warranty_end"] == date(2028, 6, 10) - timedelta(days=60)


def test_a_cancelled_purchase_cancels_its_open_followups(owner, north, car, playbook):
    purchase = log(owner, north, car)
    customer_services.cancel_purchase(purchase=purchase, by=owner, reason="Financing refused")
    statuses = set(FollowUp.objects.filter(purchase=purchase).values_list("status", flat=True))
    assert statuses == {FollowUp.Status.CANCELLED}


def test_the_involvement_fallback_applies_without_a_category_playbook(owner, north, db):
    gadgets = ProductCategoryFactory(code="gadgets", involvement=InvolvementLevel.LOW)
    fallback = Playbook.objects.create(name="Low", involvement=InvolvementLevel.LOW)
    PlaybookStep.objects.create(
        playbook=fallback, offset_days=3, kind=StepKind.CHECK_IN, title="Quick check"
    )
    purchase = log(owner, north, ProductFactory(category=gadgets))
    assert FollowUp.objects.get(purchase=purchase).title == "Quick check"


def test_an_old_imported_purchase_gets_no_stale_followups(owner, north, car, playbook):
    purchase = log(owner, north, car, handover=date(2025, 1, 10), purchase_date=date(2025, 1, 2))
    # Only the warranty step (end of 2026 minus 60 days) still lies ahead.
    assert set(due_dates(purchase)) == {"warranty_end"}


def test_due_dates_follow_the_branchs_own_time_zone(owner, south, car, playbook):
    # The day a follow-up falls due is a calendar date of the branch; a Vienna branch with a
    # Saturday-free week gets Monday as well.
    BranchPolicy.objects.create(branch=south, working_days=[0, 1, 2, 3, 4])
    seller = UserFactory(username="vera", roles=["sales"], branches=[south])
    purchase = customer_services.log_purchase(
        by=seller,
        customer=CustomerFactory(branch=south),
        branch=south,
        salesperson=seller,
        purchase_date=date(2026, 5, 20),
        handover_date=date(2026, 6, 5),
        lines=[(car, 1, car.list_price)],
    )
    assert due_dates(purchase)["thank_you"] == date(2026, 6, 8)


def test_imported_purchases_are_planned_in_bulk(manager, north, car, playbook, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    rows = [
        row(
            purchase_ref=f"A-{number}",
            customer_ref=f"K-{number}",
            email=f"buyer{number}@example.com",
            product_sku=car.sku,
            purchase_date="2026-05-20",
            handover_date="2026-06-03",
            identifier="",
        )
        for number in range(20)
    ]
    import_purchases(data=csv_file(*rows), by=manager)
    assert FollowUp.objects.count() == 20 * 4
    assert FollowUp.objects.filter(kind="check_in", due_date=date(2026, 6, 8)).count() == 20
    # A second import of the same file plans nothing more.
    import_purchases(data=csv_file(*rows), by=manager)
    assert FollowUp.objects.count() == 20 * 4
