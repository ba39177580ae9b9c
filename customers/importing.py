"""Importing purchases, with their customers, from a dealer management system's CSV export.

The file format (also in docs/import-format.md)
===============================================

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
product_sku               yes       Product.sku; must exist in the catalogue
quantity                            whole number, 1 or more; default 1
unit_price                          0 or more; default the product's list price
notes                               purchase notes; different notes on lines are joined
========================  ========  =====================================================

The purchase-level columns (customer_ref, branch_code, salesperson, purchase_date,
handover_date, identifier, warranty_end) must agree on every row of one purchase; a later row
may leave an optional one empty. The customer columns must agree on every row of one customer
(empty means "not given").

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

``manage.py benchmark_import --rows 100000`` (2 cores, PostgreSQL on the same machine): about
23 seconds for 100,000 rows (61,000 new customers, 77,000 purchases, 100,000 lines, 92,000
consent records) while nothing listens to ``purchase_logged``. How:

* Everything the rows refer to (branches, products, users, known customers and purchases, the
  latest consent records) is read in a few queries up front, with ``= ANY(array)`` rather than
  IN lists of 100,000 parameters. Cells that repeat an earlier row of the same customer or
  purchase are not checked again; look-ups and parsed values are remembered per distinct text.
* New rows are written with PostgreSQL ``COPY`` (:func:`aftersales.bulk.insert_objects`),
  primary keys taken from the tables' sequences first. ``bulk_create`` (batches of 2,000) took
  82 seconds for the same file: Django 5.2 prepares each of some 15 million values in Python and
  psycopg packs them into arrays, while ``COPY`` streams the rows as they are.
* History: ``bulk_create_with_history`` goes through ``bulk_create`` as well, so the importer
  writes the same historical rows itself, also by ``COPY``
  (:func:`aftersales.bulk.insert_history`): every tracked field, type "+" (or "~" for an updated
  customer), the importing user, the change reason "CSV import". Should the historical models
  ever get columns it does not know, it raises ImproperlyConfigured instead of writing
  incomplete history.
* Known customers are updated in one ``UPDATE ... FROM unnest(...)``
  (:func:`aftersales.bulk.update_objects`); ``bulk_update`` / ``bulk_update_with_history`` (a
  CASE WHEN per object) took over two minutes for 60,000 changed customers.
* As with ``bulk_create``, no ``save()``, ``full_clean()`` or model signals run: the cells are
  checked here against the models' limits (lengths, choices, e-mail syntax) and the services'
  rules, and the database constraints back them up.
* ``purchases_imported`` is sent once with all new purchases, not ``purchase_logged`` 77,000
  times: the follow-ups app plans them in bulk.
"""

import csv
import io
import re
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, connection, transaction
from django.db.models import BigIntegerField, CharField, F, Lookup, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aftersales.access import sees_all_branches, visible_branch_ids
from aftersales.bulk import insert_history, insert_objects, update_objects
from aftersales.errors import DomainError
from aftersales.models import Branch
from customers.models import (
    Channel,
    ConsentRecord,
    Customer,
    Product,
    Purchase,
    PurchaseLine,
)
from customers.services import (
    default_warranty_end,
    main_category_of,
    search_text_for,
    status_for,
)
from customers.signals import purchases_imported

CHANGE_REASON = "CSV import"
CONSENT_NOTE = "import"
# pg_advisory_xact_lock key: one import at a time (any 64-bit constant unique to this purpose).
IMPORT_LOCK_KEY = 0x637573745F696D70  # "cust_imp"
MAX_AMOUNT = Decimal("9999999999.99")
MAX_QUANTITY = 2_147_483_647

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
    "product_sku",
    "quantity",
    "unit_price",
    "notes",
)

KINDS = {
    "person": Customer.Kind.PERSON,
    "privat": Customer.Kind.PERSON,
    "private": Customer.Kind.PERSON,
    "company": Customer.Kind.COMPANY,
    "firma": Customer.Kind.COMPANY,
}
SALUTATIONS = {
    "mr": Customer.Salutation.MR,
    "herr": Customer.Salutation.MR,
    "ms": Customer.Salutation.MS,
    "mrs": Customer.Salutation.MS,
    "frau": Customer.Salutation.MS,
    "mx": Customer.Salutation.MX,
    "divers": Customer.Salutation.MX,
}
LANGUAGES = {"de": Customer.Language.GERMAN, "en": Customer.Language.ENGLISH}
ANSWERS = {
    "yes": True,
    "ja": True,
    "y": True,
    "j": True,
    "1": True,
    "true": True,
    "no": False,
    "nein": False,
    "n": False,
    "0": False,
    "false": False,
}
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
GERMAN_DATE = re.compile(r"(\d{1,2})\.(\d{1,2})\.(\d{4})")
PLAIN_AMOUNT = re.compile(r"-?\d+(\.\d{1,2})?")


def _max_length(model, name):
    return model._meta.get_field(name).max_length


TEXT_LIMITS = {
    "purchase_ref": _max_length(Purchase, "external_ref"),
    "customer_ref": _max_length(Customer, "external_ref"),
    "identifier": _max_length(Purchase, "identifier"),
    **{
        column: _max_length(Customer, name)
        for column, name in CUSTOMER_COLUMNS.items()
        if column not in ("customer_kind", "salutation", "language", "email", "country")
    },
    "email": _max_length(Customer, "email"),
}


@dataclass(frozen=True)
class RowError:
    """One problem: `row` is the spreadsheet row (1 = header, 0 = the file as a whole),
    `column` the header name ("" for the whole row or file)."""

    row: int
    column: str
    message: str

    def __str__(self):
        if not self.row:
            return self.message
        if not self.column:
            return _("Row %(row)s: %(message)s") % {"row": self.row, "message": self.message}
        return _("Row %(row)s, column %(column)s: %(message)s") % {
            "row": self.row,
            "column": self.column,
            "message": self.message,
        }


@dataclass
class ImportSummary:
    rows: int = 0
    customers_created: int = 0
    customers_updated: int = 0
    customers_unchanged: int = 0
    purchases_created: int = 0
    purchases_skipped: int = 0
    lines_created: int = 0
    consents_recorded: int = 0


@dataclass
class ImportResult:
    summary: ImportSummary = field(default_factory=ImportSummary)
    errors: list[RowError] = field(default_factory=list)
    applied: bool = False
    # Seconds per phase ("validate", "write"), for the benchmark.
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def ok(self):
        return not self.errors


class ImportRejected(DomainError):
    """The file has errors; nothing was written. `result.errors` lists them."""

    def __init__(self, result):
        count = len(result.errors)
        super().__init__(
            ngettext(
                "The file has %(count)d error; nothing was imported.",
                "The file has %(count)d errors; nothing was imported.",
                count,
            )
            % {"count": count}
        )
        self.result = result


class _Invalid(Exception):
    """A cell's value is not acceptable; the argument is the message for the user."""


# --- Uploaded files kept between preview and confirmation ---------------------------------------


def upload_dir():
    return Path(settings.MEDIA_ROOT) / "imports"


def store_upload(data):
    """Keep an uploaded file under a random name until it is confirmed; returns the UUID."""
    directory = upload_dir()
    directory.mkdir(parents=True, exist_ok=True)
    token = uuid.uuid4()
    path = directory / f"{token}.csv"
    path.write_bytes(data)
    path.chmod(0o600)
    return token


def read_upload(token):
    """The stored file's bytes; DomainError when it is gone (confirmed or cleaned up)."""
    try:
        return (upload_dir() / f"{uuid.UUID(str(token))}.csv").read_bytes()
    except (OSError, ValueError) as error:
        raise DomainError(
            _("The uploaded file is no longer available. Upload it again.")
        ) from error


def discard_upload(token):
    (upload_dir() / f"{uuid.UUID(str(token))}.csv").unlink(missing_ok=True)


def discard_stale_uploads(max_age_seconds=24 * 3600):
    """Remove uploads that were previewed but never confirmed."""
    directory = upload_dir()
    if not directory.is_dir():
        return
    cutoff = time.time() - max_age_seconds
    for path in directory.glob("*.csv"):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


# --- The service ------------------------------------------------------------------------------


def _require_permission(by):
    if by is not None and not by.has_perm("customers.import_purchases"):
        raise DomainError(_("You may not import purchases."))


def preview_import(*, data, by):
    """Validate the file and count what an import would do; writes nothing.

    `by` is the importing user, or None for the system (all branches)."""
    _require_permission(by)
    started = time.perf_counter()
    plan = _Plan(data, by)
    plan.run()
    plan.result.timings["validate"] = time.perf_counter() - started
    return plan.result


def import_purchases(*, data, by):
    """Validate the file again and, when it has no error at all, write it in one transaction.

    Raises ImportRejected (with every error) when anything is wrong; returns the ImportResult."""
    _require_permission(by)
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
            started = time.perf_counter()
            plan = _Plan(data, by, lock=True)
            plan.run()
            validated = time.perf_counter()
            plan.result.timings["validate"] = validated - started
            if plan.result.errors:
                raise ImportRejected(plan.result)
            plan.apply()
            plan.result.timings["write"] = time.perf_counter() - validated
    except IntegrityError as error:
        # Someone saved one of the file's references outside an import while we wrote.
        raise DomainError(
            _("The data changed while importing; nothing was imported. Try again.")
        ) from error
    plan.result.applied = True
    return plan.result


# --- Parsing cells ------------------------------------------------------------------------------


def parse_date(value):
    if ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    else:
        match = GERMAN_DATE.fullmatch(value)
        if match:
            day, month, year = (int(part) for part in match.groups())
            try:
                return date(year, month, day)
            except ValueError:
                pass
    raise _Invalid(_("“%(value)s” is not a date; use YYYY-MM-DD or DD.MM.YYYY.") % {"value": value})


def parse_amount(value):
    """A decimal with a comma or a point; thousands separators only together with decimals."""
    text = value.replace(" ", "").replace("\u00a0", "")
    # Whichever separator comes last is the decimal one; the other groups thousands.
    if text.rfind(",") > text.rfind("."):
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", "")
    if not PLAIN_AMOUNT.fullmatch(text):
        raise _Invalid(
            _(
                "“%(value)s” is not an amount; write e.g. 1234,50 or 1234.50 "
                "(at most two decimals, no thousands separator without decimals)."
            )
            % {"value": value}
        )
    try:
        return Decimal(text)
    except InvalidOperation as error:  # pragma: no cover - the pattern admits only numbers
        raise _Invalid(_("“%(value)s” is not an amount.") % {"value": value}) from error


def parse_quantity(value):
    try:
        amount = parse_amount(value)
    except _Invalid:
        amount = None
    if amount is None or amount != amount.to_integral_value():
        raise _Invalid(_("“%(value)s” is not a whole number.") % {"value": value})
    if amount < 1:
        raise _Invalid(_("The quantity must be 1 or more."))
    if amount > MAX_QUANTITY:
        raise _Invalid(_("The quantity is too large."))
    return int(amount)


def parse_price(value):
    amount = parse_amount(value)
    if amount < 0:
        raise _Invalid(_("The price cannot be negative."))
    if amount > MAX_AMOUNT:
        raise _Invalid(_("The price is too large."))
    return amount


def _choice(mapping, allowed):
    def parse(value):
        try:
            return mapping[value.lower()]
        except KeyError:
            raise _Invalid(
                _("“%(value)s” is not allowed; use one of: %(allowed)s.")
                % {"value": value, "allowed": allowed}
            ) from None

    return parse


def _text(limit):
    def parse(value):
        if len(value) > limit:
            raise _Invalid(
                _("At most %(limit)d characters (this has %(length)d).")
                % {"limit": limit, "length": len(value)}
            )
        return value

    return parse


def parse_email(value):
    _text(TEXT_LIMITS["email"])(value)
    try:
        validate_email(value)
    except ValidationError:
        raise _Invalid(_("“%(value)s” is not an e-mail address.") % {"value": value}) from None
    return value


def parse_country(value):
    if not (len(value) == 2 and value.isalpha()):
        raise _Invalid(_("Use the two-letter ISO code, e.g. DE or AT."))
    return value.upper()


CUSTOMER_PARSERS = {
    "customer_kind": _choice(KINDS, "person, company"),
    "salutation": _choice(SALUTATIONS, "mr, ms, mx"),
    "email": parse_email,
    "country": parse_country,
    "language": _choice(LANGUAGES, "de, en"),
    **{
        column: _text(TEXT_LIMITS[column])
        for column in CUSTOMER_COLUMNS
        if column in TEXT_LIMITS and column != "email"
    },
}
parse_answer = _choice(ANSWERS, "yes, no")


class _EqualsAny(Lookup):
    """`column = ANY(%s)` with the values as one array parameter: an IN list of 100,000 values
    costs seconds to build in Django and psycopg, an array almost nothing."""

    lookup_name = "equals_any"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", (*lhs_params, *rhs_params)


def _any(column, values, base_field=None):
    array = Value(list(values), output_field=ArrayField(base_field or CharField()))
    return _EqualsAny(F(column), array)


# --- Validation ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _CustomerDraft:
    ref: str
    row: int
    existing: Customer | None
    branch: Branch
    salesperson: object
    # The customer cells of the first row: a later row with the same cells adds nothing.
    cells: tuple
    values: dict = field(default_factory=dict)
    origins: dict = field(default_factory=dict)
    consents: dict = field(default_factory=dict)
    # Worked out by the plan: changed Customer fields (existing customers), consent to record.
    changes: dict = field(default_factory=dict)
    new_consents: list = field(default_factory=list)
    has_new_purchase: bool = False
    instance: Customer | None = None


@dataclass(slots=True)
class _PurchaseDraft:
    ref: str
    row: int
    skip: bool
    cells: tuple
    values: dict = field(default_factory=dict)
    origins: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)
    lines: list = field(default_factory=list)


class _Plan:
    """Reads the file twice: once for the references to look up, once to check every cell and
    group the rows into customers and purchases. `apply()` then writes everything in bulk.

    A cell that repeats an earlier row of the same customer or purchase is not checked again,
    and lookups and parsed values are remembered per distinct text, so that the checks cost
    little more than reading the file."""

    def __init__(self, data, by, *, lock=False):
        self.by = by
        # Inside the import's transaction the known customers are locked until it ends, so
        # that an edit made meanwhile is neither lost nor overwritten.
        self.lock = lock
        self.result = ImportResult()
        self.errors = self.result.errors
        self.summary = self.result.summary
        self.today = timezone.localdate()
        self.visible = None if by is None or sees_all_branches(by) else visible_branch_ids(by)
        self.text = self._decode(data)
        self.customers = {}
        self.purchases = {}
        self.memo = defaultdict(dict)

    def error(self, row, column, message):
        self.errors.append(RowError(row, column, str(message)))

    def _decode(self, data):
        try:
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            line = data[: error.start].count(b"\n") + 1
            self.error(
                0,
                "",
                _(
                    "The file is not UTF-8 encoded (first wrong byte in line %(line)s). "
                    "Save it as “CSV UTF-8”."
                )
                % {"line": line},
            )
            return None

    def _reader(self):
        return csv.reader(io.StringIO(self.text, newline=""), delimiter=self.delimiter)

    def _records(self):
        """(row number, cells) for every data row that is not blank."""
        reader = self._reader()
        next(reader, None)
        try:
            for number, record in enumerate(reader, start=2):
                if any(record) and any(cell.strip() for cell in record):
                    yield number, record
        except csv.Error as error:
            self.error(
                0,
                "",
                _("The file cannot be read as CSV near line %(line)s: %(error)s")
                % {"line": reader.line_num, "error": error},
            )

    # Header ------------------------------------------------------------------------------------

    def _read_header(self):
        first_line = self.text.split("\n", 1)[0]
        self.delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
        try:
            header = next(self._reader(), None)
        except csv.Error:
            header = None
        if not header or not any(name.strip() for name in header):
            self.error(0, "", _("The file is empty; the first row must name the columns."))
            return False
        names = [name.strip().lower() for name in header]
        self.width = len(names)
        unknown = [name for name in names if name and name not in COLUMNS]
        if unknown:
            self.error(
                1,
                "",
                _("Unknown columns: %(columns)s. Allowed are: %(allowed)s.")
                % {"columns": ", ".join(unknown), "allowed": ", ".join(COLUMNS)},
            )
        duplicates = sorted({name for name in names if name and names.count(name) > 1})
        if duplicates:
            self.error(
                1, "", _("Columns named twice: %(columns)s.") % {"columns": ", ".join(duplicates)}
            )
        missing = [name for name in REQUIRED_COLUMNS if name not in names]
        if missing:
            self.error(
                1,
                "",
                _("Required columns are missing: %(columns)s.") % {"columns": ", ".join(missing)},
            )
        if unknown or duplicates or missing:
            return False
        self.names = names
        self.positions = [(name, index) for index, name in enumerate(names) if name]
        return True

    # Pass 1: look up what the rows refer to ----------------------------------------------------

    def _load_references(self):
        wanted = defaultdict(set)
        columns = ("branch_code", "product_sku", "salesperson", "purchase_ref", "customer_ref")
        positions = [(name, index) for name, index in self.positions if name in columns]
        for _number, record in self._records():
            for name, index in positions:
                if index < len(record):
                    wanted[name].add(record[index].strip())
        self.branches = {
            branch.code: branch for branch in Branch.objects.filter(code__in=wanted["branch_code"])
        }
        self.products = {
            product.sku: product
            for product in Product.objects.filter(sku__in=wanted["product_sku"]).select_related(
                "category"
            )
        }
        self.users = {
            user.username: user
            for user in get_user_model().objects.filter(
                username__in=wanted["salesperson"], is_active=True
            )
        }
        # exclude(external_ref="") repeats the partial unique indexes' condition, so that they
        # are used.
        purchases = Purchase.objects.exclude(external_ref="").filter(
            _any("external_ref", wanted["purchase_ref"])
        )
        self.existing_purchases = set(purchases.values_list("external_ref", flat=True))
        customers = Customer.objects.exclude(external_ref="").filter(
            _any("external_ref", wanted["customer_ref"])
        )
        if self.lock:
            customers = customers.select_for_update()
        self.existing_customers = {customer.external_ref: customer for customer in customers}

    # Pass 2: every cell ------------------------------------------------------------------------

    def run(self):
        if self.text is None or not self._read_header():
            return
        self._load_references()
        if self.errors:  # the CSV itself is broken
            return
        rows = 0
        for number, record in self._records():
            rows += 1
            if len(record) < self.width:  # spreadsheets may drop empty cells at the end
                record += [""] * (self.width - len(record))
            elif len(record) > self.width:
                if any(cell.strip() for cell in record[self.width :]):
                    self.error(
                        number,
                        "",
                        _("This row has %(cells)d cells, the header only %(columns)d.")
                        % {"cells": len(record), "columns": self.width},
                    )
                    continue
                del record[self.width :]
            self._row(number, dict(zip(self.names, map(str.strip, record), strict=True)))
        self.summary.rows = rows
        if not rows and not self.errors:
            self.error(0, "", _("The file has no data rows."))
        self._plan_customers()
        self._count()

    def _check(self, number, column, value, parse):
        """parse(value), remembered per distinct value; a problem is recorded for this row."""
        memo = self.memo[column]
        try:
            parsed, message = memo[value]
        except KeyError:
            try:
                parsed, message = parse(value), None
            except _Invalid as invalid:
                parsed, message = None, invalid.args[0]
            memo[value] = parsed, message
        if message is not None:
            self.errors.append(RowError(number, column, message))
        return parsed

    def _required(self, number, raw, column):
        value = raw.get(column, "")
        if not value:
            self.error(number, column, _("This column is required."))
        return value

    def _row(self, number, raw):
        errors_before = len(self.errors)
        purchase_ref = self._required(number, raw, "purchase_ref")
        if len(purchase_ref) > TEXT_LIMITS["purchase_ref"]:
            self._check(number, "purchase_ref", purchase_ref, _text(TEXT_LIMITS["purchase_ref"]))
        customer_ref = self._required(number, raw, "customer_ref")
        if len(customer_ref) > TEXT_LIMITS["customer_ref"]:
            self._check(number, "customer_ref", customer_ref, _text(TEXT_LIMITS["customer_ref"]))
        existing = self.existing_customers.get(customer_ref)
        if existing is not None and not self._sees(existing.branch_id):
            self.error(
                number,
                "customer_ref",
                _("This customer number belongs to a customer of a branch you do not work in."),
            )

        purchase = self.purchases.get(purchase_ref)
        purchase_cells = tuple(map(raw.get, PURCHASE_COLUMNS))
        purchase_values = None
        if purchase is None or purchase.cells != purchase_cells:
            purchase_values = self._purchase_values(number, raw)

        customer = self.customers.get(customer_ref)
        customer_cells = tuple(map(raw.get, CUSTOMER_CELLS))
        customer_values = consents = None
        if customer is None or customer.cells != customer_cells:
            customer_values, consents = self._customer_values(number, raw)

        product = None
        sku = self._required(number, raw, "product_sku")
        if sku:
            product = self._check(number, "product_sku", sku, self._find_product)
        quantity = 1
        if raw.get("quantity"):
            quantity = self._check(number, "quantity", raw["quantity"], parse_quantity)
        price = product.list_price if product is not None else None
        if raw.get("unit_price"):
            price = self._check(number, "unit_price", raw["unit_price"], parse_price)

        if len(self.errors) > errors_before:
            # A row with an error is not grouped: its values would only cause follow-on errors.
            return
        if customer is None:
            customer = self.customers[customer_ref] = _CustomerDraft(
                ref=customer_ref,
                row=number,
                existing=existing,
                branch=purchase_values["branch_code"],
                salesperson=purchase_values["salesperson"],
                cells=customer_cells,
            )
        if customer_values is not None:
            self._merge(number, customer, customer_values, "customer_ref")
            self._merge(number, customer, consents, "customer_ref", customer.consents)
        if purchase is None:
            purchase = self.purchases[purchase_ref] = _PurchaseDraft(
                ref=purchase_ref,
                row=number,
                skip=purchase_ref in self.existing_purchases,
                cells=purchase_cells,
            )
        if purchase_values is not None:
            self._merge(number, purchase, purchase_values, "purchase_ref")
            if customer.salesperson is None:
                customer.salesperson = purchase_values["salesperson"]
        notes = raw.get("notes", "")
        if notes and notes not in purchase.notes:
            purchase.notes.append(notes)
        purchase.lines.append((product, quantity, price))
        if not purchase.skip:
            customer.has_new_purchase = True

    def _purchase_values(self, number, raw):
        """The purchase-level cells of a row, checked."""
        branch = None
        code = self._required(number, raw, "branch_code")
        if code:
            branch = self._check(number, "branch_code", code, self._find_branch)
        salesperson = None
        if raw.get("salesperson"):
            salesperson = self._check(number, "salesperson", raw["salesperson"], self._find_user)
        purchase_date = None
        value = self._required(number, raw, "purchase_date")
        if value:
            purchase_date = self._check(number, "purchase_date", value, parse_date)
            if purchase_date is not None and purchase_date > self.today:
                self.error(number, "purchase_date", _("The purchase date cannot be in the future."))
        handover_date = warranty_end = None
        if raw.get("handover_date"):
            handover_date = self._check(number, "handover_date", raw["handover_date"], parse_date)
            if handover_date and purchase_date and handover_date < purchase_date:
                self.error(
                    number, "handover_date", _("The handover cannot be before the purchase date.")
                )
        if raw.get("warranty_end"):
            warranty_end = self._check(number, "warranty_end", raw["warranty_end"], parse_date)
        identifier = raw.get("identifier", "")
        if len(identifier) > TEXT_LIMITS["identifier"]:
            self._check(number, "identifier", identifier, _text(TEXT_LIMITS["identifier"]))
        return {
            "customer_ref": raw.get("customer_ref", ""),
            "branch_code": branch,
            "salesperson": salesperson,
            "purchase_date": purchase_date,
            "handover_date": handover_date,
            "identifier": identifier,
            "warranty_end": warranty_end,
        }

    def _customer_values(self, number, raw):
        """({column: value}, {consent column: granted}) of the customer cells of a row."""
        values = {}
        for column, parse in CUSTOMER_PARSERS.items():
            value = raw.get(column)
            if value:
                try:
                    values[column] = parse(value)
                except _Invalid as invalid:
                    self.error(number, column, invalid.args[0])
        consents = {}
        for column in CONSENT_COLUMNS:
            value = raw.get(column)
            if value:
                granted = self._check(number, column, value, parse_answer)
                if granted is not None:
                    consents[column] = granted
        return values, consents

    def _find_branch(self, code):
        branch = self.branches.get(code)
        if branch is None:
            raise _Invalid(_("No branch has the code “%(code)s”.") % {"code": code})
        if not branch.is_active:
            raise _Invalid(_("Branch %(branch)s is closed.") % {"branch": branch})
        if not self._sees(branch.pk):
            raise _Invalid(_("You do not work in branch %(branch)s.") % {"branch": branch})
        return branch

    def _find_user(self, username):
        try:
            return self.users[username]
        except KeyError:
            raise _Invalid(
                _("No active user has the username “%(username)s”.") % {"username": username}
            ) from None

    def _find_product(self, sku):
        try:
            return self.products[sku]
        except KeyError:
            raise _Invalid(
                _("No product in the catalogue has the SKU “%(sku)s”.") % {"sku": sku}
            ) from None

    def _sees(self, branch_id):
        return self.visible is None or branch_id in self.visible

    def _merge(self, number, draft, values, key, target=None):
        """Take over the given values; one that differs from an earlier row's is an error."""
        target = draft.values if target is None else target
        for name, value in values.items():
            if value is None or value == "":
                continue
            earlier = target.get(name)
            if earlier is None or earlier == "":
                target[name] = value
                draft.origins[name] = number
            elif earlier is not value and earlier != value:
                self.error(
                    number,
                    name,
                    _("Differs from row %(row)s with the same %(key)s.")
                    % {"row": draft.origins[name], "key": key},
                )

    # Customers: identity rules, changes, consent -----------------------------------------------

    def _plan_customers(self):
        with_consent = [
            draft.existing.pk
            for draft in self.customers.values()
            if draft.existing is not None and draft.consents
        ]
        latest = {
            (customer_id, channel): granted
            for customer_id, channel, granted in ConsentRecord.objects.filter(
                _any("customer_id", with_consent, BigIntegerField())
            )
            .order_by("customer_id", "channel", "-recorded_at", "-pk")
            .distinct("customer_id", "channel")
            .values_list("customer_id", "channel", "granted")
        }
        for draft in self.customers.values():
            customer = draft.existing
            if customer is None:
                if draft.has_new_purchase:
                    self._check_identity(
                        draft, lambda column, draft=draft: draft.values.get(column)
                    )
                    draft.new_consents = [
                        (CONSENT_COLUMNS[column], granted)
                        for column, granted in draft.consents.items()
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

                self._check_identity(draft, current)

    def _check_identity(self, draft, value_of):
        """The rules of customers.services.create_customer, reported at the customer's row."""
        kind = value_of("customer_kind") or Customer.Kind.PERSON
        if kind == Customer.Kind.COMPANY and not value_of("company_name"):
            self.error(draft.row, "company_name", _("Enter the company's name."))
        if kind == Customer.Kind.PERSON and not value_of("last_name"):
            self.error(draft.row, "last_name", _("Enter the customer's last name."))
        if not any(value_of(column) for column in ("email", "phone", "mobile", "street")):
            self.error(
                draft.row,
                "email",
                _("Enter at least one way to reach the customer: e-mail, phone or address."),
            )

    def _count(self):
        summary = self.summary
        for draft in self.customers.values():
            if draft.existing is None:
                summary.customers_created += draft.has_new_purchase
            elif draft.changes:
                summary.customers_updated += 1
            else:
                summary.customers_unchanged += 1
            if draft.existing is not None or draft.has_new_purchase:
                summary.consents_recorded += len(draft.new_consents)
        for draft in self.purchases.values():
            if draft.skip:
                summary.purchases_skipped += 1
            else:
                summary.purchases_created += 1
                summary.lines_created += len(draft.lines)

    # Writing -----------------------------------------------------------------------------------

    def apply(self):
        self.lap_started = time.perf_counter()
        now = timezone.now()
        by = self.by
        by_id = by.pk if by is not None else None
        new_purchases = [draft for draft in self.purchases.values() if not draft.skip]
        identifiers = defaultdict(list)
        for draft in new_purchases:
            if draft.values.get("identifier"):
                identifiers[draft.values["customer_ref"]].append(draft.values["identifier"])

        created = []
        for draft in self.customers.values():
            if draft.existing is not None:
                draft.instance = draft.existing
            elif draft.has_new_purchase:
                # Foreign keys as ids: setting related objects costs more than the insert.
                customer = Customer(
                    branch_id=draft.branch.pk,
                    salesperson_id=draft.salesperson.pk if draft.salesperson else None,
                    external_ref=draft.ref,
                    created_by_id=by_id,
                    **{CUSTOMER_COLUMNS[column]: value for column, value in draft.values.items()},
                    # The consent columns are named like the Customer fields.
                    **draft.consents,
                )
                customer.search_text = search_text_for(customer, identifiers[draft.ref])
                draft.instance = customer
                created.append(customer)
        insert_objects(Customer, created, now=now, by=by, change_reason=CHANGE_REASON)
        self._lap("customers")

        self._update_customers(identifiers, now=now)
        self._lap("customer updates")

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
            # Customer, branch and category as objects, so that purchase_logged receivers find
            # them without a query; the other keys as ids.
            purchases.append(
                Purchase(
                    customer=self.customers[values["customer_ref"]].instance,
                    branch=values["branch_code"],
                    salesperson_id=salesperson.pk if salesperson else None,
                    purchase_date=values["purchase_date"],
                    handover_date=handover_date,
                    identifier=values.get("identifier", ""),
                    warranty_end=warranty_end,
                    status=status_for(handover_date, self.today),
                    total=sum((quantity * price for _p, quantity, price in draft.lines), Decimal()),
                    currency="EUR",
                    main_category=main_category,
                    notes="\n".join(draft.notes),
                    external_ref=draft.ref,
                    created_by_id=by_id,
                )
            )
        insert_objects(Purchase, purchases, now=now, by=by, change_reason=CHANGE_REASON)
        self._lap("purchases")

        insert_objects(
            PurchaseLine,
            [
                PurchaseLine(
                    purchase_id=purchase.pk,
                    product_id=product.pk,
                    quantity=quantity,
                    unit_price=price,
                )
                for purchase, draft in zip(purchases, new_purchases, strict=True)
                for product, quantity, price in draft.lines
            ],
            now=now,
        )
        self._lap("lines")
        insert_objects(
            ConsentRecord,
            [
                ConsentRecord(
                    customer_id=draft.instance.pk,
                    channel=channel,
                    granted=granted,
                    source=ConsentRecord.Source.WRITTEN,
                    recorded_at=now,
                    recorded_by_id=by_id,
                    note=CONSENT_NOTE,
                )
                for draft in self.customers.values()
                if draft.instance is not None
                for channel, granted in draft.new_consents
            ],
            now=now,
        )
        self._lap("consents")
        # One announcement for the batch: receivers plan in bulk (a per-purchase signal cost
        # 2 ms each, minutes for a large file).
        purchases_imported.send(sender=Purchase, purchases=purchases)
        self._lap("signals")

    def _lap(self, name):
        now = time.perf_counter()
        self.result.timings[name] = now - self.lap_started
        self.lap_started = now

    def _update_customers(self, new_identifiers, *, now):
        """Known customers: the file's changes, and the search text as
        services.refresh_search_text makes it (with the new purchases' identifiers), in one
        UPDATE; a history record for each customer whose fields changed."""
        stale = [
            draft
            for draft in self.customers.values()
            if draft.existing is not None and (draft.changes or new_identifiers.get(draft.ref))
        ]
        if not stale:
            return
        identifiers = defaultdict(list)
        known = Purchase.objects.filter(
            _any("customer_id", [draft.existing.pk for draft in stale], BigIntegerField())
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
            Customer, changed, now=now, by=self.by, history_type="~", change_reason=CHANGE_REASON
        )
