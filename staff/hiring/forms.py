"""Forms of the aptitude assessment for hiring. They parse input; the services decide."""

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.models import Branch
from staff.hiring.competencies import scales
from staff.hiring.models import Candidate
from staff.hiring.selectors import candidate_branches
from staff.hiring.services import CANDIDATE_ROLE_CHOICES, DECISION_CHOICES


class CandidateForm(forms.Form):
    """The little we keep about a candidate."""

    first_name = forms.CharField(label=_("First name"), max_length=100)
    last_name = forms.CharField(label=_("Last name"), max_length=100)
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_("Optional: to invite them or tell them the decision."),
    )
    role = forms.ChoiceField(
        label=_("Role applied for"),
        choices=[("", _("Choose the role")), *CANDIDATE_ROLE_CHOICES],
        error_messages={"required": _("Choose the role they applied for.")},
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        queryset=Branch.objects.none(),
        empty_label=None,
        help_text=_("Where the role is; the branch's managers can assess the candidate."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = candidate_branches(user)

    @classmethod
    def initial_for(cls, candidate):
        return {
            "first_name": candidate.first_name,
            "last_name": candidate.last_name,
            "email": candidate.email,
            "role": candidate.role,
            "branch": candidate.branch_id,
        }


class CandidateFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Name"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("name or e-mail")}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("any status")), *Candidate.Status.choices],
        required=False,
    )
    role = forms.ChoiceField(
        label=_("Role"), choices=[("", _("any role")), *CANDIDATE_ROLE_CHOICES], required=False
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        queryset=Branch.objects.none(),
        required=False,
        empty_label=_("all my branches"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = Branch.objects.visible_to(user).order_by("name")

    def selector_arguments(self):
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "search": data.get("q", "").strip(),
            "status": data.get("status", ""),
            "role": data.get("role", ""),
            "branch": data.get("branch"),
        }


class AssessmentForm(forms.Form):
    """Each competency rated 1–5 against its anchors, with what was observed; notes."""

    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Anything else the other assessors should know. No health or private data."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.scales = scales()
        for scale in self.scales:
            code = scale.competency.value
            self.fields[f"{code}_rating"] = forms.TypedChoiceField(
                label=_("Level (1–5)"),
                choices=[
                    (level, f"{level} · {name}: {description}")
                    for level, name, description in scale.levels()
                ],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose the level that fits what you observed.")},
            )
            self.fields[f"{code}_evidence"] = forms.CharField(
                label=_("What you observed"),
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("What they said or did that made you choose this level."),
            )
        # Notes at the end, after the competencies.
        self.order_fields([*(name for name in self.fields if name != "notes"), "notes"])

    @classmethod
    def initial_for(cls, assessment):
        if assessment is None:
            return {}
        initial = {"notes": assessment.notes}
        for rating in assessment.ratings.all():
            initial[f"{rating.competency}_rating"] = rating.rating
            initial[f"{rating.competency}_evidence"] = rating.evidence
        return initial

    def competencies(self):
        """(scale, rating field, evidence field) for the template, in order."""
        return [
            (scale, self[f"{code}_rating"], self[f"{code}_evidence"])
            for scale, code in ((scale, scale.competency.value) for scale in self.scales)
        ]

    def ratings(self):
        data = self.cleaned_data
        return {
            scale.competency.value: (
                data[f"{scale.competency.value}_rating"],
                data[f"{scale.competency.value}_evidence"],
            )
            for scale in self.scales
        }


class DecisionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Decision"),
        choices=DECISION_CHOICES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the decision.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Why, in terms of the competencies assessed. Candidates may ask to see it, so keep "
            "it factual."
        ),
        error_messages={"required": _("Give the reason for the decision.")},
    )
