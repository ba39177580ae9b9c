"""The manager sets up two-factor sign-in (the TOTP code computed here from the key the page
shows), saves the recovery codes, logs out, types a wrong code once and signs in with the right
one."""

import time
from base64 import b32decode

from django_otp.oath import totp
from playwright.sync_api import Page, expect

from tests.aftersales.factories import PASSWORD
from tests.e2e.helpers import E2E, field, log_in, log_out, open_user_menu, submit_login_form

pytestmark = E2E

# django-otp makes one wait a second after a wrong code before it checks the next.
THROTTLE_MS = 1_100


def code_for(secret, drift=0):
    key = b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    return f"{totp(key, drift=drift):06d}"


def test_the_manager_signs_in_with_a_second_factor(page: Page, manager):
    log_in(page, manager)
    open_user_menu(page, manager)
    page.get_by_role("link", name="Sign-in and security").click()
    expect(page.get_by_text("Off: your password alone signs you in.")).to_be_visible()
    page.get_by_role("link", name="Set up two-factor sign-in").click()

    expect(page.get_by_role("img", name="QR code for your authenticator app")).to_be_visible()
    secret = page.get_by_test_id("totp-secret").inner_text()
    field(page, "Code from the app").fill(code_for(secret))
    set_up_in_step = int(time.time()) // 30
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    expect(page.get_by_role("list", name="Recovery codes").get_by_role("listitem")).to_have_count(
        10
    )
    page.get_by_role("link", name="I have saved them").click()
    expect(page).to_have_url("/")

    log_out(page, manager)
    page.goto("/login/")
    submit_login_form(page, manager.username, PASSWORD)
    expect(page).to_have_url("/login/verify/")
    expect(page.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()

    field(page, "Code").fill(f"{(int(code_for(secret)) + 1) % 1_000_000:06d}")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("The code is not right.")).to_be_visible()
    expect(page).to_have_url("/login/verify/")

    page.wait_for_timeout(THROTTLE_MS)
    # A step's code is good once and the set-up used its step's: sign in with a later step's,
    # the next one while still in the set-up's step (the device accepts one step of drift),
    # else the current one (on a slow machine the next could be two steps ahead).
    still_in_set_up_step = int(time.time()) // 30 == set_up_in_step
    field(page, "Code").fill(code_for(secret, drift=1 if still_in_set_up_step else 0))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url("/")
    open_user_menu(page, manager)
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
