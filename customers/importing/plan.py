"""Pass 2: every cell checked, the rows grouped into customers and purchases.

:class:`Plan` reads the sheet (:mod:`customers.importing.sheet`), looks up what the rows refer to
(:mod:`customers.importing.references`, pass 1), then checks every row's cells
(:mod:`customers.importing.parsing`) and collects the rows into one CustomerDraft per
``customer_ref`` and one PurchaseDraft per ``purchase_ref`` (:mod:`customers.importing.drafts`);
cells that must agree across rows are compared. Last it works out what happens to each customer
(:mod:`customers.importing.customer_changes`) and counts everything for the preview. Nothing is
written here: :func:`customers.importing.writing.write` does that.

A cell that repeats an earlier row of the same customer or purchase is not checked again, and
lookups and parsed values are remembered per distinct text, so that the checks cost little more
than reading the file.
"""

from collections import defaultdict

from django.utils import timezone
from django.utils.translation import gettext as _

from customers.importing.customer_changes import plan_customers
from customers.importing.drafts import CustomerDraft, PurchaseDraft
from customers.importing.format import (
    CONSENT_COLUMNS,
    CUSTOMER_CELLS,
    PURCHASE_COLUMNS,
    TEXT_LIMITS,
)
from customers.importing.parsing import (
    CUSTOMER_PARSERS,
    Invalid,
    limited_text,
    parse_answer,
    parse_date,
    parse_odometer,
    parse_price,
    parse_quantity,
)
from customers.importing.references import References
from customers.importing.results import ErasedRow, ImportResult, RowError
from customers.importing.sheet import Sheet
from customers.personal_data.models import ErasedIdentifier
from customers.personal_data.records import erased_digests, identifier_digest
from customers.service_history.services import no_vehicle_message


class Plan:
    """What importing `data` would do, found by :meth:`run`; `result` has the errors and the
    counts. `by` is the importing user, None for the system (all branches). With `lock` (inside
    the import's transaction) the known customers are locked until it ends, so that an edit made
    meanwhile is neither lost nor overwritten."""

    def __init__(self, data, by, *, lock=False):
        self.data = data
        self.by = by
        self.lock = lock
        self.result = ImportResult()
        self.errors = self.result.errors
        self.summary = self.result.summary
        self.today = timezone.localdate()
        self.customers = {}
        self.purchases = {}
        self.memo = defaultdict(dict)

    def error(self, row, column, message):
        self.errors.append(RowError(row, column, str(message)))

    def run(self, progress=None):
        """Check every row; `progress(rows_done)` (optional) is called every 1,000 rows."""
        sheet = Sheet(self.data, self.errors)
        if not sheet.read_header():
            return
        self.references = References(sheet, self.by, lock=self.lock)
        if self.errors:  # the CSV itself is broken
            return
        self.erased = erased_digests()
        self.erased_pairs = {}
        for number, raw in sheet.rows():
            self._row(number, raw)
            if progress is not None and number % 1000 == 0:
                progress(number)
        self.summary.rows = sheet.count
        if not sheet.count and not self.errors:
            self.error(0, "", _("The file has no data rows."))
        self._link_vehicles()
        plan_customers(self.customers.values(), self.error)
        self._count()

    def _of_an_erased_customer(self, raw):
        """The row's customer number or e-mail is one of a customer whose data was erased;
        remembered per pair, since a customer's rows repeat both."""
        key = raw.get("customer_ref", ""), raw.get("email", "")
        try:
            return self.erased_pairs[key]
        except KeyError:
            pass
        identifiers = [
            (ErasedIdentifier.Kind.EXTERNAL_REF, key[0]),
            (ErasedIdentifier.Kind.EMAIL, key[1]),
        ]
        erased = self.erased_pairs[key] = any(
            (kind, identifier_digest(kind, value)) in self.erased
            for kind, value in identifiers
            if value
        )
        return erased

    def _check(self, number, column, value, parse):
        """parse(value), remembered per distinct value; a problem is recorded for this row."""
        memo = self.memo[column]
        try:
            parsed, message = memo[value]
        except KeyError:
            try:
                parsed, message = parse(value), None
            except Invalid as invalid:
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
        if self._of_an_erased_customer(raw):
            self.result.erased_skipped.append(ErasedRow(number, raw.get("customer_ref", "")))
            return
        errors_before = len(self.errors)
        purchase_ref = self._required(number, raw, "purchase_ref")
        if len(purchase_ref) > TEXT_LIMITS["purchase_ref"]:
            self._check(
                number, "purchase_ref", purchase_ref, limited_text(TEXT_LIMITS["purchase_ref"])
            )
        customer_ref = self._required(number, raw, "customer_ref")
        if len(customer_ref) > TEXT_LIMITS["customer_ref"]:
            self._check(
                number, "customer_ref", customer_ref, limited_text(TEXT_LIMITS["customer_ref"])
            )
        existing = self.references.existing_customers.get(customer_ref)
        if existing is not None and not self.references.sees(existing.branch_id):
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
            product = self._check(number, "product_sku", sku, self.references.find_product)
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
            customer = self.customers[customer_ref] = CustomerDraft(
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
            purchase = self.purchases[purchase_ref] = PurchaseDraft(
                ref=purchase_ref,
                row=number,
                skip=purchase_ref in self.references.existing_purchases,
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
            branch = self._check(number, "branch_code", code, self.references.find_branch)
        salesperson = None
        if raw.get("salesperson"):
            salesperson = self._check(
                number, "salesperson", raw["salesperson"], self.references.find_user
            )
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
            self._check(number, "identifier", identifier, limited_text(TEXT_LIMITS["identifier"]))
        vehicle = raw.get("vehicle", "")
        if len(vehicle) > TEXT_LIMITS["vehicle"]:
            self._check(number, "vehicle", vehicle, limited_text(TEXT_LIMITS["vehicle"]))
        odometer_km = None
        if raw.get("odometer_km"):
            odometer_km = self._check(number, "odometer_km", raw["odometer_km"], parse_odometer)
        return {
            "customer_ref": raw.get("customer_ref", ""),
            "branch_code": branch,
            "salesperson": salesperson,
            "purchase_date": purchase_date,
            "handover_date": handover_date,
            "identifier": identifier,
            "warranty_end": warranty_end,
            "vehicle": vehicle,
            "odometer_km": odometer_km,
        }

    def _customer_values(self, number, raw):
        """({column: value}, {consent column: granted}) of the customer cells of a row."""
        values = {}
        for column, parse in CUSTOMER_PARSERS.items():
            value = raw.get(column)
            if value:
                try:
                    values[column] = parse(value)
                except Invalid as invalid:
                    self.error(number, column, invalid.args[0])
        consents = {}
        for column in CONSENT_COLUMNS:
            value = raw.get(column)
            if value:
                granted = self._check(number, column, value, parse_answer)
                if granted is not None:
                    consents[column] = granted
        return values, consents

    def _merge(self, number, draft, values, key, target=None):
        """Take over the given values; one that differs from an earlier row's is an error."""
        target = draft.values if target is None else target
        given = {name: value for name, value in values.items() if value is not None and value != ""}
        if not target:  # the first row of a customer or purchase: nothing to compare with
            target.update(given)
            draft.origins.update(dict.fromkeys(given, number))
            return
        for name, value in given.items():
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

    def _link_vehicles(self):
        """Each service visit's car (checked like customers.service_history.check_vehicle): the
        latest purchase of the same customer with that identifier, of a vehicle category, not a
        visit itself, not cancelled and not after the visit — in the file or the database."""
        in_file = defaultdict(list)
        for draft in self.purchases.values():
            identifier = draft.values.get("identifier", "")
            if identifier and not draft.skip and not draft.values.get("vehicle"):
                key = (draft.values["customer_ref"], identifier.lower())
                in_file[key].append(draft)
        for draft in self.purchases.values():
            values = draft.values
            if draft.skip or "purchase_date" not in values:
                continue
            wanted = values.get("vehicle", "")
            if not wanted:
                if values.get("odometer_km") is not None and not draft.is_vehicle:
                    self.error(
                        draft.origins["odometer_km"],
                        "odometer_km",
                        _("An odometer reading needs the vehicle it was read on (column vehicle)."),
                    )
                continue
            visit_date = values["purchase_date"]
            found = [
                (car.values["purchase_date"], car)
                for car in in_file[values["customer_ref"], wanted.lower()]
                if car is not draft and car.is_vehicle and car.values["purchase_date"] <= visit_date
            ]
            customer = self.customers[values["customer_ref"]].existing
            if customer is not None:
                found += [
                    (bought, pk)
                    for bought, pk in self.references.vehicles[customer.pk, wanted.lower()]
                    if bought <= visit_date
                ]
            if not found:
                self.error(
                    draft.origins["vehicle"],
                    "vehicle",
                    no_vehicle_message(wanted),
                )
                continue
            _bought, car = max(found, key=lambda candidate: candidate[0])
            if isinstance(car, PurchaseDraft):
                draft.vehicle_draft = car
            else:
                draft.vehicle_pk = car

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
