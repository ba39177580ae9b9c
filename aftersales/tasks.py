from celery import shared_task
from django.db import InterfaceError, OperationalError

from aftersales import jobs, services

# A database that is away for a moment (a restart): the connection is replaced after the task
# (aftersales.celery), and the message tried again a few seconds later instead of waiting for
# the next tick. SMTP failures are the outbox's own business (the row goes back to pending).
DATABASE_AWAY = (OperationalError, InterfaceError)


@shared_task(
    acks_late=True,
    autoretry_for=DATABASE_AWAY,
    max_retries=5,
    retry_backoff=2,
    retry_backoff_max=30,
)
def deliver_email(email_id):
    return services.deliver_email(email_id=email_id)


@shared_task(acks_late=True)
def deliver_pending_emails():
    return services.deliver_pending_emails()


@shared_task(acks_late=True)
def requeue_stale_jobs():
    return jobs.requeue_stale_jobs()
