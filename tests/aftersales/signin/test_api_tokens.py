"""API tokens: one per device, expiring, revoked by DELETE, a password change and
administrators; listed (and revoked) on the person's own pages."""

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from aftersales.signin import services
from aftersales.signin.models import ApiToken
from tests.aftersales.factories import PASSWORD

NEW_PASSWORD = "a-brand-new-long-phrase"


def authorised(api_client, key):
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api_client


def test_one_token_per_device(api_client, owner):
    credentials = {"username": "alice", "password": PASSWORD}
    first = api_client.post("/api/auth/token/", {**credentials, "name": "tablet"}).json()
    second = api_client.post("/api/auth/token/", {**credentials, "name": "tablet"}).json()
    laptop = api_client.post("/api/auth/token/", {**credentials, "name": "laptop"}).json()
    assert first["token"] != second["token"]
    assert ApiToken.objects.filter(user=owner).count() == 2
    assert authorised(api_client, first["token"]).get("/api/branches/").status_code == 401
    assert authorised(api_client, second["token"]).get("/api/branches/").status_code == 200
    assert authorised(api_client, laptop["token"]).get("/api/branches/").status_code == 200


def test_only_the_hash_of_the_key_is_stored(owner):
    token, key = services.issue_token(user=owner, name="tablet")
    assert key not in (token.key_hash, token.prefix)
    assert key.startswith(token.prefix)


def test_a_token_expires_after_the_configured_days(api_client, owner, settings):
    settings.API_TOKEN_LIFETIME = timedelta(days=30)
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        token, key = services.issue_token(user=owner)
        assert token.expires_at == start + timedelta(days=30)
        traveller.shift(timedelta(days=29, hours=23))
        assert authorised(api_client, key).get("/api/branches/").status_code == 200
        traveller.shift(timedelta(hours=2))
        response = authorised(api_client, key).get("/api/branches/")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_delete_revokes_the_current_token_only(api_client, owner):
    _tablet, tablet_key = services.issue_token(user=owner, name="tablet")
    _laptop, laptop_key = services.issue_token(user=owner, name="laptop")
    assert authorised(api_client, tablet_key).delete("/api/auth/token/").status_code == 204
    assert authorised(api_client, tablet_key).get("/api/branches/").status_code == 401
    assert authorised(api_client, laptop_key).get("/api/branches/").status_code == 200


def test_delete_without_a_token_is_401_with_the_scheme(api_client, owner):
    response = api_client.delete("/api/auth/token/")
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_password_change_revokes_every_token(api_client, login, owner):
    _token, key = services.issue_token(user=owner, name="tablet")
    client = login(owner)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert not ApiToken.objects.filter(user=owner).exists()
    assert authorised(api_client, key).get("/api/branches/").status_code == 401


def test_a_password_set_anywhere_else_ends_the_tokens_too(api_client, owner):
    # An administrator's new password, a reset link, the admin: the token was issued under the
    # old password and stops working.
    _token, key = services.issue_token(user=owner)
    owner.set_password(NEW_PASSWORD)
    owner.save()
    response = authorised(api_client, key).get("/api/branches/")
    assert response.status_code == 401
    assert "password" in response.json()["detail"]


def test_logging_out_of_the_browser_keeps_other_devices_tokens(api_client, client, owner):
    # A browser logout ends that session; the API's own logout is DELETE (above).
    _token, key = services.issue_token(user=owner, name="tablet")
    client.force_login(owner)
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302
    assert authorised(api_client, key).get("/api/branches/").status_code == 200


def test_an_inactive_user_s_token_is_refused(api_client, owner):
    _token, key = services.issue_token(user=owner)
    owner.is_active = False
    owner.save()
    assert authorised(api_client, key).get("/api/branches/").status_code == 401


def test_the_security_page_lists_creates_and_revokes_tokens(login, api_client, owner):
    client = login(owner)
    response = client.post(reverse("security"), {"name": "workshop tablet"})
    key = response.context["new_key"]
    assert key in response.content.decode()
    token = ApiToken.objects.get(user=owner, name="workshop tablet")
    page = client.get(reverse("security")).content.decode()
    assert "workshop tablet" in page
    assert key not in page  # shown once
    assert "Revoke workshop tablet" in client.get(reverse("profile")).content.decode()
    response = client.post(reverse("token-revoke", args=[token.pk]))
    assert response.status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert authorised(api_client, key).get("/api/branches/").status_code == 401


def test_nobody_revokes_someone_elses_token_on_their_own_page(login, owner, colleague):
    token, _key = services.issue_token(user=owner)
    response = login(colleague).post(reverse("token-revoke", args=[token.pk]))
    assert response.status_code == 404
    assert ApiToken.objects.filter(pk=token.pk).exists()


def test_administrators_revoke_a_persons_tokens(login, admin_user, owner):
    tablet, _key = services.issue_token(user=owner, name="tablet")
    services.issue_token(user=owner, name="laptop")
    admin = login(admin_user)
    url = reverse("user-security", args=[owner.pk])
    assert "Revoke tablet" in admin.get(url).content.decode()
    admin.post(url, {"action": "revoke", "token": tablet.pk})
    assert list(ApiToken.objects.filter(user=owner).values_list("name", flat=True)) == ["laptop"]
    admin.post(url, {"action": "revoke-all"})
    assert not ApiToken.objects.filter(user=owner).exists()


@pytest.mark.parametrize("token_value", ["", "abc", "1.5"])
def test_a_bad_token_id_from_the_administrators_page_is_404(login, admin_user, owner, token_value):
    url = reverse("user-security", args=[owner.pk])
    assert (
        login(admin_user).post(url, {"action": "revoke", "token": token_value}).status_code == 404
    )


def test_token_requests_are_throttled_per_address(api_client, settings, owner):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "2/min", "survey": "2/min"},
    }
    credentials = {"username": "alice", "password": PASSWORD}
    assert api_client.post("/api/auth/token/", credentials).status_code == 200
    assert api_client.post("/api/auth/token/", credentials).status_code == 200
    assert api_client.post("/api/auth/token/", credentials).status_code == 429
    other = api_client.post("/api/auth/token/", credentials, REMOTE_ADDR="198.51.100.7")
    assert other.status_code == 200


def test_survey_answers_are_throttled_per_address(client, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"token": "2/min", "survey": "2/min"},
    }
    path = reverse("surveys:answer", args=["not-a-real-link"])
    assert client.post(path, {}).status_code == 404
    assert client.post(path, {}).status_code == 404
    response = client.post(path, {})
    assert response.status_code == 429
    assert "Please try again later" in response.content.decode()
    assert int(response["Retry-After"]) > 0
    # Opening the link is not limited.
    assert client.get(path).status_code == 404
