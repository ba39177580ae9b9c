"""The customer picker of the recording pages (a complaint, an appointment): find the customer
as you type, select them, then choose one of their purchases.

The "Select" buttons of the search results are plain submit buttons (`use_customer`) that post
the page's form back with the entries so far; "Find" (`find_customer`) does the search without
JavaScript, "Choose another customer" (`change_customer`) starts over. A page's form derives from
`CustomerChoiceForm`, its view reads the request with `customer_picking`, and its template
includes `customers/partials/customer_choice.html`.
"""

from dataclasses import dataclass, field

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from customers.forms import PurchaseChoiceField
from customers.models import Customer, Purchase
from customers.selectors import customer_picker

STEPS = ("use_customer", "change_customer", "find_customer")


class CustomerChoiceForm(forms.Form):
    """A form whose first fields are the picked customer (a hidden id) and one of their
    purchases; `purchases_of(customer)` says which purchases are offered."""

    customer = forms.ModelChoiceField(
        label=_("Customer"),
        queryset=Customer.objects.none(),
        widget=forms.HiddenInput,
        error_messages={
            "required": _("Find the customer and select them."),
            "invalid_choice": _("Find the customer again and select them."),
        },
    )
    purchase = PurchaseChoiceField(
        label=_("Purchase"),
        queryset=Purchase.objects.none(),
        required=False,
        empty_label=_("no particular purchase"),
    )
    purchase_help_text = ""

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        customers = Customer.objects.visible_to(user).active().select_related("branch")
        self.fields["customer"].queryset = customers
        self.fields["purchase"].help_text = self.purchase_help_text
        customer_id = self._chosen_customer_id()
        self.selected_customer = (
            customers.filter(pk=customer_id).first() if customer_id is not None else None
        )
        if self.selected_customer is not None:
            self.fields["purchase"].queryset = self.purchases_of(self.selected_customer)

    def _chosen_customer_id(self):
        value = self.data.get("customer") if self.is_bound else self.initial.get("customer")
        value = getattr(value, "pk", value)
        return int(value) if str(value or "").isdigit() else None

    def purchases_of(self, customer):
        raise NotImplementedError

    @property
    def zone(self):
        """Times are entered and shown in the chosen customer's branch time."""
        if self.selected_customer is not None:
            return self.selected_customer.branch.zone
        return timezone.get_current_timezone()


@dataclass
class Picking:
    """What a recording page's request asks: `step` is a picker button (or None for a fresh
    page or a save), `initial` the form's values so far, `search` the picker's results."""

    step: str | None
    initial: dict
    search: dict = field(default_factory=lambda: {"term": "", "customers": None})


def customer_picking(request, form_class, *, defaults):
    """Read a recording page's request: on a fresh page the defaults (and `?customer=`), on a
    picker button the entries so far with the customer chosen, changed or searched for."""
    post = request.POST if request.method == "POST" else None
    step = next((name for name in STEPS if post is not None and name in post), None)
    initial = {**defaults, "customer": request.GET.get("customer")}
    picking = Picking(step=step, initial=initial)
    if step is None:
        return picking
    initial.update(
        {
            name: post.get(name)
            for name, form_field in form_class.base_fields.items()
            if name in post and not isinstance(form_field, forms.FileField)
        }
    )
    if step == "use_customer":
        initial["customer"] = post.get("use_customer")
    elif step == "change_customer":
        initial["customer"] = None
    else:
        picking.search = {
            "term": post.get("customer_search", ""),
            "customers": customer_picker(request.user, post.get("customer_search", "")),
        }
    if step != "find_customer":
        # Another customer has other purchases.
        initial.pop("purchase", None)
    return picking
