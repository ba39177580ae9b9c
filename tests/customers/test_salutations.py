"""How customers are addressed: greeted with their salutation, German sentences about them in
its grammatical gender (the German half needs the compiled catalogue), their address on one
line without empty parts."""

import pytest
from django.urls import reverse
from django.utils import translation

from customers.models import Customer
from customers.salutations import addressed_name, letter_greeting
from customers.templatetags.customer_tags import address_line
from quality.texts import recovery_instructions
from tests.customers.factories import CustomerFactory

# The shared fixtures check the migrated role groups in the database.
pytestmark = pytest.mark.django_db

MS, MR, NONE = Customer.Salutation.MS, Customer.Salutation.MR, Customer.Salutation.NONE


def customer(salutation, **fields):
    return CustomerFactory.build(
        salutation=salutation, first_name="Sabine", last_name="Weiß", **fields
    )


@pytest.mark.parametrize(
    ("language", "salutation", "greeting", "addressed"),
    [
        ("en", MS, "Dear Ms Weiß", "Ms Weiß"),
        ("en", MR, "Dear Mr Weiß", "Mr Weiß"),
        ("en", NONE, "Dear Sabine Weiß", "Sabine Weiß"),
        ("de", MS, "Sehr geehrte Frau Weiß", "Frau Weiß"),
        ("de", MR, "Sehr geehrter Herr Weiß", "Herr Weiß"),
        ("de", NONE, "Guten Tag Sabine Weiß", "Sabine Weiß"),
    ],
)
def test_greeting_in_both_languages(language, salutation, greeting, addressed):
    with translation.override(language):
        assert letter_greeting(customer(salutation)) == greeting
        assert addressed_name(customer(salutation)) == addressed


def test_a_company_is_greeted_by_its_name():
    company = customer(MS, kind=Customer.Kind.COMPANY, company_name="Weiß GmbH")
    with translation.override("en"):
        assert letter_greeting(company) == "Dear Weiß GmbH (Sabine Weiß)"


@pytest.mark.parametrize(
    ("salutation", "sentence"),
    [
        (MS, "Die Kundin hat starke Zweifel an ihrem Kauf"),
        (MR, "Der Kunde hat starke Zweifel an seinem Kauf"),
        (NONE, "Die Kundin oder der Kunde hat starke Zweifel am Kauf"),
    ],
)
def test_german_speaks_of_the_customer_in_their_gender(salutation, sentence):
    with translation.override("de"):
        assert sentence in recovery_instructions(customer(salutation), ["Wind noise"])


def test_english_has_one_wording():
    with translation.override("en"):
        wordings = {recovery_instructions(customer(s), ["Wind noise"]) for s in (MS, MR, NONE)}
    assert wordings == {
        "Call personally. The customer shows strong doubt about the purchase: Wind noise. "
        "Listen, acknowledge, agree on a concrete next step."
    }


@pytest.mark.parametrize(
    ("street", "postcode", "line"),
    [("Hauptstr. 1", "80331", "Hauptstr. 1, 80331 München"), ("", "", "München")],
)
def test_an_address_line_leaves_out_empty_parts(street, postcode, line):
    assert address_line(CustomerFactory.build(street=street, postcode=postcode)) == line


def test_the_duplicate_warning_shows_no_empty_address_parts(login, owner, north):
    CustomerFactory(branch=north, email="jana@example.com", street="", postcode="")
    data = {
        "kind": "person",
        "first_name": "Jana",
        "last_name": "Mueller",
        "email": "jana@example.com",
        "country": "DE",
        "preferred_language": "de",
        "preferred_channel": "phone",
        "branch": north.pk,
    }
    page = login(owner).post(reverse("customers:customer-create"), data).content.decode()
    assert "· München" in page
    assert ", München" not in page
