"""Where a customer's personal data is, for access requests and erasure (GDPR art. 15 and 17).

Every table that holds data of a customer is registered here, by the app that owns it, in its
AppConfig.ready() (as with the customer timeline, since the customers app may not import the
apps above it): `register(Model, path="complaint__customer")` names the lookup from the model to
its customer. A model that refers to a customer and is not registered fails
tests/customers/test_personal_data.py, so a new table cannot be forgotten.

- The access export (`export_records`) reads every registered table with one query each.
- Erasure (`erase_records`) goes through the same tables: in each text column the customer's
  known name, e-mail and phone values are replaced; columns in `blank` (the customer's own words,
  which no replacement can clean) are emptied; rows of a `delete=True` table are removed; stored
  files are deleted from their storage; the tables' django-simple-history rows are purged.
  Tables that name customers without referring to one (notifications, the outbox, the admin's
  log) are registered with `register_texts` and have the same values replaced wherever they are.
"""

from customers.personal_data.registry import (
    Holding,
    TextTable,
    holdings,
    models_referring_to_customers,
    register,
    register_texts,
    text_tables,
)

__all__ = [
    "Holding",
    "TextTable",
    "holdings",
    "models_referring_to_customers",
    "register",
    "register_texts",
    "text_tables",
]
