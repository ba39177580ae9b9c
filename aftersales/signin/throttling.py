"""Rate limits per client address: DRF throttles for the token endpoint and the public survey
answers, and a count of failed sign-ins per address for the login form and the token endpoint.

The lockout of one account (django-axes) is per username, so that one person mistyping does not
lock out an office behind one address; an address that tries many accounts is stopped here.
"""

import logging

from django.conf import settings
from django.core.cache import cache
from redis.exceptions import RedisError
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from aftersales.signin.addresses import client_ip

logger = logging.getLogger(__name__)


class AddressRateThrottle(SimpleRateThrottle):
    """At most REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"][scope] requests per client address.

    The rate is read when the throttle is made (not when the class is), so that a deployment's
    and a test's settings apply."""

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def allow_request(self, request, view):
        # The counters live in Redis (CACHE_URL): while it is down, requests are let through
        # (and the per-account lockout, in PostgreSQL, still holds) rather than failing.
        try:
            return super().allow_request(request, view)
        except RedisError:
            logger.warning("Throttle %s not applied: the cache is unreachable.", self.scope)
            return True

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": client_ip(request)}


class TokenRequestThrottle(AddressRateThrottle):
    scope = "token"


class SurveyAnswerThrottle(AddressRateThrottle):
    scope = "survey"


def _failures_key(request):
    return f"signin-failures:{client_ip(request)}"


def address_is_blocked(request):
    """True when this address failed to sign in SIGNIN_ADDRESS_FAILURE_LIMIT times within
    SIGNIN_ADDRESS_FAILURE_WINDOW (counted from its first failure)."""
    try:
        failures = cache.get(_failures_key(request), 0)
    except RedisError:
        logger.warning("Address limit not applied: the cache is unreachable.")
        return False
    return failures >= settings.SIGNIN_ADDRESS_FAILURE_LIMIT


def record_failure(request):
    key = _failures_key(request)
    window = int(settings.SIGNIN_ADDRESS_FAILURE_WINDOW.total_seconds())
    try:
        # add() starts the window only once; incr() keeps the key's expiry.
        cache.add(key, 0, timeout=window)
        try:
            cache.incr(key)
        except ValueError:
            # The window ended between add() and incr(): this failure opens the next one.
            cache.add(key, 1, timeout=window)
    except RedisError:
        logger.warning("Failed sign-in not counted for its address: the cache is unreachable.")
