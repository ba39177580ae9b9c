"""The sign-in pages: login with the second factor, its set-up, the person's API tokens, the
administrators' lockouts and per-person reset, and the lockout answer itself."""

from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required, permission_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from aftersales.errors import DomainError
from aftersales.models import User
from aftersales.signin import selectors, services, throttling
from aftersales.signin.forms import CodeForm, EnrolmentForm, TokenForm
from aftersales.signin.models import ApiToken
from aftersales.views import add_domain_error, next_url

# The session of someone who gave the right password and still owes the second factor.
PENDING = "signin:pending"
PENDING_SECONDS = 300
# The authenticator being set up, until its first code confirms it.
ENROLLING = "signin:enrolling"


def lockout_message():
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return _(
        "This account is locked for %(minutes)d minutes after too many failed sign-ins. "
        "Try again later, or ask an administrator to unlock it."
    ) % {"minutes": minutes}


def address_blocked_message():
    return _("Too many failed sign-ins from your network. Try again in a few minutes.")


def lockout_response(request, original_response=None, credentials=None):
    """What django-axes answers for a locked-out account (AXES_LOCKOUT_CALLABLE): the API gets
    JSON, the browser the login page with the message, both 429, in the user's language."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": lockout_message()}, status=429)
    return _login_refused(request, lockout_message())


def _login_refused(request, message):
    form = auth_views.AuthenticationForm(request)
    context = {"form": form, "refusal": message}
    return render(request, "registration/login.html", context, status=429)


class LoginView(auth_views.LoginView):
    """Django's login with three additions: an address with too many failures is refused, a
    person with a second factor is asked for its code before the session is theirs, and a
    person who must set one up is led there (SecondFactorMiddleware)."""

    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs):
        if throttling.address_is_blocked(request):
            return _login_refused(request, address_blocked_message())
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form):
        throttling.record_failure(self.request)
        return super().form_invalid(form)

    def form_valid(self, form):
        user = form.get_user()
        if not services.has_second_factor(user):
            return super().form_valid(form)
        self.request.session[PENDING] = {
            "user": user.pk,
            "backend": user.backend,
            "at": int(timezone.now().timestamp()),
            "next": self.get_success_url(),
        }
        return redirect("login-verify")


def admin_login(request):
    """The Django admin's login page would take the password alone: send everyone to ours,
    and back to the admin page they wanted afterwards."""
    return redirect_to_login(next_url(request, reverse("admin:index")))


def login_verify(request):
    """The second step of signing in: the code from the authenticator or a recovery code."""
    pending = request.session.get(PENDING)
    now = int(timezone.now().timestamp())
    if not pending or now - pending["at"] > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        messages.info(request, _("Please log in again."))
        return redirect("login")
    user = get_object_or_404(User, pk=pending["user"], is_active=True)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            device = services.verify_second_factor(user=user, code=form.cleaned_data["code"])
        except DomainError as error:
            add_domain_error(form, error)
        else:
            del request.session[PENDING]
            auth_login(request, user, backend=pending["backend"])
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                messages.warning(
                    request,
                    _("You used a recovery code; %(count)d are left.")
                    % {"count": services.recovery_codes_left(user)},
                )
            return redirect(pending["next"])
    return render(request, "aftersales/signin/login_verify.html", {"form": form})


@login_required
def two_factor(request):
    """Setting up the second factor (QR code, first code, recovery codes), and once it is set
    up: new recovery codes, removing it where it is optional, or verifying this session with it
    (when an administrator's reset or a new requirement brought the person here)."""
    user = request.user
    enrolled = services.has_second_factor(user)
    action = request.POST.get("action")
    if request.method == "POST" and action == "remove":
        return _remove_own_second_factor(request)
    if request.method == "POST" and action == "codes" and enrolled and user.is_verified():
        codes = services.replace_recovery_codes(user=user)
        return _show_recovery_codes(request, codes)
    if enrolled and not user.is_verified():
        return _verify_session(request)
    if enrolled and action != "restart":
        return render(
            request,
            "aftersales/signin/two_factor.html",
            {
                "codes_left": services.recovery_codes_left(user),
                "required": services.second_factor_required(user),
            },
        )
    return _enrol(request)


def _enrol(request):
    user = request.user
    device = TOTPDevice.objects.filter(
        pk=request.session.get(ENROLLING), user=user, confirmed=False
    ).first()
    if device is None:
        device = services.start_enrolment(user=user)
        request.session[ENROLLING] = device.pk
    form = EnrolmentForm(request.POST if request.POST.get("action") == "confirm" else None)
    if form.is_bound and form.is_valid():
        try:
            device, codes = services.confirm_enrolment(
                device=device, code=form.cleaned_data["code"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            request.session.pop(ENROLLING, None)
            otp_login(request, device)
            messages.success(request, _("Two-factor sign-in is set up."))
            return _show_recovery_codes(request, codes)
    qr_code = segno.make(device.config_url, error="m")
    return render(
        request,
        "aftersales/signin/enrol.html",
        {
            "form": form,
            # segno writes plain SVG markup (no script), safe to place in the page.
            "qr_svg": mark_safe(  # noqa: S308  # nosec B308 B703 (segno's SVG, no input)
                qr_code.svg_inline(scale=5, title=_("QR code for your authenticator app"))
            ),
            "secret": _spaced(device.key),
            "required": services.second_factor_required(request.user),
        },
    )


def _spaced(hex_key):
    """The secret as an app expects it typed in: base32, in groups of four."""
    secret = b32encode(bytes.fromhex(hex_key)).decode().rstrip("=")
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


def _show_recovery_codes(request, codes):
    return render(request, "aftersales/signin/recovery_codes.html", {"codes": codes})


def _verify_session(request):
    form = CodeForm(request.POST if request.POST.get("action") == "verify" else None)
    if form.is_bound and form.is_valid():
        try:
            device = services.verify_second_factor(
                user=request.user, code=form.cleaned_data["code"]
            )
        except DomainError as error:
            add_domain_error(form, error)
        else:
            otp_login(request, device)
            return redirect("home")
    return render(request, "aftersales/signin/verify_session.html", {"form": form})


def _remove_own_second_factor(request):
    try:
        services.remove_second_factor(user=request.user, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Two-factor sign-in is switched off."))
    return redirect("two-factor")


@login_required
def security(request):
    """The person's sign-in settings: the second factor and their API tokens."""
    form = TokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        token, new_key = services.issue_token(user=request.user, name=form.cleaned_data["name"])
        messages.success(
            request,
            _("Token for “%(name)s” created. Copy it now: it is not shown again.")
            % {"name": token.name},
        )
        form = TokenForm()
    return render(
        request,
        "aftersales/signin/security.html",
        {
            "form": form,
            "new_key": new_key,
            "tokens": services.tokens_of(request.user),
            "enrolled": services.has_second_factor(request.user),
            "token_days": settings.API_TOKEN_LIFETIME.days,
        },
    )


@login_required
@require_POST
def token_revoke(request, pk):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.revoke_token(token=token, by=request.user)
    messages.success(request, _("Token for “%(name)s” revoked.") % {"name": token.name})
    return redirect("security")


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's password change; every API token of the person is revoked with it (a token
    issued under the old password would stop working anyway: see ExpiringTokenAuthentication)."""

    def form_valid(self, form):
        response = super().form_valid(form)
        count = services.revoke_all_tokens(user=self.request.user)
        if count:
            messages.info(self.request, _("Your API tokens were revoked."))
        return response


@require_POST
def session_keepalive(request):
    """Called by static/js/session.js when the person chooses to stay signed in: the request
    itself counts as activity (SessionTimeoutMiddleware)."""
    return JsonResponse({"signed_in": request.user.is_authenticated})


# --- For administrators ----------------------------------------------------------------------

manages_users = permission_required("aftersales.manage_organisation", raise_exception=True)


@login_required
@manages_users
def lockouts(request):
    """Accounts locked out now (each can be unlocked) and the latest failed sign-ins."""
    return render(
        request,
        "aftersales/signin/lockouts.html",
        {
            "lockouts": selectors.current_lockouts(),
            "failures": selectors.recent_failures(),
            "failure_limit": settings.AXES_FAILURE_LIMIT,
        },
    )


@login_required
@manages_users
@require_POST
def unlock(request):
    _unlock(request, request.POST.get("username", ""))
    return redirect("signin-lockouts")


def _unlock(request, username):
    try:
        services.unlock_account(username=username, by=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("“%(username)s” is unlocked.") % {"username": username})


@login_required
@manages_users
def user_security(request, pk):
    """One person's sign-in as an administrator sees it: lockout (unlock), second factor
    (reset, e.g. after a lost phone) and API tokens (revoke one or all)."""
    person = get_object_or_404(User, pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "unlock":
            _unlock(request, person.username)
        elif action == "reset":
            services.remove_second_factor(user=person, by=request.user)
            messages.success(
                request, _("The second factor of %(name)s was reset.") % {"name": person}
            )
        elif action == "revoke":
            token_id = request.POST.get("token", "")
            if not token_id.isdigit():
                raise Http404
            token = get_object_or_404(ApiToken, pk=token_id, user=person)
            services.revoke_token(token=token, by=request.user)
            messages.success(request, _("Token for “%(name)s” revoked.") % {"name": token.name})
        elif action == "revoke-all":
            services.revoke_all_tokens(user=person)
            messages.success(request, _("All tokens of %(name)s revoked.") % {"name": person})
        return redirect("user-security", pk=person.pk)
    return render(
        request,
        "aftersales/signin/user_security.html",
        {
            "person": person,
            "locked_out": selectors.is_locked_out(person.username),
            "enrolled": services.has_second_factor(person),
            "tokens": services.tokens_of(person),
        },
    )
