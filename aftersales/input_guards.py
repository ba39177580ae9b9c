"""Checks every form and serializer field of a kind makes, whoever declared it.

Installed once at start-up (AftersalesConfig.ready) as the default validators of Django's and
DRF's text and date fields, so that a form or serializer written tomorrow refuses control
characters and implausible dates without having to remember to. Fields given validators of their
own keep Django's and DRF's rule that explicit ones replace the defaults; the API's parsers
(aftersales.parsers) check every text of a request body regardless.
"""

from django import forms
from rest_framework import serializers

from aftersales.validators import PlausibleDateValidator, ProhibitControlCharactersValidator


def install():
    no_control_characters = ProhibitControlCharactersValidator()
    plausible_date = PlausibleDateValidator()
    for text_field in (forms.CharField, serializers.CharField):
        text_field.default_validators = [no_control_characters]
    for date_field in (
        forms.DateField,
        forms.DateTimeField,
        serializers.DateField,
        serializers.DateTimeField,
    ):
        date_field.default_validators = [plausible_date]
