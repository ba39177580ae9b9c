from django import template

from customers import salutations

register = template.Library()


@register.filter
def addressed(customer):
    """The customer's name as spoken to them, with the salutation: "Ms Weiß" / "Frau Weiß"."""
    return salutations.addressed_name(customer)


@register.filter
def address_line(customer):
    """Street, postcode and city on one line, leaving out the empty parts (no "· , München")."""
    place = " ".join(part for part in (customer.postcode, customer.city) if part)
    return ", ".join(part for part in (customer.street, place) if part)
