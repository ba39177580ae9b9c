"""The customer list as CSV, filtered and scoped like the list page.

The view passes the queryset from `selectors.customer_list` (which applies the user's branch
scope and the list's filters); this module only turns it into CSV text, streamed in chunks so
that 100,000 customers never sit in memory at once.

Cells a spreadsheet would read as a formula (starting with =, +, -, @, a tab or a carriage
return) are prefixed with an apostrophe (OWASP "CSV injection"). That includes phone numbers
written as +49…: the apostrophe is the price of never running a customer's "name" as a formula.
"""

import csv
import io

from django.utils.translation import gettext as _

from customers.models import Channel

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CHUNK_SIZE = 2000
# Excel reads a UTF-8 file correctly only when it starts with a byte-order mark.
BOM = "\ufeff"


def escape_cell(value):
    """The cell as text, defused if a spreadsheet would take it for a formula."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


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
    """One customer from `selectors.customer_list` (branch and salesperson joined,
    last_purchase_date annotated)."""
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


def customer_csv(customers, *, delimiter=","):
    """Yield the CSV text of the customers in chunks (header first)."""
    yes, no = _("yes"), _("no")
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)
    buffer.write(BOM)
    writer.writerow([escape_cell(cell) for cell in customer_header()])
    for count, customer in enumerate(customers.iterator(chunk_size=CHUNK_SIZE), start=1):
        writer.writerow([escape_cell(cell) for cell in customer_row(customer, yes, no)])
        if count % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
