"""The import's two entry points: :func:`preview_import` and :func:`import_purchases`.

What an import does
-------------------

* **All or nothing.** Every row is validated first; any error and nothing is written. The
  preview (:func:`preview_import`) and the import itself (:func:`import_purchases`) run the same
  validation, and the import validates again inside its transaction, so a preview is never
  trusted.
* **Idempotent.** A purchase whose ``purchase_ref`` exists already is skipped and counted. A
  customer whose ``customer_ref`` exists is reused and its contact fields are updated from the
  non-empty values of the file (history records the change); the home branch and salesperson
  are kept. A new customer gets the branch and salesperson of their first row. A new customer
  whose purchases are all skipped is not created. Consent given in the file is recorded (source
  "written", note "import") unless the customer's latest record for that channel already says
  the same, so a second import records nothing.
* **Scoped.** The importer needs ``customers.import_purchases``. Rows for branches they do not
  work in are errors, and so are rows naming a customer of such a branch. The management command
  without ``--as`` acts as the system: all branches, no author.
* Purchases are built like :func:`customers.services.log_purchase` builds them (main category,
  warranty end, status, total, currency EUR), and ``purchases_imported`` announces the new
  purchases once, inside the transaction, so that whatever a receiver writes commits or rolls
  back with the import. Unlike ``log_purchase``, products that are no longer sold are accepted:
  an import records past sales.
* Imports are serialised by a transaction-level advisory lock, so two imports of the same file
  cannot both create the same purchases, and the known customers are locked (``SELECT ... FOR
  UPDATE``) until the import commits, so an edit made meanwhile is neither lost nor overwritten.

Why not django-import-export
----------------------------

We evaluated it. Its resources save row by row (``instance.save()`` plus a lookup per row for
"update or create"); its ``use_bulk`` mode skips ``save()`` logic and still looks up every row,
and cannot bulk-create the three related tables of one purchase (customer, purchase, lines) with
their foreign keys in one pass. 100,000 rows in under 60 seconds needs a handful of queries in
all, which its row model does not give. Its dry run reports errors per row, but grouping lines
into purchases, cross-row consistency and "all or nothing with every error listed" would be
custom code inside its hooks anyway. A two-pass validator with bulk writes is shorter, much
faster and reads like our other services.

Speed
-----

``manage.py benchmark_import --rows 1000000 --job`` (2 cores, PostgreSQL on the same machine):
229 seconds for a million rows (615,000 new customers, 769,000 purchases, a million lines,
923,000 consent records), plus about 30 seconds of foreign-key checks at commit. How:

* Everything the rows refer to is read in a few queries up front, with ``= ANY(array)``
  (:mod:`customers.importing.references`). Cells that repeat an earlier row of the same customer
  or purchase are not checked again; look-ups and parsed values are remembered per distinct
  text (:mod:`customers.importing.plan`).
* New rows, and their history, are written with PostgreSQL ``COPY``, known customers updated in
  one ``UPDATE ... FROM unnest(...)`` (:mod:`aftersales.bulk`: ``bulk_create`` took 82 seconds
  for the same file, ``bulk_update`` over two minutes for 60,000 changed customers).
* ``purchases_imported`` is sent once with all new purchases, not ``purchase_logged`` 77,000
  times: the follow-ups app plans them in bulk (:mod:`customers.importing.writing`).
"""

import gc
from contextlib import contextmanager

from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from aftersales.errors import DomainError
from customers.importing.plan import Plan
from customers.importing.results import ImportRejected
from customers.importing.timing import Laps
from customers.importing.writing import write

# pg_advisory_xact_lock key: one import at a time (any 64-bit constant unique to this purpose).
IMPORT_LOCK_KEY = 0x637573745F696D70  # "cust_imp"


@contextmanager
def _without_cycle_collection():
    """Python's cycle collector paused: each of its runs walks every object alive, and an
    import keeps millions (drafts, their dicts, the new instances), which cost a quarter of the
    time for a large file. What the import leaves in cycles is collected once it resumes."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _require_permission(by):
    if by is not None and not by.has_perm("customers.import_purchases"):
        raise DomainError(_("You may not import purchases."))


def preview_import(*, data, by, progress=None):
    """Validate the file and count what an import would do; writes nothing.

    `by` is the importing user, or None for the system (all branches). `progress(rows_done)`,
    if given, is called as the rows are checked (the background job's progress bar)."""
    _require_permission(by)
    plan = Plan(data, by)
    laps = Laps(plan.result.timings)
    with _without_cycle_collection():
        plan.run(progress)
    laps.lap("validate")
    return plan.result


def import_purchases(*, data, by, progress=None, before_commit=None):
    """Validate the file again and, when it has no error at all, write it in one transaction.

    Raises ImportRejected (with every error) when anything is wrong; returns the ImportResult.
    `progress(rows_done)` is called while the rows are checked; `before_commit(result)` runs
    last inside the transaction (the background job marks itself done there, so that a job is
    done exactly when its import committed)."""
    _require_permission(by)
    try:
        with _without_cycle_collection(), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
            plan = Plan(data, by, lock=True)
            laps = Laps(plan.result.timings)
            plan.run(progress)
            laps.lap("validate")
            if plan.result.errors:
                raise ImportRejected(plan.result)
            write(plan)
            laps.lap("write")
            plan.result.applied = True
            if before_commit is not None:
                before_commit(plan.result)
    except IntegrityError as error:
        # Someone saved one of the file's references outside an import while we wrote.
        raise DomainError(
            _("The data changed while importing; nothing was imported. Try again.")
        ) from error
    plan.result.applied = True
    return plan.result
