"""Session timeouts and the required second factor, checked on every request."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.dispatch import receiver
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.signin.services import second_factor_required

SIGNED_IN_AT = "signin:at"
LAST_SEEN_AT = "signin:seen"
# The last-seen time is written to the session at most this often (seconds), so that an
# ordinary page view does not cost a session write; the idle timeout is that much less exact.
LAST_SEEN_PRECISION = 60


def _is_api(request):
    return request.path_info.startswith("/api/")


@receiver(user_logged_in)
def stamp_new_session(sender, request, user, **kwargs):
    """Django's own sign-in signal (every login: the form, the second factor, the admin, the
    tests' force_login) starts both clocks, in the session write that login makes anyway."""
    if request is not None and hasattr(request, "session"):
        now = int(timezone.now().timestamp())
        request.session[SIGNED_IN_AT] = now
        request.session[LAST_SEEN_AT] = now


class SessionTimeoutMiddleware:
    """Ends a browser session SESSION_IDLE_TIMEOUT after its last request and
    SESSION_ABSOLUTE_TIMEOUT after sign-in, whatever happened in between. Token-authenticated
    API calls carry no session and are not affected."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(timezone.now().timestamp())
            session = request.session
            signed_in_at = session.setdefault(SIGNED_IN_AT, now)
            last_seen_at = session.get(LAST_SEEN_AT, now)
            idle = now - last_seen_at > settings.SESSION_IDLE_TIMEOUT.total_seconds()
            too_old = now - signed_in_at > settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds()
            if idle or too_old:
                logout(request)
                if _is_api(request):
                    return self.get_response(request)
                messages.info(
                    request,
                    _("You were signed out after %(minutes)d minutes without activity.")
                    % {"minutes": settings.SESSION_IDLE_TIMEOUT.total_seconds() // 60}
                    if idle
                    else _("You were signed out: a session lasts at most %(hours)d hours.")
                    % {"hours": settings.SESSION_ABSOLUTE_TIMEOUT.total_seconds() // 3600},
                )
                return redirect_to_login(request.get_full_path())
            if now - session.get(LAST_SEEN_AT, 0) >= LAST_SEEN_PRECISION:
                session[LAST_SEEN_AT] = now
        return self.get_response(request)


# Pages a person who still has to set up their second factor may open.
ENROLMENT_OPEN_URL_NAMES = ("two-factor", "logout", "set_language", "session-keepalive")


class SecondFactorMiddleware:
    """A person whose role requires a second factor (second_factor_required) and whose session
    was not verified with one is led to the set-up page; nothing else opens until then."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.open_paths = None

    def __call__(self, request):
        user = request.user
        if (
            user.is_authenticated
            and second_factor_required(user)
            and not user.is_verified()
            and not self._is_open(request)
        ):
            if _is_api(request):
                return JsonResponse(
                    {"detail": _("Set up two-factor sign-in in the browser first.")}, status=403
                )
            return redirect("two-factor")
        return self.get_response(request)

    def _is_open(self, request):
        if self.open_paths is None:
            self.open_paths = {reverse(name) for name in ENROLMENT_OPEN_URL_NAMES}
        path = request.path_info
        return path in self.open_paths or path.startswith(f"/{settings.STATIC_URL.strip('/')}/")
