"""What the customers app announces (docs/architecture.md): higher apps connect a receiver that
calls one of their own services. Sent inside the service's transaction, so that whatever a
receiver writes commits or rolls back together with the purchase."""

from django.dispatch import Signal

# purchase: the new Purchase
purchase_logged = Signal()
# purchases: the list of Purchases a CSV import created (one announcement for the whole batch,
# so that receivers can work in bulk)
purchases_imported = Signal()
# purchase, previous_handover_date: sent when the handover date (or status) changed
purchase_changed = Signal()
# purchase: the cancelled Purchase
purchase_cancelled = Signal()
# survivor, duplicate: two records of one customer are being merged; whatever a higher app keeps
# about `duplicate` must move to `survivor` now, before `duplicate` is deleted
customers_merged = Signal()
