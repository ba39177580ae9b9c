"""The customer's survey form (public page, rendered by templates/surveys/answer.html)."""

from django import forms
from django.utils.translation import gettext_lazy as _

NPS_CHOICES = [(score, str(score)) for score in range(11)]
SATISFACTION_CHOICES = [(score, str(score)) for score in range(1, 6)]


def _scale(label, choices, message):
    return forms.TypedChoiceField(
        label=label,
        choices=choices,
        coerce=int,
        # Bootstrap's toggle buttons: each radio is hidden behind a large, tappable label.
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        error_messages={"required": message, "invalid_choice": message},
    )


class SurveyForm(forms.Form):
    nps = _scale(
        _("How likely is it that you would recommend us to a friend or colleague?"),
        NPS_CHOICES,
        _("Choose a number from 0 (not at all likely) to 10 (extremely likely)."),
    )
    satisfaction_purchase = _scale(
        _("How satisfied are you with your purchase?"),
        SATISFACTION_CHOICES,
        _("Choose how satisfied you are with your purchase, from 1 to 5."),
    )
    satisfaction_handover = _scale(
        _("How satisfied were you with the handover?"),
        SATISFACTION_CHOICES,
        _("Choose how satisfied you were with the handover, from 1 to 5."),
    )
    comment = forms.CharField(
        label=_("Is there anything else you would like to tell us?"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
        help_text=_("Optional. What went well, what could we do better?"),
    )
    callback_wanted = forms.BooleanField(
        label=_("Yes, please call me back about my answers."),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
