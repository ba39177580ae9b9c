"""Forms of cross-selling: the offer rule, the offer list's filters, the pipeline's actions and
the figures' period."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.models import Branch
from aftersales.translated import translated
from aftersales.widgets import DateInput
from customers.models import Product, ProductCategory
from followups.models import ContactChannel
from followups.offers.models import DeclineReason, OfferEvent, OfferRule, OfferState


class OfferRuleForm(forms.ModelForm):
    """Every trigger of a rule; the model's clean() says what does not fit together."""

    channels = forms.MultipleChoiceField(
        label=_("Channels"),
        choices=ContactChannel.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Channels the offer may be presented on; none ticked: any channel the customer allowed."
        ),
    )

    class Meta:
        model = OfferRule
        fields = [
            *translated("name"),
            "is_active",
            "active_from",
            "active_until",
            "category",
            "min_age_days",
            "max_age_days",
            "not_bought_product",
            "not_bought_months",
            "season_start_month",
            "season_start_day",
            "season_end_month",
            "season_end_day",
            "maintenance_due_days",
            "maintenance_due_km",
            "declined_work_days",
            "warranty_end_days",
            "product",
            "price",
            "discount_percent",
            "channels",
            "priority",
            *translated("script"),
            "valid_days",
        ]
        widgets = {
            "active_from": DateInput(),
            "active_until": DateInput(),
            **{column: forms.Textarea(attrs={"rows": 3}) for column in translated("script")},
        }
        help_texts = {
            "min_age_days": _("Days since the handover, e.g. 30: not in the first month."),
            "not_bought_months": _(
                "No offer to someone who bought this product within these months."
            ),
            "season_start_month": _(
                "A season, e.g. 1 October – 15 November; it may cross the year end. Judged in "
                "the branch's time zone."
            ),
            "maintenance_due_days": _("From the maintenance schedule and the estimated mileage."),
            "declined_work_days": _(
                "Work the customer declined in the workshop, still open after these days."
            ),
            "price": _("Empty: the product's list price (less the discount)."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = ProductCategory.objects.order_by("name")
        products = Product.objects.select_related("category").order_by("name")
        self.fields["product"].queryset = products
        self.fields["not_bought_product"].queryset = products
        self.fields["category"].error_messages["required"] = _(
            "Choose the product category whose buyers get the offer."
        )
        self.fields["product"].error_messages["required"] = _("Choose what to offer.")


class OfferRuleFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    active = forms.ChoiceField(
        label=_("Active"),
        required=False,
        choices=[("", _("All")), ("yes", _("active")), ("no", _("inactive"))],
    )
    category = forms.ModelChoiceField(
        label=_("Bought category"),
        required=False,
        queryset=ProductCategory.objects.order_by("name"),
        empty_label=_("All"),
    )

    def selector_arguments(self):
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "search": data["q"].strip(),
            "active": {"yes": True, "no": False}.get(data["active"]),
            "category": data["category"],
        }


class OfferFilterForm(forms.Form):
    q = forms.CharField(label=_("Customer"), required=False)
    state = forms.ChoiceField(
        label=_("State"), required=False, choices=[("", _("All")), *OfferState.choices]
    )
    rule = forms.ModelChoiceField(
        label=_("Rule"), required=False, queryset=OfferRule.objects.none(), empty_label=_("All")
    )
    branch = forms.ModelChoiceField(
        label=_("Branch"), required=False, queryset=Branch.objects.none(), empty_label=_("All")
    )
    assignee = forms.ModelChoiceField(
        label=_("Salesperson"), required=False, queryset=Branch.objects.none(), empty_label=_("All")
    )
    # The figures page's drill-down: the offers behind one number.
    event = forms.ChoiceField(required=False, choices=OfferEvent.choices, widget=forms.HiddenInput)
    start = forms.DateField(required=False, widget=forms.HiddenInput)
    end = forms.DateField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, rules, branches, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rule"].queryset = rules
        self.fields["branch"].queryset = branches
        self.fields["assignee"].queryset = staff

    def selector_arguments(self):
        if not self.is_valid():
            return {}
        data = self.cleaned_data
        return {
            "search": data["q"].strip(),
            "state": data["state"],
            "rule": data["rule"],
            "branch": data["branch"],
            "assignee": data["assignee"],
            "event": data["event"],
            "start": data["start"],
            "end": data["end"],
            "reason": data["reason"],
        }


class PresentOfferForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("Presented on"),
        error_messages={"required": _("Choose how you presented the offer.")},
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)

    def __init__(self, *args, offer, **kwargs):
        super().__init__(*args, **kwargs)
        allowed = offer.rule.channels
        self.fields["channel"].choices = [
            (value, label)
            for value, label in ContactChannel.choices
            if not allowed or value in allowed
        ]


class AcceptOfferForm(forms.Form):
    value = forms.DecimalField(
        label=_("Value"),
        required=False,
        min_value=0,
        max_digits=12,
        decimal_places=2,
        help_text=_("What the customer pays; empty: the offer's price."),
    )
    purchase_date = forms.DateField(
        label=_("Purchase date"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: today."),
    )
    handover_date = forms.DateField(
        label=_("Handed over / done on"),
        required=False,
        widget=DateInput(),
        help_text=_("When the customer gets it; its follow-up plan starts on that day."),
    )


class DeclineOfferForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why not?"),
        choices=DeclineReason.choices,
        error_messages={"required": _("Choose a reason.")},
    )
    note = forms.CharField(
        label=_("In the customer's words"),
        required=False,
        max_length=300,
        help_text=_("Needed for “other reason”."),
    )


class ReassignOfferForm(forms.Form):
    assignee = forms.ModelChoiceField(
        label=_("Hand over to"),
        queryset=Branch.objects.none(),
        error_messages={"required": _("Choose who takes the offer over.")},
    )

    def __init__(self, *args, staff, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = staff


class FiguresFilterForm(forms.Form):
    """The period (default: the last 90 days) and the optional branch, rule and salesperson."""

    start = forms.DateField(label=_("From"), required=False, widget=DateInput())
    end = forms.DateField(label=_("Until"), required=False, widget=DateInput())
    branch = forms.ModelChoiceField(
        label=_("Branch"), required=False, queryset=Branch.objects.none(), empty_label=_("All")
    )
    rule = forms.ModelChoiceField(
        label=_("Rule"), required=False, queryset=OfferRule.objects.none(), empty_label=_("All")
    )

    DEFAULT_DAYS = 90

    def __init__(self, *args, branches, rules, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        self.fields["rule"].queryset = rules

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", _("The end is before the start."))
        return data

    def period(self):
        today = timezone.localdate()
        data = self.cleaned_data if self.is_valid() else {}
        end = data.get("end") or today
        start = data.get("start") or end - timedelta(days=self.DEFAULT_DAYS - 1)
        return start, end

    def filters(self):
        data = self.cleaned_data if self.is_valid() else {}
        return {"branch": data.get("branch"), "rule": data.get("rule")}
