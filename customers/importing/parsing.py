"""Reading one cell: from the text in the file to the value the models store.

Each parser takes the stripped text of a non-empty cell and returns the value, or raises
:class:`Invalid` with the message for the user. The cells are checked here against the models'
limits (lengths, choices, e-mail syntax), since the import writes without ``full_clean()``.
"""

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from aftersales.validators import EARLIEST_DATE, LATEST_DATE, plausible_date_message
from customers.importing.format import CUSTOMER_COLUMNS, TEXT_LIMITS
from customers.models import Customer

MAX_AMOUNT = Decimal("9999999999.99")
MAX_QUANTITY = 2_147_483_647

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
WHOLE_KM = re.compile(r"\d+|\d{1,3}([.,' ]\d{3})+")
MAX_ODOMETER_KM = 2_000_000
# Plain ASCII addresses, a subset of what Django's validate_email accepts (dot-atom local part,
# host labels of 1 to 63 letters, digits and inner hyphens, a top-level domain of letters): a
# match needs no further check, and validate_email (about ten times slower through its lazy
# patterns) decides the rest.
PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9_+-]+(?:\.[A-Za-z0-9_+-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


class Invalid(Exception):
    """A cell's value is not acceptable; the argument is the message for the user."""


def parse_date(value):
    day = _read_date(value)
    if day is None:
        raise Invalid(
            _("“%(value)s” is not a date; use YYYY-MM-DD or DD.MM.YYYY.") % {"value": value}
        )
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise Invalid(plausible_date_message())
    return day


def _read_date(value):
    if ISO_DATE.fullmatch(value):
        try:
            return date.fromisoformat(value)
        except ValueError:
            return None
    match = GERMAN_DATE.fullmatch(value)
    if match:
        day, month, year = (int(part) for part in match.groups())
        try:
            return date(year, month, day)
        except ValueError:
            return None
    return None


def parse_amount(value):
    """A decimal with a comma or a point; thousands separators only together with decimals."""
    text = value.replace(" ", "").replace("\u00a0", "")
    # Whichever separator comes last is the decimal one; the other groups thousands.
    if text.rfind(",") > text.rfind("."):
        text = text.replace(".", "").replace(",", ".")
    else:
        text = text.replace(",", "")
    if not PLAIN_AMOUNT.fullmatch(text):
        raise Invalid(
            _(
                "“%(value)s” is not an amount; write e.g. 1234,50 or 1234.50 "
                "(at most two decimals, no thousands separator without decimals)."
            )
            % {"value": value}
        )
    try:
        return Decimal(text)
    except InvalidOperation as error:  # pragma: no cover - the pattern admits only numbers
        raise Invalid(_("“%(value)s” is not an amount.") % {"value": value}) from error


def parse_quantity(value):
    try:
        amount = parse_amount(value)
    except Invalid:
        amount = None
    if amount is None or amount != amount.to_integral_value():
        raise Invalid(_("“%(value)s” is not a whole number.") % {"value": value})
    if amount < 1:
        raise Invalid(_("The quantity must be 1 or more."))
    if amount > MAX_QUANTITY:
        raise Invalid(_("The quantity is too large."))
    return int(amount)


def parse_odometer(value):
    """Whole kilometres; thousands separators are fine here (``25.000``, ``25,000``,
    ``25 000``): an odometer reading has no decimals, so nothing is ambiguous."""
    if not WHOLE_KM.fullmatch(value):
        raise Invalid(_("“%(value)s” is not a whole number of kilometres.") % {"value": value})
    km = int(re.sub(r"\D", "", value))
    if km > MAX_ODOMETER_KM:
        raise Invalid(_("The odometer reading is too large."))
    return km


def parse_price(value):
    amount = parse_amount(value)
    if amount < 0:
        raise Invalid(_("The price cannot be negative."))
    if amount > MAX_AMOUNT:
        raise Invalid(_("The price is too large."))
    return amount


def one_of(mapping, allowed):
    """A parser for a choice: the value's lower case looked up in `mapping`; `allowed` lists
    the choices in the message."""

    def parse(value):
        try:
            return mapping[value.lower()]
        except KeyError:
            raise Invalid(
                _("“%(value)s” is not allowed; use one of: %(allowed)s.")
                % {"value": value, "allowed": allowed}
            ) from None

    return parse


def limited_text(limit):
    """A parser for text of at most `limit` characters."""

    def parse(value):
        if len(value) > limit:
            raise Invalid(
                _("At most %(limit)d characters (this has %(length)d).")
                % {"limit": limit, "length": len(value)}
            )
        return value

    return parse


def parse_email(value):
    limited_text(TEXT_LIMITS["email"])(value)
    if PLAIN_EMAIL.fullmatch(value):
        return value
    try:
        validate_email(value)
    except ValidationError:
        raise Invalid(_("“%(value)s” is not an e-mail address.") % {"value": value}) from None
    return value


def parse_country(value):
    if not (len(value) == 2 and value.isalpha()):
        raise Invalid(_("Use the two-letter ISO code, e.g. DE or AT."))
    return value.upper()


CUSTOMER_PARSERS = {
    "customer_kind": one_of(KINDS, "person, company"),
    "salutation": one_of(SALUTATIONS, "mr, ms, mx"),
    "email": parse_email,
    "country": parse_country,
    "language": one_of(LANGUAGES, "de, en"),
    **{
        column: limited_text(TEXT_LIMITS[column])
        for column in CUSTOMER_COLUMNS
        if column in TEXT_LIMITS and column != "email"
    },
}
parse_answer = one_of(ANSWERS, "yes, no")
