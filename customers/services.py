import re
from decimal import Decimal

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.access import require_branch
from aftersales.errors import DomainError, validated_save
from aftersales.search import fold
from customers import selectors
from customers.models import (
    PROFILE_FIELDS,
    Channel,
    ConsentRecord,
    Customer,
    DeclinedWork,
    InvolvementLevel,
    Product,
    ProductCategory,
    Purchase,
    PurchaseLine,
)
from customers.personal_data import records as personal_data_records
from customers.service_history import services as service_history
from customers.signals import (
    customers_merged,
    purchase_cancelled,
    purchase_changed,
    purchase_logged,
)

CUSTOMER_FIELDS = (*PROFILE_FIELDS, "salesperson", "notes", "external_ref")
INVOLVEMENT_RANK = {InvolvementLevel.HIGH: 3, InvolvementLevel.MEDIUM: 2, InvolvementLevel.LOW: 1}
ERASED = "—"


class DuplicateCustomer(DomainError):
    """Creating this customer would probably duplicate existing ones; `candidates` lists them."""

    def __init__(self, candidates):
        super().__init__(
            _("This customer may already exist. Pick the existing record or confirm a new one.")
        )
        self.candidates = candidates


def require_branch_access(user, branch_id):
    """Users act only in branches they work in (administrators everywhere)."""
    require_branch(user, branch_id, message=_("You do not work in this branch."), field="branch")


def phone_digits(value):
    return re.sub(r"\D", "", value or "")


def search_text_for(customer, identifiers=()):
    parts = [
        customer.company_name,
        customer.first_name,
        customer.last_name,
        customer.email.lower(),
        # The parts of the address too, so that "mueller" or "example" find "mueller@example.com".
        re.sub(r"[@._+-]", " ", customer.email.lower()),
        customer.postcode,
        customer.city,
        phone_digits(customer.phone),
        phone_digits(customer.mobile),
        customer.external_ref,
        *identifiers,
    ]
    return fold(" ".join(part for part in parts if part))


def refresh_search_text(customer):
    identifiers = customer.purchases.exclude(identifier="").values_list("identifier", flat=True)
    customer.search_text = search_text_for(customer, identifiers)
    Customer.objects.filter(pk=customer.pk).update(search_text=customer.search_text)


def refresh_last_purchase_dates(customer_ids):
    """Customer.last_purchase_date from the purchases that were not cancelled: one UPDATE for
    any number of customers, run by every service that adds, moves or cancels purchases."""
    newest = (
        Purchase.objects.filter(customer=OuterRef("pk"))
        .exclude(status=Purchase.Status.CANCELLED)
        .order_by("-purchase_date")
        .values("purchase_date")[:1]
    )
    Customer.objects.filter(pk__in=customer_ids).update(last_purchase_date=Subquery(newest))


@transaction.atomic
def create_customer(*, by, branch, consents=(), confirmed_new=False, **fields):
    """Create a customer. Unless `confirmed_new`, likely duplicates raise DuplicateCustomer.

    `consents` is a sequence of (channel, granted, source) asked on the same form.
    """
    require_branch_access(by, branch.pk)
    customer = Customer(branch=branch, created_by=by)
    for name, value in fields.items():
        if name in CUSTOMER_FIELDS:
            setattr(customer, name, value)
    _check_identity(customer)
    if not confirmed_new:
        candidates = list(selectors.duplicate_candidates(customer, user=by))
        if candidates:
            raise DuplicateCustomer(candidates)
    customer.search_text = search_text_for(customer)
    validated_save(customer)
    for channel, granted, source in consents:
        record_consent(customer=customer, channel=channel, granted=granted, source=source, by=by)
    return customer


def _check_identity(customer):
    if customer.kind == Customer.Kind.COMPANY and not customer.company_name.strip():
        raise DomainError(_("Enter the company's name."), field="company_name")
    if customer.kind == Customer.Kind.PERSON and not customer.last_name.strip():
        raise DomainError(_("Enter the customer's last name."), field="last_name")
    if not (customer.email or customer.phone or customer.mobile or customer.street):
        raise DomainError(
            _("Enter at least one way to reach the customer: e-mail, phone or address."),
            field="email",
        )


@transaction.atomic
def update_customer(*, customer, by, **fields):
    # The form may have changed the instance already: check against what is stored.
    stored_branch_id = Customer.objects.values_list("branch_id", flat=True).get(pk=customer.pk)
    require_branch_access(by, stored_branch_id)
    if customer.is_erased:
        raise DomainError(_("This customer's data has been erased; it cannot be edited."))
    if "branch" in fields:
        require_branch_access(by, fields["branch"].pk)
        customer.branch = fields["branch"]
    for name, value in fields.items():
        if name in CUSTOMER_FIELDS:
            setattr(customer, name, value)
    _check_identity(customer)
    validated_save(customer)
    refresh_search_text(customer)
    # The form's instance may be older than the last purchase it has just overwritten.
    refresh_last_purchase_dates([customer.pk])
    return customer


@transaction.atomic
def record_consent(*, customer, channel, granted, source, by, at=None, note=""):
    """Append a grant or withdrawal to the proof and update the customer's current state."""
    if channel not in Channel.values:
        raise DomainError(_("Unknown channel."), field="channel")
    if customer.is_erased and granted:
        raise DomainError(_("This customer's data has been erased."))
    record = ConsentRecord(
        customer=customer,
        channel=channel,
        granted=granted,
        source=source,
        recorded_at=at or timezone.now(),
        recorded_by=by,
        note=note,
    )
    validated_save(record)
    latest = selectors.current_consent(customer)[channel]
    setattr(customer, f"consent_{channel}", bool(latest and latest.granted))
    customer.save(update_fields=[f"consent_{channel}", "updated_at"])
    return record


def default_warranty_end(category, handover_date):
    if category is None or handover_date is None or not category.default_warranty_months:
        return None
    return handover_date + relativedelta(months=category.default_warranty_months)


def main_category_of(products):
    """The category that decides the follow-up plan: the highest-involvement product's."""
    categories = [product.category for product in products]
    return max(categories, key=lambda category: INVOLVEMENT_RANK[category.involvement])


def status_for(handover_date, today=None):
    today = today or timezone.localdate()
    if handover_date is not None and handover_date <= today:
        return Purchase.Status.HANDED_OVER
    return Purchase.Status.ORDERED


@transaction.atomic
def log_purchase(
    *,
    by,
    customer,
    branch,
    salesperson,
    purchase_date,
    lines,
    handover_date=None,
    identifier="",
    warranty_end=None,
    notes="",
    external_ref="",
    currency="EUR",
    vehicle=None,
    odometer_km=None,
):
    """Log a purchase with its lines [(product, quantity, unit_price)], announce it, return it.

    A service visit names its `vehicle` (the car's purchase) and the `odometer_km` read that
    day; declined work the visit did after all is closed (customers.service_history)."""
    require_branch_access(by, branch.pk)
    require_branch_access(by, customer.branch_id)
    if customer.is_erased:
        raise DomainError(_("This customer's data has been erased."), field="customer")
    lines = [(product, int(quantity), Decimal(price)) for product, quantity, price in lines]
    if not lines:
        raise DomainError(_("Add at least one product."), field="lines")
    for product, quantity, price in lines:
        if not product.is_active:
            raise DomainError(
                _("%(product)s is no longer sold.") % {"product": product}, field="lines"
            )
        if quantity < 1 or price < 0:
            raise DomainError(_("Quantities must be 1 or more, prices 0 or more."), field="lines")
    if handover_date and handover_date < purchase_date:
        raise DomainError(
            _("The handover cannot be before the purchase date."), field="handover_date"
        )
    if purchase_date > branch.today():
        raise DomainError(_("The purchase date cannot be in the future."), field="purchase_date")
    main_category = main_category_of([product for product, _quantity, _price in lines])
    service_history.check_vehicle(vehicle=vehicle, customer=customer, purchase_date=purchase_date)
    if odometer_km is not None and int(odometer_km) < 0:
        raise DomainError(_("The odometer reading cannot be negative."), field="odometer_km")
    purchase = Purchase(
        customer=customer,
        branch=branch,
        salesperson=salesperson,
        purchase_date=purchase_date,
        handover_date=handover_date,
        identifier=identifier.strip(),
        warranty_end=warranty_end or default_warranty_end(main_category, handover_date),
        status=status_for(handover_date),
        total=sum((quantity * price for _product, quantity, price in lines), Decimal("0")),
        currency=currency,
        main_category=main_category,
        notes=notes,
        external_ref=external_ref,
        created_by=by,
        vehicle=vehicle,
        odometer_km=odometer_km,
    )
    validated_save(purchase)
    PurchaseLine.objects.bulk_create(
        PurchaseLine(purchase=purchase, product=product, quantity=quantity, unit_price=price)
        for product, quantity, price in lines
    )
    service_history.close_work_done_in([purchase])
    if purchase.identifier:
        refresh_search_text(customer)
    refresh_last_purchase_dates([customer.pk])
    purchase_logged.send(sender=Purchase, purchase=purchase)
    return purchase


@transaction.atomic
def log_purchase_at_desk(
    *, by, customer, new_customer, consents, confirmed_new=False, branch, salesperson, **purchase
):
    """The "log a purchase" page in one transaction: the chosen customer (or `new_customer`, the
    fields of one to create), the consent answers given at the desk (recorded where they are the
    first on their channel or change something), then the purchase itself."""
    if customer is None:
        customer = create_customer(
            by=by,
            branch=branch,
            salesperson=salesperson,
            consents=consents,
            confirmed_new=confirmed_new,
            **new_customer,
        )
    elif consents:
        latest = selectors.current_consent(customer)
        for channel, granted, source in consents:
            # The first answer on a channel is proof even when it is "no" (the channel then
            # reads declined rather than not asked); later ones only where they change something.
            if latest[channel] is None or customer.has_marketing_consent(channel) != granted:
                record_consent(
                    customer=customer, channel=channel, granted=granted, source=source, by=by
                )
    return log_purchase(
        by=by, customer=customer, branch=branch, salesperson=salesperson, **purchase
    )


@transaction.atomic
def change_purchase(
    *, purchase, by, handover_date, warranty_end=None, identifier=None, notes=None, salesperson=None
):
    """Edit a purchase; a new handover date moves what depends on it (purchase_changed)."""
    purchase = Purchase.objects.select_for_update().get(pk=purchase.pk)
    require_branch_access(by, purchase.branch_id)
    if purchase.is_cancelled:
        raise DomainError(_("A cancelled purchase cannot be changed."))
    if handover_date and handover_date < purchase.purchase_date:
        raise DomainError(
            _("The handover cannot be before the purchase date."), field="handover_date"
        )
    previous_handover_date = purchase.handover_date
    warranty_was_default = purchase.warranty_end == default_warranty_end(
        purchase.main_category, previous_handover_date
    )
    purchase.handover_date = handover_date
    if warranty_end is not None:
        purchase.warranty_end = warranty_end
    elif warranty_was_default:
        purchase.warranty_end = default_warranty_end(purchase.main_category, handover_date)
    if identifier is not None:
        purchase.identifier = identifier.strip()
    if notes is not None:
        purchase.notes = notes
    if salesperson is not None:
        purchase.salesperson = salesperson
    purchase.status = status_for(handover_date)
    validated_save(purchase)
    refresh_search_text(purchase.customer)
    refresh_last_purchase_dates([purchase.customer_id])
    if previous_handover_date != handover_date:
        purchase_changed.send(
            sender=Purchase, purchase=purchase, previous_handover_date=previous_handover_date
        )
    return purchase


@transaction.atomic
def cancel_purchase(*, purchase, by, reason):
    purchase = Purchase.objects.select_for_update().get(pk=purchase.pk)
    require_branch_access(by, purchase.branch_id)
    if purchase.is_cancelled:
        raise DomainError(_("This purchase is already cancelled."))
    if not reason.strip():
        raise DomainError(_("Say why the purchase is cancelled."), field="reason")
    purchase.status = Purchase.Status.CANCELLED
    purchase.cancelled_at = timezone.now()
    purchase.cancellation_reason = reason.strip()
    validated_save(purchase)
    refresh_last_purchase_dates([purchase.customer_id])
    purchase_cancelled.send(sender=Purchase, purchase=purchase)
    return purchase


@transaction.atomic
def merge_customers(*, survivor, duplicate, by):
    """Move purchases and consent history of `duplicate` to `survivor`, then delete it. Higher
    apps move their own records (follow-ups, complaints, appointments...) on `customers_merged`.

    The survivor's history records the merge; fields the survivor lacks are taken over."""
    if not by.is_administrator:
        raise DomainError(_("Only administrators may merge customers."))
    if survivor.pk == duplicate.pk:
        raise DomainError(_("Choose two different customers."))
    if survivor.is_erased or duplicate.is_erased:
        raise DomainError(_("Erased customers cannot be merged."))
    survivor = Customer.objects.select_for_update().get(pk=survivor.pk)
    duplicate = Customer.objects.select_for_update().get(pk=duplicate.pk)
    Purchase.objects.filter(customer=duplicate).update(customer=survivor)
    ConsentRecord.objects.filter(customer=duplicate).update(customer=survivor)
    DeclinedWork.objects.filter(customer=duplicate).update(customer=survivor)
    for name in ("email", "phone", "mobile", "street", "postcode", "city", "first_name"):
        if not getattr(survivor, name) and getattr(duplicate, name):
            setattr(survivor, name, getattr(duplicate, name))
    if duplicate.notes:
        survivor.notes = "\n\n".join(part for part in (survivor.notes, duplicate.notes) if part)
    if not survivor.external_ref and duplicate.external_ref:
        survivor.external_ref, duplicate.external_ref = duplicate.external_ref, ""
        duplicate.save(update_fields=["external_ref"])
    current = selectors.current_consent(survivor)
    for channel in Channel.values:
        setattr(survivor, f"consent_{channel}", bool(current[channel] and current[channel].granted))
    survivor._change_reason = f"Merged customer #{duplicate.pk} ({duplicate.display_name})"
    survivor.save()
    duplicate.history.model.objects.filter(id=duplicate.pk).update(
        history_change_reason=f"Merged into customer #{survivor.pk}"
    )
    customers_merged.send(sender=Customer, survivor=survivor, duplicate=duplicate)
    duplicate.delete()
    refresh_search_text(survivor)
    refresh_last_purchase_dates([survivor.pk])
    return survivor


@transaction.atomic
def erase_customer(*, customer, by):
    """The right to erasure, in every table that holds the customer's data (the registry of
    customers.personal_data): their name, e-mail and phone replaced in every text, their own
    words blanked, attachments deleted, field history purged. Purchases stay for statistics
    without identifying data; consent history stays as proof. The hashes of the e-mail and the
    DMS number are kept, so that an import does not quietly bring the person back."""
    if not by.has_perm("customers.erase_customer"):
        raise DomainError(_("You may not erase customer data."))
    require_branch_access(by, customer.branch_id)
    if customer.is_erased:
        raise DomainError(_("This customer's data has already been erased."))
    personal_data_records.remember_erased_identifiers(customer)
    personal_data_records.erase_records(customer)
    for name in ("company_name", "first_name", "email", "phone", "mobile", "street", "notes"):
        setattr(customer, name, "")
    customer.last_name = ERASED
    customer.city = ""
    customer.external_ref = ""
    customer.salutation = ""
    customer.search_text = ""
    customer.kind = Customer.Kind.PERSON
    customer.erased_at = timezone.now()
    customer.erased_by = by
    for channel in Channel.values:
        setattr(customer, f"consent_{channel}", False)
    customer.save()
    customer.history.all().delete()
    # The purchases stay for statistics, and with them the date (the save above wrote the
    # instance's, perhaps older, copy).
    refresh_last_purchase_dates([customer.pk])
    return customer


def _require_catalogue_admin(user):
    if not user.has_perm("customers.change_product"):
        raise DomainError(_("Only administrators may change the product catalogue."))


@transaction.atomic
def save_product_category(*, by, category=None, **fields):
    _require_catalogue_admin(by)
    category = category or ProductCategory()
    for name, value in fields.items():
        setattr(category, name, value)
    return validated_save(category)


@transaction.atomic
def save_product(*, by, product=None, **fields):
    _require_catalogue_admin(by)
    product = product or Product()
    for name, value in fields.items():
        setattr(product, name, value)
    return validated_save(product)
