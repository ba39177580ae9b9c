"""The TOTP second factor: set-up with a QR code, login with a wrong and a right code, recovery
codes used once, the roles that must set one up, the token endpoint, administrators' reset."""

import time
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from aftersales.errors import DomainError
from aftersales.signin import services
from tests.aftersales.factories import PASSWORD
from tests.aftersales.signin.helpers import current_code, enrol, log_in, next_code, wrong_code


def next_step():
    """The start of the next 30-second TOTP step from now. Tests travel there (with the
    clock stopped), so that it comes after the step whose code set-up used (codes are good
    once and never for an earlier step), and nothing moves while a test runs."""
    return datetime.fromtimestamp((time.time() // 30 + 1) * 30, UTC)


# django-otp makes one wait 1 s after a wrong code (doubling with each further one).
AFTER_THE_WAIT = timedelta(seconds=2)


def test_set_up_with_a_qr_code_and_the_first_code(login, owner):
    client = login(owner)
    with time_machine.travel(next_step(), tick=False) as traveller:
        page = client.get(reverse("two-factor"))
        assert page.status_code == 200
        assert "<svg" in page.content.decode()
        device = TOTPDevice.objects.get(user=owner)
        assert not device.confirmed
        # Reloading the page keeps the same secret (the QR code already scanned stays valid).
        client.get(reverse("two-factor"))
        assert TOTPDevice.objects.get(user=owner).pk == device.pk

        response = client.post(
            reverse("two-factor"), {"action": "confirm", "code": wrong_code(device)}
        )
        assert "The code is not right" in response.content.decode()
        assert not services.has_second_factor(owner)

        traveller.shift(AFTER_THE_WAIT)
        response = client.post(
            reverse("two-factor"), {"action": "confirm", "code": current_code(device)}
        )
    assert response.status_code == 200
    assert len(response.context["codes"]) == services.RECOVERY_CODE_COUNT
    assert services.has_second_factor(owner)
    assert services.recovery_codes_left(owner) == services.RECOVERY_CODE_COUNT


def test_the_qr_code_holds_the_secret_and_the_issuer(login, owner):
    client = login(owner)
    client.get(reverse("two-factor"))
    device = TOTPDevice.objects.get(user=owner)
    assert "issuer=After-Sales%20CRM" in device.config_url
    assert device.config_url.startswith("otpauth://totp/")


def test_login_asks_for_the_code_then_refuses_a_wrong_one_and_takes_the_right_one(client, owner):
    device, _codes = enrol(owner)
    with time_machine.travel(next_step(), tick=False) as traveller:
        response = log_in(client, owner)
        assert response.status_code == 302
        assert response.url == reverse("login-verify")
        # The password alone opened no session.
        assert client.get(reverse("home")).status_code == 302

        response = client.post(reverse("login-verify"), {"code": wrong_code(device)})
        assert response.status_code == 200
        assert "The code is not right" in response.content.decode()
        assert client.get(reverse("home")).status_code == 302

        traveller.shift(AFTER_THE_WAIT)
        response = client.post(reverse("login-verify"), {"code": next_code(device)})
        assert response.status_code == 302
        assert response.url == reverse("home")
        assert client.get(reverse("home")).status_code == 200


def test_a_second_wrong_code_right_away_must_wait(client, owner):
    device, _codes = enrol(owner)
    with time_machine.travel(next_step(), tick=False):
        log_in(client, owner)
        client.post(reverse("login-verify"), {"code": wrong_code(device)})
        response = client.post(reverse("login-verify"), {"code": next_code(device)})
    assert "Wait a few seconds" in response.content.decode()


def test_a_recovery_code_signs_in_once(client, owner):
    _device, codes = enrol(owner)
    log_in(client, owner)
    response = client.post(reverse("login-verify"), {"code": codes[0].upper()})
    assert response.status_code == 302
    assert services.recovery_codes_left(owner) == services.RECOVERY_CODE_COUNT - 1
    client.post(reverse("logout"))

    log_in(client, owner)
    response = client.post(reverse("login-verify"), {"code": codes[0]})
    assert "The code is not right" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_new_recovery_codes_replace_the_old_ones(client, owner):
    device, old_codes = enrol(owner)
    log_in(client, owner)
    client.post(reverse("login-verify"), {"code": next_code(device)})
    response = client.post(reverse("two-factor"), {"action": "codes"})
    new_codes = response.context["codes"]
    assert set(new_codes).isdisjoint(old_codes)
    tokens = set(StaticToken.objects.filter(device__user=owner).values_list("token", flat=True))
    assert tokens == set(new_codes)


def test_the_pending_sign_in_expires(client, owner):
    device, _codes = enrol(owner)
    with time_machine.travel(next_step(), tick=False) as traveller:
        log_in(client, owner)
        traveller.shift(timedelta(minutes=6))
        response = client.post(reverse("login-verify"), {"code": next_code(device)})
    assert response.status_code == 302
    assert response.url == reverse("login")
    assert client.get(reverse("home")).status_code == 302


@pytest.fixture
def enforced(settings):
    settings.TWO_FACTOR_ENFORCED = True


@pytest.mark.parametrize("persona", ["admin_user", "manager", "quality_manager"])
def test_a_role_that_must_enrol_is_led_to_the_set_up(request, client, enforced, persona):
    user = request.getfixturevalue(persona)
    response = log_in(client, user)
    response = client.get(response.url)
    assert response.status_code == 302
    assert response.url == reverse("two-factor")
    assert client.get(reverse("two-factor")).status_code == 200
    # Nothing else opens before, neither pages nor the API.
    assert client.get(reverse("notification-list")).status_code == 302
    assert client.get("/api/branches/").status_code == 403


def test_after_the_set_up_the_pages_open(client, enforced, manager):
    log_in(client, manager)
    client.get(reverse("two-factor"))
    device = TOTPDevice.objects.get(user=manager)
    client.post(reverse("two-factor"), {"action": "confirm", "code": current_code(device)})
    assert client.get(reverse("home")).status_code == 200


def test_other_roles_need_no_second_factor(client, enforced, owner):
    response = log_in(client, owner)
    assert client.get(response.url).status_code == 200


def test_a_required_second_factor_cannot_be_switched_off(client, enforced, manager):
    device, _codes = enrol(manager)
    log_in(client, manager)
    client.post(reverse("login-verify"), {"code": next_code(device)})
    client.post(reverse("two-factor"), {"action": "remove"})
    assert services.has_second_factor(manager)


def test_an_optional_second_factor_can_be_switched_off(client, owner):
    device, _codes = enrol(owner)
    log_in(client, owner)
    client.post(reverse("login-verify"), {"code": next_code(device)})
    client.post(reverse("two-factor"), {"action": "remove"})
    assert not services.has_second_factor(owner)
    assert log_in(client, owner).url == reverse("home")


def test_without_enforcement_demo_logins_need_no_second_factor(client, settings, manager):
    # DEBUG (development) leaves TWO_FACTOR_ENFORCED off: the README's logins work as before.
    settings.TWO_FACTOR_ENFORCED = False
    response = log_in(client, manager)
    assert client.get(response.url).status_code == 200


def test_the_token_endpoint_needs_the_current_code(api_client, owner):
    device, _codes = enrol(owner)
    credentials = {"username": "alice", "password": PASSWORD}
    with time_machine.travel(next_step(), tick=False) as traveller:
        response = api_client.post("/api/auth/token/", credentials)
        assert response.status_code == 400
        assert "code" in response.json()
        response = api_client.post("/api/auth/token/", {**credentials, "code": wrong_code(device)})
        assert response.status_code == 400
        traveller.shift(AFTER_THE_WAIT)
        response = api_client.post("/api/auth/token/", {**credentials, "code": next_code(device)})
    assert response.status_code == 200
    assert response.json()["token"]


def test_no_token_for_a_role_that_has_not_enrolled(api_client, enforced, manager):
    response = api_client.post("/api/auth/token/", {"username": "mia", "password": PASSWORD})
    assert response.status_code == 403


def test_administrators_reset_a_second_factor(client, login, admin_user, owner):
    enrol(owner)
    admin = login(admin_user)
    url = reverse("user-security", args=[owner.pk])
    assert "Reset the second factor" in admin.get(url).content.decode()
    admin.post(url, {"action": "reset"})
    assert not services.has_second_factor(owner)
    assert not StaticToken.objects.filter(device__user=owner).exists()
    admin.post(reverse("logout"))
    # The person signs in with the password alone and sets up a new one.
    assert log_in(client, owner).url == reverse("home")


def test_a_reset_sends_a_required_role_back_to_the_set_up(client, enforced, manager, admin_user):
    device, _codes = enrol(manager)
    log_in(client, manager)
    client.post(reverse("login-verify"), {"code": next_code(device)})
    assert client.get(reverse("home")).status_code == 200
    services.remove_second_factor(user=manager, by=admin_user)
    response = client.get(reverse("home"))
    assert response.url == reverse("two-factor")


def test_only_administrators_reset_someone_elses(manager, owner):
    enrol(owner)
    with pytest.raises(DomainError):
        services.remove_second_factor(user=owner, by=manager)
    assert services.has_second_factor(owner)


def test_the_admin_signs_in_through_the_same_login(client, admin_user):
    response = client.get("/admin/login/?next=/admin/aftersales/user/")
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/admin/aftersales/user/"
    enrol(admin_user)
    # The admin's own password-only form is never reached.
    client.post("/admin/login/", {"username": admin_user.username, "password": PASSWORD})
    assert client.get("/admin/").status_code == 302
