"""Receivers of the customers app's announcements: each only calls one of our services."""

from django.dispatch import receiver

from customers.signals import (
    customers_merged,
    purchase_cancelled,
    purchase_changed,
    purchase_logged,
    purchases_imported,
)
from followups import services


@receiver(purchase_logged, dispatch_uid="followups.plan_followups")
def plan_followups_for_new_purchase(sender, purchase, **kwargs):
    services.plan_followups(purchase=purchase)


@receiver(purchases_imported, dispatch_uid="followups.plan_followups_for_many")
def plan_followups_for_imported_purchases(sender, purchases, **kwargs):
    services.plan_followups_for_many(purchases=purchases, new_purchases=True)


@receiver(purchase_changed, dispatch_uid="followups.move_followups")
def move_followups_of_changed_purchase(sender, purchase, **kwargs):
    services.move_followups(purchase=purchase)


@receiver(purchase_cancelled, dispatch_uid="followups.cancel_followups")
def cancel_followups_of_cancelled_purchase(sender, purchase, **kwargs):
    services.cancel_followups(purchase=purchase)


@receiver(customers_merged, dispatch_uid="followups.move_merged_customer")
def move_followups_of_merged_customer(sender, survivor, duplicate, **kwargs):
    services.move_customer_records(survivor=survivor, duplicate=duplicate)
