from aftersales import selectors


def navigation(request):
    """What the navigation bar needs on every page: the unread count and the role flags."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"unread_notifications": selectors.unread_notification_count(user)}
