"""Writing the plan: new customers, updates of known ones, purchases, lines, consent, history.

Everything is written in bulk inside the import's transaction, with PostgreSQL ``COPY`` and one
``UPDATE ... FROM unnest(...)`` (:mod:`aftersales.bulk`, which says why). As with
``bulk_create``, no ``save()``, ``full_clean()`` or model signals run: the cells were checked
against the models' limits (lengths, choices, e-mail syntax) and the services' rules while
planning, and the database constraints back them up.

* Purchases are built like :func:`customers.services.log_purchase` builds them (main category,
  warranty end, status, total, currency EUR). Unlike ``log_purchase``, products that are no
  longer sold are accepted: an import records past sales.
* History: ``bulk_create_with_history`` goes through ``bulk_create`` as well, so the import
  writes the same historical rows itself (:func:`aftersales.bulk.insert_history`): every tracked
  field, type "+" (or "~" for an updated customer), the importing user, the change reason
  "CSV import".
* A service visit names its car (``vehicle_id``): a purchase in the database, or one of the
  file's, in which case the cars are written first and their visits after them.
* ``purchases_imported`` is sent once with all new purchases, not ``purchase_logged`` 77,000
  times for a large file: the follow-ups app plans them in bulk. It is sent inside the
  transaction, so that whatever a receiver writes commits or rolls back with the import.
"""

from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ImproperlyConfigured
from django.db.models import BigIntegerField
from django.db.models.base import DEFERRED
from django.utils import timezone

from aftersales.bulk import insert_history, insert_objects, insert_rows, update_objects
from customers.importing.format import CUSTOMER_COLUMNS
from customers.importing.lookups import equals_any
from customers.importing.timing import Laps
from customers.models import ConsentRecord, Customer, Purchase, PurchaseLine
from customers.service_history import services as service_history
from customers.services import (
    default_warranty_end,
    main_category_of,
    refresh_last_purchase_dates,
    search_text_for,
    status_for,
)
from customers.signals import purchases_imported

# History records the import writes carry this reason.
CHANGE_REASON = "CSV import"
# Consent records from the file carry this note.
CONSENT_NOTE = "import"


def instances_of(model):
    """A function making an unsaved `model` from {attribute name: value}, the other fields at
    their defaults: positionally, as Model.from_db does, three times faster than keyword
    arguments (a minute for the 600,000 customers of a million rows). The defaults are taken
    once, so a callable one (a fresh dict per object) is refused."""
    fields = model._meta.concrete_fields
    if any(field.has_default() and callable(field.default) for field in fields):
        raise ImproperlyConfigured(f"{model.__name__} has a callable default.")
    template = [DEFERRED if field.generated else field.get_default() for field in fields]
    index = {field.attname: position for position, field in enumerate(fields)}

    def make(values):
        row = template.copy()
        for name, value in values.items():
            row[index[name]] = value
        return model(*row)

    return make


new_customer = instances_of(Customer)
new_purchase = instances_of(Purchase)


def write(plan):
    """Write everything `plan` (run, without errors) found, inside the caller's transaction."""
    laps = Laps(plan.result.timings)
    now = timezone.now()
    by = plan.by
    by_id = by.pk if by is not None else None
    new_purchases = [draft for draft in plan.purchases.values() if not draft.skip]
    identifiers = defaultdict(list)
    # What customers.services.refresh_last_purchase_dates would find for a new customer: the
    # newest of its purchases, all of them in the file and none cancelled. Written with the
    # customer, it spares an UPDATE of every new customer (a minute for a million rows).
    newest = {}
    for draft in new_purchases:
        values = draft.values
        ref = values["customer_ref"]
        if values.get("identifier"):
            identifiers[ref].append(values["identifier"])
        if ref not in newest or newest[ref] < values["purchase_date"]:
            newest[ref] = values["purchase_date"]

    created = []
    for draft in plan.customers.values():
        if draft.existing is not None:
            draft.instance = draft.existing
        elif draft.has_new_purchase:
            # Foreign keys as ids: setting related objects costs more than the insert.
            customer = new_customer(
                {
                    "branch_id": draft.branch.pk,
                    "salesperson_id": draft.salesperson.pk if draft.salesperson else None,
                    "external_ref": draft.ref,
                    "created_by_id": by_id,
                    "last_purchase_date": newest[draft.ref],
                    **{CUSTOMER_COLUMNS[column]: value for column, value in draft.values.items()},
                    # The consent columns are named like the Customer fields.
                    **draft.consents,
                }
            )
            customer.search_text = search_text_for(customer, identifiers[draft.ref])
            draft.instance = customer
            created.append(customer)
    insert_objects(Customer, created, now=now, by=by, change_reason=CHANGE_REASON)
    laps.lap("customers")

    _update_customers(plan, identifiers, now=now)
    laps.lap("customer updates")

    purchases = []
    warranty_ends = {}
    for draft in new_purchases:
        values = draft.values
        main_category = main_category_of([product for product, _q, _p in draft.lines])
        handover_date = values.get("handover_date")
        warranty_end = values.get("warranty_end")
        if warranty_end is None:
            key = (main_category.pk, handover_date)
            if key not in warranty_ends:
                warranty_ends[key] = default_warranty_end(main_category, handover_date)
            warranty_end = warranty_ends[key]
        salesperson = values.get("salesperson")
        customer = plan.customers[values["customer_ref"]].instance
        branch = values["branch_code"]
        purchase = new_purchase(
            {
                "customer_id": customer.pk,
                "branch_id": branch.pk,
                "salesperson_id": salesperson.pk if salesperson else None,
                "purchase_date": values["purchase_date"],
                "handover_date": handover_date,
                "identifier": values.get("identifier", ""),
                "warranty_end": warranty_end,
                "status": status_for(handover_date, plan.today),
                "total": sum((quantity * price for _p, quantity, price in draft.lines), Decimal()),
                "currency": "EUR",
                "main_category_id": main_category.pk,
                "notes": "\n".join(draft.notes),
                "external_ref": draft.ref,
                "created_by_id": by_id,
                "vehicle_id": draft.vehicle_pk,
                "odometer_km": values.get("odometer_km"),
            }
        )
        # Customer, branch and category as objects too, so that purchase_logged receivers find
        # them without a query.
        purchase.customer = customer
        purchase.branch = branch
        purchase.main_category = main_category
        purchases.append(purchase)
        draft.instance = purchase
    # A visit of a car bought in the same file needs the car's id: the cars go in first.
    insert_objects(
        Purchase,
        [draft.instance for draft in new_purchases if draft.vehicle_draft is None],
        now=now,
        by=by,
        change_reason=CHANGE_REASON,
    )
    visits_of_new_cars = [draft for draft in new_purchases if draft.vehicle_draft is not None]
    for draft in visits_of_new_cars:
        draft.instance.vehicle_id = draft.vehicle_draft.instance.pk
    insert_objects(
        Purchase,
        [draft.instance for draft in visits_of_new_cars],
        now=now,
        by=by,
        change_reason=CHANGE_REASON,
    )
    laps.lap("purchases")

    insert_rows(
        PurchaseLine,
        ("purchase_id", "product_id", "quantity", "unit_price"),
        (
            (purchase.pk, product.pk, quantity, price)
            for purchase, draft in zip(purchases, new_purchases, strict=True)
            for product, quantity, price in draft.lines
        ),
    )
    laps.lap("lines")
    # Declined work that an imported visit did after all is done (one UPDATE).
    service_history.close_work_done_in(purchases)
    laps.lap("declined work")
    insert_rows(
        ConsentRecord,
        ("customer_id", "channel", "granted", "source", "recorded_at", "recorded_by_id", "note"),
        (
            (
                draft.instance.pk,
                channel,
                granted,
                ConsentRecord.Source.WRITTEN,
                now,
                by_id,
                CONSENT_NOTE,
            )
            for draft in plan.customers.values()
            if draft.instance is not None
            for channel, granted in draft.new_consents
        ),
    )
    laps.lap("consents")
    refresh_last_purchase_dates(
        [
            draft.existing.pk
            for draft in plan.customers.values()
            if draft.existing is not None and draft.has_new_purchase
        ]
    )
    laps.lap("last purchase dates")
    # One announcement for the batch: receivers plan in bulk (a per-purchase signal cost
    # 2 ms each, minutes for a large file).
    purchases_imported.send(sender=Purchase, purchases=purchases)
    laps.lap("signals")


def _update_customers(plan, new_identifiers, *, now):
    """Known customers: the file's changes, and the search text as
    customers.services.refresh_search_text makes it (with the new purchases' identifiers), in one
    UPDATE; a history record for each customer whose fields changed."""
    stale = [
        draft
        for draft in plan.customers.values()
        if draft.existing is not None and (draft.changes or new_identifiers.get(draft.ref))
    ]
    if not stale:
        return
    identifiers = defaultdict(list)
    known = Purchase.objects.filter(
        equals_any("customer_id", [draft.existing.pk for draft in stale], BigIntegerField())
    )
    for customer_id, identifier in known.exclude(identifier="").values_list(
        "customer_id", "identifier"
    ):
        identifiers[customer_id].append(identifier)
    updated, changed, fields = [], [], {"search_text"}
    for draft in stale:
        customer = draft.existing
        for name, value in draft.changes.items():
            setattr(customer, name, value)
        text = search_text_for(
            customer, identifiers[customer.pk] + new_identifiers.get(draft.ref, [])
        )
        if draft.changes:
            customer.updated_at = now
            fields.update(draft.changes, ["updated_at"])
            changed.append(customer)
        if draft.changes or text != customer.search_text:
            customer.search_text = text
            updated.append(customer)
    update_objects(Customer, updated, sorted(fields))
    insert_history(
        Customer, changed, now=now, by=plan.by, history_type="~", change_reason=CHANGE_REASON
    )
