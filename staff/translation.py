"""Course titles and descriptions in German and English (django-modeltranslation;
docs/architecture.md)."""

from modeltranslation.translator import TranslationOptions, register

from staff.people.models import Course


@register(Course)
class CourseTranslation(TranslationOptions):
    fields = ("title", "description")
    required_languages = {"en": ("title",)}
