"""The complaint taxonomy in German and English (django-modeltranslation; docs/architecture.md)."""

from modeltranslation.translator import TranslationOptions, register

from quality.models import ComplaintCategory


@register(ComplaintCategory)
class ComplaintCategoryTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("en",)
