from celery import shared_task

from followups import public_holidays, services, surveys


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
