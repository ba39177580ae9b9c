"""The customers app's tables in the personal-data registry (customers.personal_data), and the
tables of lower layers whose texts may name a customer."""

from django.contrib.admin.models import LogEntry

from aftersales.models import Notification, OutgoingEmail
from customers.models import ConsentRecord, Customer, DeclinedWork, Purchase, PurchaseLine
from customers.personal_data import register, register_texts

register(Customer, path="")
# Consent history stays as proof of what was agreed; its notes are cleaned like every text.
register(ConsentRecord, path="customer")
# Purchases stay, without what identifies them (the vehicle, the DMS number, the notes).
register(Purchase, path="customer", blank=("identifier", "external_ref", "notes"))
register(PurchaseLine, path="purchase__customer", related=("product__name",))
register(DeclinedWork, path="customer")

register_texts(Notification, "subject", "body")
register_texts(OutgoingEmail, "to_address", "subject", "body", "error")
register_texts(LogEntry, "object_repr", "change_message")
