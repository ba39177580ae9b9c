"""Tables of the service history (app label "customers", re-exported by customers.models)."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from aftersales.access import BranchScopedQuerySet


class Urgency(models.TextChoices):
    SAFETY = "safety", _("safety-relevant")
    SOON = "soon", _("soon")
    LATER = "later", _("later")


class DeclinedWork(models.Model):
    """Work the workshop recommended at a service visit and the customer declined: something to
    win back later (followups.offers, the "declined work" rules)."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DONE = "done", _("done later")
        DISMISSED = "dismissed", _("no longer needed")

    URGENCY_BADGES = {
        Urgency.SAFETY: "text-bg-danger",
        Urgency.SOON: "text-bg-warning",
        Urgency.LATER: "text-bg-secondary",
    }
    STATUS_BADGES = {
        Status.OPEN: "text-bg-info",
        Status.DONE: "text-bg-success",
        Status.DISMISSED: "text-bg-secondary",
    }

    visit = models.ForeignKey(
        "customers.Purchase",
        verbose_name=_("service visit"),
        on_delete=models.CASCADE,
        related_name="declined_work",
    )
    # Denormalised from the visit, so that rules and figures read one table.
    vehicle = models.ForeignKey(
        "customers.Purchase",
        verbose_name=_("vehicle"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="declined_work",
    )
    branch = models.ForeignKey(
        "aftersales.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+"
    )
    product = models.ForeignKey(
        "customers.Product",
        verbose_name=_("service product"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The catalogue's service that would do the work, if there is one."),
    )
    description = models.CharField(_("recommended work"), max_length=200)
    estimated_price = models.DecimalField(
        _("estimated price"),
        max_digits=12,
        decimal_places=2,
        default=Decimal("0"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    urgency = models.CharField(_("urgency"), max_length=10, choices=Urgency.choices)
    declined_on = models.DateField(_("declined on"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    # The purchase that did the work after all (recaptured), if any.
    done_in = models.ForeignKey(
        "customers.Purchase",
        verbose_name=_("done in"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("declined work")
        verbose_name_plural = _("declined work")
        ordering = ["-declined_on", "-pk"]
        indexes = [
            models.Index(
                fields=["declined_on"], condition=Q(status="open"), name="declined_work_open"
            ),
            models.Index(fields=["branch", "declined_on"], name="declined_work_branch"),
        ]

    def __str__(self):
        return self.description

    @property
    def is_open(self):
        return self.status == self.Status.OPEN


class MaintenanceSchedule(models.Model):
    """When a vehicle needs its regular service: every X km or Y months, whichever comes first,
    optionally the first one after other limits. For one product (a model), or the fallback for
    a category; the product's schedule wins."""

    name = models.CharField(_("name"), max_length=120)
    product = models.OneToOneField(
        "customers.Product",
        verbose_name=_("model"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="maintenance_schedule",
    )
    category = models.OneToOneField(
        "customers.ProductCategory",
        verbose_name=_("fallback for category"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="maintenance_schedule",
    )
    service_product = models.ForeignKey(
        "customers.Product",
        verbose_name=_("service"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("A visit with this product counts as the service done."),
    )
    interval_km = models.PositiveIntegerField(_("every (km)"), validators=[MinValueValidator(1000)])
    interval_months = models.PositiveSmallIntegerField(
        _("or every (months)"), validators=[MinValueValidator(1)]
    )
    first_km = models.PositiveIntegerField(_("first after (km)"), null=True, blank=True)
    first_months = models.PositiveSmallIntegerField(
        _("first after (months)"), null=True, blank=True
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("maintenance schedule")
        verbose_name_plural = _("maintenance schedules")
        ordering = ["name", "pk"]
        # The schedules page sorts by name, either way.
        indexes = [models.Index(fields=["name", "id"], name="maintenance_schedule_name")]
        constraints = [
            models.CheckConstraint(
                condition=Q(product__isnull=False, category__isnull=True)
                | Q(product__isnull=True, category__isnull=False),
                name="maintenance_schedule_product_or_category",
                violation_error_message=_(
                    "A schedule is either for one model or the fallback for a category."
                ),
            ),
        ]

    def __str__(self):
        return self.name
