import pytest
from django.urls import reverse

from aftersales.models import Branch
from tests.aftersales.factories import BranchFactory


def test_anonymous_is_sent_to_login(client, north):
    response = client.get(reverse("branch-list"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize(
    ("persona", "sees_north", "sees_south"),
    [("owner", True, False), ("colleague", True, False), ("outsider", False, True)],
)
def test_branch_list_is_scoped(request, login, north, south, persona, sees_north, sees_south):
    client = login(request.getfixturevalue(persona))
    response = client.get(reverse("branch-list"))
    assert response.status_code == 200
    names = {branch.name for branch in response.context["page"]}
    assert ("North" in names) is sees_north
    assert ("South" in names) is sees_south


def test_shopper_may_not_list_branches(login, shopper):
    assert login(shopper).get(reverse("branch-list")).status_code == 403


def test_branch_list_searches_accent_insensitively(login, admin_user):
    BranchFactory(name="Autohaus Müller", code="MUE", city="Köln")
    BranchFactory(name="Autohaus Schmidt", code="SCH")
    response = login(admin_user).get(reverse("branch-list"), {"q": "muller"})
    assert [branch.code for branch in response.context["page"]] == ["MUE"]


def test_branch_list_sorts_and_paginates(login, admin_user):
    for number in range(30):
        BranchFactory(name=f"Branch {number:02d}", code=f"P{number:02d}")
    client = login(admin_user)
    first_page = client.get(reverse("branch-list"), {"sort": "-name"})
    assert first_page.context["page"][0].name == "Branch 29"
    second_page = client.get(reverse("branch-list"), {"sort": "-name", "page": 2})
    assert len(second_page.context["page"]) == 5


def test_branch_list_query_count_does_not_grow(login, admin_user, django_assert_max_num_queries):
    for number in range(40):
        BranchFactory(code=f"Q{number:02d}")
    client = login(admin_user)
    # session, user, groups (role names), branches count, branches page, unread notifications,
    # permission checks (user perms, group perms)
    with django_assert_max_num_queries(8):
        response = client.get(reverse("branch-list"))
    assert len(response.context["page"]) == 25


@pytest.mark.parametrize("persona", ["manager", "owner", "outsider", "shopper"])
def test_only_administrators_create_branches(request, login, north, south, persona):
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("branch-create")).status_code == 403
    response = client.post(reverse("branch-create"), {"name": "X", "code": "X"})
    assert response.status_code == 403
    assert not Branch.objects.filter(code="X").exists()


def test_administrator_creates_a_branch(login, admin_user):
    response = login(admin_user).post(
        reverse("branch-create"),
        {
            "name": "Hamburg",
            "code": "HH",
            "country": "DE",
            "time_zone": "Europe/Berlin",
            "is_active": "on",
        },
        follow=True,
    )
    assert Branch.objects.get(code="HH").name == "Hamburg"
    assert "Branch “Hamburg” created." in response.content.decode()


def test_duplicate_branch_name_is_a_field_error(login, admin_user, north):
    response = login(admin_user).post(
        reverse("branch-create"),
        {"name": "north", "code": "N2", "country": "DE", "time_zone": "Europe/Berlin"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors
    assert Branch.objects.count() == 1


def test_administrator_edits_a_branch(login, admin_user, north):
    login(admin_user).post(
        reverse("branch-update", args=[north.pk]),
        {"name": "North-East", "code": "NORTH", "country": "DE", "time_zone": "Europe/Berlin"},
    )
    north.refresh_from_db()
    assert north.name == "North-East"
    assert north.is_active is False
