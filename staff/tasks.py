from celery import shared_task

from staff.hiring import services as hiring_services
from staff.people import services

# --- appointments, training, coaching ------------------------------------------------------------


@shared_task(acks_late=True)
def send_training_reminders():
    """Warn 30 days before a training expires and tell when it has expired, each once."""
    return services.send_training_reminders()


@shared_task(acks_late=True)
def send_coaching_reminders():
    """Remind coach and employee once when a coaching action is due."""
    return services.send_coaching_reminders()


# --- hiring --------------------------------------------------------------------------------------


@shared_task(acks_late=True)
def delete_expired_candidates():
    """Data protection: erase candidates past their retention period (see staff.hiring.services)."""
    return hiring_services.delete_expired_candidates()
