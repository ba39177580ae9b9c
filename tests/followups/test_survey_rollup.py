"""The daily survey roll-up (SurveyDay) that the dissonance dashboard's survey figures and the
staff scorecards read: kept by the answers' triggers, equal to the answers counted here in
Python (with followups.models' promoter and detractor bounds, which the triggers write out, so a
change of one without the other fails here), and rebuilt nightly with a purchase's changed
salesperson."""

import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from customers.models import Purchase
from followups.figures import rebuild_rollups
from followups.models import DETRACTOR_UNTIL, PROMOTER_FROM, SurveyDay, SurveyResponse
from tests.aftersales.factories import UserFactory
from tests.customers.factories import CustomerFactory, ProductCategoryFactory, PurchaseFactory
from tests.quality.test_dashboard import make_answer

BERLIN = ZoneInfo("Europe/Berlin")
SUMS = ("answers", "promoters", "detractors", "nps_sum", "purchase_sum", "handover_sum")


def expected():
    rows = defaultdict(lambda: [0] * len(SUMS))
    for answer in SurveyResponse.objects.select_related(
        "invitation__purchase", "invitation__customer"
    ):
        invitation, purchase = answer.invitation, answer.invitation.purchase
        key = (
            answer.created_at.astimezone(BERLIN).date(),
            invitation.branch_id,
            purchase.main_category_id if purchase else None,
            purchase.salesperson_id if purchase else None,
            (purchase.salesperson_id if purchase else None) or invitation.customer.salesperson_id,
        )
        row = rows[key]
        for index, value in enumerate(
            (
                1,
                answer.nps >= PROMOTER_FROM,
                answer.nps <= DETRACTOR_UNTIL,
                answer.nps,
                answer.satisfaction_purchase,
                answer.satisfaction_handover,
            )
        ):
            row[index] += value
    return {key: tuple(values) for key, values in rows.items()}


def rolled_up():
    return {
        (row.day, row.branch_id, row.category_id, row.salesperson_id, row.seller_id): tuple(
            getattr(row, name) for name in SUMS
        )
        for row in SurveyDay.objects.exclude(answers=0)
    }


@pytest.fixture
def world(north, south):
    generator = random.Random(4)
    sellers = [UserFactory(username=f"seller{number}") for number in range(3)]
    categories = [ProductCategoryFactory(code=f"c{number}") for number in range(2)]
    customers = [
        CustomerFactory(
            branch=generator.choice([north, south]), salesperson=generator.choice(sellers)
        )
        for _ in range(6)
    ]
    purchases = [
        PurchaseFactory(
            customer=customer,
            salesperson=generator.choice([*sellers, None]),
            main_category=generator.choice(categories),
        )
        for customer in customers
    ]
    for number in range(40):
        purchase = generator.choice([*purchases, None])
        customer = purchase.customer if purchase else generator.choice(customers)
        make_answer(
            customer,
            purchase=purchase,
            nps=generator.randrange(11),
            # Around midnight in Berlin.
            answered=datetime(2026, 5, 1, 21, tzinfo=UTC)
            + timedelta(days=generator.randrange(30), hours=generator.randrange(5), minutes=number),
        )
    return purchases, sellers


def test_the_answers_are_rolled_up_through_every_write(world):
    assert rolled_up() == expected()
    answers = list(SurveyResponse.objects.order_by("pk"))
    # A corrected answer, answers removed (an erased customer's go with their invitations).
    answers[0].nps, answers[0].satisfaction_purchase = 0, 1
    answers[0].save()
    SurveyResponse.objects.filter(pk__in=[answer.pk for answer in answers[1:4]]).delete()
    assert rolled_up() == expected()


def test_the_nightly_rebuild_follows_a_purchases_new_salesperson(world):
    purchases, sellers = world
    Purchase.objects.filter(pk=purchases[0].pk).update(salesperson=sellers[2])
    rebuild_rollups()
    assert rolled_up() == expected()
