"""Receivers of the quality app's announcements: each only calls one of our services."""

from django.dispatch import receiver

from quality.signals import complaint_recorded
from staff import services


@receiver(complaint_recorded, dispatch_uid="staff.coaching_for_complaint")
def complaint_about_staff_attention(sender, complaint, **kwargs):
    services.open_coaching_for_complaint(complaint=complaint)
