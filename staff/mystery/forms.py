"""Forms of mystery shopping: templates with their criteria on one page, assignments, the
shopper's result form (one field per criterion, by its type), review and list filters."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.forms import MultipleFileField, MultipleFileInput
from aftersales.models import Branch
from aftersales.translated import in_language
from quality.checklists.forms import (
    ChecklistFormSet,
    ChecklistRowForm,
    checklist_formset,
    version_rows,
)
from quality.checklists.forms import rows_from_post as checklist_rows_from_post
from quality.checklists.versioning import ITEM_TEXTS
from staff.mystery import selectors, services
from staff.mystery.models import (
    DEFAULT_COACHING_THRESHOLD,
    Criterion,
    MysteryShopResult,
    Scenario,
    ScorecardTemplate,
)

Kind = Criterion.Kind
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


# --- templates -----------------------------------------------------------------------------------


class TemplateForm(forms.Form):
    name_de = forms.CharField(label=in_language(_("Name"), "de"), max_length=150, required=False)
    name_en = forms.CharField(label=in_language(_("Name"), "en"), max_length=150)
    scenario = forms.ChoiceField(label=_("Scenario"), choices=Scenario.choices)
    description_de = forms.CharField(
        label=in_language(_("Description"), "de"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("What the shopper does, for the quality team (the shopper does not see it)."),
    )
    description_en = forms.CharField(
        label=in_language(_("Description"), "en"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    coaching_threshold = forms.IntegerField(
        label=_("Coaching threshold (%)"),
        min_value=0,
        max_value=100,
        initial=DEFAULT_COACHING_THRESHOLD,
        help_text=_(
            "An accepted result below this overall score opens a coaching action; so does any "
            "critical criterion that was not met."
        ),
    )


class CriterionRowForm(ChecklistRowForm):
    """One criterion of a scorecard (quality.checklists.forms: the section is named on the row)."""

    target_minutes = forms.IntegerField(
        label=_("Target (min)"),
        min_value=1,
        max_value=600,
        required=False,
        help_text=_("Only for minutes waited."),
    )

    target_fields = ("target_minutes",)
    target_kinds = frozenset({Kind.MINUTES})

    guidance_label = _("Guidance for the shopper")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Kind.choices

    def clean(self):
        data = super().clean()
        if self.is_blank() or data.get("DELETE"):
            return data
        if data.get("kind") == Kind.MINUTES and not data.get("target_minutes"):
            self.add_error("target_minutes", _("Give the target in minutes."))
        return data


class CriterionFormSetBase(ChecklistFormSet):
    items_key = "criteria"


CriterionFormSet = checklist_formset(CriterionRowForm, formset=CriterionFormSetBase)
CRITERION_FIELDS = (*ITEM_TEXTS, "kind", "weight", "target_minutes")


def criterion_rows(version):
    """A version's criteria as initial rows of the formset."""
    return version_rows(version, items="criteria", fields=(*CRITERION_FIELDS, "is_critical"))


def rows_from_post(data, prefix="criteria"):
    """The rows typed so far (for "More rows", which redisplays them without validating)."""
    return checklist_rows_from_post(data, fields=CRITERION_FIELDS, prefix=prefix)


class TemplateFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("name or description")}),
    )
    scenario = forms.ChoiceField(
        label=_("Scenario"), choices=[("", _("any scenario")), *Scenario.choices], required=False
    )
    active = forms.ChoiceField(
        label=_("Active"),
        choices=[("", _("active or not")), ("yes", _("active")), ("no", _("inactive"))],
        required=False,
    )

    def selector_arguments(self):
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "search": data.get("q", "").strip(),
            "scenario": data.get("scenario", ""),
            "active": {"yes": True, "no": False}.get(data.get("active")),
        }


# --- assignments ---------------------------------------------------------------------------------


class TemplateChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, template):
        return f"{template.name} ({template.get_scenario_display()})"


class StaffChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        branches = ", ".join(branch.code for branch in user.branches.all())
        return f"{user} · {branches}" if branches else str(user)


class AssignmentForm(forms.Form):
    template = TemplateChoiceField(
        label=_("Scorecard"),
        queryset=ScorecardTemplate.objects.none(),
        empty_label=_("Choose the scorecard"),
        help_text=_("The scenario and its questions; the assignment keeps today's version."),
    )
    shopper = forms.ModelChoiceField(
        label=_("Mystery shopper"), queryset=get_user_model().objects.none()
    )
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=Branch.objects.none())
    window_start = forms.DateField(
        label=_("From"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    window_end = forms.DateField(
        label=_("Until"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("The visit or call must take place in this window."),
    )
    employee = StaffChoiceField(
        label=_("Employee to observe"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("nobody in particular"),
        help_text=_(
            "Optional: someone who meets customers in the chosen branch. Empty: the shopper "
            "records whoever served them."
        ),
    )
    instructions = forms.CharField(
        label=_("Instructions for the shopper"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("E.g. the model to ask about, the story to tell."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = selectors.active_templates()
        self.fields["shopper"].queryset = selectors.shoppers()
        self.fields["branch"].queryset = selectors.visible_branches(user)
        self.fields["employee"].queryset = selectors.observable_staff(user)

    def clean(self):
        data = super().clean()
        start, end = data.get("window_start"), data.get("window_end")
        if start and end and end < start:
            self.add_error("window_end", _("The window must end on or after its first day."))
        return data


class AssignmentFilterForm(forms.Form):
    state = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("any status")), *selectors.AssignmentState.choices],
        required=False,
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        queryset=Branch.objects.none(),
        required=False,
        empty_label=_("all my branches"),
    )
    scenario = forms.ChoiceField(
        label=_("Scenario"), choices=[("", _("any scenario")), *Scenario.choices], required=False
    )
    shopper = forms.ModelChoiceField(
        label=_("Mystery shopper"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("any shopper"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = Branch.objects.visible_to(user).order_by("name")
        self.fields["shopper"].queryset = selectors.shoppers()

    def selector_arguments(self):
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "state": data.get("state", ""),
            "branch": data.get("branch"),
            "scenario": data.get("scenario", ""),
            "shopper": data.get("shopper"),
        }


# --- the shopper's result ------------------------------------------------------------------------

YES_NO_CHOICES = [("yes", _("yes")), ("no", _("no"))]
SCALE_CHOICES = [
    ("1", _("1 – poor")),
    ("2", _("2")),
    ("3", _("3")),
    ("4", _("4")),
    ("5", _("5 – excellent")),
]


def criterion_field(criterion):
    common = {"label": criterion.text, "required": False, "help_text": criterion.guidance}
    if criterion.kind == Kind.YES_NO:
        return forms.ChoiceField(choices=YES_NO_CHOICES, widget=forms.RadioSelect, **common)
    if criterion.kind == Kind.SCALE:
        return forms.ChoiceField(choices=SCALE_CHOICES, widget=forms.RadioSelect, **common)
    if criterion.kind == Kind.MINUTES:
        common["help_text"] = " ".join(
            part
            for part in (
                str(
                    _("Minutes you waited (target: %(target)s).")
                    % {"target": criterion.target_minutes}
                ),
                criterion.guidance,
            )
            if part
        )
        return forms.IntegerField(min_value=0, max_value=services.MAX_MINUTES, **common)
    return forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), **common)


def na_allowed(criterion):
    return criterion.kind != Kind.OBSERVATION and not criterion.is_critical


class ResultForm(forms.Form):
    """Everything the shopper records. Nothing is required for a draft; submitting checks
    completeness in the service, whose messages land on these fields."""

    visited_at = forms.DateTimeField(
        label=_("Visit date and time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        help_text=_("When you visited or called, in the branch's local time."),
    )
    served_by = forms.ModelChoiceField(
        label=_("Who served you"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("I do not know their name"),
    )
    served_by_description = forms.CharField(
        label=_("Or describe who served you"),
        required=False,
        max_length=250,
        help_text=_("When you do not know the name: appearance, name badge, desk."),
    )
    comments = forms.CharField(
        label=_("Comments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Anything else the quality team should know."),
    )
    attachments = MultipleFileField(
        label=_("Photos and receipts"),
        required=False,
        widget=MultipleFileInput(
            attrs={"accept": ",".join(sorted(services.ALLOWED_ATTACHMENT_TYPES))}
        ),
        help_text=_("Optional: photos (JPEG, PNG, HEIC, WebP) or PDFs, up to 10 MB each."),
    )

    def __init__(self, *args, assignment, criteria, answers=None, **kwargs):
        self.assignment = assignment
        self.criteria = criteria
        result = getattr(assignment, "result", None)
        kwargs.setdefault("initial", self._initial(result, answers or {}))
        super().__init__(*args, **kwargs)
        self.fields["served_by"].queryset = selectors.branch_staff([assignment.branch_id])
        for criterion in criteria:
            self.fields[f"criterion_{criterion.pk}"] = criterion_field(criterion)
            if na_allowed(criterion):
                self.fields[f"criterion_{criterion.pk}_na"] = forms.BooleanField(
                    label=_("not applicable"),
                    required=False,
                    # Each criterion has one; its accessible name says which.
                    widget=forms.CheckboxInput(
                        attrs={
                            "aria-label": _("%(criterion)s: not applicable")
                            % {"criterion": criterion.text}
                        }
                    ),
                )

    def _initial(self, result, answers):
        if result is None:
            return {}
        initial = {
            "visited_at": timezone.localtime(result.visited_at, self.assignment.branch.zone)
            if result.visited_at
            else None,
            "served_by": result.served_by_id,
            "served_by_description": result.served_by_description,
            "comments": result.comments,
        }
        for criterion in self.criteria:
            answer = answers.get(criterion.pk)
            if answer is None:
                continue
            name = f"criterion_{criterion.pk}"
            if criterion.kind == Kind.YES_NO and answer.met is not None:
                initial[name] = "yes" if answer.met else "no"
            elif criterion.kind == Kind.SCALE and answer.rating is not None:
                initial[name] = str(answer.rating)
            elif criterion.kind == Kind.MINUTES:
                initial[name] = answer.minutes
            elif criterion.kind == Kind.OBSERVATION:
                initial[name] = answer.note
            initial[f"{name}_na"] = answer.not_applicable
        return initial

    def sections(self):
        """[(section, [(criterion, field, not-applicable field or None), ...]), ...]"""
        grouped = {}
        for criterion in self.criteria:
            name = f"criterion_{criterion.pk}"
            na = self[f"{name}_na"] if f"{name}_na" in self.fields else None
            grouped.setdefault(criterion.section, []).append((criterion, self[name], na))
        return list(grouped.items())

    def answers(self):
        data = self.cleaned_data
        answers = {}
        for criterion in self.criteria:
            name = f"criterion_{criterion.pk}"
            value = data.get(name)
            answer = {"not_applicable": bool(data.get(f"{name}_na"))}
            if criterion.kind == Kind.YES_NO:
                answer["met"] = {"yes": True, "no": False}.get(value)
            elif criterion.kind == Kind.SCALE:
                answer["rating"] = int(value) if value else None
            elif criterion.kind == Kind.MINUTES:
                answer["minutes"] = value
            else:
                answer["note"] = value or ""
            answers[criterion.pk] = answer
        return answers

    def service_arguments(self):
        data = self.cleaned_data
        return {
            "visited_at": data["visited_at"],
            "served_by": data["served_by"],
            "served_by_description": data["served_by_description"],
            "comments": data["comments"],
            "answers": self.answers(),
            "attachments": data["attachments"],
        }


# --- review --------------------------------------------------------------------------------------


class ReturnForm(forms.Form):
    question = forms.CharField(
        label=_("Your question"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The shopper sees it with the form and can change their answers."),
        error_messages={"required": _("Write down your question for the shopper.")},
    )


class ResultFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            ("", _("any status")),
            *[
                (value, label)
                for value, label in MysteryShopResult.Status.choices
                if value != MysteryShopResult.Status.DRAFT
            ],
        ],
        required=False,
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        queryset=Branch.objects.none(),
        required=False,
        empty_label=_("all my branches"),
    )
    scenario = forms.ChoiceField(
        label=_("Scenario"), choices=[("", _("any scenario")), *Scenario.choices], required=False
    )
    employee = StaffChoiceField(
        label=_("Employee"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("anyone"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = Branch.objects.visible_to(user).order_by("name")
        self.fields["employee"].queryset = selectors.observable_staff(user)

    def selector_arguments(self):
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "status": data.get("status", ""),
            "branch": data.get("branch"),
            "scenario": data.get("scenario", ""),
            "employee": data.get("employee"),
        }
