"""{% session_guard %}: the data attributes static/js/session.js reads on a form where work could
be lost (the idle timeout, when to warn, where to keep the session alive, the texts)."""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()

# The warning comes this long before the idle logout; the draft is saved halfway through it.
WARNING_SECONDS = 120


@register.simple_tag
def session_guard(draft_button="save"):
    minutes = WARNING_SECONDS // 60
    return format_html(
        'data-session-guard data-idle-seconds="{}" data-warning-seconds="{}" '
        'data-keepalive-url="{}" data-draft-button="{}" data-warning-text="{}" '
        'data-stay-text="{}" data-saving-text="{}"',
        int(settings.SESSION_IDLE_TIMEOUT.total_seconds()),
        WARNING_SECONDS,
        reverse("session-keepalive"),
        draft_button,
        _(
            "You will be signed out in %(minutes)d minutes without activity. Your draft is "
            "saved before that."
        )
        % {"minutes": minutes},
        _("Stay signed in"),
        _("Saving your draft…"),
    )
