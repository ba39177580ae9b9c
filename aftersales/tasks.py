from celery import shared_task

from aftersales import services


@shared_task(acks_late=True, autoretry_for=(ConnectionError,), max_retries=3, retry_backoff=True)
def deliver_notification(notification_id):
    return services.deliver_notification(notification_id=notification_id)


@shared_task(acks_late=True)
def deliver_pending_notifications():
    return services.deliver_pending_notifications()
