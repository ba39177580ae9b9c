"""What a dissonance signal keeps of its purchase for the dashboard (quality.services.
signal_facts): the category, the salesperson and the handover date, right through recording,
a moved handover and a corrected complaint, so that the dashboard never joins purchases."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from customers import services as customer_services
from quality import services
from quality.models import Complaint, DissonanceSignal
from tests.customers.factories import CustomerFactory, ProductCategoryFactory, PurchaseFactory
from tests.quality.factories import ComplaintCategoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(north, owner):
    return CustomerFactory(branch=north, salesperson=owner)


def car_bought(customer, **fields):
    return PurchaseFactory(customer=customer, main_category=ProductCategoryFactory(), **fields)


def complaint_on(purchase, by):
    return services.record_complaint(
        by=by,
        customer=purchase.customer,
        purchase=purchase,
        category=ComplaintCategoryFactory(),
        description="It rattles.",
        channel=Complaint.Channel.PHONE,
    )


def test_a_recorded_signal_keeps_its_purchases_handover(quality_manager, customer):
    purchase = car_bought(customer)

    complaint = complaint_on(purchase, quality_manager)

    signal = DissonanceSignal.objects.get(complaint=complaint, kind="complaint")
    assert signal.handover_date == purchase.handover_date
    assert signal.category_id == purchase.main_category_id


def test_a_moved_handover_moves_with_the_signals(quality_manager, manager, customer):
    purchase = car_bought(customer)
    complaint_on(purchase, quality_manager)
    later = purchase.handover_date + timedelta(days=9)

    customer_services.change_purchase(purchase=purchase, by=manager, handover_date=later)

    assert set(DissonanceSignal.objects.values_list("handover_date", flat=True)) == {later}


def test_a_corrected_complaint_takes_the_other_purchases_handover(quality_manager, customer):
    first = car_bought(customer)
    long_ago = timezone.localdate() - timedelta(days=400)
    other = car_bought(customer, purchase_date=long_ago - timedelta(days=7), handover_date=long_ago)
    complaint = complaint_on(first, quality_manager)

    services.correct_complaint(
        complaint=complaint, by=quality_manager, reason="The other car.", purchase=other
    )

    signal = DissonanceSignal.objects.get(complaint=complaint, kind="complaint")
    assert signal.purchase_id == other.pk and signal.handover_date == other.handover_date


def test_the_dashboards_signal_figures_never_join_purchases(
    login, manager, quality_manager, customer
):
    complaint_on(car_bought(customer), quality_manager)
    client = login(manager)

    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("quality:dashboard")).status_code == 200

    [figures] = [query["sql"] for query in queries if "s_added" in query["sql"]]
    assert "quality_dissonancesignal" in figures and "customers_purchase" not in figures
