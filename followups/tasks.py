from celery import shared_task
from django.utils import timezone

from followups import figures, public_holidays, replanning, services, surveys
from followups.offers import generation, rollups
from followups.offers import services as offer_services


@shared_task(acks_late=True)
def send_daily_digests():
    return services.send_daily_digests()


@shared_task(acks_late=True)
def escalate_overdue_followups():
    return services.escalate_overdue_followups()


@shared_task(acks_late=True)
def mark_missed_followups():
    return services.mark_missed_followups()


@shared_task(acks_late=True)
def send_due_surveys():
    return surveys.send_due_surveys()


@shared_task(acks_late=True)
def fill_public_holidays():
    return public_holidays.fill_public_holidays()


# Cross-selling (followups/offers): each task re-scans the database, so a lost, doubled or
# retried run finds nothing more to do. The generation and the roll-ups read every customer, so
# they get more time than the default limits (a million customers take minutes).
LONG_RUN = {"soft_time_limit": 30 * 60, "time_limit": 35 * 60}


@shared_task(acks_late=True, **LONG_RUN)
def generate_offers():
    runs = generation.generate_offers()
    return {
        run.rule.pk: {
            "suggested": run.suggested,
            "held_back": run.held_back,
            "released": run.released,
        }
        for run in runs
        if run.suggested or run.held_back or run.released
    }


@shared_task(acks_late=True)
def expire_offers():
    return offer_services.expire_offers()


@shared_task(acks_late=True, **LONG_RUN)
def refresh_offer_rollups():
    return rollups.rebuild(today=timezone.localdate())


@shared_task(acks_late=True, **LONG_RUN)
def refresh_rollups():
    figures.rebuild_rollups()


@shared_task(acks_late=True, soft_time_limit=30 * 60, time_limit=35 * 60)
def run_replanning(job_id):
    return replanning.run_replanning(job_id)
