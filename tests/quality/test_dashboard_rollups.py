"""The dissonance dashboard's roll-ups: signals per month and customer (SignalMonth) and per
month and branch (SignalBranchMonth), complaints per day (ComplaintDay). Kept by their triggers
through every kind of write, equal to the raw rows added up here in Python (with
quality.scoring's factors), and giving the same trend as the raw query."""

import random
from collections import defaultdict
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from customers.models import Customer, InvolvementLevel, ProductCategory
from quality import dashboard, rollups, scoring
from quality.models import (
    OPEN_COMPLAINT_STATUSES,
    Complaint,
    ComplaintCategory,
    ComplaintDay,
    DissonanceSignal,
    Nature,
    SignalBranchMonth,
    SignalMonth,
)
from tests.customers.factories import CustomerFactory, ProductCategoryFactory, PurchaseFactory
from tests.quality.test_dashboard import make_complaint, make_signal

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 6, 10, 12, tzinfo=BERLIN)
HIGH, MEDIUM, LOW = InvolvementLevel.HIGH, InvolvementLevel.MEDIUM, InvolvementLevel.LOW


def points_added(signal):
    """What quality.scoring adds for one signal, as an exact decimal."""
    involvement = signal.category.involvement if signal.category else None
    factor = Decimal(str(scoring.INVOLVEMENT_FACTOR.get(involvement, 1.0)))
    if signal.handover_date is not None:
        days = (signal.occurred_at.astimezone(UTC).date() - signal.handover_date).days
        if 0 <= days <= scoring.EARLY_DAYS:
            factor *= Decimal(str(scoring.EARLY_FACTOR))
    return signal.weight * factor


def expected():
    rows = defaultdict(lambda: [0, 0, Decimal(0)])
    for signal in DissonanceSignal.objects.select_related("category"):
        month = signal.occurred_at.astimezone(BERLIN).date().replace(day=1)
        row = rows[(month, signal.branch_id, signal.customer_id)]
        row[0] += 1
        row[1] += signal.weight
        row[2] += points_added(signal)
    return {key: tuple(values) for key, values in rows.items()}


def capped(added):
    return min(100, int(added.quantize(Decimal(1), rounding=ROUND_HALF_UP)))


def expected_per_branch():
    rows = defaultdict(lambda: [0, 0, 0, 0])
    for (month, branch, _customer), (signals, points, added) in expected().items():
        row = rows[(month, branch)]
        row[0] += 1
        row[1] += signals
        row[2] += points
        row[3] += capped(added)
    return {key: tuple(values) for key, values in rows.items()}


def rolled_up():
    """The customer rows, after checking that the per-branch rows add them up."""
    per_branch = {
        (row.month, row.branch_id): (row.customers, row.signals, row.points, row.score_sum)
        for row in SignalBranchMonth.objects.exclude(customers=0, signals=0, points=0)
    }
    assert per_branch == expected_per_branch()
    return {
        (row.month, row.branch_id, row.customer_id): (row.signals, row.points, row.added)
        for row in SignalMonth.objects.filter(signals__gt=0)
    }


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


@pytest.fixture
def categories(db):
    return [
        ProductCategoryFactory(name="Cars", code="cars", involvement=InvolvementLevel.HIGH),
        ProductCategoryFactory(name="Extras", code="extras", involvement=InvolvementLevel.LOW),
    ]


def random_signals(generator, customers, categories, count):
    """Signals over a year, on purchases handed over at any time and on none; some at the
    turn of a month in Berlin (22:00–02:00 UTC)."""
    handovers = [date(2025, 6, 1) + timedelta(days=generator.randrange(365)) for _ in customers]
    purchases = [
        PurchaseFactory(
            customer=customer,
            main_category=generator.choice(categories),
            purchase_date=handover - timedelta(days=7),
            handover_date=handover,
        )
        for customer, handover in zip(customers, handovers, strict=True)
    ]
    for number in range(count):
        purchase = generator.choice([*purchases, None])
        customer = purchase.customer if purchase else generator.choice(customers)
        occurred = datetime(2025, 7, 1, tzinfo=UTC) + timedelta(
            days=generator.randrange(340), hours=generator.choice([1, 12, 22, 23]), minutes=number
        )
        make_signal(
            customer,
            purchase=purchase,
            weight=generator.choice([5, 10, 15, 20, 35]),
            occurred_at=occurred,
        )
    return purchases


def test_every_kind_of_write_keeps_the_rollup(now, north, south, categories):
    generator = random.Random(5)
    customers = [CustomerFactory(branch=generator.choice([north, south])) for _ in range(8)]
    purchases = random_signals(generator, customers, categories, 50)
    assert rolled_up() == expected()

    # A moved handover (quality.services.handover_moved) changes the early-months factor.
    purchase = purchases[0]
    purchase.handover_date = purchase.handover_date + timedelta(days=60)
    purchase.save(update_fields=["handover_date"])
    DissonanceSignal.objects.filter(purchase=purchase).update(handover_date=purchase.handover_date)
    # A corrected complaint's signal weighs differently; one signal moves to another month.
    first = DissonanceSignal.objects.order_by("pk").first()
    first.weight, first.occurred_at = 50, first.occurred_at - timedelta(days=40)
    first.save()
    assert rolled_up() == expected()

    # Merged customers: the duplicate's signals move to the survivor.
    survivor, duplicate = customers[0], customers[1]
    DissonanceSignal.objects.filter(customer=duplicate).update(customer=survivor)
    # Deleted signals, and a deleted customer with all of theirs (cascade).
    DissonanceSignal.objects.filter(pk__in=DissonanceSignal.objects.order_by("-pk")[:5]).delete()
    loner = CustomerFactory(branch=north)
    for day in (3, 4):
        make_signal(loner, weight=10, occurred_at=datetime(2026, 5, day, 9, tzinfo=BERLIN))
    assert rolled_up() == expected()
    Customer.objects.filter(pk=loner.pk).delete()
    assert rolled_up() == expected()


def test_the_nightly_rebuild_agrees_and_follows_a_changed_involvement(now, north, categories):
    generator = random.Random(8)
    random_signals(generator, [CustomerFactory(branch=north) for _ in range(4)], categories, 30)
    kept = rolled_up()
    rollups.rebuild()
    assert rolled_up() == kept == expected()

    ProductCategory.objects.filter(pk=categories[0].pk).update(involvement=InvolvementLevel.LOW)
    assert SignalMonth.objects.filter(signals__gt=0).count() == len(expected())
    assert {
        (row.month, row.branch_id, row.customer_id): (row.signals, row.points, row.added)
        for row in SignalMonth.objects.filter(signals__gt=0)
    } != expected()
    rollups.rebuild()
    assert rolled_up() == expected()


def mean_scores():
    """The trend's mean score per month, from the raw signals."""
    months = defaultdict(list)
    for (month, _branch, _customer), (_signals, _points, added) in expected().items():
        months[month].append(capped(added))
    return {month: sum(scores) / len(scores) for month, scores in months.items()}


def test_the_trend_from_the_rollup_is_the_trend_from_the_signals(now, north, manager, categories):
    generator = random.Random(21)
    random_signals(generator, [CustomerFactory(branch=north) for _ in range(6)], categories, 60)
    filters = dashboard.Filters.default()
    months = dashboard.trend_months(date(2026, 6, 10))

    _groups, from_rollup = dashboard.signal_figures(manager, filters, months=months, now=NOW)
    # Every signal is of one of the two product categories or of none, so the three filtered
    # (raw) trends add up to the unfiltered one, signal for signal.
    raw = defaultdict(lambda: [0, 0])
    for category in [*(category.pk for category in categories), dashboard.NONE]:
        by_category = replace(filters, category=category)
        _groups, months_of_category = dashboard.signal_figures(
            manager, by_category, months=months, now=NOW
        )
        for month, (signals, points, _customers, _mean) in months_of_category.items():
            raw[month][0] += signals
            raw[month][1] += points

    assert {month: row[:2] for month, row in from_rollup.items()} == {
        month: tuple(values) for month, values in raw.items()
    }
    expected_means = mean_scores()
    for month, (_signals, _points, _customers, mean) in from_rollup.items():
        assert mean == pytest.approx(expected_means[month])


@pytest.mark.parametrize(
    ("involvement", "days_after_handover", "factor"),
    [
        (HIGH, 0, scoring.INVOLVEMENT_FACTOR[HIGH] * scoring.EARLY_FACTOR),
        (MEDIUM, scoring.EARLY_DAYS, scoring.INVOLVEMENT_FACTOR[MEDIUM] * scoring.EARLY_FACTOR),
        (LOW, scoring.EARLY_DAYS + 1, scoring.INVOLVEMENT_FACTOR[LOW]),
        (LOW, -1, scoring.INVOLVEMENT_FACTOR[LOW]),
        (None, 3, scoring.EARLY_FACTOR),
    ],
)
def test_the_sql_weighs_as_quality_scoring_does(db, involvement, days_after_handover, factor):
    """The factors live in quality.scoring and, for the roll-up, in a SQL function (migration
    quality 0016): changing one without the other fails here."""
    handover = date(2026, 3, 1)
    occurred = datetime.combine(handover + timedelta(days=days_after_handover), datetime.min.time())
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT quality_signal_added(20, %s, %s, %s)",
            [involvement, occurred.replace(hour=23, tzinfo=UTC), handover],
        )
        (added,) = cursor.fetchone()
    assert float(added) == pytest.approx(20 * factor)


def expected_complaint_days():
    counts = defaultdict(lambda: [0, 0])
    for complaint in Complaint.objects.all():
        row = counts[
            (
                complaint.received_at.astimezone(BERLIN).date(),
                complaint.branch_id,
                complaint.category_id,
                complaint.product_category_id,
                complaint.responsible_salesperson_id,
                complaint.nature,
            )
        ]
        row[0] += 1
        row[1] += complaint.status in OPEN_COMPLAINT_STATUSES
    return {key: tuple(values) for key, values in counts.items()}


def complaint_days():
    return {
        (
            row.day,
            row.branch_id,
            row.category_id,
            row.product_category_id,
            row.salesperson_id,
            row.nature,
        ): (row.complaints, row.open_complaints)
        for row in ComplaintDay.objects.exclude(complaints=0, open_complaints=0)
    }


def test_the_complaint_days_follow_every_kind_of_write(now, north, south, categories):
    generator = random.Random(2)
    kinds = [
        ComplaintCategory.objects.create(name="Noise (rollup)", code="rollup-noise"),
        ComplaintCategory.objects.create(name="Paint (rollup)", code="rollup-paint"),
    ]
    customers = [CustomerFactory(branch=generator.choice([north, south])) for _ in range(5)]
    purchases = [
        PurchaseFactory(customer=customer, main_category=generator.choice(categories))
        for customer in customers
    ]
    complaints = [
        make_complaint(
            purchase.customer,
            generator.choice(kinds),
            purchase=generator.choice([purchase, None]),
            nature=generator.choice(list(Nature)),
            # Around midnight in Berlin, where the UTC day is another.
            received=datetime(2026, 5, 1, 21, tzinfo=UTC)
            + timedelta(days=generator.randrange(40), hours=generator.randrange(4)),
        )
        for purchase in purchases * 4
    ]
    assert complaint_days() == expected_complaint_days()

    # A corrected complaint: another category, nature, date and salesperson.
    corrected = complaints[0]
    corrected.category, corrected.nature = kinds[1], Nature.SUBJECTIVE
    corrected.received_at -= timedelta(days=3)
    corrected.responsible_salesperson = None
    corrected.save()
    Complaint.objects.filter(pk__in=[row.pk for row in complaints[1:6]]).update(
        nature=Nature.OBJECTIVE, status=Complaint.Status.CLOSED
    )
    Complaint.objects.filter(pk__in=[row.pk for row in complaints[9:12]]).update(
        status=Complaint.Status.IN_PROGRESS
    )
    Complaint.objects.filter(pk__in=[row.pk for row in complaints[6:9]]).delete()
    assert complaint_days() == expected_complaint_days()

    kept = complaint_days()
    rollups.rebuild()
    assert complaint_days() == kept
