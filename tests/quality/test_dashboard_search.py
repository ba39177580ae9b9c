"""The dissonance list of customers finds them by name, e-mail or phone (page and CSV)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from quality.models import DissonanceScore, Level
from tests.customers.factories import CustomerFactory

CUSTOMERS = reverse("quality:dashboard-customers")
EXPORT = reverse("quality:dashboard-export")


@pytest.fixture
def scored(north, south):
    def score(branch, first_name, last_name, points):
        customer = CustomerFactory(branch=branch, first_name=first_name, last_name=last_name)
        DissonanceScore.objects.create(
            customer=customer,
            branch=branch,
            score=points,
            level=Level.HIGH,
            computed_at=timezone.now(),
        )
        return customer

    return {
        "weiss": score(north, "Sabine", "Weiß", 70),
        "brandt": score(north, "Berta", "Brandt", 60),
        "ebner": score(south, "Emil", "Ebner", 80),  # another branch
    }


@pytest.mark.parametrize(
    ("search", "found"),
    [("weiss", ["weiss"]), ("BER", ["brandt"]), ("", ["weiss", "brandt"]), ("ebner", [])],
)
def test_customers_are_found_by_name(login, manager, scored, search, found):
    client = login(manager)

    response = client.get(CUSTOMERS, {"level": "all", "search": search})

    assert [row.customer for row in response.context["rows"]] == [scored[n] for n in found]
    assert 'name="search"' in response.content.decode()
    export = client.get(EXPORT, {"list": "customers", "level": "all", "search": search})
    lines = b"".join(export.streaming_content).decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 1 + len(found)
