"""The profile page: each person chooses their language and sees their time zone; the language
switcher offers to save a switched language."""

import pytest
from django.conf import settings
from django.urls import reverse

from aftersales.errors import DomainError
from aftersales.services import set_user_language


@pytest.mark.parametrize("persona", ["owner", "quality_manager", "shopper", "admin_user"])
def test_everyone_saves_their_own_language(request, login, persona):
    user = request.getfixturevalue(persona)
    client = login(user)
    response = client.post(reverse("profile"), {"language": "de"}, follow=True)
    user.refresh_from_db()
    assert user.language == "de"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
    assert response.redirect_chain[-1][0] == reverse("profile")


def test_the_profile_shows_the_branches_time_zones(login, owner, north):
    north.time_zone = "Europe/Vienna"
    north.save()
    page = login(owner).get(reverse("profile")).content.decode()
    assert "Europe/Vienna" in page
    assert f"{north.name}: Europe/Vienna" in page


def test_the_profile_needs_a_login(client):
    response = client.get(reverse("profile"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_an_unknown_language_is_a_field_error(login, owner):
    response = login(owner).post(reverse("profile"), {"language": "xx"})
    assert response.status_code == 200
    assert "language" in response.context["language_form"].errors
    owner.refresh_from_db()
    assert owner.language == "en"


def test_the_service_refuses_an_unknown_language(owner):
    with pytest.raises(DomainError):
        set_user_language(user=owner, language="fr")


def test_switching_offers_to_save_once(login, owner):
    client = login(owner)
    response = client.post(
        reverse("set_language"), {"language": "de", "next": reverse("profile")}, follow=True
    )
    assert response.context["language_offer"]["code"] == "de"
    assert 'name="language" value="de"' in response.content.decode()
    # Shown once: the next page does not ask again.
    assert client.get(reverse("profile")).context["language_offer"] is None


def test_switching_to_the_saved_language_offers_nothing(login, owner):
    response = login(owner).post(
        reverse("set_language"), {"language": "en", "next": reverse("profile")}, follow=True
    )
    assert response.context["language_offer"] is None


def test_accepting_the_offer_saves_and_returns(login, owner):
    client = login(owner)
    client.post(reverse("set_language"), {"language": "de", "next": reverse("team")})
    response = client.post(reverse("profile"), {"language": "de", "next": reverse("home")})
    assert response.url == reverse("home")
    owner.refresh_from_db()
    assert owner.language == "de"


def test_anonymous_switching_still_works(client):
    response = client.post(reverse("set_language"), {"language": "de", "next": reverse("login")})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "de"
