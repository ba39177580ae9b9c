"""Generated texts, stored as a code with parameters and written out when read.

A text the software writes itself (a dissonance signal's "Complaint: Function, not yet known,
medium", a recovery call's title and questions) is stored as a code and JSON parameters, never as
words in whatever language the writing process had. It is written out when someone reads it: in
the reader's language (the active one), with the reader's date and number formats, and with the
current values of the rows it names (a complaint's category as it is now, in the reader's
language). The words stay in the database as a fallback for a row whose code is unknown (texts
written before codes existed that could not be recognised).

An app defines its codes on import (its `texts.py`, imported from `AppConfig.ready()`):
`@texts.define("quality.x")` on a function `(params, source) -> str`, where `source` is the row
that carries the text. A code whose text needs other rows for a whole list names a
`prepare(sources)` that loads them for all the sources at once (one query), so that a list page
keeps its number of queries.

The model that carries a text offers it as a property that calls `render` (`signal.text`,
`followup.heading`); templates and API serializers read that property, so both show the same
words.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.utils import formats

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Entry:
    render: object
    prepare: object = None


_catalogue: dict[str, Entry] = {}


def define(code, *, prepare=None):
    """Register the function that writes out `code`'s text."""

    def register(render):
        _catalogue[code] = Entry(render=render, prepare=prepare)
        return render

    return register


def is_known(code):
    return code in _catalogue


def render(code, params, *, source=None, fallback=""):
    """The text of `code` with `params` in the active language; `fallback` when the code is
    unknown or the parameters no longer fit it (logged: a stored row the code cannot read)."""
    entry = _catalogue.get(code) if code else None
    if entry is None:
        return fallback
    try:
        return str(entry.render(params or {}, source))
    except (KeyError, TypeError, ValueError):
        logger.warning("The stored text %s cannot be written from %r", code, params)
        return fallback


def prepare(sources, *, code_of):
    """Let each code load what its texts need for all `sources` at once (code_of(source) gives
    the code a source carries). Sources without a code, or with a code that needs nothing, cost
    no query."""
    by_code = defaultdict(list)
    for source in sources:
        code = code_of(source)
        if code:
            by_code[code].append(source)
    for code, group in by_code.items():
        entry = _catalogue.get(code)
        if entry is not None and entry.prepare is not None:
            entry.prepare(group)


def params(**values):
    """Parameters as they are stored (JSON): dates as ISO strings, decimals as strings."""
    return {name: _stored(value) for name, value in values.items()}


def _stored(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def local_date(value):
    """A stored date (ISO string or date) in the reader's short date format: 31.10.2026."""
    if isinstance(value, str):
        value = date.fromisoformat(value[:10])
    elif isinstance(value, datetime):
        value = value.date()
    return formats.date_format(value, "SHORT_DATE_FORMAT")


def local_number(value, places=0):
    """A number in the reader's format: 0,0 in German, 0.0 in English."""
    return formats.number_format(Decimal(str(value)), decimal_pos=places, use_l10n=True)
