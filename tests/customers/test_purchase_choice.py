"""The purchase select of the complaint and appointment forms names what was bought."""

from decimal import Decimal

from customers.forms import PurchaseChoiceField
from customers.models import Purchase, PurchaseLine
from tests.customers.factories import CustomerFactory, ProductFactory, PurchaseFactory


def line(purchase, name):
    PurchaseLine.objects.create(
        purchase=purchase, product=ProductFactory(name=name), unit_price=Decimal("10.00")
    )


def test_choices_name_the_products_in_two_queries(north, django_assert_num_queries):
    customer = CustomerFactory(branch=north)
    car = PurchaseFactory(customer=customer, identifier="WVW123")
    line(car, "ID.3 Pro")
    mats = PurchaseFactory(customer=customer)
    for name in ["All-weather floor mats", "Roof box", "Bike rack", "Snow chains"]:
        line(mats, name)
    field = PurchaseChoiceField(queryset=Purchase.objects.filter(customer=customer).order_by("pk"))

    # the purchases with their categories, then their lines with the products
    with django_assert_num_queries(2):
        labels = [label for _, label in field.choices][1:]  # after the empty choice

    assert "ID.3 Pro · WVW123" in labels[0]
    assert labels[1].endswith("All-weather floor mats, Roof box +2")


def test_a_purchase_without_lines_shows_its_category(north):
    purchase = PurchaseFactory(customer=CustomerFactory(branch=north))
    purchase.main_category = ProductFactory().category
    purchase.save()
    field = PurchaseChoiceField(queryset=Purchase.objects.filter(pk=purchase.pk))
    assert field.label_from_instance(field.queryset.get()).endswith(purchase.main_category.name)
