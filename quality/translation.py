"""The complaint taxonomy, the audit templates (template, section, item) and the findings in
German and English (django-modeltranslation; docs/architecture.md).

A finding of a failed item copies the item's text in both languages, so it reads in the reader's
language; one recorded by hand is in its writer's language (the other falls back to it).
"""

from modeltranslation.translator import TranslationOptions, register

from quality.models import AuditItem, AuditSection, AuditTemplate, ComplaintCategory, Finding


@register(ComplaintCategory)
class ComplaintCategoryTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("en",)


@register(AuditTemplate)
class AuditTemplateTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = {"en": ("name",)}


@register(AuditSection)
class AuditSectionTranslation(TranslationOptions):
    fields = ("title",)
    required_languages = ("en",)


@register(AuditItem)
class AuditItemTranslation(TranslationOptions):
    fields = ("text", "guidance")
    required_languages = {"en": ("text",)}


@register(Finding)
class FindingTranslation(TranslationOptions):
    fields = ("title",)
