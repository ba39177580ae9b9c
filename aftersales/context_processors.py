from django.utils.translation import get_language_info

from aftersales import selectors

# The session key aftersales.views.switch_language writes and this processor reads once.
LANGUAGE_OFFER = "language_offer"


def navigation(request):
    """What the navigation bar needs on every page: the unread count and the role flags."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "unread_notifications": selectors.unread_notification_count(user),
        "language_offer": _language_offer(request),
    }


def _language_offer(request):
    """The language just switched to, when it is not the person's saved one: offered once."""
    code = request.session.pop(LANGUAGE_OFFER, None) if hasattr(request, "session") else None
    return get_language_info(code) if code else None
