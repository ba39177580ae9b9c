"""The complaint taxonomy and the audit templates (template, section, item) in German and English
(django-modeltranslation; docs/architecture.md)."""

from modeltranslation.translator import TranslationOptions, register

from quality.models import AuditItem, AuditSection, AuditTemplate, ComplaintCategory


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
