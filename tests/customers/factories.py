from datetime import timedelta
from decimal import Decimal

import factory
from django.utils import timezone

from customers.models import Customer, InvolvementLevel, Product, ProductCategory, Purchase
from customers.services import refresh_last_purchase_dates, refresh_search_text
from tests.aftersales.factories import BranchFactory


class ProductCategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProductCategory
        django_get_or_create = ("code",)

    name = factory.Sequence(lambda n: f"Category {n}")
    code = factory.Sequence(lambda n: f"category-{n}")
    involvement = InvolvementLevel.HIGH
    default_warranty_months = 24


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    name = factory.Sequence(lambda n: f"Product {n}")
    category = factory.SubFactory(ProductCategoryFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    list_price = Decimal("25000.00")


class CustomerFactory(factory.django.DjangoModelFactory):
    """Inserted directly (tests of services call the services themselves)."""

    class Meta:
        model = Customer
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name", locale="de_DE")
    last_name = factory.Faker("last_name", locale="de_DE")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    phone = factory.Sequence(lambda n: f"089 {1000000 + n}")
    postcode = "80331"
    city = "München"
    branch = factory.SubFactory(BranchFactory)

    @factory.post_generation
    def searchable(self, create, extracted, **kwargs):
        if create:
            refresh_search_text(self)


class PurchaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Purchase
        skip_postgeneration_save = True

    customer = factory.SubFactory(CustomerFactory)
    branch = factory.LazyAttribute(lambda purchase: purchase.customer.branch)
    purchase_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    handover_date = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=20))
    status = Purchase.Status.HANDED_OVER
    total = Decimal("25000.00")

    @factory.post_generation
    def customers_last_purchase(self, create, extracted, **kwargs):
        # The date the purchase services keep on the customer (lists sort by it).
        if create:
            refresh_last_purchase_dates([self.customer_id])
            self.customer.refresh_from_db(fields=["last_purchase_date"])
