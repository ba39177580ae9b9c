from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.models import Branch
from aftersales.translated import translated
from aftersales.widgets import DateInput
from followups.models import FollowUp, Playbook, PlaybookStep, StepKind

# What a person records after a contact; "sent" is set by the e-mail survey step only.
COMPLETION_OUTCOMES = [
    (value, label) for value, label in FollowUp.Outcome.choices if value != FollowUp.Outcome.SENT
]
SATISFACTION_CHOICES = [("", _("not asked")), *((score, str(score)) for score in range(1, 6))]


class CompleteFollowUpForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("How did the contact go?"),
        choices=COMPLETION_OUTCOMES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how the contact went.")},
    )
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction"),
        choices=SATISFACTION_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
        initial="",
        widget=forms.RadioSelect(attrs={"class": "btn-check"}),
        help_text=_("1 = very unhappy, 5 = very happy. Leave “not asked” if you did not ask."),
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What was said, what was agreed."),
    )
    concern = forms.CharField(
        label=_("The customer's concern"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Needed when a concern was raised: what bothers the customer (a noise, a function, "
            "the handover…). It goes to the quality team."
        ),
    )

    def service_arguments(self):
        data = self.cleaned_data
        return {
            "outcome": data["outcome"],
            "satisfaction": data["satisfaction"],
            "notes": data["notes"],
            "concern": data["concern"],
        }


class ReassignFollowUpForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Hand over to"),
        queryset=get_user_model().objects.none(),
        help_text=_("Someone who works in the follow-up's branch."),
        error_messages={
            "invalid_choice": _("Choose someone who works in this branch."),
        },
    )
    # The inbox asks "hand over to …?" before the follow-up leaves it.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff


class SnoozeFollowUpForm(forms.Form):
    until = forms.DateField(
        label=_("Put off until"),
        widget=DateInput(),
        help_text=_("A day in the future; a non-working day moves to the next working day."),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Why it is put off, e.g. “customer on holiday until the 20th”."),
        error_messages={"required": _("Say why the follow-up is put off.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["until"].widget.attrs["min"] = timezone.localdate().isoformat()


class InboxFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Customer"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, e-mail, phone")}),
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"), queryset=Branch.objects.none(), required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("any kind")), *StepKind.choices], required=False
    )

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        self.fields["branch"].empty_label = _("all my branches")

    def selector_arguments(self):
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "search": data.get("q", "").strip(),
            "branch": data.get("branch"),
            "kind": data.get("kind", ""),
        }


class TeamFilterForm(forms.Form):
    branch = forms.ModelChoiceField(
        label=_("Branch"), queryset=Branch.objects.none(), required=False
    )
    assignee = forms.ModelChoiceField(
        label=_("Assigned to"), queryset=get_user_model().objects.none(), required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, branches, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        self.fields["branch"].empty_label = _("all branches")
        self.fields["assignee"].queryset = staff
        self.fields["assignee"].empty_label = _("everyone")

    def selector_arguments(self):
        data = self.cleaned_data if self.is_valid() else {}
        return {"branch": data.get("branch"), "assignee": data.get("assignee")}

    @property
    def overdue_only(self):
        return bool(self.is_valid() and self.cleaned_data.get("overdue"))


class PlaybookForm(forms.ModelForm):
    class Meta:
        model = Playbook
        fields = [*translated("name"), "category", "involvement", "is_active"]
        help_texts = {
            "category": _("The product category this plan is for. Leave empty for a fallback."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["involvement"].choices = [
            ("", _("— not a fallback —")),
            *[c for c in self.fields["involvement"].choices if c[0]],
        ]


class PlaybookStepForm(forms.ModelForm):
    class Meta:
        model = PlaybookStep
        fields = [
            "anchor",
            "offset_days",
            "kind",
            "channel",
            "assignee_role",
            "purpose",
            *translated("title", "instructions"),
        ]
        widgets = {
            column: forms.Textarea(attrs={"rows": 2}) for column in translated("instructions")
        }

    def step(self):
        """The step's data for save_playbook (with its id when it exists already)."""
        return {
            "pk": self.instance.pk,
            **{name: self.cleaned_data[name] for name in self.Meta.fields},
        }


PlaybookStepFormSet = forms.inlineformset_factory(
    Playbook, PlaybookStep, form=PlaybookStepForm, extra=2, can_delete=True
)
