from axes.models import AccessAttempt, AccessFailureLog
from django.conf import settings
from django.db.models import Max
from django.utils import timezone

# The failed sign-ins shown beside the lockouts.
RECENT_FAILURES = 50


def current_lockouts():
    """Accounts refused right now: at least AXES_FAILURE_LIMIT failures, the last one within
    the lockout time. One row per username (its attempts from several addresses added up)."""
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    rows = (
        AccessAttempt.objects.filter(attempt_time__gte=since)
        .values("username")
        .annotate(last_failure=Max("attempt_time"), failures=Max("failures_since_start"))
        .order_by("-last_failure")
    )
    return [
        {**row, "locked_until": row["last_failure"] + settings.AXES_COOLOFF_TIME}
        for row in rows
        if row["failures"] >= settings.AXES_FAILURE_LIMIT
    ]


def recent_failures():
    return AccessFailureLog.objects.order_by("-attempt_time")[:RECENT_FAILURES]


def is_locked_out(username):
    return any(row["username"] == username for row in current_lockouts())
