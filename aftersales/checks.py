"""Deployment checks of our own, run by `manage.py check --deploy` beside Django's: a production
that would print its e-mails to the console, or put links to localhost into them, is
misconfigured even though it starts."""

from urllib.parse import urlsplit

from django.conf import settings
from django.core.checks import Tags, Warning, register

NOT_DELIVERING_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
}
LOCAL_HOSTS = {"localhost", "127.0.0.1", "::1", "0.0.0.0"}  # noqa: S104  # nosec B104 (names, not a bind)


@register(Tags.security, deploy=True)
def email_is_delivered(app_configs, **kwargs):
    if settings.EMAIL_BACKEND in NOT_DELIVERING_BACKENDS:
        return [
            Warning(
                f"E-mail is not delivered: EMAIL_BACKEND is {settings.EMAIL_BACKEND}.",
                hint="Set EMAIL_URL to your mail server, e.g. smtp+tls://user:pw@host:587.",
                id="aftersales.W001",
            )
        ]
    return []


@register(Tags.security, deploy=True)
def site_url_is_public(app_configs, **kwargs):
    host = urlsplit(settings.SITE_URL).hostname or ""
    if host in LOCAL_HOSTS or host.endswith(".localhost"):
        return [
            Warning(
                f"SITE_URL points to this machine ({settings.SITE_URL}): links in e-mails "
                "would not work.",
                hint="Set SITE_URL to the address users open, e.g. https://crm.example.com.",
                id="aftersales.W002",
            )
        ]
    return []
