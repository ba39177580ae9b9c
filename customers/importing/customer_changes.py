"""What the import does to each customer of the file, once all rows are read.

A known customer (same ``customer_ref``) is reused: the changes are the file's non-empty values
that differ from the stored ones, and consent is recorded unless the customer's latest record for
that channel already says the same, so a second import records nothing. A new customer gets all
the consent the file gives. Either must then satisfy the rules of
:func:`customers.services.create_customer`; a known customer is checked only when it changes.
"""

from django.db.models import BigIntegerField
from django.utils.translation import gettext as _

from customers.importing.format import CONSENT_COLUMNS, CUSTOMER_COLUMNS
from customers.importing.lookups import equals_any
from customers.models import ConsentRecord, Customer


def plan_customers(drafts, error):
    """Fill in `changes` and `new_consents` of each CustomerDraft; `error(row, column, message)`
    records a problem."""
    drafts = list(drafts)
    with_consent = [
        draft.existing.pk for draft in drafts if draft.existing is not None and draft.consents
    ]
    latest = {
        (customer_id, channel): granted
        for customer_id, channel, granted in ConsentRecord.objects.filter(
            equals_any("customer_id", with_consent, BigIntegerField())
        )
        .order_by("customer_id", "channel", "-recorded_at", "-pk")
        .distinct("customer_id", "channel")
        .values_list("customer_id", "channel", "granted")
    }
    for draft in drafts:
        customer = draft.existing
        if customer is None:
            if draft.has_new_purchase:
                check_identity(draft, lambda column, draft=draft: draft.values.get(column), error)
                draft.new_consents = [
                    (CONSENT_COLUMNS[column], granted) for column, granted in draft.consents.items()
                ]
            continue
        for column, value in draft.values.items():
            name = CUSTOMER_COLUMNS[column]
            if getattr(customer, name) != value:
                draft.changes[name] = value
        for column, granted in draft.consents.items():
            if latest.get((customer.pk, CONSENT_COLUMNS[column])) != granted:
                draft.new_consents.append((CONSENT_COLUMNS[column], granted))
            if getattr(customer, column) != granted:
                draft.changes[column] = granted
        if draft.changes:

            def current(column, customer=customer, changes=draft.changes):
                name = CUSTOMER_COLUMNS[column]
                return changes.get(name, getattr(customer, name))

            check_identity(draft, current, error)


def check_identity(draft, value_of, error):
    """The rules of customers.services.create_customer, reported at the customer's row;
    `value_of(column)` is the customer's value for a file column."""
    kind = value_of("customer_kind") or Customer.Kind.PERSON
    if kind == Customer.Kind.COMPANY and not value_of("company_name"):
        error(draft.row, "company_name", _("Enter the company's name."))
    if kind == Customer.Kind.PERSON and not value_of("last_name"):
        error(draft.row, "last_name", _("Enter the customer's last name."))
    if not any(value_of(column) for column in ("email", "phone", "mobile", "street")):
        error(
            draft.row,
            "email",
            _("Enter at least one way to reach the customer: e-mail, phone or address."),
        )
