"""What an import reports: the errors found, the counts, and the refusal when there are errors."""

from dataclasses import dataclass, field

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aftersales.errors import DomainError


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


@dataclass(frozen=True)
class ErasedRow:
    """A row of a customer whose data was erased (customers.personal_data): skipped, so that
    an import does not quietly recreate the person."""

    row: int
    customer_ref: str

    def __str__(self):
        return _("Row %(row)s: customer %(ref)s was erased — skipped.") % {
            "row": self.row,
            "ref": self.customer_ref,
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
    erased_skipped: list[ErasedRow] = field(default_factory=list)
    applied: bool = False
    # Seconds per phase ("validate", each step of writing, "write"), for the benchmark.
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
