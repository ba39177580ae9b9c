from datetime import timedelta
from functools import cache

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from aftersales.signin.loading import access_annotations, prime
from aftersales.signin.models import ApiToken, hash_key

# last_used_at is written at most this often per token, not on every request.
LAST_USED_PRECISION = timedelta(minutes=5)


@cache
def _tokens_with_access():
    """Tokens with their user and the user's access: the same for every request, and building
    its four subqueries took a third of authenticating. Each request filters a copy (as DRF does
    with a view's `queryset`), so this one is never evaluated."""
    return ApiToken.objects.select_related("user").annotate(**access_annotations("user_id"))


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>` with our tokens: looked up by the key's hash, refused once
    expired, once the password changed since it was issued, or for an inactive user.
    request.auth is the ApiToken, so that DELETE /api/auth/token/ knows which one to revoke."""

    model = ApiToken

    def authenticate_credentials(self, key):
        token = _tokens_with_access().filter(key_hash=hash_key(key)).first()
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid token."))
        user = prime(token.user, token)
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if token.is_expired:
            raise exceptions.AuthenticationFailed(
                _("The token has expired. Ask for a new one at /api/auth/token/.")
            )
        if token.password_fingerprint != user.get_session_auth_hash():
            raise exceptions.AuthenticationFailed(
                _("The password was changed since the token was issued. Ask for a new one.")
            )
        now = timezone.now()
        if token.last_used_at is None or token.last_used_at < now - LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return user, token
