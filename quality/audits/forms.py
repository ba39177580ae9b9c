"""Forms of quality audits: the plan, samples, findings, corrective actions, root causes. The
audit's checklist itself is posted as item_<id>_<entry> fields (see views.checklist_entries)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.translated import in_language
from aftersales.widgets import DateInput
from quality.audits import selectors
from quality.audits.models import (
    DEFAULT_PASS_THRESHOLD,
    Area,
    AuditItem,
    AuditStatus,
    AuditTemplate,
    FindingSeverity,
    InvoiceErrorKind,
)
from quality.checklists.forms import ChecklistRowForm, checklist_formset
from quality.checklists.versioning import ITEM_TEXTS

RATING_CHOICES = [(value, str(value)) for value in range(1, 6)]
Kind = AuditItem.Kind


class TemplateForm(forms.Form):
    name_de = forms.CharField(label=in_language(_("Name"), "de"), max_length=150, required=False)
    name_en = forms.CharField(label=in_language(_("Name"), "en"), max_length=150)
    area = forms.ChoiceField(
        label=_("Area"),
        choices=Area.choices,
        help_text=_("Fixed once the template exists: its audits belong to this area."),
    )
    description_de = forms.CharField(
        label=in_language(_("Description"), "de"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    description_en = forms.CharField(
        label=in_language(_("Description"), "en"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    pass_threshold = forms.IntegerField(
        label=_("Pass threshold (%)"),
        min_value=0,
        max_value=100,
        initial=DEFAULT_PASS_THRESHOLD,
        help_text=_("An audit below this overall score, or with a critical item failed, fails."),
    )

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["area"].disabled = True


class AuditItemRowForm(ChecklistRowForm):
    """One checklist item of an audit template: pass/fail, a 1–5 score, a measured value against
    a target, or a free observation."""

    target_value = forms.DecimalField(
        label=_("Target"),
        max_digits=10,
        decimal_places=2,
        min_value=0,
        required=False,
        help_text=_("Only for measured values."),
    )
    unit = forms.CharField(label=_("Unit"), max_length=20, required=False)
    higher_is_better = forms.BooleanField(label=_("Higher is better"), required=False)

    target_fields = ("target_value", "unit", "higher_is_better")
    target_kinds = frozenset({Kind.MEASURED})

    text_label = _("Item")
    guidance_label = _("Guidance for the auditor")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = Kind.choices

    def clean(self):
        data = super().clean()
        if self.is_blank() or data.get("DELETE"):
            return data
        if data.get("kind") == Kind.MEASURED and not data.get("target_value"):
            self.add_error("target_value", _("Give the target of the measured value."))
        return data


AuditItemFormSet = checklist_formset(AuditItemRowForm)
ITEM_ROW_FIELDS = (
    *ITEM_TEXTS,
    "kind",
    "weight",
    "target_value",
    "unit",
    "higher_is_better",
    "is_critical",
)


class PlanFilterForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), required=False, min_value=2000, max_value=2100)
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None, required=False)
    area = forms.ChoiceField(label=_("Area"), choices=[("", "—"), *Area.choices], required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", "—"), *AuditStatus.choices], required=False
    )
    overdue = forms.BooleanField(label=_("Overdue only"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = selectors.branches_for(user)

    def selector_arguments(self):
        if not self.is_valid():
            return {"year": timezone.localdate().year}
        data = self.cleaned_data
        return {
            "year": data["year"],
            "branch": data["branch"],
            "area": data["area"] or None,
            "status": data["status"] or None,
            "overdue": data["overdue"],
        }


class PlanAuditForm(forms.Form):
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None)
    template = forms.ModelChoiceField(label=_("Audit template"), queryset=None)
    due_on = forms.DateField(label=_("Due on"), widget=DateInput)
    auditor = forms.ModelChoiceField(label=_("Auditor"), queryset=None, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = selectors.branches_for(user)
        self.fields["template"].queryset = AuditTemplate.objects.filter(is_active=True).order_by(
            "area", "name"
        )
        self.fields["template"].label_from_instance = lambda template: (
            f"{template.get_area_display()}: {template.name}"
        )
        self.fields["auditor"].queryset = selectors.auditors(user)


class InvoiceSampleForm(forms.Form):
    number = forms.CharField(label=_("Invoice number"), max_length=40)
    invoice_date = forms.DateField(label=_("Invoice date"), widget=DateInput)
    amount = forms.DecimalField(label=_("Amount"), max_digits=12, decimal_places=2, min_value=0)
    purchase = forms.IntegerField(
        label=_("Purchase or service (number)"),
        required=False,
        help_text=_("When known: the number of the purchase or service it belongs to."),
    )
    errors = forms.MultipleChoiceField(
        label=_("Errors found"),
        choices=InvoiceErrorKind.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    clarity = forms.TypedChoiceField(
        label=_("Clarity and tone (1–5)"),
        choices=RATING_CHOICES,
        coerce=int,
        help_text=_("Would the customer understand every line? 1 not at all, 5 completely."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class DrawSampleForm(forms.Form):
    start = forms.DateField(label=_("From"), widget=DateInput)
    end = forms.DateField(label=_("Until"), widget=DateInput)
    size = forms.IntegerField(label=_("How many"), min_value=1, max_value=100, initial=20)
    seed = forms.IntegerField(
        label=_("Seed"),
        required=False,
        help_text=_("The same seed draws the same sample; empty: a new random one."),
    )


class RateSampleForm(forms.Form):
    correctness = forms.TypedChoiceField(label=_("Correctness"), choices=RATING_CHOICES, coerce=int)
    clarity = forms.TypedChoiceField(label=_("Clarity"), choices=RATING_CHOICES, coerce=int)
    tone = forms.TypedChoiceField(label=_("Tone"), choices=RATING_CHOICES, coerce=int)
    timeliness = forms.TypedChoiceField(label=_("Timeliness"), choices=RATING_CHOICES, coerce=int)
    note = forms.CharField(label=_("Note"), required=False)


class SignOffForm(forms.Form):
    note = forms.CharField(
        label=_("Sign-off note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class FindingFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", "—"), ("open", _("open")), ("closed", _("closed"))],
        required=False,
    )
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=None, required=False)
    area = forms.ChoiceField(label=_("Area"), choices=[("", "—"), *Area.choices], required=False)
    severity = forms.ChoiceField(
        label=_("Severity"), choices=[("", "—"), *FindingSeverity.choices], required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = selectors.branches_for(user)

    def selector_arguments(self):
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "status": data["status"] or None,
            "branch": data["branch"],
            "area": data["area"] or None,
            "severity": data["severity"] or None,
        }


class ActionForm(forms.Form):
    description = forms.CharField(
        label=_("What is to be done"), widget=forms.Textarea(attrs={"rows": 2})
    )
    owner = forms.ModelChoiceField(label=_("Owner"), queryset=None)
    due_on = forms.DateField(label=_("Due on"), widget=DateInput)

    def __init__(self, *args, finding, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = selectors.action_owners(finding)


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CompleteForm(forms.Form):
    note = forms.CharField(
        label=_("Evidence of completion"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ReopenForm(forms.Form):
    note = forms.CharField(label=_("Why it is reopened"), widget=forms.Textarea(attrs={"rows": 2}))
    due_on = forms.DateField(label=_("New due date"), required=False, widget=DateInput)


class RootCauseForm(forms.Form):
    finding = forms.ModelChoiceField(label=_("Root cause (finding)"), queryset=None, required=False)

    def __init__(self, *args, user, complaint, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["finding"].queryset = selectors.root_cause_choices(user, complaint)
