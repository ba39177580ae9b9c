"""Forms of clusters and campaigns."""

from django import forms
from django.utils.translation import gettext_lazy as _

from aftersales.widgets import DateInput
from customers.models import Product


class CampaignForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    reference = forms.SlugField(
        label=_("Reference"),
        max_length=40,
        help_text=_(
            "Quoted on the service order: a service purchase of the vehicle whose notes or "
            "external reference contain it counts as repaired."
        ),
    )
    product = forms.ModelChoiceField(
        label=_("Product (model)"), queryset=Product.objects.order_by("name")
    )
    identifiers = forms.CharField(
        label=_("Identifiers / VINs"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Optional: one per line, or a range as FIRST..LAST."),
    )
    handover_from = forms.DateField(label=_("Handed over from"), required=False, widget=DateInput)
    handover_until = forms.DateField(label=_("Handed over until"), required=False, widget=DateInput)
    instructions = forms.CharField(
        label=_("Instructions for the call"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args, cluster=None, **kwargs):
        super().__init__(*args, **kwargs)
        if cluster is not None:
            del self.fields["product"]
