"""Reading the import's cells (customers.importing.parsing): the e-mail check's shortcut."""

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from customers.importing.parsing import PLAIN_EMAIL, Invalid, parse_email


@pytest.mark.parametrize(
    "address",
    [
        "erika.mustermann@example.de",
        "a+b@sub.example.co.uk",
        "x@[127.0.0.1]",
        "o'brien@example.ie",
        "name@localhost",
        "name@xn--mller-kva.de",
    ],
)
def test_an_address_validate_email_takes_is_taken(address):
    validate_email(address)
    assert parse_email(address) == address


@pytest.mark.parametrize(
    "address",
    [
        "erika..mustermann@example.de",
        ".erika@example.de",
        "erika@example",
        "erika@-example.de",
        "erika@example-.de",
        "erika@example.d",
        "erika@@example.de",
        "erika@exam_ple.de",
        f"erika@{'a' * 64}.de",
        "erika example@example.de",
    ],
)
def test_an_address_validate_email_refuses_is_refused(address):
    with pytest.raises(ValidationError):
        validate_email(address)
    with pytest.raises(Invalid):
        parse_email(address)


@pytest.mark.parametrize(
    "address",
    ["a@b.de", "a_b-c+d@x-y.example.com", "A.B@EXAMPLE.DE", f"{'a' * 64}@{'b' * 63}.de"],
)
def test_what_the_shortcut_takes_validate_email_takes_too(address):
    assert PLAIN_EMAIL.fullmatch(address)
    validate_email(address)
