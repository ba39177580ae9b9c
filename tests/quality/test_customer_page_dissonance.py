"""The customer page shows the customer's dissonance score and level (issue 16), contributed by
quality through the customer page's panel registry (customers.panels, quality/panels.py), with a
link to the dissonance list narrowed to the customer."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from quality.models import DissonanceScore, Level
from tests.aftersales.factories import UserFactory
from tests.customers.factories import CustomerFactory, PurchaseFactory

CUSTOMERS = reverse("quality:dashboard-customers")


@pytest.fixture
def customer(north):
    return CustomerFactory(branch=north, first_name="Sabine", last_name="Weiß")


@pytest.fixture
def score(customer, north):
    return DissonanceScore.objects.create(
        customer=customer,
        branch=north,
        score=64,
        level=Level.HIGH,
        computed_at=timezone.now(),
        level_changed_at=datetime(2026, 11, 20, 9, tzinfo=UTC),
    )


def panel_of(response):
    return next(panel for panel in response.context["panels"] if panel.key == "dissonance")


def test_the_page_shows_score_level_and_the_way_to_the_details(login, manager, customer, score):
    response = login(manager).get(customer.get_absolute_url())
    panel = panel_of(response)
    assert (panel.figure, panel.badge, panel.badge_style) == ("64", "high", "warning")
    page = response.content.decode()
    assert 'id="dissonance-heading">Dissonance</h2>' in page
    assert '<span class="badge text-bg-warning ms-1">high</span>' in page
    assert "At this level since 11/20/2026." in page
    assert panel.link == f"{CUSTOMERS}?list=customers&level=all&customer={customer.pk}"
    assert f'href="{panel.link.replace("&", "&amp;")}"' in page


def test_the_link_lists_only_this_customers_score(login, manager, customer, score, north):
    other = CustomerFactory(branch=north, first_name="Berta", last_name="Brandt")
    DissonanceScore.objects.create(
        customer=other, branch=north, score=90, level=Level.CRITICAL, computed_at=timezone.now()
    )
    client = login(manager)
    details = client.get(panel_of(client.get(customer.get_absolute_url())).link)
    assert details.status_code == 200
    assert [row.customer for row in details.context["rows"]] == [customer]


def test_a_customer_without_signals_reads_as_low(login, manager, customer):
    panel = panel_of(login(manager).get(customer.get_absolute_url()))
    assert (panel.figure, panel.badge, panel.link) == ("0", "low", "")
    assert panel.lines == ("No signs of doubt so far.",)


def test_salespeople_see_the_score_without_the_dashboards_link(login, owner, customer, score):
    panel = panel_of(login(owner).get(customer.get_absolute_url()))
    assert (panel.figure, panel.badge, panel.link) == ("64", "high", "")


def test_someone_without_the_score_permission_sees_no_panel(login, north, customer, score):
    reader = UserFactory(username="rita", roles=["service"], branches=[north])
    reader.groups.get().permissions.remove(Permission.objects.get(codename="view_dissonancescore"))
    response = login(reader).get(customer.get_absolute_url())
    assert response.status_code == 200
    assert not [panel for panel in response.context["panels"] if panel.key == "dissonance"]


@pytest.mark.parametrize("purchases", [0, 5])
def test_the_panel_costs_one_query_however_many_purchases(
    login, manager, customer, score, purchases, django_assert_max_num_queries
):
    for number in range(purchases):
        PurchaseFactory(customer=customer, identifier=f"VIN-{number}")
    client = login(manager)
    client.get(customer.get_absolute_url())
    # The customer page's bound (tests/customers/test_customer_pages.py), the score included.
    with django_assert_max_num_queries(17):
        response = client.get(customer.get_absolute_url())
    assert panel_of(response).figure == "64"
