"""Complaint clusters and campaigns. App label "quality" (quality/models.py imports them)."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.access import (
    BranchScopedQuerySet,
    is_staff_member,
    sees_all_branches,
    visible_branch_ids,
)
from aftersales.models import Branch
from customers.models import Customer, Product, Purchase
from followups.models import FollowUp


class ClusterRule(models.Model):
    """When complaints of a category (and its subcategories) on one product count as a cluster:
    at least `threshold` within `window_days`."""

    category = models.ForeignKey(
        "quality.ComplaintCategory",
        verbose_name=_("complaint category"),
        on_delete=models.CASCADE,
        related_name="cluster_rules",
    )
    threshold = models.PositiveSmallIntegerField(
        _("complaints"), default=3, validators=[MinValueValidator(2)]
    )
    window_days = models.PositiveSmallIntegerField(
        _("within (days)"), default=60, validators=[MinValueValidator(1)]
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("cluster rule")
        verbose_name_plural = _("cluster rules")
        ordering = ["category__name"]
        constraints = [
            models.UniqueConstraint(fields=["category"], name="cluster_rule_per_category")
        ]

    def __str__(self):
        return _("%(count)d × %(category)s within %(days)d days") % {
            "count": self.threshold,
            "category": self.category,
            "days": self.window_days,
        }


class ClusterQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see the clusters with a complaint in one of their branches."""
        if sees_all_branches(user):
            return self.all()
        if not is_staff_member(user):
            return self.none()
        return self.filter(
            pk__in=ClusterComplaint.objects.filter(
                complaint__branch__in=visible_branch_ids(user)
            ).values("cluster_id")
        )


class ComplaintCluster(models.Model):
    """Complaints of one category on one product that passed a rule's threshold. One open cluster
    per product and category (a partial unique index): detection adds to it, never makes a second
    one, so the quality managers are alerted once per cluster."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    rule = models.ForeignKey(ClusterRule, on_delete=models.SET_NULL, null=True, related_name="+")
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    category = models.ForeignKey(
        "quality.ComplaintCategory",
        verbose_name=_("complaint category"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    complaint_count = models.PositiveIntegerField(_("complaints"))
    first_received_at = models.DateTimeField(_("first complaint"))
    last_received_at = models.DateTimeField(_("latest complaint"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    detected_at = models.DateTimeField(_("detected"))
    alerted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    complaints = models.ManyToManyField(
        "quality.Complaint", through="ClusterComplaint", related_name="clusters"
    )

    objects = ClusterQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint cluster")
        verbose_name_plural = _("complaint clusters")
        ordering = ["-detected_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "category"],
                condition=Q(status="open"),
                name="cluster_one_open_per_product_category",
            )
        ]

    def __str__(self):
        return _("%(category)s on %(product)s") % {
            "category": self.category,
            "product": self.product,
        }

    def get_absolute_url(self):
        return reverse("quality:cluster-detail", args=[self.pk])


class ClusterComplaint(models.Model):
    cluster = models.ForeignKey(ComplaintCluster, on_delete=models.CASCADE)
    complaint = models.ForeignKey("quality.Complaint", on_delete=models.CASCADE)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cluster", "complaint"], name="cluster_complaint_once")
        ]

    def __str__(self):
        return f"{self.cluster_id}: {self.complaint_id}"


class CampaignQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Staff see the campaigns that contact customers of their branches."""
        if sees_all_branches(user):
            return self.all()
        if not is_staff_member(user):
            return self.none()
        return self.filter(
            pk__in=CampaignContact.objects.filter(branch__in=visible_branch_ids(user)).values(
                "campaign_id"
            )
        ) | self.filter(created_by=user)


class Campaign(models.Model):
    """A quality campaign: every other owner of an affected product gets a care follow-up."""

    class Source(models.TextChoices):
        CLUSTER = "cluster", _("complaint cluster")
        RECALL = "recall", _("manufacturer recall")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    name = models.CharField(_("name"), max_length=150)
    reference = models.SlugField(
        _("reference"),
        max_length=40,
        unique=True,
        help_text=_(
            "Quoted on the service order: a service purchase of the vehicle whose notes or "
            "external reference contain it counts as repaired."
        ),
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    cluster = models.ForeignKey(
        ComplaintCluster,
        verbose_name=_("cluster"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="campaigns",
    )
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="+"
    )
    identifiers = models.TextField(
        _("identifiers / VINs"),
        blank=True,
        help_text=_(
            "Optional: one per line, or a range as FIRST..LAST. Empty: every vehicle of the "
            "product."
        ),
    )
    handover_from = models.DateField(_("handed over from"), null=True, blank=True)
    handover_until = models.DateField(_("handed over until"), null=True, blank=True)
    instructions = models.TextField(_("instructions for the call"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)

    objects = CampaignQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("quality:campaign-detail", args=[self.pk])


class CampaignContact(models.Model):
    """One affected purchase of a campaign and the care follow-up planned for its owner; once per
    purchase (unique), so running the campaign again creates nothing twice."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="contacts"
    )
    purchase = models.ForeignKey(
        Purchase, verbose_name=_("purchase"), on_delete=models.CASCADE, related_name="+"
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    branch = models.ForeignKey(Branch, on_delete=models.PROTECT, related_name="+")
    followup = models.ForeignKey(
        FollowUp,
        verbose_name=_("follow-up"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Why no follow-up was planned, when the contact policy refused it.
    skipped_reason = models.CharField(_("not planned because"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("campaign contact")
        verbose_name_plural = _("campaign contacts")
        ordering = ["pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "purchase"], name="campaign_contact_once_per_purchase"
            )
        ]

    def __str__(self):
        return f"{self.campaign}: {self.customer}"


class ProductComplaintFigures(models.Model):
    """The roll-up behind "complaints per 100 purchases by product": per branch, product and
    month, the purchases of the product and the complaints about them. Rebuilt by
    `quality.campaigns.services.refresh_product_figures` (hourly), because counting purchase lines
    over a million purchases on every dashboard request would be too slow."""

    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="+")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    purchases = models.PositiveIntegerField(default=0)
    complaints = models.PositiveIntegerField(default=0)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("product complaint figures")
        verbose_name_plural = _("product complaint figures")
        constraints = [
            models.UniqueConstraint(
                fields=["branch", "product", "month"], name="product_figures_once"
            )
        ]
        indexes = [models.Index(fields=["month", "branch"], name="product_figures_month")]

    def __str__(self):
        return f"{self.product} {self.month:%Y-%m}"
