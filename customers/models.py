from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aftersales.access import BranchScopedQuerySet
from aftersales.models import Branch


class InvolvementLevel(models.TextChoices):
    """How much a purchase means to the buyer: drives follow-up density and signal weight."""

    HIGH = "high", _("high")
    MEDIUM = "medium", _("medium")
    LOW = "low", _("low")


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    PHONE = "phone", _("phone")
    SMS = "sms", _("SMS")
    LETTER = "letter", _("letter")


class ProductCategory(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    involvement = models.CharField(
        _("involvement level"),
        max_length=10,
        choices=InvolvementLevel.choices,
        default=InvolvementLevel.MEDIUM,
        help_text=_("High for expensive, long-lived purchases such as a car."),
    )
    default_warranty_months = models.PositiveSmallIntegerField(
        _("default warranty (months)"),
        default=24,
        help_text=_("Warranty end of a purchase is the handover date plus this; 0 for none."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # Vehicles: what a car of this category drives in a year when its readings cannot tell
    # (customers.service_history.mileage); empty for categories that are no vehicles.
    yearly_distance_km = models.PositiveIntegerField(
        _("default yearly distance (km)"),
        null=True,
        blank=True,
        help_text=_(
            "For vehicles: the distance assumed per year until service visits give readings; "
            "empty for anything that is no vehicle."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")
        ordering = ["name"]

    def __str__(self):
        return self.name


class Product(models.Model):
    name = models.CharField(_("name"), max_length=200)
    category = models.ForeignKey(
        ProductCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="products",
    )
    sku = models.CharField(_("SKU"), max_length=60, unique=True)
    list_price = models.DecimalField(
        _("list price"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    is_active = models.BooleanField(_("active"), default=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["category__name", "name"]

    def __str__(self):
        return self.name


# Who the customer is and how to reach them: what forms, the API and the services edit.
PROFILE_FIELDS = (
    "kind",
    "company_name",
    "salutation",
    "first_name",
    "last_name",
    "email",
    "phone",
    "mobile",
    "street",
    "postcode",
    "city",
    "country",
    "preferred_language",
    "preferred_channel",
)
CONSENT_FIELDS = ("consent_email", "consent_phone", "consent_sms", "consent_letter")


class CustomerQuerySet(BranchScopedQuerySet):
    def active(self):
        return self.filter(erased_at__isnull=True)


# What a customer's display name, and the salutation texts address them by, are made of: lists
# that show a customer's name only load these of the customer's 31 columns.
CUSTOMER_NAME_FIELDS = ("kind", "company_name", "first_name", "last_name", "salutation")


class Customer(models.Model):
    class Kind(models.TextChoices):
        PERSON = "person", _("private person")
        COMPANY = "company", _("company")

    class Salutation(models.TextChoices):
        NONE = "", _("—")
        MR = "mr", _("Mr")
        MS = "ms", _("Ms")
        MX = "mx", _("Mx")

    class Language(models.TextChoices):
        GERMAN = "de", _("German")
        ENGLISH = "en", _("English")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.PERSON)
    company_name = models.CharField(_("company name"), max_length=200, blank=True)
    salutation = models.CharField(
        _("salutation"), max_length=4, choices=Salutation.choices, blank=True
    )
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(
        _("last name"),
        max_length=100,
        blank=True,
        help_text=_("For a company: the contact person."),
    )
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    mobile = models.CharField(_("mobile"), max_length=40, blank=True)
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="DE")
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=Language.choices, default=Language.GERMAN
    )
    preferred_channel = models.CharField(
        _("preferred contact channel"),
        max_length=10,
        choices=Channel.choices,
        default=Channel.PHONE,
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("home branch"), on_delete=models.PROTECT, related_name="customers"
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("responsible salesperson"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="customers",
    )
    notes = models.TextField(_("notes"), blank=True)
    # The dealer management system's customer number, so that a re-import finds the same record.
    external_ref = models.CharField(_("external reference"), max_length=60, blank=True)
    # Current marketing consent per channel, kept in step with ConsentRecord (the proof) by the
    # consent service, so that lists and the contact policy read it without a subquery.
    consent_email = models.BooleanField(_("e-mail consent"), default=False)
    consent_phone = models.BooleanField(_("phone consent"), default=False)
    consent_sms = models.BooleanField(_("SMS consent"), default=False)
    consent_letter = models.BooleanField(_("letter consent"), default=False)
    # Folded names, e-mail, phone digits and purchase identifiers (see aftersales.search), and
    # their stored full-text vector, so that search uses the GIN index and never recomputes it.
    search_text = models.TextField(editable=False, default="")
    search_vector = models.GeneratedField(
        expression=SearchVector("search_text", config="simple"),
        output_field=SearchVectorField(),
        db_persist=True,
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True)
    erased_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # The newest purchase that was not cancelled, kept by the services that write purchases
    # (customers.services.refresh_last_purchase_dates): a list sorted by it reads an index
    # instead of running a subquery per customer.
    last_purchase_date = models.DateField(_("last purchase"), null=True, blank=True, editable=False)

    history = HistoricalRecords(
        excluded_fields=["search_text", "search_vector", "last_purchase_date"]
    )
    objects = CustomerQuerySet.as_manager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        permissions = [
            ("merge_customer", _("Can merge duplicate customers")),
            ("erase_customer", _("Can erase a customer's personal data")),
            ("export_customer_data", _("Can export everything held about a customer")),
            ("import_purchases", _("Can import purchases from a CSV file")),
        ]
        ordering = ["last_name", "first_name", "pk"]
        indexes = [
            GinIndex(fields=["search_vector"], name="customer_search_vector"),
            models.Index(Lower("email"), name="customer_email_ci"),
            models.Index(fields=["postcode", "last_name"], name="customer_postcode_name"),
            models.Index(fields=["branch", "last_name"], name="customer_branch_name"),
            # One per order the customer list and API offer (selectors.CUSTOMER_ORDERINGS),
            # ascending and read backwards for descending. Not led by the branch: a manager's
            # `branch_id IN (...)` over several branches is no single index range, so the
            # order comes from the index and the branch is a filter on its first rows. The
            # name order also serves the purchase list sorted by customer, which includes
            # erased customers' purchases: that one is not partial.
            models.Index(fields=["last_name", "first_name", "id"], name="customer_name_order"),
            models.Index(
                fields=["city", "last_name", "id"],
                condition=models.Q(erased_at__isnull=True),
                name="customer_city_order",
            ),
            models.Index(
                fields=["created_at", "id"],
                condition=models.Q(erased_at__isnull=True),
                name="customer_created_order",
            ),
            models.Index(
                fields=["last_purchase_date", "id"],
                condition=models.Q(erased_at__isnull=True),
                name="customer_last_purchase_order",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_ref"],
                condition=~models.Q(external_ref=""),
                name="customer_external_ref_unique",
            ),
            models.CheckConstraint(
                condition=~models.Q(kind="company") | ~models.Q(company_name=""),
                name="customer_company_has_name",
            ),
        ]

    def __str__(self):
        return self.display_name

    def get_absolute_url(self):
        return reverse("customers:customer-detail", args=[self.pk])

    @property
    def display_name(self):
        person = " ".join(part for part in (self.first_name, self.last_name) if part)
        if self.kind == self.Kind.COMPANY:
            return f"{self.company_name} ({person})" if person else self.company_name
        return person or _("(no name)")

    @property
    def is_erased(self):
        return self.erased_at is not None

    def has_marketing_consent(self, channel):
        return getattr(self, f"consent_{channel}")


class ConsentRecord(models.Model):
    """One grant or withdrawal of marketing consent on one channel: the append-only proof."""

    class Source(models.TextChoices):
        FORM = "form", _("form")
        VERBAL = "verbal", _("verbal")
        WRITTEN = "written", _("written")
        ONLINE = "online", _("online")

    class State(models.TextChoices):
        """Where a channel's consent stands, read from its history (selectors.consent_history):
        a refusal is "declined" while the channel was never granted, "withdrawn" once it was."""

        NOT_ASKED = "not_asked", _("not asked")
        GRANTED = "granted", _("granted")
        DECLINED = "declined", _("declined")
        WITHDRAWN = "withdrawn", _("withdrawn")

    STATE_BADGES = {
        State.NOT_ASKED: "text-bg-light",
        State.GRANTED: "text-bg-success",
        State.DECLINED: "text-bg-secondary",
        State.WITHDRAWN: "text-bg-danger",
    }

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="consents"
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    granted = models.BooleanField(_("granted"))
    source = models.CharField(_("how"), max_length=10, choices=Source.choices)
    recorded_at = models.DateTimeField(_("when"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-recorded_at", "-pk"]
        indexes = [
            models.Index(
                fields=["customer", "channel", "-recorded_at"], name="consent_current_lookup"
            )
        ]

    def __str__(self):
        return f"{self.get_channel_display()}: {self.granted}"


class PurchaseQuerySet(BranchScopedQuerySet):
    pass


class Purchase(models.Model):
    class Status(models.TextChoices):
        ORDERED = "ordered", _("ordered")
        HANDED_OVER = "handed_over", _("handed over")
        CANCELLED = "cancelled", _("cancelled")

    STATUS_BADGES = {
        Status.ORDERED: "text-bg-info",
        Status.HANDED_OVER: "text-bg-success",
        Status.CANCELLED: "text-bg-secondary",
    }

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="purchases"
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="purchases"
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="purchases_sold",
    )
    purchase_date = models.DateField(_("purchase date"))
    handover_date = models.DateField(_("handover date"), null=True, blank=True)
    identifier = models.CharField(
        _("identifier"),
        max_length=60,
        blank=True,
        help_text=_("VIN, serial number or contract number."),
    )
    warranty_end = models.DateField(
        _("warranty end"),
        null=True,
        blank=True,
        help_text=_("Leave empty to use the category's default from the handover date."),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.ORDERED
    )
    total = models.DecimalField(_("total"), max_digits=12, decimal_places=2, default=Decimal("0"))
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    # The product category that decides the follow-up playbook: the highest-involvement line's.
    main_category = models.ForeignKey(
        ProductCategory,
        verbose_name=_("main category"),
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    notes = models.TextField(_("notes"), blank=True)
    external_ref = models.CharField(_("external reference"), max_length=60, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    cancellation_reason = models.CharField(_("reason for cancelling"), max_length=200, blank=True)
    # A service visit (inspection, repair, tyre fitting ...) names the vehicle it was for: the
    # earlier purchase of the car. Its odometer reading feeds the mileage estimate; on a
    # vehicle's own purchase the reading is the one at handover (empty: a new car, 0 km).
    vehicle = models.ForeignKey(
        "self",
        verbose_name=_("vehicle"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_visits",
        help_text=_("For a service visit: the purchase of the car it was for."),
    )
    odometer_km = models.PositiveIntegerField(
        _("odometer reading (km)"),
        null=True,
        blank=True,
        help_text=_("The mileage on the day of the visit (on a car's purchase: at handover)."),
    )

    history = HistoricalRecords()
    objects = PurchaseQuerySet.as_manager()

    class Meta:
        verbose_name = _("purchase")
        verbose_name_plural = _("purchases")
        ordering = ["-purchase_date", "-pk"]
        indexes = [
            models.Index(fields=["branch", "-purchase_date"], name="purchase_branch_date"),
            models.Index(fields=["customer", "-purchase_date"], name="purchase_customer_date"),
            models.Index(Lower("identifier"), name="purchase_identifier_ci"),
            # Offer rules find buyers of a category by the age of their purchase.
            models.Index(fields=["main_category", "handover_date"], name="purchase_category_age"),
            # The orders of the purchase list and API.
            models.Index(fields=["purchase_date", "id"], name="purchase_date_order"),
            models.Index(fields=["handover_date", "id"], name="purchase_handover_order"),
            models.Index(fields=["total", "id"], name="purchase_total_order"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_ref"],
                condition=~models.Q(external_ref=""),
                name="purchase_external_ref_unique",
            ),
            models.CheckConstraint(
                condition=models.Q(handover_date__isnull=True)
                | models.Q(handover_date__gte=models.F("purchase_date")),
                name="purchase_handover_not_before_purchase",
            ),
            models.CheckConstraint(
                condition=~models.Q(vehicle=models.F("pk")),
                name="purchase_vehicle_not_itself",
            ),
        ]

    def __str__(self):
        return _("Purchase %(number)s") % {"number": self.pk}

    def get_absolute_url(self):
        return reverse("customers:purchase-detail", args=[self.pk])

    @property
    def is_cancelled(self):
        return self.status == self.Status.CANCELLED

    @property
    def is_handed_over(self):
        return self.status == self.Status.HANDED_OVER

    @property
    def is_vehicle(self):
        return self.main_category is not None and self.main_category.yearly_distance_km is not None


class PurchaseLine(models.Model):
    purchase = models.ForeignKey(
        Purchase, verbose_name=_("purchase"), on_delete=models.CASCADE, related_name="lines"
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    quantity = models.PositiveIntegerField(
        _("quantity"), default=1, validators=[MinValueValidator(1)]
    )
    unit_price = models.DecimalField(
        _("unit price"),
        max_digits=12,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0"))],
    )

    class Meta:
        verbose_name = _("purchase line")
        verbose_name_plural = _("purchase lines")
        ordering = ["pk"]

    def __str__(self):
        return f"{self.quantity} × {self.product}"

    @property
    def amount(self):
        return self.quantity * self.unit_price


# The hashes of erased customers' identifiers (customers.personal_data), and the service
# history's tables (declined work, maintenance schedules), live in their domain packages;
# imported here so that Django finds them in the app's models module.
from customers.personal_data.models import ErasedIdentifier  # noqa: E402
from customers.service_history.models import (  # noqa: E402
    DeclinedWork,
    MaintenanceSchedule,
    Urgency,
)

__all__ = [
    "CONSENT_FIELDS",
    "PROFILE_FIELDS",
    "Channel",
    "ConsentRecord",
    "Customer",
    "DeclinedWork",
    "ErasedIdentifier",
    "InvolvementLevel",
    "MaintenanceSchedule",
    "Product",
    "ProductCategory",
    "Purchase",
    "PurchaseLine",
    "Urgency",
]
