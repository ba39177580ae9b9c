"""The scorecard API: the pages' figures, scoping and period as JSON."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from staff.models import MysteryShopResult
from tests.staff.factories import AssignmentFactory, CoachingActionFactory, ResultFactory


def employee_api(user):
    return f"/api/staff/{user.pk}/scorecard/"


def branch_api(branch):
    return f"/api/staff/scorecards/branch/{branch.pk}/"


def accepted(branch, served_by, score, *, days_ago=10):
    return ResultFactory(
        assignment=AssignmentFactory(branch=branch),
        served_by=served_by,
        status=MysteryShopResult.Status.ACCEPTED,
        score=Decimal(score),
        visited_at=timezone.now() - timedelta(days=days_ago),
    )


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("owner", 200),
        ("colleague", 404),
        ("outsider", 404),
        ("manager", 200),
        ("quality_manager", 200),
        ("admin_user", 200),
        ("shopper", 403),
    ],
)
def test_who_may_read_the_owners_scorecard(request, client_for, owner, persona, status):
    response = client_for(request.getfixturevalue(persona)).get(employee_api(owner))

    assert response.status_code == status


@pytest.mark.parametrize(
    ("persona", "north_status", "south_status"),
    [
        ("owner", 403, 403),
        ("outsider", 403, 403),
        ("manager", 200, 404),
        ("quality_manager", 200, 404),
        ("admin_user", 200, 200),
        ("shopper", 403, 403),
    ],
)
def test_who_may_read_branch_scorecards(
    request, client_for, north, south, persona, north_status, south_status
):
    client = client_for(request.getfixturevalue(persona))

    assert client.get(branch_api(north)).status_code == north_status
    assert client.get(branch_api(south)).status_code == south_status


def test_anonymous_callers_are_refused(api_client, owner, north):
    assert api_client.get(employee_api(owner)).status_code == 401
    assert api_client.get(branch_api(north)).status_code == 401


def test_the_employee_scorecard_as_json(client_for, manager, north, owner):
    accepted(north, owner, 80)
    accepted(north, owner, 60)
    accepted(north, owner, 100, days_ago=120)
    action = CoachingActionFactory(branch=north, employee=owner)

    data = client_for(manager).get(employee_api(owner)).json()

    assert data["employee"] == {"id": owner.pk, "name": str(owner)}
    assert data["period"]["months"] == 12
    assert data["figures"]["mystery_shop"]["average"] == "80.0"
    assert data["figures"]["mystery_shop"]["count"] == 3
    assert len(data["figures"]["mystery_shop"]["trend"]) == 12
    assert data["figures"]["coaching"] == {"open": 1, "overdue": 0}
    assert [item["id"] for item in data["open_coaching_actions"]] == [action.pk]
    assert len(data["latest_results"]) == 3
    assert data["figures"]["satisfaction"]["nps"] is None
    assert set(data["figures"]) == {
        "mystery_shop",
        "punctuality",
        "followup_adherence",
        "complaints",
        "satisfaction",
        "coaching",
    }
    assert data["training"]["is_compliant"] is True


def test_the_period_parameter(client_for, owner, north):
    accepted(north, owner, 80, days_ago=150)
    client = client_for(owner)

    assert client.get(employee_api(owner)).json()["figures"]["mystery_shop"]["count"] == 1
    short = client.get(employee_api(owner), {"months": 3}).json()
    assert short["figures"]["mystery_shop"]["count"] == 0
    assert short["period"]["months"] == 3


def test_bad_parameters_are_400_and_a_foreign_branch_404(client_for, owner, south):
    client = client_for(owner)

    response = client.get(employee_api(owner), {"months": 7})
    assert response.status_code == 400
    assert "months" in response.json()
    assert client.get(employee_api(owner), {"branch": south.pk}).status_code == 404


def test_the_branch_scorecard_as_json(client_for, manager, north, owner, colleague):
    accepted(north, owner, 90)
    accepted(north, colleague, 40)

    data = client_for(manager).get(branch_api(north), {"sort": "-mystery"}).json()

    assert data["branch"]["id"] == north.pk
    assert data["figures"]["mystery_shop"]["average"] == "65.0"
    rows = data["employees"]
    assert [row["employee"]["id"] for row in rows][:2] == [owner.pk, colleague.pk]
    assert rows[0]["mystery_shop_average"] == "90.0"
    assert {row["employee"]["id"] for row in rows} == {owner.pk, colleague.pk, manager.pk}


def test_an_unknown_sort_is_400(client_for, manager, north):
    assert client_for(manager).get(branch_api(north), {"sort": "salary"}).status_code == 400
