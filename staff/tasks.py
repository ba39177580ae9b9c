from celery import shared_task

from staff import hiring_services


@shared_task(acks_late=True)
def delete_expired_candidates():
    """Data protection: erase candidates past their retention period (see hiring_services)."""
    return hiring_services.delete_expired_candidates()
