import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def hash_key(key):
    """The stored form of a token key: keys are long random strings, so a plain SHA-256 is
    enough, and a leaked table gives nobody a working token."""
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(expires_at__gt=timezone.now())


class ApiToken(models.Model):
    """A personal API token, one per device (name) and person, valid until it expires, the
    person changes their password, or it is revoked. Only the hash of the key is kept."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="api_tokens",
    )
    name = models.CharField(
        _("device"),
        max_length=60,
        help_text=_("Where the token is used, e.g. the tablet of the workshop."),
    )
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    # The first characters of the key, so a person can tell their tokens apart.
    prefix = models.CharField(_("begins with"), max_length=8, editable=False)
    # The user's session auth hash (an HMAC of the password hash) when the token was issued:
    # a changed password makes it differ, and the token stops working at once.
    password_fingerprint = models.CharField(max_length=128, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["user", "name"]
        constraints = [
            models.UniqueConstraint(fields=["user", "name"], name="api_token_one_per_device")
        ]

    def __str__(self):
        return f"{self.user} · {self.name}"

    @property
    def is_expired(self):
        return self.expires_at <= timezone.now()
