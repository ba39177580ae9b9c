from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from aftersales.access import sole_branch
from aftersales.models import Branch
from aftersales.translated import SideBySideTranslations, translated
from aftersales.widgets import DateInput
from customers.importing.uploads import validate_upload_size
from customers.models import (
    PROFILE_FIELDS,
    Channel,
    ConsentRecord,
    Customer,
    InvolvementLevel,
    Product,
    ProductCategory,
    PurchaseLine,
)

CONSENT_ANSWERS = [
    ("", _("not asked")),
    ("yes", _("yes, agreed")),
    ("no", _("no")),
]
CUSTOMER_FORM_FIELDS = [*PROFILE_FIELDS, "notes"]


class PurchaseChoiceField(forms.ModelChoiceField):
    """A customer's purchases as a select: number, date, what was bought (its products, else
    its category), identifier, state. The products come with the queryset, in one query."""

    # Products named in a label; more are counted ("+2").
    PRODUCTS_SHOWN = 2

    def _set_queryset(self, queryset):
        if queryset is not None:
            queryset = queryset.select_related("main_category").prefetch_related(
                Prefetch("lines", queryset=PurchaseLine.objects.select_related("product"))
            )
        super()._set_queryset(queryset)

    queryset = property(forms.ModelChoiceField._get_queryset, _set_queryset)

    def label_from_instance(self, purchase):
        parts = [str(purchase), date_format(purchase.purchase_date, "SHORT_DATE_FORMAT")]
        products = [line.product.name for line in purchase.lines.all()]
        if products:
            named = ", ".join(products[: self.PRODUCTS_SHOWN])
            more = len(products) - self.PRODUCTS_SHOWN
            parts.append(f"{named} +{more}" if more > 0 else named)
        elif purchase.main_category_id:
            parts.append(purchase.main_category.name)
        if purchase.identifier:
            parts.append(purchase.identifier)
        if purchase.is_cancelled:
            parts.append(purchase.get_status_display())
        return " · ".join(str(part) for part in parts)


def staff_of(branches):
    """Active salespeople and managers working in the given branches, for choice fields."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True, branches__in=branches, groups__name__in=["sales", "manager"]
        )
        .distinct()
        .order_by("last_name", "first_name")
    )


class CustomerForm(forms.ModelForm):
    class Meta:
        model = Customer
        fields = CUSTOMER_FORM_FIELDS
        widgets = {"notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The service decides which of name/company/contact is needed (a clearer message).
        for name in ("company_name", "last_name"):
            self.fields[name].required = False


class CustomerEditForm(CustomerForm):
    class Meta(CustomerForm.Meta):
        fields = [*CUSTOMER_FORM_FIELDS, "branch", "salesperson"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        branches = Branch.objects.visible_to(user).filter(is_active=True)
        self.fields["branch"].queryset = branches
        self.fields["salesperson"].queryset = staff_of(branches)
        if self.instance.pk is None:
            self.fields["branch"].initial = sole_branch(branches)


class ConsentQuestionsForm(forms.Form):
    """The consent questions asked at the desk while logging a purchase."""

    email = forms.ChoiceField(label=_("Offers by e-mail?"), choices=CONSENT_ANSWERS, required=False)
    phone = forms.ChoiceField(label=_("Offers by phone?"), choices=CONSENT_ANSWERS, required=False)
    sms = forms.ChoiceField(label=_("Offers by SMS?"), choices=CONSENT_ANSWERS, required=False)
    letter = forms.ChoiceField(
        label=_("Offers by letter?"), choices=CONSENT_ANSWERS, required=False
    )
    source = forms.ChoiceField(
        label=_("How was it given?"),
        choices=ConsentRecord.Source.choices,
        initial=ConsentRecord.Source.VERBAL,
    )

    def answers(self):
        """[(channel, granted, source)] for the questions that were answered."""
        source = self.cleaned_data["source"]
        return [
            (channel, self.cleaned_data[channel] == "yes", source)
            for channel in Channel.values
            if self.cleaned_data.get(channel)
        ]


class ConsentForm(forms.ModelForm):
    granted = forms.TypedChoiceField(
        label=_("Consent"),
        choices=[("yes", _("granted")), ("no", _("declined or withdrawn"))],
        coerce=lambda value: value == "yes",
    )

    class Meta:
        model = ConsentRecord
        fields = ["channel", "granted", "source", "note"]


class PurchaseForm(forms.Form):
    customer = forms.ModelChoiceField(
        queryset=Customer.objects.none(), required=False, widget=forms.HiddenInput
    )
    branch = forms.ModelChoiceField(label=_("Branch"), queryset=Branch.objects.none())
    salesperson = forms.ModelChoiceField(
        label=_("Salesperson"), queryset=get_user_model().objects.none(), required=False
    )
    purchase_date = forms.DateField(label=_("Purchase date"), widget=DateInput())
    handover_date = forms.DateField(
        label=_("Handover date"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty while the product is not yet handed over."),
    )
    identifier = forms.CharField(
        label=_("Identifier"),
        max_length=60,
        required=False,
        help_text=_("VIN, serial number or contract number."),
    )
    warranty_end = forms.DateField(
        label=_("Warranty end"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: the category's default period from the handover date."),
    )
    vehicle = forms.CharField(
        label=_("For the vehicle"),
        max_length=60,
        required=False,
        help_text=_("A service visit: the VIN of the customer's car (its purchase)."),
    )
    odometer_km = forms.IntegerField(
        label=_("Odometer reading (km)"),
        min_value=0,
        max_value=2_000_000,
        required=False,
        help_text=_("On the day of the visit; on a used car's purchase: at handover."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirmed_new = forms.BooleanField(
        label=_("This is a new customer, not one of the records above"), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        branches = Branch.objects.visible_to(user).filter(is_active=True)
        self.fields["branch"].queryset = branches
        self.fields["customer"].queryset = Customer.objects.visible_to(user).active()
        self.fields["salesperson"].queryset = staff_of(branches)
        branch = sole_branch(branches)
        self.fields["branch"].initial = branch
        self.fields["purchase_date"].initial = branch.today() if branch else timezone.localdate()
        if user.has_role("sales"):
            self.fields["salesperson"].initial = user


class PurchaseLineForm(forms.Form):
    product = forms.ModelChoiceField(
        label=_("Product"),
        queryset=Product.objects.filter(is_active=True).select_related("category"),
    )
    quantity = forms.IntegerField(label=_("Quantity"), min_value=1, initial=1)
    unit_price = forms.DecimalField(
        label=_("Unit price"),
        min_value=0,
        max_digits=12,
        decimal_places=2,
        required=False,
        help_text=_("Empty: the list price."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Rendered as a table row under one header, so each field names itself for screen
        # readers instead of repeating a visible label in every row.
        row = (self.prefix or "lines-0").rsplit("-", 1)[-1]
        number = int(row) + 1 if row.isdigit() else 1
        for name, css, label in (
            ("product", "form-select", _("Product, row %(number)d")),
            ("quantity", "form-control", _("Quantity, row %(number)d")),
            ("unit_price", "form-control", _("Unit price, row %(number)d")),
        ):
            self.fields[name].widget.attrs.update(
                {"class": css, "aria-label": label % {"number": number}}
            )
        self.fields["unit_price"].widget.attrs["placeholder"] = _("list price")

    def line(self):
        product = self.cleaned_data["product"]
        price = self.cleaned_data.get("unit_price")
        return (
            product,
            self.cleaned_data["quantity"],
            product.list_price if price is None else price,
        )


PurchaseLineFormSet = forms.formset_factory(
    PurchaseLineForm, extra=2, min_num=1, validate_min=True, max_num=20
)


class ChangePurchaseForm(forms.Form):
    handover_date = forms.DateField(label=_("Handover date"), required=False, widget=DateInput())
    warranty_end = forms.DateField(
        label=_("Warranty end"),
        required=False,
        widget=DateInput(),
        help_text=_("Empty: follows the handover date."),
    )
    identifier = forms.CharField(label=_("Identifier"), max_length=60, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CancelPurchaseForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=200,
        help_text=_("Why the purchase is cancelled; open follow-ups are cancelled with it."),
    )


class CustomerFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False)
    branch = forms.ModelChoiceField(
        label=_("Branch"),
        queryset=Branch.objects.none(),
        required=False,
        empty_label=_("any branch"),
    )
    salesperson = forms.ModelChoiceField(
        label=_("Salesperson"),
        queryset=get_user_model().objects.none(),
        required=False,
        empty_label=_("anyone"),
    )
    involvement = forms.ChoiceField(
        label=_("Involvement"),
        choices=[("", _("any involvement")), *InvolvementLevel.choices],
        required=False,
    )
    purchased_from = forms.DateField(label=_("Purchased from"), required=False, widget=DateInput())
    purchased_to = forms.DateField(label=_("Purchased until"), required=False, widget=DateInput())
    consent = forms.ChoiceField(
        label=_("Marketing consent"),
        choices=[("", _("any consent")), *Channel.choices, ("none", _("no consent at all"))],
        required=False,
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        branches = Branch.objects.visible_to(user)
        self.fields["branch"].queryset = branches
        self.fields["salesperson"].queryset = staff_of(branches)

    def selector_arguments(self):
        data = self.cleaned_data if self.is_valid() else {}
        return {
            "search": data.get("q", ""),
            "branch": data.get("branch"),
            "salesperson": data.get("salesperson"),
            "involvement": data.get("involvement", ""),
            "purchased_from": data.get("purchased_from"),
            "purchased_to": data.get("purchased_to"),
            "consent": data.get("consent", ""),
        }


# --- Product catalogue ---


class ProductCategoryForm(SideBySideTranslations, forms.ModelForm):
    class Meta:
        model = ProductCategory
        fields = [
            *translated("name"),
            "code",
            "involvement",
            "default_warranty_months",
            "is_active",
        ]
        help_texts = {
            "code": _(
                "Short unique code used by imports and rules, e.g. new-cars. "
                "Letters, digits, hyphens and underscores."
            ),
        }


class ProductForm(SideBySideTranslations, forms.ModelForm):
    class Meta:
        model = Product
        fields = [*translated("name"), "sku", "category", "list_price", "currency", "is_active"]
        help_texts = {
            "sku": _("The unique article number, as on invoices and in the dealer system."),
            "list_price": _("The price before discounts; a purchase may record another one."),
            "currency": _("Three-letter ISO code, e.g. EUR."),
            "is_active": _("Inactive products stay on old purchases but can no longer be sold."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Retired categories take no new products, but a product keeps the one it has.
        categories = ProductCategory.objects.filter(is_active=True)
        if self.instance.category_id:
            categories |= ProductCategory.objects.filter(pk=self.instance.category_id)
        self.fields["category"].queryset = categories.order_by("name")

    def clean_sku(self):
        return self.cleaned_data["sku"].strip()

    def clean_currency(self):
        currency = self.cleaned_data["currency"].strip().upper()
        if not (len(currency) == 3 and currency.isalpha()):
            raise forms.ValidationError(_("Enter a three-letter currency code such as EUR."))
        return currency


# --- CSV import ---


class PurchaseImportForm(forms.Form):
    """Upload of a dealer management system's purchase export (customers.importing)."""

    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "UTF-8, one row per purchase line, “;” or “,” between the columns. "
            "Nothing is saved before you have checked the preview."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
        validators=[validate_upload_size],
    )
