"""CSV downloads, written the same way everywhere (customer list, import errors, dissonance
dashboard, staff scorecards).

- Streamed in chunks, so that 100,000 rows never sit in memory at once.
- Cells a spreadsheet would read as a formula (starting with =, +, -, @, a tab or a carriage
  return) are prefixed with an apostrophe (OWASP "CSV injection"). That includes phone numbers
  written as +49…: the apostrophe is the price of never running a customer's "name" as a formula.
- A byte-order mark first: Excel reads a UTF-8 file correctly only with one.
- German users get ";" between cells: their Excel reads "," as the decimal separator.
"""

import csv
import io

from django.http import StreamingHttpResponse
from django.utils.translation import get_language

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
CHUNK_ROWS = 500


def escape_cell(value):
    """The cell as text, defused if a spreadsheet would take it for a formula."""
    if value is None:
        return ""
    text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def delimiter():
    """The cell separator for the active language."""
    return ";" if (get_language() or "").startswith("de") else ","


def csv_chunks(rows):
    """Yield the CSV text of `rows` (an iterable of lists, header included) in chunks."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter())
    buffer.write(BOM)
    for count, row in enumerate(rows, start=1):
        writer.writerow([escape_cell(cell) for cell in row])
        if count % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def csv_download(rows, *, filename):
    """A streamed CSV attachment of `rows`."""
    response = StreamingHttpResponse(csv_chunks(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
