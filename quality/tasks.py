from celery import shared_task

from quality import services


@shared_task(acks_late=True)
def escalate_breached_complaints():
    return services.escalate_breached_complaints()


@shared_task(acks_late=True)
def recompute_scores():
    return services.recompute_scores()
