from celery import shared_task

from aftersales import services


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), max_retries=3, retry_backoff=True)
def deliver_email(email_id):
    return services.deliver_email(email_id=email_id)


@shared_task(acks_late=True)
def deliver_pending_emails():
    return services.deliver_pending_emails()
