from django import forms
from django.contrib.auth import get_user_model
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy as _

from aftersales.forms import MultipleFileField, MultipleFileInput
from aftersales.models import Branch
from aftersales.widgets import DateTimeInput
from customers.picker import CustomerChoiceForm
from quality import selectors, services
from quality.models import Complaint, Nature, Severity


class GroupedCategoryIterator(BaseChoiceIterator):
    """Evaluated when the select is rendered (one query), never when the form is defined."""

    def __init__(self, field):
        self.field = field

    def __iter__(self):
        yield ("", self.field.grouped_empty_label)
        yield from selectors.grouped_category_choices(self.field.queryset)


class GroupedCategoryField(forms.ModelChoiceField):
    """The taxonomy as a select grouped by parent ("Noise → Wind noise")."""

    iterator = GroupedCategoryIterator

    def __init__(self, *args, empty_label, **kwargs):
        self.grouped_empty_label = empty_label
        super().__init__(*args, empty_label=None, **kwargs)


class ComplaintForm(CustomerChoiceForm):
    """Record a complaint. The customer is found as you type (customers' picker) and sent as a
    hidden id; the purchases offered are the chosen customer's."""

    purchase_help_text = _("The purchase the complaint is about, if it is about one.")
    channel = forms.ChoiceField(
        label=_("Received"), choices=Complaint.Channel.choices, initial=Complaint.Channel.COUNTER
    )
    received_at = forms.DateTimeField(
        label=_("Received at"),
        widget=DateTimeInput(),
        help_text=_("When the customer told us, in the branch's local time."),
    )
    category = GroupedCategoryField(
        label=_("Category"),
        queryset=selectors.complaint_categories(active_only=True),
        empty_label=_("Choose the category"),
        error_messages={"required": _("Choose what the complaint is about.")},
    )
    nature = forms.ChoiceField(
        label=_("Nature"),
        choices=Nature.choices,
        initial=Nature.UNKNOWN,
        widget=forms.RadioSelect,
        help_text=_(
            "An objective defect can be measured or reproduced; a subjective perception (a "
            "noise that bothers, a salesperson who seemed to have no time) counts just as much."
        ),
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=Severity.choices,
        initial=Severity.MEDIUM,
        help_text=_("Decides the deadlines: critical ones must be resolved first."),
    )
    description = forms.CharField(
        label=_("In the customer's words"),
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Write down what the customer said, as they said it."),
        error_messages={"required": _("Write down what the customer said.")},
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        widget=MultipleFileInput(
            attrs={"accept": ",".join(sorted(services.ALLOWED_ATTACHMENT_TYPES))}
        ),
        help_text=_("Photos (JPEG, PNG, HEIC, WebP), PDF or text files, up to 10 MB each."),
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=None,
        help_text=_("Who works the complaint to its resolution (you, if nobody is chosen)."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["owner"].queryset = selectors.complaint_staff_for(user)
        if self.selected_customer is not None:
            self.fields["received_at"].help_text = _(
                "When the customer told us, in the local time of %(branch)s (%(zone)s)."
            ) % {
                "branch": self.selected_customer.branch.name,
                "zone": self.selected_customer.branch.time_zone,
            }

    def purchases_of(self, customer):
        return selectors.purchases_for_complaint(self.user, customer)

    def service_arguments(self):
        data = self.cleaned_data
        return {
            "customer": data["customer"],
            "purchase": data["purchase"],
            "channel": data["channel"],
            "received_at": data["received_at"],
            "category": data["category"],
            "nature": data["nature"],
            "severity": data["severity"],
            "description": data["description"],
            "attachments": data["attachments"],
            "owner": data["owner"],
        }


class ComplaintFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Customer"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("name, e-mail, phone")}),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[("", _("any status")), ("open", _("open")), *Complaint.Status.choices],
        required=False,
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=[("", _("any severity")), *Severity.choices], required=False
    )
    category = GroupedCategoryField(
        label=_("Category"),
        queryset=selectors.complaint_categories(),
        empty_label=_("any category"),
        required=False,
    )
    nature = forms.ChoiceField(
        label=_("Nature"), choices=[("", _("any nature")), *Nature.choices], required=False
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        queryset=Branch.objects.none(),
        required=False,
        empty_label=_("all my branches"),
    )
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("anyone"),
    )
    breached = forms.BooleanField(label=_("Deadline passed"), required=False)
    mine = forms.BooleanField(label=_("Only mine"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["branch"].queryset = Branch.objects.visible_to(user).order_by("name")
        self.fields["owner"].queryset = selectors.complaint_staff_for(user)

    def selector_arguments(self):
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "search": data.get("q", "").strip(),
            "status": data.get("status", ""),
            "severity": data.get("severity", ""),
            "category": data.get("category"),
            "nature": data.get("nature", ""),
            "branch": data.get("branch"),
            "owner": self.user if data.get("mine") else data.get("owner"),
            "breached": data.get("breached", False),
        }


# --- workflow actions on the complaint page ---


class NoteForm(forms.Form):
    """Acknowledge, start, close: an optional note for the history."""

    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=1000,
        help_text=_("Optional; shown in the complaint's history."),
    )


SATISFIED_CHOICES = [
    ("unknown", _("not known yet")),
    ("yes", _("yes")),
    ("no", _("no, not satisfied")),
]


class ResolveForm(forms.Form):
    resolution = forms.ChoiceField(
        label=_("What was done"),
        choices=[("", _("Choose what was done")), *Complaint.Resolution.choices],
        error_messages={"required": _("Say what was done.")},
    )
    notes = forms.CharField(
        label=_("Notes"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What exactly was repaired, adjusted or explained; what was agreed."),
    )
    customer_satisfied = forms.TypedChoiceField(
        label=_("Is the customer satisfied?"),
        choices=SATISFIED_CHOICES,
        coerce=lambda value: {"yes": True, "no": False}.get(value),
        required=False,
        empty_value=None,
        initial="unknown",
        widget=forms.RadioSelect,
        help_text=_("“No” reopens the complaint and counts as a new sign of doubt."),
    )

    def service_arguments(self):
        data = self.cleaned_data
        return {
            "resolution": data["resolution"],
            "notes": data["notes"],
            "customer_satisfied": data["customer_satisfied"],
        }


class ReopenForm(forms.Form):
    note = forms.CharField(
        label=_("Reason"),
        max_length=1000,
        help_text=_("Why the complaint is opened again, e.g. the noise came back."),
        error_messages={"required": _("Say why the complaint is reopened.")},
    )


class AssignForm(forms.Form):
    owner = forms.ModelChoiceField(
        label=_("Owner"),
        queryset=get_user_model().objects.none(),
        help_text=_("Someone who works complaints in the complaint's branch."),
        error_messages={"invalid_choice": _("Choose someone who works in this branch.")},
    )

    def __init__(self, *args, complaint, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = selectors.complaint_staff([complaint.branch_id])


class ComplaintCorrectionForm(CustomerChoiceForm):
    """Correct what was recorded: the customer (found as you type, as when recording), one of
    their purchases, the category, nature and severity, and why."""

    purchase_help_text = _("The purchase the complaint is about, if it is about one.")
    category = GroupedCategoryField(
        label=_("Category"),
        queryset=selectors.complaint_categories(active_only=True),
        empty_label=_("Choose the category"),
        error_messages={"required": _("Choose what the complaint is about.")},
    )
    nature = forms.ChoiceField(
        label=_("Nature"),
        choices=Nature.choices,
        widget=forms.RadioSelect,
        help_text=ComplaintForm.base_fields["nature"].help_text,
    )
    severity = forms.ChoiceField(
        label=_("Severity"),
        choices=Severity.choices,
        help_text=_("Decides the deadlines: they are worked out again for a new severity."),
    )
    reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "What was recorded wrongly and how you know, e.g. the customer named the car on the "
            "phone. Shown in the complaint's history."
        ),
        error_messages={"required": _("Say why the complaint is corrected.")},
    )

    def __init__(self, *args, complaint, **kwargs):
        self.complaint = complaint
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = selectors.categories_for_correction(complaint)

    @classmethod
    def initial_for(cls, complaint):
        return {
            "customer": complaint.customer_id,
            "purchase": complaint.purchase_id,
            "category": complaint.category_id,
            "nature": complaint.nature,
            "severity": complaint.severity,
        }

    def purchases_of(self, customer):
        return selectors.purchases_for_complaint(self.user, customer)

    def service_arguments(self):
        data = self.cleaned_data
        return {
            "customer": data["customer"],
            "purchase": data["purchase"],
            "category": data["category"],
            "nature": data["nature"],
            "severity": data["severity"],
            "reason": data["reason"],
        }
