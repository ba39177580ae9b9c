from celery import shared_task

from quality import rollups, services
from quality.audits import services as audit_services
from quality.campaigns import services as campaign_services


@shared_task(acks_late=True)
def escalate_breached_complaints():
    return services.escalate_breached_complaints()


@shared_task(acks_late=True)
def recompute_scores():
    return services.recompute_scores()


@shared_task(acks_late=True)
def refresh_dashboard_rollups():
    rollups.rebuild()


# Quality audits (quality/audits) and early warning (quality/campaigns).


@shared_task(acks_late=True)
def send_audit_reminders():
    return audit_services.send_audit_reminders()


@shared_task(acks_late=True)
def send_action_reminders():
    return audit_services.send_action_reminders()


@shared_task(acks_late=True)
def detect_complaint_clusters():
    return len(campaign_services.detect_clusters())


@shared_task(acks_late=True)
def detect_clusters_for_complaint(complaint_id):
    return len(campaign_services.detect_for_complaint(complaint_id))


@shared_task(acks_late=True)
def refresh_product_figures():
    return campaign_services.refresh_product_figures()
