"""Checks on input that every form, serializer and the CSV import share."""

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _

# C0 controls but tab, line feed and carriage return (text areas keep their lines), DEL, and the
# C1 controls: no one types them, PostgreSQL refuses NUL, and the others break CSV exports, e-mail
# headers and terminals.
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")

# Dates a person may really mean: no purchase, appointment or birthday before 1900, nothing
# planned beyond 2100. Outside this a date is a typo (0001-01-01, 747) that some clients cannot
# even show.
EARLIEST_DATE = date(1900, 1, 1)
LATEST_DATE = date(2100, 12, 31)


def has_control_characters(text):
    return bool(CONTROL_CHARACTERS.search(text))


@deconstructible
class ProhibitControlCharactersValidator:
    message = _("Remove the control characters (such as NUL) from this text.")
    code = "control_characters"

    def __call__(self, value):
        if isinstance(value, str) and has_control_characters(value):
            raise ValidationError(self.message, code=self.code)

    def __eq__(self, other):
        return isinstance(other, ProhibitControlCharactersValidator)


def plausible_date_message():
    return _("Enter a date between %(earliest)s and %(latest)s.") % {
        "earliest": EARLIEST_DATE.isoformat(),
        "latest": LATEST_DATE.isoformat(),
    }


@deconstructible
class PlausibleDateValidator:
    code = "implausible_date"

    def __call__(self, value):
        day = value.date() if hasattr(value, "date") else value
        if isinstance(day, date) and not EARLIEST_DATE <= day <= LATEST_DATE:
            raise ValidationError(plausible_date_message(), code=self.code)

    def __eq__(self, other):
        return isinstance(other, PlausibleDateValidator)
