from django import template

from customers import salutations

register = template.Library()


@register.filter
def addressed(customer):
    """The customer's name as spoken to them, with the salutation: "Ms Weiß" / "Frau Weiß"."""
    return salutations.addressed_name(customer)
