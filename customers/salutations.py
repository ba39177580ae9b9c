"""How the product addresses a customer and speaks of them, in the active language.

German needs the salutation twice: in the greeting ("Sehr geehrte Frau Weiß", "Sehr geehrter
Herr Kurz") and in the grammatical gender of every sentence about the customer ("Die Kundin hat
starke Zweifel …"). English needs it only in the greeting ("Dear Ms Weiß"). Without a
salutation (or for "Mx"), the greeting uses the full name and sentences a neutral form.
"""

from django.utils.translation import pgettext

from customers.models import Customer

Salutation = Customer.Salutation


def addressed_name(customer):
    """The name with its salutation, as in "Good day, Ms Weiß": "Ms Weiß" / "Frau Weiß"."""
    if customer.kind == Customer.Kind.PERSON and customer.last_name:
        if customer.salutation == Salutation.MS:
            return pgettext("addressed", "Ms %(last_name)s") % {"last_name": customer.last_name}
        if customer.salutation == Salutation.MR:
            return pgettext("addressed", "Mr %(last_name)s") % {"last_name": customer.last_name}
    return str(customer.display_name)


def letter_greeting(customer):
    """The first line of a letter or e-mail, without its comma: "Dear Ms Weiß" /
    "Sehr geehrte Frau Weiß"."""
    if customer.kind == Customer.Kind.PERSON and customer.last_name:
        if customer.salutation == Salutation.MS:
            return pgettext("letter greeting", "Dear Ms %(last_name)s") % {
                "last_name": customer.last_name
            }
        if customer.salutation == Salutation.MR:
            return pgettext("letter greeting", "Dear Mr %(last_name)s") % {
                "last_name": customer.last_name
            }
    return pgettext("letter greeting", "Dear %(name)s") % {"name": customer.display_name}


def by_gender(customer, *, female, male, neutral):
    """One of three wordings of a sentence about the customer, by their salutation: each is
    the same in English and differs in German (pgettext with the contexts "female customer",
    "male customer", "customer")."""
    if customer.kind == Customer.Kind.PERSON:
        if customer.salutation == Salutation.MS:
            return female
        if customer.salutation == Salutation.MR:
            return male
    return neutral
