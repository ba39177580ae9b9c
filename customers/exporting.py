"""The customer list as CSV, filtered and scoped like the list page.

The view passes the queryset from `selectors.customer_list` (which applies the user's branch
scope and the list's filters); this module only turns it into rows, read in chunks so that 100,000
customers never sit in memory at once (aftersales.csv_export writes and streams them).
"""

from django.utils.translation import gettext as _

from customers.models import Channel

CHUNK_SIZE = 2000


def customer_header():
    return [
        _("ID"),
        _("Name"),
        _("Company"),
        _("E-mail"),
        _("Phone"),
        _("Postcode"),
        _("City"),
        _("Branch"),
        _("Salesperson"),
        *(_("Consent: %(channel)s") % {"channel": label} for _value, label in Channel.choices),
        _("Last purchase"),
    ]


def customer_row(customer, yes, no):
    """One customer from `selectors.customer_list` (branch and salesperson joined)."""
    person = " ".join(part for part in (customer.first_name, customer.last_name) if part)
    last_purchase = customer.last_purchase_date
    return [
        customer.pk,
        person,
        customer.company_name,
        customer.email,
        customer.phone or customer.mobile,
        customer.postcode,
        customer.city,
        customer.branch.name,
        str(customer.salesperson) if customer.salesperson else "",
        *(yes if getattr(customer, f"consent_{channel}") else no for channel in Channel.values),
        last_purchase.isoformat() if last_purchase else "",
    ]


def customer_rows(customers):
    """The header, then one row per customer."""
    yes, no = _("yes"), _("no")
    yield customer_header()
    for customer in customers.iterator(chunk_size=CHUNK_SIZE):
        yield customer_row(customer, yes, no)
