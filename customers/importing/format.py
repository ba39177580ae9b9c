"""The file format: which columns there are and what they hold (also in docs/import-format.md).

* UTF-8 (a byte-order mark is fine: Excel's "CSV UTF-8"), one header row, then one row per
  purchase *line*. Rows with the same ``purchase_ref`` make up one purchase.
* Delimiter ``;`` (German DMS and Excel) or ``,``: whichever the header row uses.
* Dates ``YYYY-MM-DD`` or ``DD.MM.YYYY``. Amounts with a decimal comma or point and at most two
  decimals (``1234,50``, ``1.234,50``, ``1234.50``, ``1,234.50``); a value with three digits after
  its only separator (``25.000``) is refused as ambiguous.
* Header names are matched without regard to case and surrounding blanks; the order is free.
  Unknown columns are an error (a typo would otherwise drop data silently); optional columns may
  be left out of the file entirely.
* Row numbers in error messages are spreadsheet rows: the header is row 1, the first data row 2.

========================  ========  =====================================================
column                    required  meaning
========================  ========  =====================================================
purchase_ref              yes       DMS order number; Purchase.external_ref (max. 60)
customer_ref              yes       DMS customer number; Customer.external_ref (max. 60)
branch_code               yes       Branch.code of an active branch the importer works in
salesperson                         username of an active user
customer_kind                       ``person`` (default) or ``company`` (also privat/firma)
company_name                        required for a company
salutation                          ``mr``, ``ms``, ``mx`` (also Herr, Frau, divers)
first_name, last_name               last_name required for a person
email, phone, mobile                at least one of e-mail, phone, mobile, street
street, postcode, city
country                             ISO code of two letters, default DE
language                            ``de`` (default) or ``en``
consent_email, _phone,              ``yes``/``no`` (also ja/nein, j/n, y/n, 1/0, true/false);
consent_sms, _letter                empty = unknown, nothing is recorded
purchase_date             yes       not in the future
handover_date                       not before purchase_date; decides the status
identifier                          VIN, serial or contract number (max. 60)
warranty_end                        empty: the main category's default from handover_date
vehicle                             service visit: the identifier (VIN) of the car's earlier
                                    purchase by the same customer (in the database or the file)
odometer_km                         whole km read that day (on a car's purchase: at handover)
product_sku               yes       Product.sku; must exist in the catalogue
quantity                            whole number, 1 or more; default 1
unit_price                          0 or more; default the product's list price
notes                               purchase notes; different notes on lines are joined
========================  ========  =====================================================

The purchase-level columns (customer_ref, branch_code, salesperson, purchase_date,
handover_date, identifier, warranty_end, vehicle, odometer_km) must agree on every row of one
purchase; a later row may leave an optional one empty. The customer columns must agree on every
row of one customer (empty means "not given").

How the cells are read is in :mod:`customers.importing.parsing`.
"""

from customers.models import Channel, Customer, Purchase

REQUIRED_COLUMNS = ("purchase_ref", "customer_ref", "branch_code", "purchase_date", "product_sku")
# File column -> Customer field.
CUSTOMER_COLUMNS = {
    "customer_kind": "kind",
    "company_name": "company_name",
    "salutation": "salutation",
    "first_name": "first_name",
    "last_name": "last_name",
    "email": "email",
    "phone": "phone",
    "mobile": "mobile",
    "street": "street",
    "postcode": "postcode",
    "city": "city",
    "country": "country",
    "language": "preferred_language",
}
# File column -> channel; the Customer fields are named like the columns.
CONSENT_COLUMNS = {f"consent_{channel}": channel for channel in Channel.values}
# Columns that describe the purchase as a whole and so must agree on all its rows.
PURCHASE_COLUMNS = (
    "customer_ref",
    "branch_code",
    "salesperson",
    "purchase_date",
    "handover_date",
    "identifier",
    "warranty_end",
    "vehicle",
    "odometer_km",
)
CUSTOMER_CELLS = (*CUSTOMER_COLUMNS, *CONSENT_COLUMNS)
COLUMNS = (
    "purchase_ref",
    "customer_ref",
    "branch_code",
    "salesperson",
    *CUSTOMER_COLUMNS,
    *CONSENT_COLUMNS,
    "purchase_date",
    "handover_date",
    "identifier",
    "warranty_end",
    "vehicle",
    "odometer_km",
    "product_sku",
    "quantity",
    "unit_price",
    "notes",
)


def _max_length(model, name):
    return model._meta.get_field(name).max_length


# The most characters a text column may hold: the model field's max_length.
TEXT_LIMITS = {
    "purchase_ref": _max_length(Purchase, "external_ref"),
    "customer_ref": _max_length(Customer, "external_ref"),
    "identifier": _max_length(Purchase, "identifier"),
    "vehicle": _max_length(Purchase, "identifier"),
    **{
        column: _max_length(Customer, name)
        for column, name in CUSTOMER_COLUMNS.items()
        if column not in ("customer_kind", "salutation", "language", "email", "country")
    },
    "email": _max_length(Customer, "email"),
}
