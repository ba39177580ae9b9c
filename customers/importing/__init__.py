"""Importing purchases, with their customers, from a dealer management system's CSV export.

The file format is in :mod:`~customers.importing.format` (and docs/import-format.md); what an
import does, and why it is not built on django-import-export, in
:mod:`~customers.importing.service`. The steps, one module each:

1. ``uploads``: the uploaded file is kept between the preview and the confirmation.
2. ``sheet``: the bytes are decoded and read as CSV; the header is checked.
3. ``references``: pass 1 reads what the rows refer to (branches, products, users, known
   customers and purchases) in a few queries.
4. ``plan``: pass 2 checks every cell (``parsing``) and groups the rows into customer and purchase
   drafts (``drafts``); ``customer_changes`` works out what happens to each customer.
5. ``writing``: everything is written in bulk (:mod:`aftersales.bulk`), timed by ``timing``.

``results`` holds what the caller gets back: counts, errors, the refusal. ``background`` runs the
check and the import as background jobs with progress (the pages and ``api`` start them).
"""

from customers.importing.format import COLUMNS, REQUIRED_COLUMNS
from customers.importing.results import ImportRejected, ImportResult, ImportSummary, RowError
from customers.importing.service import import_purchases, preview_import

__all__ = [
    "COLUMNS",
    "REQUIRED_COLUMNS",
    "ImportRejected",
    "ImportResult",
    "ImportSummary",
    "RowError",
    "import_purchases",
    "preview_import",
]
