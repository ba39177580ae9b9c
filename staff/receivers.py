"""Receivers of the customers and quality apps' announcements: each only calls one of our
services."""

from django.dispatch import receiver

from customers.signals import customers_merged
from quality.signals import complaint_corrected, complaint_recorded
from staff.people import services


@receiver(complaint_recorded, dispatch_uid="staff.coaching_for_complaint")
def complaint_about_staff_attention(sender, complaint, **kwargs):
    services.open_coaching_for_complaint(complaint=complaint)


# A complaint corrected to be about staff attention opens the coaching its recording would have;
# one already opened for it stays the only one.
@receiver(complaint_corrected, dispatch_uid="staff.coaching_for_corrected_complaint")
def complaint_corrected_to_staff_attention(sender, complaint, **kwargs):
    services.open_coaching_for_complaint(complaint=complaint)


@receiver(customers_merged, dispatch_uid="staff.move_merged_customer")
def move_appointments_of_merged_customer(sender, survivor, duplicate, **kwargs):
    services.move_customer_appointments(survivor=survivor, duplicate=duplicate)
