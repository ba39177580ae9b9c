"""The catalogue's names in German and English (django-modeltranslation; docs/architecture.md).

The history tables get the same columns: django-simple-history copies every field of a change.
"""

from modeltranslation.translator import TranslationOptions, translator

from customers.models import Product, ProductCategory


class CategoryTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("en",)
    # A category without a German name stores NULL, not "", so the unique names stay unique.
    empty_values = None


class ProductTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("en",)


translator.register([ProductCategory, ProductCategory.history.model], CategoryTranslation)
translator.register([Product, Product.history.model], ProductTranslation)
