"""Celery beat for scripts/chaos_test.py: `celery -A scripts.chaos_beat beat`.

The production delivery tick exactly as configured (aftersales.settings), and the follow-up
digest and escalation ticks every ten seconds instead of every few minutes, so that a run of a
minute or two meets them under faults too; both ticks are idempotent by design, which is what the
run checks. The other periodic jobs are left out: they would only add work unrelated to the run.
"""

from datetime import timedelta

from aftersales.celery import app

_production = app.conf.beat_schedule
app.conf.beat_schedule = {
    "deliver-pending-emails": _production["deliver-pending-emails"],
    "followup-digests": {
        "task": "followups.tasks.send_daily_digests",
        "schedule": timedelta(seconds=10),
        "options": {"expires": 10},
    },
    "followup-escalations": {
        "task": "followups.tasks.escalate_overdue_followups",
        "schedule": timedelta(seconds=10),
        "options": {"expires": 10},
    },
}

__all__ = ["app"]
