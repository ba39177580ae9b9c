import pytest
from django.urls import reverse

from aftersales.models import User
from tests.aftersales.factories import UserFactory

NEW_USER = {
    "username": "nina",
    "first_name": "Nina",
    "last_name": "Neu",
    "email": "nina@example.com",
    "phone": "",
    "language": "de",
    "roles": ["sales"],
    "password1": "a-long-and-unusual-phrase",
    "password2": "a-long-and-unusual-phrase",
}


@pytest.mark.parametrize("persona", ["manager", "owner", "quality_manager", "shopper"])
def test_only_administrators_manage_users(request, login, persona):
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("user-list")).status_code == 403
    assert client.post(reverse("user-create"), NEW_USER).status_code == 403
    assert not User.objects.filter(username="nina").exists()


def test_administrator_creates_a_sales_user(login, admin_user, north):
    response = login(admin_user).post(
        reverse("user-create"), {**NEW_USER, "branches": [north.pk]}, follow=True
    )
    nina = User.objects.get(username="nina")
    assert nina.role_names == {"sales"}
    assert list(nina.branches.all()) == [north]
    assert nina.check_password(NEW_USER["password1"])
    assert nina.language == "de"
    assert "created" in response.content.decode()


def test_sales_user_without_branch_is_refused(login, admin_user):
    response = login(admin_user).post(reverse("user-create"), NEW_USER)
    assert "branches" in response.context["form"].errors
    assert not User.objects.filter(username="nina").exists()


def test_mismatched_passwords_are_refused(login, admin_user, north):
    response = login(admin_user).post(
        reverse("user-create"),
        {**NEW_USER, "branches": [north.pk], "password2": "something-else-entirely"},
    )
    assert "password2" in response.context["form"].errors


def test_duplicate_username_is_refused(login, admin_user, north, owner):
    response = login(admin_user).post(
        reverse("user-create"), {**NEW_USER, "username": "ALICE", "branches": [north.pk]}
    )
    assert "username" in response.context["form"].errors


def test_administrator_changes_roles_and_deactivates(login, admin_user, north, south, owner):
    login(admin_user).post(
        reverse("user-update", args=[owner.pk]),
        {
            "first_name": "Alice",
            "last_name": "Owner",
            "email": "alice@example.com",
            "language": "en",
            "roles": ["manager", "sales"],
            "branches": [north.pk, south.pk],
        },
    )
    owner.refresh_from_db()
    assert set(owner.groups.values_list("name", flat=True)) == {"manager", "sales"}
    assert owner.branches.count() == 2
    assert owner.is_active is False


def test_administrator_cannot_lock_themselves_out(login, admin_user):
    response = login(admin_user).post(
        reverse("user-update", args=[admin_user.pk]),
        {"first_name": "A", "last_name": "B", "email": "", "language": "en", "roles": ["admin"]},
    )
    assert "is_active" in response.context["form"].errors
    admin_user.refresh_from_db()
    assert admin_user.is_active


def test_user_list_filters_by_role_and_branch(login, admin_user, owner, outsider, manager, north):
    client = login(admin_user)
    by_role = client.get(reverse("user-list"), {"role": "sales"})
    assert {user.username for user in by_role.context["page"]} == {"alice", "charlie"}
    by_branch = client.get(reverse("user-list"), {"role": "sales", "branch": north.pk})
    assert {user.username for user in by_branch.context["page"]} == {"alice"}


def test_user_list_query_count_does_not_grow(
    login, admin_user, north, django_assert_max_num_queries
):
    for number in range(30):
        UserFactory(username=f"staff{number}", roles=["sales"], branches=[north])
    client = login(admin_user)
    # session, user, admin's groups, permission checks (user and group permissions), count,
    # page, prefetched groups, prefetched branches, branch filter options, unread notifications
    with django_assert_max_num_queries(11):
        response = client.get(reverse("user-list"))
    assert len(response.context["page"]) == 25


def test_team_page_shows_only_the_managers_branches(login, manager, owner, outsider):
    response = login(manager).get(reverse("team"))
    usernames = {user.username for user in response.context["page"]}
    assert "alice" in usernames
    assert "charlie" not in usernames


@pytest.mark.parametrize("persona", ["owner", "outsider", "shopper"])
def test_team_page_is_for_managers(request, login, persona):
    assert login(request.getfixturevalue(persona)).get(reverse("team")).status_code == 403
