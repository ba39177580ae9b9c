"""Course titles and descriptions and the mystery-shop scorecards (template, section, criterion)
in German and English (django-modeltranslation; docs/architecture.md)."""

from modeltranslation.translator import TranslationOptions, register

from staff.mystery.models import Criterion, ScorecardSection, ScorecardTemplate
from staff.people.models import Course


@register(Course)
class CourseTranslation(TranslationOptions):
    fields = ("title", "description")
    required_languages = {"en": ("title",)}


@register(ScorecardTemplate)
class ScorecardTemplateTranslation(TranslationOptions):
    fields = ("name", "description")
    required_languages = {"en": ("name",)}


@register(ScorecardSection)
class ScorecardSectionTranslation(TranslationOptions):
    fields = ("title",)
    required_languages = ("en",)


@register(Criterion)
class CriterionTranslation(TranslationOptions):
    fields = ("text", "guidance")
    required_languages = {"en": ("text",)}
