"""Shared steps of the sign-in tests: a second factor set up, its current code."""

from django.urls import reverse
from django_otp.oath import totp

from aftersales.signin import services
from tests.aftersales.factories import PASSWORD


def enrol(user):
    """A confirmed authenticator and recovery codes for the user, as the set-up page makes them;
    returns (device, recovery codes)."""
    device = services.start_enrolment(user=user)
    return services.confirm_enrolment(device=device, code=current_code(device))


def current_code(device):
    return f"{totp(device.bin_key, step=device.step, digits=device.digits):06d}"


def next_code(device):
    """The code of the next 30-second step. A code is good once (its step is remembered), so
    right after the set-up used the current one, sign-in takes the next (the device accepts
    one step of clock drift either way)."""
    return f"{totp(device.bin_key, step=device.step, digits=device.digits, drift=1):06d}"


def wrong_code(device):
    return f"{(int(current_code(device)) + 1) % 1_000_000:06d}"


def log_in(client, user, password=PASSWORD, **extra):
    return client.post(reverse("login"), {"username": user.username, "password": password}, **extra)
