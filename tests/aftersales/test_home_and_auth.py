import pytest
from django.core import mail
from django.urls import reverse

from tests.aftersales.factories import PASSWORD, NotificationFactory, UserFactory

ROLE_SECTIONS = {
    "admin_user": "admin-heading",
    "manager": "manager-heading",
    "owner": "sales-heading",
    "quality_manager": "quality-heading",
    "shopper": "shopper-heading",
}


@pytest.mark.parametrize("persona", ROLE_SECTIONS)
def test_home_shows_only_the_personas_own_section(request, login, persona):
    page = login(request.getfixturevalue(persona)).get(reverse("home")).content.decode()
    for other, section in ROLE_SECTIONS.items():
        assert (f'id="{section}"' in page) is (other == persona)


def test_home_shows_unread_notifications(login, owner):
    NotificationFactory(recipient=owner, subject="Call Mrs Berger back")
    page = login(owner).get(reverse("home")).content.decode()
    assert "Call Mrs Berger back" in page


def test_manager_home_lists_the_team_of_their_branches(login, manager, owner, outsider):
    page = login(manager).get(reverse("home")).content.decode()
    assert str(owner) in page
    assert str(outsider) not in page


@pytest.mark.parametrize("team_size", [1, 10])
def test_home_query_count_is_constant(
    login, manager, north, team_size, django_assert_max_num_queries
):
    for number in range(team_size):
        UserFactory(username=f"seller{number}", roles=["sales"], branches=[north])
    client = login(manager)
    # session, user, groups, permissions (2), branches, notifications, team + its prefetches
    # (groups, branches), unread count
    with django_assert_max_num_queries(12):
        response = client.get(reverse("home"))
    assert response.status_code == 200
    assert len(response.context["team"]) == team_size + 1  # the manager works there too


def test_login_and_logout(client, owner):
    response = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_is_a_clear_error(client, owner):
    response = client.post(reverse("login"), {"username": "alice", "password": "wrong"})
    assert response.status_code == 200
    assert "correct username and password" in response.content.decode()


def test_password_change(login, owner):
    client = login(owner)
    response = client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-brand-new-long-phrase",
            "new_password2": "a-brand-new-long-phrase",
        },
    )
    assert response.status_code == 302
    owner.refresh_from_db()
    assert owner.check_password("a-brand-new-long-phrase")


def test_password_reset_sends_a_link(client, owner):
    response = client.post(reverse("password_reset"), {"email": owner.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert "/password/reset/" in mail.outbox[0].body


def test_browser_language_is_honoured(client, db):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9").content.decode()
    assert "Anmelden" in page
    assert '<html lang="de">' in page


def test_english_is_the_fallback(client, db):
    page = client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="fr-FR").content.decode()
    assert "Log in" in page


def test_language_switch_sticks(client, owner):
    client.force_login(owner)
    client.post(reverse("set_language"), {"language": "de", "next": "/"})
    page = client.get(reverse("home")).content.decode()
    assert "Startseite" in page
    assert "Abmelden" in page
