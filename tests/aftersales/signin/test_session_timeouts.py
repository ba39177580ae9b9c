"""Browser sessions end after 30 minutes without a request and 10 hours after sign-in."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from tests.aftersales.signin.helpers import log_in
from tests.staff.mystery_helpers import handover_assignment

START = datetime(2026, 3, 2, 8, 0, tzinfo=UTC)


@pytest.fixture
def traveller():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


def test_idle_timeout(client, owner, traveller):
    log_in(client, owner)
    traveller.shift(timedelta(minutes=29))
    assert client.get(reverse("home")).status_code == 200
    traveller.shift(timedelta(minutes=29))
    assert client.get(reverse("home")).status_code == 200
    traveller.shift(timedelta(minutes=31))
    response = client.get(reverse("customers:customer-list"))
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={reverse('customers:customer-list')}"
    assert "without activity" in client.get(response.url).content.decode()
    # The session is gone for good, not only for that request.
    assert client.get(reverse("home")).status_code == 302


def test_absolute_timeout_however_active(client, owner, traveller):
    log_in(client, owner)
    for _quarter in range(39):  # 9 h 45 min of work, a request every 15 minutes
        traveller.shift(timedelta(minutes=15))
        assert client.get(reverse("home")).status_code == 200
    traveller.shift(timedelta(minutes=16))
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert "at most 10 hours" in client.get(response.url).content.decode()


def test_the_timeouts_are_settings(client, owner, settings, traveller):
    settings.SESSION_IDLE_TIMEOUT = timedelta(minutes=5)
    log_in(client, owner)
    traveller.shift(timedelta(minutes=6))
    assert client.get(reverse("home")).status_code == 302


def test_the_keepalive_counts_as_activity(client, owner, traveller):
    log_in(client, owner)
    traveller.shift(timedelta(minutes=25))
    assert client.post(reverse("session-keepalive")).json() == {"signed_in": True}
    traveller.shift(timedelta(minutes=25))
    assert client.get(reverse("home")).status_code == 200


def test_an_expired_session_is_anonymous_in_the_api(client, owner, traveller):
    log_in(client, owner)
    assert client.get("/api/branches/").status_code == 200
    traveller.shift(timedelta(minutes=31))
    assert client.get("/api/branches/").status_code in (401, 403)
    assert client.get(reverse("home")).status_code == 302


def test_the_mystery_shop_form_warns_before_the_idle_logout(
    login, north, shopper, owner, quality_manager
):
    assignment = handover_assignment(
        shopper=shopper, branch=north, employee=owner, created_by=quality_manager
    )
    page = login(shopper).get(reverse("staff:shopper-result", args=[assignment.pk]))
    html = page.content.decode()
    assert "js/session.js" in html
    assert 'data-session-guard data-idle-seconds="1800"' in html
    assert f'data-keepalive-url="{reverse("session-keepalive")}"' in html
    # The draft the script saves before the logout: the form's own "Save draft" button.
    assert 'data-draft-button="save"' in html
    assert 'name="save"' in html
