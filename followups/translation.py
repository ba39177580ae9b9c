"""Playbooks, their steps, the follow-ups planned from them and the offer rules in German and
English (django-modeltranslation; docs/architecture.md).

A follow-up copies its step's title and instructions in both languages when it is planned, so
the inbox shows the reader's language and a later edit of the playbook changes no planned call.
"""

from modeltranslation.translator import TranslationOptions, register

from followups.models import FollowUp, Playbook, PlaybookStep
from followups.offers.models import OfferRule


@register(Playbook)
class PlaybookTranslation(TranslationOptions):
    fields = ("name",)
    required_languages = ("en",)


@register(PlaybookStep)
class PlaybookStepTranslation(TranslationOptions):
    fields = ("title", "instructions")
    required_languages = {"en": ("title",)}


@register(FollowUp)
class FollowUpTranslation(TranslationOptions):
    fields = ("title", "instructions")


@register(OfferRule)
class OfferRuleTranslation(TranslationOptions):
    fields = ("name", "script")
    required_languages = {"en": ("name",)}
