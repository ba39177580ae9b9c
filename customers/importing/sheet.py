"""Reading the uploaded bytes as a sheet: the encoding, the delimiter, the header, the rows.

Problems with the file as a whole (not UTF-8, not CSV, no header) and with its header (unknown,
doubled or missing columns) are reported as :class:`RowError` of row 0 or 1; the rows' cells are
the plan's business (:mod:`customers.importing.plan`).
"""

import csv
import io

from django.utils.translation import gettext as _

from aftersales.validators import ProhibitControlCharactersValidator, has_control_characters
from customers.importing.format import COLUMNS, REQUIRED_COLUMNS
from customers.importing.results import RowError


class Sheet:
    """The file's rows as {column: stripped cell}. Appends its problems to `errors`."""

    def __init__(self, data, errors):
        self.errors = errors
        self.text = self._decode(data)
        # How many data rows there were, blank ones not counted; set by rows().
        self.count = 0

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

    def records(self):
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

    def read_header(self):
        """Work out the delimiter and check the header row; False when the rows cannot be read
        (the file is not UTF-8, or the header has errors)."""
        if self.text is None:
            return False
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

    def rows(self):
        """(row number, {column: stripped cell}) for every data row that is not blank. A row
        with more (non-empty) cells than the header has columns is an error instead, but is
        counted."""
        width = self.width
        # One search of the whole text spares three checks per cell of a clean file: CSV
        # parsing only takes characters away (quotes), so no cell has what the text has not.
        clean = not has_control_characters(self.text)
        for number, record in self.records():
            self.count += 1
            if len(record) < width:  # spreadsheets may drop empty cells at the end
                record += [""] * (width - len(record))
            elif len(record) > width:
                if any(cell.strip() for cell in record[width:]):
                    self.error(
                        number,
                        "",
                        _("This row has %(cells)d cells, the header only %(columns)d.")
                        % {"cells": len(record), "columns": width},
                    )
                    continue
                del record[width:]
            cells = dict(zip(self.names, map(str.strip, record), strict=True))
            if clean:
                yield number, cells
                continue
            # Refused here, at the preview: PostgreSQL's COPY would refuse a NUL only at the
            # confirmation, and the other control characters have no place in a customer record.
            garbled = [name for name, cell in cells.items() if has_control_characters(cell)]
            for name in garbled:
                self.error(number, name, ProhibitControlCharactersValidator.message)
            if not garbled:
                yield number, cells
