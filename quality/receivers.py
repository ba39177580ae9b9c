"""Receivers of the follow-ups app's announcements: each only calls one of our services."""

from django.dispatch import receiver

from customers.signals import customers_merged, purchase_changed
from followups.signals import followup_completed, followup_missed, survey_answered
from quality import services


@receiver(followup_completed, dispatch_uid="quality.signal_from_followup")
def followup_completed_with_doubt(sender, followup, outcome, **kwargs):
    services.signal_from_followup(followup=followup, outcome=outcome)


@receiver(followup_missed, dispatch_uid="quality.signal_from_missed_followup")
def followup_never_made(sender, followup, **kwargs):
    services.signal_from_missed_followup(followup=followup)


@receiver(survey_answered, dispatch_uid="quality.signal_from_survey")
def survey_answered_low(sender, response, **kwargs):
    services.signal_from_survey(response=response)


@receiver(customers_merged, dispatch_uid="quality.move_merged_customer")
def move_complaints_of_merged_customer(sender, survivor, duplicate, **kwargs):
    services.move_customer_records(survivor=survivor, duplicate=duplicate)


@receiver(purchase_changed, dispatch_uid="quality.move_signal_handover")
def purchase_handover_changed(sender, purchase, **kwargs):
    services.handover_moved(purchase=purchase)
