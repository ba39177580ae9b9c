"""Lockout per account (django-axes) at the login page and the token endpoint, the address
limit, and administrators lifting a lockout."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from axes.models import AccessFailureLog
from django.urls import reverse

from tests.aftersales.factories import PASSWORD
from tests.aftersales.signin.helpers import log_in

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
LOCKED = "This account is locked for 15 minutes"


def fail_login(client, username, times=1, **extra):
    for _attempt in range(times):
        response = client.post(
            reverse("login"), {"username": username, "password": "wrong"}, **extra
        )
    return response


def test_the_fifth_failure_locks_the_account_for_fifteen_minutes(client, owner):
    with time_machine.travel(START, tick=False) as traveller:
        assert fail_login(client, "alice", times=4).status_code == 200
        response = fail_login(client, "alice")
        assert response.status_code == 429
        assert LOCKED in response.content.decode()
        # The right password does not help while the lockout lasts, nor do more failures
        # prolong it.
        assert log_in(client, owner).status_code == 429
        traveller.shift(timedelta(minutes=10))
        assert fail_login(client, "alice").status_code == 429
        traveller.shift(timedelta(minutes=4, seconds=59))
        assert log_in(client, owner).status_code == 429
        traveller.shift(timedelta(seconds=2))
        response = log_in(client, owner)
        assert response.status_code == 302
        assert response.url == reverse("home")


def test_failures_further_apart_than_the_window_do_not_lock(client, owner):
    with time_machine.travel(START, tick=False) as traveller:
        fail_login(client, "alice", times=4)
        traveller.shift(timedelta(minutes=16))
        assert fail_login(client, "alice").status_code == 200
        assert log_in(client, owner).status_code == 302


def test_a_success_resets_the_count(client, owner):
    fail_login(client, "alice", times=4)
    assert log_in(client, owner).status_code == 302
    client.post(reverse("logout"))
    assert fail_login(client, "alice", times=4).status_code == 200


def test_the_lockout_is_per_account_not_per_address(client, owner, colleague):
    fail_login(client, "alice", times=5)
    assert log_in(client, colleague).status_code == 302


def test_an_address_trying_many_accounts_is_refused(client, settings, owner, colleague):
    settings.SIGNIN_ADDRESS_FAILURE_LIMIT = 3
    for username in ("alice", "bob", "mallory"):
        fail_login(client, username)
    response = log_in(client, colleague)
    assert response.status_code == 429
    assert "Too many failed sign-ins from your network" in response.content.decode()
    # Another address is not affected.
    assert log_in(client, colleague, REMOTE_ADDR="198.51.100.7").status_code == 302


def test_behind_the_proxy_the_forwarded_address_counts(client, settings, colleague):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.SIGNIN_ADDRESS_FAILURE_LIMIT = 2
    for username in ("alice", "mallory"):
        fail_login(client, username, HTTP_X_FORWARDED_FOR="203.0.113.5")
    assert log_in(client, colleague, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
    # A client cannot pick its address: only the part the proxy appended counts.
    spoofed = "203.0.113.9, 203.0.113.5"
    assert log_in(client, colleague, HTTP_X_FORWARDED_FOR=spoofed).status_code == 429
    assert log_in(client, colleague, HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 302
    logged = AccessFailureLog.objects.values_list("ip_address", flat=True).distinct()
    assert set(logged) == {"203.0.113.5"}


def test_the_token_endpoint_locks_the_same_account(api_client, client, owner):
    for _attempt in range(4):
        response = api_client.post("/api/auth/token/", {"username": "alice", "password": "no"})
        assert response.status_code == 400
    response = api_client.post("/api/auth/token/", {"username": "alice", "password": "no"})
    assert response.status_code == 429
    assert response.json()["detail"].startswith(LOCKED)
    right = {"username": "alice", "password": PASSWORD}
    assert api_client.post("/api/auth/token/", right).status_code == 429
    # One account, one count: the browser login is refused as well.
    assert log_in(client, owner).status_code == 429


def test_administrators_see_and_lift_a_lockout(client, login, admin_user, owner):
    fail_login(client, "alice", times=5)
    admin = login(admin_user)
    page = admin.get(reverse("signin-lockouts")).content.decode()
    assert "Unlock alice" in page
    response = admin.post(reverse("signin-unlock"), {"username": "alice"})
    assert response.status_code == 302
    assert "No account is locked." in admin.get(reverse("signin-lockouts")).content.decode()
    admin.post(reverse("logout"))
    assert log_in(client, owner).status_code == 302


def test_administrators_unlock_from_the_users_sign_in_page(client, login, admin_user, owner):
    fail_login(client, "alice", times=5)
    admin = login(admin_user)
    url = reverse("user-security", args=[owner.pk])
    assert "Locked after too many failed sign-ins." in admin.get(url).content.decode()
    admin.post(url, {"action": "unlock"})
    assert "Not locked." in admin.get(url).content.decode()


@pytest.mark.parametrize("persona", ["manager", "owner", "quality_manager", "shopper"])
def test_only_administrators_see_lockouts(request, login, persona, owner):
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("signin-lockouts")).status_code == 403
    assert client.post(reverse("signin-unlock"), {"username": "alice"}).status_code == 403
    assert client.get(reverse("user-security", args=[owner.pk])).status_code == 403


def test_sign_in_works_while_the_throttles_cache_is_down(client, api_client, settings, owner):
    # A Redis that does not answer (nothing listens on port 1): the address limit and the
    # throttles are skipped, the per-account lockout (in PostgreSQL) still holds.
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
        }
    }
    assert fail_login(client, "alice", times=5).status_code == 429
    assert fail_login(client, "bob").status_code == 200
    response = api_client.post("/api/auth/token/", {"username": "bob", "password": "no"})
    assert response.status_code == 400
