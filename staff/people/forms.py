"""Forms of the people pages: appointments, courses, training records, coaching."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from aftersales.models import Branch
from aftersales.roles import CUSTOMER_FACING_ROLES, Role
from aftersales.translated import SideBySideTranslations, in_language
from aftersales.widgets import DATETIME_LOCAL
from customers.forms import PurchaseChoiceField
from customers.models import Purchase
from customers.picker import CustomerChoiceForm
from staff.people import selectors
from staff.people.figures import ComplianceState
from staff.people.models import (
    Appointment,
    CoachingAction,
    Course,
    TrainingRecord,
)
from staff.people.services import CERTIFICATE_TYPES

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _datetime_input():
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, user):
        return str(user)


# --- appointments --------------------------------------------------------------------------------


class AppointmentForm(CustomerChoiceForm):
    """Schedule an appointment. The customer is found as you type (customers' picker) and sent
    as a hidden id; times are the customer's branch time."""

    purchase_help_text = _(
        "The purchase the appointment is about, if any (e.g. the car handed over)."
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=Appointment.Kind.choices)
    agreed_at = forms.DateTimeField(
        label=_("Agreed time"),
        widget=_datetime_input(),
        help_text=_("The time agreed with the customer, in the branch's local time."),
        error_messages={"required": _("Enter the agreed date and time.")},
    )
    employee = PersonChoiceField(
        label=_("Employee"),
        queryset=get_user_model().objects.none(),
        empty_label=None,
        help_text=_("Who meets the customer."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if self.selected_customer is not None:
            branch = self.selected_customer.branch
            self.fields["agreed_at"].help_text = _(
                "The time agreed with the customer, in the local time of %(branch)s (%(zone)s)."
            ) % {"branch": branch.name, "zone": branch.time_zone}
            self.fields["employee"].queryset = selectors.branch_staff([branch.pk])
        else:
            self.fields["employee"].queryset = selectors.branch_staff(
                [] if user.is_administrator else list(user.branches.values_list("pk", flat=True))
            )

    def purchases_of(self, customer):
        return selectors.purchases_of(customer)

    def service_arguments(self):
        data = self.cleaned_data
        return {
            "customer": data["customer"],
            "purchase": data["purchase"],
            "kind": data["kind"],
            "agreed_at": data["agreed_at"],
            "employee": data["employee"],
            "notes": data["notes"],
        }


class AppointmentEditForm(forms.Form):
    """Change an appointment (its customer stays)."""

    kind = forms.ChoiceField(label=_("Kind"), choices=Appointment.Kind.choices)
    agreed_at = forms.DateTimeField(label=_("Agreed time"), widget=_datetime_input())
    started_at = forms.DateTimeField(
        label=_("Actual start"),
        widget=_datetime_input(),
        required=False,
        help_text=_("Only for an appointment that was held: correct the start if needed."),
    )
    employee = PersonChoiceField(
        label=_("Employee"), queryset=get_user_model().objects.none(), empty_label=None
    )
    purchase = PurchaseChoiceField(
        label=_("Purchase"),
        queryset=Purchase.objects.none(),
        required=False,
        empty_label=_("no particular purchase"),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, appointment, **kwargs):
        super().__init__(*args, **kwargs)
        self.appointment = appointment
        self.fields["employee"].queryset = selectors.branch_staff([appointment.branch_id])
        self.fields["purchase"].queryset = selectors.purchases_of(appointment.customer)
        zone = appointment.branch.time_zone
        self.fields["agreed_at"].help_text = _("Local time of %(branch)s (%(zone)s).") % {
            "branch": appointment.branch.name,
            "zone": zone,
        }
        if appointment.outcome != Appointment.Outcome.HELD:
            del self.fields["started_at"]

    @property
    def zone(self):
        return self.appointment.branch.zone

    def service_arguments(self):
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "agreed_at": data["agreed_at"],
            "started_at": data.get("started_at"),
            "employee": data["employee"],
            "purchase": data["purchase"],
            "notes": data["notes"],
        }


class AppointmentFilterForm(forms.Form):
    start = forms.DateField(label=_("From"), required=False, widget=DATE_INPUT)
    end = forms.DateField(label=_("Until"), required=False, widget=DATE_INPUT)
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("any kind")), *Appointment.Kind.choices], required=False
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"),
        choices=[("", _("any outcome")), *Appointment.Outcome.choices],
        required=False,
    )
    employee = PersonChoiceField(
        label=_("Employee"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("everyone"),
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        queryset=Branch.objects.none(),
        required=False,
        empty_label=_("all my branches"),
    )
    late = forms.BooleanField(label=_("Only late"), required=False)
    mine = forms.BooleanField(label=_("Only mine"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["branch"].queryset = Branch.objects.visible_to(user).order_by("name")
        branches = Branch.objects.visible_to(user).values("pk")
        self.fields["employee"].queryset = selectors.branch_staff(branches)

    def selector_arguments(self):
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "start": data.get("start"),
            "end": data.get("end"),
            "kind": data.get("kind", ""),
            "outcome": data.get("outcome", ""),
            "employee": self.user if data.get("mine") else data.get("employee"),
            "branch": data.get("branch"),
            "late": data.get("late", False),
        }


class CancelForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=500,
        help_text=_("Optional; kept in the notes."),
    )


# --- training ------------------------------------------------------------------------------------

REQUIRED_ROLE_CHOICES = [
    (role.value, role.label) for role in (*CUSTOMER_FACING_ROLES, Role.QUALITY)
]


class CourseForm(SideBySideTranslations, forms.Form):
    title_de = forms.CharField(label=in_language(_("Title"), "de"), max_length=200, required=False)
    title_en = forms.CharField(label=in_language(_("Title"), "en"), max_length=200)
    topic = forms.ChoiceField(label=_("Topic"), choices=Course.Topic.choices)
    validity_months = forms.IntegerField(
        label=_("Valid for (months)"),
        required=False,
        min_value=1,
        max_value=120,
        help_text=_("Empty: a completed course never expires."),
    )
    description_de = forms.CharField(
        label=in_language(_("Description"), "de"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    description_en = forms.CharField(
        label=in_language(_("Description"), "en"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        initial=True,
        help_text=_("Inactive courses are no longer required nor offered for new records."),
    )
    required_roles = forms.MultipleChoiceField(
        label=_("Required for"),
        choices=REQUIRED_ROLE_CHOICES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Everyone with one of these roles must hold a valid record of this course."),
    )


class CourseFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("title")}),
    )
    topic = forms.ChoiceField(
        label=_("Topic"), choices=[("", _("any topic")), *Course.Topic.choices], required=False
    )
    active = forms.ChoiceField(
        label=_("Active"),
        choices=[("", _("all")), ("yes", _("active")), ("no", _("inactive"))],
        required=False,
    )


class TrainingRecordForm(forms.Form):
    employee = PersonChoiceField(
        label=_("Employee"),
        queryset=get_user_model().objects.none(),
        help_text=_("Someone of your branches."),
        error_messages={"invalid_choice": _("Choose someone of your branches.")},
    )
    course = forms.ModelChoiceField(
        label=_("Course"), queryset=Course.objects.filter(is_active=True).order_by("title")
    )
    completed_on = forms.DateField(label=_("Completed on"), widget=DATE_INPUT)
    result = forms.ChoiceField(
        label=_("Result"),
        choices=TrainingRecord.Result.choices,
        initial=TrainingRecord.Result.PASSED,
        help_text=_("A failed course is kept as history and never counts as held."),
    )
    certificate = forms.FileField(
        label=_("Certificate"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(sorted(CERTIFICATE_TYPES))}),
        help_text=_(
            "PDF, JPEG or PNG, up to 10 MB. Only people who may see the record can open it."
        ),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["employee"].queryset = selectors.people_of(user)


class ComplianceFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Person"),
        required=False,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("name")}),
    )
    state = forms.ChoiceField(
        label=_("State"),
        choices=[("", _("any state")), *ComplianceState.choices],
        required=False,
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        queryset=Branch.objects.none(),
        required=False,
        empty_label=_("all my branches"),
    )
    course = forms.ModelChoiceField(
        label=_("Course"),
        queryset=Course.objects.filter(is_active=True).order_by("title"),
        required=False,
        empty_label=_("any required course"),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = Branch.objects.visible_to(user).order_by("name")

    def selector_arguments(self):
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "search": data.get("q", "").strip(),
            "state": data.get("state", ""),
            "branch": data.get("branch"),
            "course": data.get("course"),
        }


# --- coaching ------------------------------------------------------------------------------------


class CoachingForm(forms.Form):
    employee = PersonChoiceField(
        label=_("Employee"),
        queryset=get_user_model().objects.none(),
        error_messages={"invalid_choice": _("Choose someone of your branches.")},
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        queryset=Branch.objects.none(),
        required=False,
        empty_label=_("the employee's branch"),
        help_text=_("Only needed when the employee works in several of your branches."),
    )
    goal = forms.CharField(
        label=_("Goal"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "What should be different afterwards, e.g. every customer greeted within two minutes."
        ),
    )
    measures = forms.CharField(
        label=_("Agreed measures"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What you agreed to do: role play, shadowing, a course."),
    )
    course = forms.ModelChoiceField(
        label=_("Linked training"),
        queryset=Course.objects.filter(is_active=True).order_by("title"),
        required=False,
        empty_label=_("none"),
    )
    due_on = forms.DateField(label=_("Due on"), widget=DATE_INPUT)
    coach = PersonChoiceField(
        label=_("Coach"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("the branch's manager"),
        help_text=_("Who leads the coaching."),
    )

    def __init__(self, *args, user, action=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coach"].queryset = selectors.coaches_for(user)
        if action is None:
            self.fields["employee"].queryset = selectors.people_of(user)
            self.fields["branch"].queryset = Branch.objects.visible_to(user).order_by("name")
        else:
            del self.fields["employee"]
            del self.fields["branch"]
            self.fields["status"] = forms.ChoiceField(
                label=_("Status"),
                choices=[
                    (CoachingAction.Status.OPEN.value, CoachingAction.Status.OPEN.label),
                    (
                        CoachingAction.Status.IN_PROGRESS.value,
                        CoachingAction.Status.IN_PROGRESS.label,
                    ),
                ],
                help_text=_("Complete or cancel it with the buttons on its page."),
            )


class CoachingFilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            ("", _("any status")),
            ("open", _("open or in progress")),
            *CoachingAction.Status.choices,
        ],
        required=False,
    )
    source = forms.ChoiceField(
        label=_("Source"),
        choices=[("", _("any source")), *CoachingAction.Source.choices],
        required=False,
    )
    employee = PersonChoiceField(
        label=_("Employee"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("everyone"),
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        queryset=Branch.objects.none(),
        required=False,
        empty_label=_("all my branches"),
    )
    overdue = forms.BooleanField(label=_("Overdue"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = Branch.objects.visible_to(user).order_by("name")
        self.fields["employee"].queryset = selectors.people_of(user)

    def selector_arguments(self):
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "status": data.get("status", ""),
            "source": data.get("source", ""),
            "employee": data.get("employee"),
            "branch": data.get("branch"),
            "overdue": data.get("overdue", False),
        }


class CompleteCoachingForm(forms.Form):
    outcome = forms.CharField(
        label=_("Outcome"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("What came of it: what changed, what was observed."),
        error_messages={"required": _("Write down what came of it.")},
    )


class CancelCoachingForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=1000,
        help_text=_("Why it is no longer needed."),
    )
