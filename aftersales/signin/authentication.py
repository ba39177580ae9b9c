from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication

from aftersales.prepared import PreparedLookup
from aftersales.signin.loading import access_annotations, prime
from aftersales.signin.models import ApiToken, hash_key

# last_used_at is written at most this often per token, not on every request.
LAST_USED_PRECISION = timedelta(minutes=5)


# The token of a key's hash with its user and the user's access, compiled once and prepared
# (building and planning its four subqueries was most of authenticating).
_token_with_access = PreparedLookup(
    lambda key_hash: (
        ApiToken.objects.select_related("user")
        .annotate(**access_annotations("user_id"))
        .filter(key_hash=key_hash)
    ),
    placeholder=hash_key("placeholder"),
)


class ExpiringTokenAuthentication(TokenAuthentication):
    """`Authorization: Token <key>` with our tokens: looked up by the key's hash, refused once
    expired, once the password changed since it was issued, or for an inactive user.
    request.auth is the ApiToken, so that DELETE /api/auth/token/ knows which one to revoke."""

    model = ApiToken

    def authenticate_credentials(self, key):
        token = _token_with_access.get(hash_key(key))
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
