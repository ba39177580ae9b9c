"""The sign-in operations: API tokens and the second factor. Views, the API and the admin call
these; the lockout itself is django-axes' (see settings, AXES_*)."""

import secrets

from axes.utils import reset as axes_reset
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from aftersales.errors import DomainError
from aftersales.signin.models import ApiToken, hash_key

RECOVERY_CODE_COUNT = 10
_WRONG_CODE = _lazy("The code is not right. Enter the current code from the app.")
DEFAULT_DEVICE_NAME = "API"


# --- API tokens -------------------------------------------------------------------------------


@transaction.atomic
def issue_token(*, user, name=DEFAULT_DEVICE_NAME):
    """A new token for this device name, replacing the person's earlier one of that name.
    Returns (token, key): the key is shown once and only its hash is kept."""
    name = (name or DEFAULT_DEVICE_NAME).strip()[:60] or DEFAULT_DEVICE_NAME
    key = secrets.token_urlsafe(32)
    now = timezone.now()
    token, _created = ApiToken.objects.update_or_create(
        user=user,
        name=name,
        defaults={
            "key_hash": hash_key(key),
            "prefix": key[:8],
            "password_fingerprint": user.get_session_auth_hash(),
            "created_at": now,
            "expires_at": now + settings.API_TOKEN_LIFETIME,
            "last_used_at": None,
        },
    )
    return token, key


def tokens_of(user):
    """The person's tokens that still work, soonest to expire last."""
    return (
        ApiToken.objects.active()
        .filter(user=user, password_fingerprint=user.get_session_auth_hash())
        .order_by("name")
    )


@transaction.atomic
def revoke_token(*, token, by):
    if token.user_id != by.pk and not by.is_administrator:
        raise DomainError(_("You can only revoke your own tokens."))
    token.delete()


@transaction.atomic
def revoke_all_tokens(*, user):
    """Every token of the person, e.g. after a password change. Returns how many."""
    count, _deleted = ApiToken.objects.filter(user=user).delete()
    return count


# --- The second factor ------------------------------------------------------------------------


def second_factor_required(user):
    """Whether this person must sign in with a second factor: their role is one of
    TWO_FACTOR_REQUIRED_ROLES, and TWO_FACTOR_ENFORCED is on (production; off with DEBUG so
    the README's demo logins work)."""
    if not settings.TWO_FACTOR_ENFORCED:
        return False
    return user.is_superuser or user.has_role(*settings.TWO_FACTOR_REQUIRED_ROLES)


def has_second_factor(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


@transaction.atomic
def start_enrolment(*, user):
    """A new, not yet confirmed authenticator for the person (replacing an earlier unconfirmed
    one): its secret goes into the QR code."""
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return TOTPDevice.objects.create(user=user, name=_("Authenticator app"), confirmed=False)


@transaction.atomic
def confirm_enrolment(*, device, code):
    """The first code from the app proves it holds the secret: the authenticator becomes the
    person's one second factor, with fresh recovery codes (returned, shown once)."""
    if device.confirmed:
        raise DomainError(_("This authenticator is already set up."))
    if not device.verify_token(_digits(code)):
        raise DomainError(_WRONG_CODE)
    TOTPDevice.objects.filter(user=device.user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device, replace_recovery_codes(user=device.user)


@transaction.atomic
def replace_recovery_codes(*, user):
    """New single-use recovery codes; the earlier ones stop working."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name="recovery", defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _number in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_codes_left(user):
    return StaticToken.objects.filter(device__user=user).count()


def verify_second_factor(*, user, code):
    """The device that accepts this code: the authenticator for its current code, the
    recovery codes for one of them (used up). Raises DomainError for a wrong code, or while
    the authenticator makes one wait after wrong codes (django-otp doubles the wait with each
    failure, which is what stops guessing)."""
    code = _digits(code).lower()
    # The failure django-otp counts must be saved, so the error is raised after the commit.
    with transaction.atomic():
        authenticator = (
            TOTPDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        )
        if authenticator is not None and code.isdigit() and len(code) == authenticator.digits:
            allowed, _details = authenticator.verify_is_allowed()
            if not allowed:
                refusal = _("Too many wrong codes. Wait a few seconds, then try again.")
            elif authenticator.verify_token(code):
                return authenticator
            else:
                refusal = _WRONG_CODE
        else:
            recovery = StaticDevice.objects.select_for_update().filter(user=user).first()
            if recovery is not None and recovery.verify_token(code):
                return recovery
            refusal = _WRONG_CODE
    raise DomainError(refusal)


@transaction.atomic
def remove_second_factor(*, user, by):
    """Removes the person's authenticator and recovery codes: by themselves (only where no
    second factor is required of them) or by an administrator (a lost phone); they enrol anew."""
    if by.pk == user.pk:
        if second_factor_required(user):
            raise DomainError(_("Your role requires a second factor: set up a new one instead."))
    elif not by.is_administrator:
        raise DomainError(_("Only administrators can reset another person's second factor."))
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()


def _digits(code):
    return "".join(code.split())


# --- Lockouts ---------------------------------------------------------------------------------


@transaction.atomic
def unlock_account(*, username, by):
    """Lifts a lockout before its time (django-axes forgets the account's failures)."""
    if not by.is_administrator:
        raise DomainError(_("Only administrators can unlock an account."))
    return axes_reset(username=username)
