"""Forms of the service history: declined work at a visit, closing it, maintenance schedules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from customers.models import DeclinedWork, MaintenanceSchedule, Product, ProductCategory


def _active_products(instance_product_id=None):
    products = Product.objects.filter(is_active=True)
    if instance_product_id:
        products |= Product.objects.filter(pk=instance_product_id)
    return products.select_related("category").order_by("category__name", "name")


class DeclinedWorkForm(forms.ModelForm):
    class Meta:
        model = DeclinedWork
        fields = ["description", "estimated_price", "urgency", "product"]
        help_texts = {
            "description": _("What the workshop recommended, e.g. “front brake pads”."),
            "estimated_price": _("What the work would cost, as quoted to the customer."),
            "urgency": _("Safety-relevant work is offered back first."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = _active_products()
        self.fields["product"].required = False


class CloseDeclinedWorkForm(forms.Form):
    """Declined work done after all (in a later visit of the car) or no longer needed."""

    done_in = forms.ModelChoiceField(
        label=_("Done in the visit"),
        queryset=None,
        required=False,
        help_text=_("Leave empty when the work is no longer needed."),
    )

    def __init__(self, *args, visits, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["done_in"].queryset = visits
        self.fields["done_in"].label_from_instance = lambda visit: (
            _("%(date)s · purchase %(number)s")
            % {"date": visit.purchase_date.isoformat(), "number": visit.pk}
        )


class MaintenanceScheduleForm(forms.ModelForm):
    class Meta:
        model = MaintenanceSchedule
        fields = [
            "name",
            "product",
            "category",
            "service_product",
            "interval_km",
            "interval_months",
            "first_km",
            "first_months",
            "is_active",
        ]
        help_texts = {
            "product": _("The model this schedule is for; or leave it empty for a category."),
            "category": _("Used for every model of the category that has no schedule of its own."),
            "interval_km": _("Due every this many kilometres …"),
            "interval_months": _("… or every this many months, whichever comes first."),
            "first_km": _("Optional: the first service after this many km instead."),
            "first_months": _("Optional: the first service after this many months instead."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        # Schedules are for vehicles: the models and categories with a yearly distance.
        self.fields["product"].queryset = _active_products(instance.product_id).filter(
            category__yearly_distance_km__isnull=False
        )
        self.fields["category"].queryset = ProductCategory.objects.filter(
            yearly_distance_km__isnull=False
        ).order_by("name")
        self.fields["service_product"].queryset = _active_products(instance.service_product_id)

    def clean(self):
        cleaned = super().clean()
        if bool(cleaned.get("product")) == bool(cleaned.get("category")):
            raise forms.ValidationError(
                _("Choose either a model or a category, not both and not neither.")
            )
        return cleaned
