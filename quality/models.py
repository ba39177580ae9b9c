from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aftersales import texts
from aftersales.access import BranchScopedQuerySet
from aftersales.models import Branch
from aftersales.rollup_triggers import counted_reference
from aftersales.storage import private_storage
from customers.models import Customer, Purchase
from followups.models import FollowUp, SurveyResponse


class Severity(models.TextChoices):
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")
    CRITICAL = "critical", _("critical")


class Nature(models.TextChoices):
    OBJECTIVE = "objective", _("objective defect")
    SUBJECTIVE = "subjective", _("subjective perception")
    UNKNOWN = "unknown", _("not yet known")


class ComplaintCategory(models.Model):
    """The administrator-editable taxonomy (noise → wind / fan / rattle / creak, ...)."""

    name = models.CharField(_("name"), max_length=100)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent category"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("complaint category")
        verbose_name_plural = _("complaint categories")
        ordering = ["parent__name", "name"]

    def __str__(self):
        return f"{self.parent.name} → {self.name}" if self.parent_id else self.name


class SeverityDeadline(models.Model):
    """How fast a complaint of a severity must be acknowledged and resolved (working time)."""

    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices, unique=True)
    acknowledge_hours = models.PositiveSmallIntegerField(
        _("acknowledge within (working hours)"), validators=[MinValueValidator(1)]
    )
    resolve_days = models.PositiveSmallIntegerField(
        _("resolve within (working days)"), validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("complaint deadline")
        verbose_name_plural = _("complaint deadlines")
        ordering = ["resolve_days"]

    def __str__(self):
        return self.get_severity_display()


class ComplaintStatus(models.TextChoices):
    NEW = "new", _("new")
    ACKNOWLEDGED = "acknowledged", _("acknowledged")
    IN_PROGRESS = "in_progress", _("in progress")
    RESOLVED = "resolved", _("resolved")
    CLOSED = "closed", _("closed")


# What "an open complaint" means, everywhere: still to be resolved.
OPEN_COMPLAINT_STATUSES = [
    ComplaintStatus.NEW,
    ComplaintStatus.ACKNOWLEDGED,
    ComplaintStatus.IN_PROGRESS,
]


class ComplaintQuerySet(BranchScopedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_COMPLAINT_STATUSES)


class Complaint(models.Model):
    Status = ComplaintStatus
    STATUS_BADGES = {
        Status.NEW: "text-bg-warning",
        Status.ACKNOWLEDGED: "text-bg-info",
        Status.IN_PROGRESS: "text-bg-primary",
        Status.RESOLVED: "text-bg-success",
        Status.CLOSED: "text-bg-secondary",
    }

    class Channel(models.TextChoices):
        COUNTER = "counter", _("at the counter")
        PHONE = "phone", _("by phone")
        EMAIL = "email", _("by e-mail")
        LETTER = "letter", _("by letter")
        ONLINE = "online", _("online")

    class Resolution(models.TextChoices):
        REPAIR = "repair", _("repair")
        ADJUSTMENT = "adjustment", _("adjustment")
        EXPLANATION = "explanation", _("explanation")
        GOODWILL = "goodwill", _("goodwill")
        REPLACEMENT = "replacement", _("replacement")
        NONE = "none", _("none")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="complaints"
    )
    purchase = models.ForeignKey(
        Purchase,
        verbose_name=_("purchase"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="complaints"
    )
    # The dissonance dashboard's dimensions, stored when the complaint is recorded so that its
    # filtered figures never join the purchases: the purchase's main category, and whoever sold
    # it, else the customer's responsible salesperson (see quality.dashboard).
    product_category = models.ForeignKey(
        "customers.ProductCategory",
        verbose_name=_("product category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    responsible_salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    channel = models.CharField(_("received"), max_length=10, choices=Channel.choices)
    received_at = models.DateTimeField(_("received at"))
    category = models.ForeignKey(
        ComplaintCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="complaints",
    )
    nature = models.CharField(
        _("nature"), max_length=10, choices=Nature.choices, default=Nature.UNKNOWN
    )
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.MEDIUM
    )
    description = models.TextField(_("in the customer's words"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_complaints",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.NEW
    )
    acknowledge_due_at = models.DateTimeField(_("acknowledge by"))
    resolve_due_at = models.DateTimeField(_("resolve by"))
    acknowledged_at = models.DateTimeField(_("acknowledged"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    resolution = models.CharField(
        _("what was done"), max_length=12, choices=Resolution.choices, blank=True
    )
    resolution_notes = models.TextField(_("resolution notes"), blank=True)
    customer_satisfied = models.BooleanField(_("customer satisfied"), null=True, blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("reopened"), default=0)
    # The audit finding that explains it (quality.audits), linked by the quality manager.
    root_cause = models.ForeignKey(
        "quality.Finding",
        verbose_name=_("root cause"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
    )
    # Set in the same transaction as the manager's notification: a breach escalates once.
    acknowledge_breach_escalated_at = models.DateTimeField(null=True, blank=True)
    resolve_breach_escalated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()
    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")
        permissions = [
            ("view_dissonance_dashboard", _("Can see the dissonance dashboard")),
        ]
        ordering = ["-received_at", "-pk"]
        indexes = [
            models.Index(
                fields=["branch", "status", "-received_at"], name="complaint_branch_status"
            ),
            models.Index(
                fields=["acknowledge_due_at"],
                condition=models.Q(status="new"),
                name="complaint_ack_due",
            ),
            models.Index(
                fields=["resolve_due_at"],
                condition=models.Q(status__in=OPEN_COMPLAINT_STATUSES),
                name="complaint_resolve_due",
            ),
            models.Index(fields=["customer", "-received_at"], name="complaint_customer"),
            # The lists' default order by date at any number of branches (quality.selectors).
            models.Index(fields=["received_at", "id"], name="complaint_received_order"),
            models.Index(
                fields=["branch", "product_category", "-received_at"],
                name="complaint_branch_category",
            ),
            models.Index(
                fields=["branch", "responsible_salesperson", "-received_at"],
                name="complaint_branch_seller",
            ),
        ]

    def __str__(self):
        return _("Complaint %(number)s") % {"number": self.pk}

    def get_absolute_url(self):
        return reverse("quality:complaint-detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status in OPEN_COMPLAINT_STATUSES

    @property
    def acknowledged_late(self):
        return bool(self.acknowledged_at and self.acknowledged_at > self.acknowledge_due_at)


def attachment_path(attachment, filename):
    return f"complaints/{attachment.complaint_id}/{filename}"


class ComplaintAttachment(models.Model):
    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="attachments"
    )
    file = models.FileField(_("file"), upload_to=attachment_path, storage=private_storage)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.name


class ComplaintEvent(models.Model):
    """Every transition of a complaint: who moved it from what to what, when."""

    complaint = models.ForeignKey(
        Complaint, verbose_name=_("complaint"), on_delete=models.CASCADE, related_name="events"
    )
    from_status = models.CharField(max_length=12, choices=Complaint.Status.choices, blank=True)
    to_status = models.CharField(max_length=12, choices=Complaint.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(_("when"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("complaint event")
        verbose_name_plural = _("complaint events")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.from_status} → {self.to_status}"


class ComplaintCorrection(models.Model):
    """One correction of what was recorded about an open complaint: who changed which facts from
    what to what, when and why (quality.services.correct_complaint)."""

    # What a correction may change; the branch and the owner can follow a new customer or
    # purchase and are then recorded too.
    FIELDS = ("customer", "purchase", "category", "nature", "severity")

    complaint = models.ForeignKey(
        Complaint,
        verbose_name=_("complaint"),
        on_delete=models.CASCADE,
        related_name="corrections",
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("corrected by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    at = models.DateTimeField(_("when"))
    # Required by the service; blank only once the customer's data has been erased.
    reason = models.TextField(_("reason"))
    # {"purchase": {"from": null, "to": 541}, "severity": {"from": "low", "to": "high"}}: the ids
    # of customers, purchases, categories, branches and owners and the values of nature and
    # severity, so that they are named in the reader's language when shown.
    changes = models.JSONField(_("changes"))

    class Meta:
        verbose_name = _("complaint correction")
        verbose_name_plural = _("complaint corrections")
        ordering = ["at", "pk"]

    def __str__(self):
        return _("Correction of complaint %(number)s") % {"number": self.complaint_id}


class Level(models.TextChoices):
    LOW = "low", _("low")
    ELEVATED = "elevated", _("elevated")
    HIGH = "high", _("high")
    CRITICAL = "critical", _("critical")


class DissonanceSignal(models.Model):
    """One sign of post-purchase doubt, with where it came from and how much it weighs."""

    class Kind(models.TextChoices):
        COMPLAINT = "complaint", _("complaint")
        REPEATED_COMPLAINT = "repeated_complaint", _("repeated complaint on the same purchase")
        UNSATISFIED_RESOLUTION = "unsatisfied_resolution", _("not satisfied with the resolution")
        REOPENED_COMPLAINT = "reopened_complaint", _("complaint reopened")
        LOW_SURVEY = "low_survey", _("low survey answer")
        FOLLOWUP_CONCERN = "followup_concern", _("concern raised in a follow-up")
        NOT_REACHED = "not_reached", _("repeatedly not reached")
        MISSED_FOLLOWUP = "missed_followup", _("missed follow-up")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="signals"
    )
    purchase = models.ForeignKey(
        Purchase,
        verbose_name=_("purchase"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="signals",
    )
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT)
    # The dashboard's dimensions, stored when the signal is recorded so that its filtered
    # figures never join the purchases: the purchase's main category, and whoever sold it, else
    # the customer's responsible salesperson (see quality.dashboard).
    category = models.ForeignKey(
        "customers.ProductCategory",
        verbose_name=_("product category"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=25, choices=Kind.choices)
    weight = models.PositiveSmallIntegerField(_("weight (points)"))
    occurred_at = models.DateTimeField(_("when"))
    # The purchase's handover, kept with the signal by the services that write signals and move
    # handovers (quality.services.signal_facts), so that the dashboard weighs the first months
    # after handover without joining every purchase.
    handover_date = models.DateField(null=True, blank=True, editable=False)
    # The signal in words is a code and its parameters (aftersales.texts, quality.texts), written
    # out when read in the reader's language from the complaint, follow-up or survey answer as
    # they are now; `summary` keeps the words as first written, shown only for a row whose code
    # is unknown (an old one that could not be recognised).
    summary = models.CharField(_("what"), max_length=200)
    summary_code = models.CharField(max_length=60, blank=True)
    summary_params = models.JSONField(default=dict, blank=True)
    # The source, so that the same event never counts twice (see the unique constraint).
    source_key = models.CharField(max_length=80)
    complaint = models.ForeignKey(
        Complaint, on_delete=models.CASCADE, null=True, blank=True, related_name="signals"
    )
    followup = models.ForeignKey(
        FollowUp, on_delete=models.CASCADE, null=True, blank=True, related_name="signals"
    )
    survey_response = models.ForeignKey(
        SurveyResponse, on_delete=models.CASCADE, null=True, blank=True, related_name="signals"
    )

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("dissonance signal")
        verbose_name_plural = _("dissonance signals")
        ordering = ["-occurred_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["source_key"], name="signal_once_per_source")
        ]
        indexes = [
            models.Index(fields=["customer", "-occurred_at"], name="signal_customer"),
            models.Index(fields=["branch", "-occurred_at"], name="signal_branch"),
            models.Index(
                fields=["branch", "category", "-occurred_at"], name="signal_branch_category"
            ),
            models.Index(
                fields=["branch", "salesperson", "-occurred_at"], name="signal_branch_seller"
            ),
        ]

    def __str__(self):
        return self.text

    @property
    def text(self):
        return texts.render(
            self.summary_code, self.summary_params, source=self, fallback=self.summary
        )


class SignalMonth(models.Model):
    """Per month (its first day, in the project's time zone), branch and customer: the signals
    that occurred, their points, and the points as the score weighs them (`added`: involvement
    and early-months factors), so that each customer's month is capped at 100 as the trend
    wants it; SignalBranchMonth adds these rows up per branch for the dissonance dashboard's
    trend (quality.dashboard.signal_figures), which then never reads a year of signals.

    The database keeps it: statement triggers on the signals add every insert, change and
    delete here (migration quality 0016), and the nightly tick rebuilds it
    (quality.dashboard.rebuild_signal_months), which also follows a category's changed
    involvement. Rows whose signals all went away stay with zero until then.
    """

    month = models.DateField()
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="+")
    customer = counted_reference(Customer)
    signals = models.IntegerField(default=0)
    points = models.IntegerField(default=0)
    # Exact (weights times factors of one decimal each), so that change by change adds up to
    # the same as all at once.
    added = models.DecimalField(max_digits=14, decimal_places=3, default=0)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly signal roll-up")
        verbose_name_plural = _("monthly signal roll-ups")
        constraints = [
            models.UniqueConstraint(fields=["month", "branch", "customer"], name="signal_month_key")
        ]

    def __str__(self):
        return f"{self.month:%Y-%m}: {self.signals}"


class SignalBranchMonth(models.Model):
    """SignalMonth added up per month and branch: the customers with signals, their signals and
    points, and the sum of what the month's signals add to each one's score (capped at 100 per
    customer), so that the trend reads two dozen rows, not one per customer. A trigger on
    SignalMonth keeps it (migration quality 0017)."""

    month = models.DateField()
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="+")
    customers = models.IntegerField(default=0)
    signals = models.IntegerField(default=0)
    points = models.IntegerField(default=0)
    score_sum = models.IntegerField(default=0)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("monthly signal roll-up per branch")
        verbose_name_plural = _("monthly signal roll-ups per branch")
        constraints = [
            models.UniqueConstraint(fields=["month", "branch"], name="signal_branch_month_key")
        ]

    def __str__(self):
        return f"{self.month:%Y-%m}: {self.customers} customers"


class ComplaintDay(models.Model):
    """Complaints received per day (in the project's time zone), branch, complaint category,
    dashboard dimensions (product category, salesperson) and nature: the dashboard's trend and
    top complaint categories and the staff scorecards add these up instead of reading a year of
    complaints. A trigger
    on complaints keeps it (migration quality 0018), the nightly tick rebuilds it."""

    day = models.DateField()
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="+")
    category = counted_reference(ComplaintCategory)
    product_category = counted_reference("customers.ProductCategory", null=True)
    salesperson = counted_reference(settings.AUTH_USER_MODEL, null=True)
    nature = models.CharField(max_length=10, choices=Nature.choices)
    complaints = models.IntegerField(default=0)
    # Of them, those open now (OPEN_COMPLAINT_STATUSES): the staff scorecards show them.
    open_complaints = models.IntegerField(default=0)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("daily complaint roll-up")
        verbose_name_plural = _("daily complaint roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "branch", "category", "product_category", "salesperson", "nature"],
                name="complaint_day_key",
                nulls_distinct=False,
            )
        ]

    def __str__(self):
        return f"{self.day}: {self.complaints}"


class DissonanceScore(models.Model):
    """The stored score of a customer (purchase empty) or of one purchase, with its reasons."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="scores"
    )
    purchase = models.ForeignKey(
        Purchase,
        verbose_name=_("purchase"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="scores",
    )
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT)
    score = models.PositiveSmallIntegerField(_("score"), default=0)
    level = models.CharField(_("level"), max_length=10, choices=Level.choices, default=Level.LOW)
    # [{"summary", "kind", "points", "share", "occurred_at", "signal"}], largest first.
    reasons = models.JSONField(_("reasons"), default=list)
    computed_at = models.DateTimeField(_("computed"))
    level_changed_at = models.DateTimeField(_("level since"), null=True, blank=True)
    recovery_followup = models.ForeignKey(
        FollowUp,
        verbose_name=_("recovery follow-up"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("dissonance score")
        verbose_name_plural = _("dissonance scores")
        constraints = [
            models.UniqueConstraint(
                fields=["customer"],
                condition=models.Q(purchase__isnull=True),
                name="score_one_per_customer",
            ),
            models.UniqueConstraint(
                fields=["purchase"],
                condition=models.Q(purchase__isnull=False),
                name="score_one_per_purchase",
            ),
        ]
        indexes = [
            models.Index(
                fields=["branch", "-score"],
                condition=models.Q(purchase__isnull=True),
                name="score_customer_ranking",
            ),
        ]

    def __str__(self):
        return f"{self.customer}: {self.score}"


# The domain packages' models (app label "quality"), gathered here where Django looks for them.
from quality.audits.models import (  # noqa: E402
    Area,
    Audit,
    AuditAnswer,
    AuditItem,
    AuditPhoto,
    AuditSection,
    AuditTemplate,
    AuditTemplateVersion,
    CommunicationSample,
    CorrectiveAction,
    Finding,
    InvoiceSample,
)
from quality.campaigns.models import (  # noqa: E402
    Campaign,
    CampaignContact,
    ClusterComplaint,
    ClusterRule,
    ComplaintCluster,
    ProductComplaintFigures,
)

__all__ = [
    "OPEN_COMPLAINT_STATUSES",
    "Area",
    "Audit",
    "AuditAnswer",
    "AuditItem",
    "AuditPhoto",
    "AuditSection",
    "AuditTemplate",
    "AuditTemplateVersion",
    "Campaign",
    "CampaignContact",
    "ClusterComplaint",
    "ClusterRule",
    "CommunicationSample",
    "Complaint",
    "ComplaintAttachment",
    "ComplaintCategory",
    "ComplaintCluster",
    "ComplaintCorrection",
    "ComplaintEvent",
    "ComplaintQuerySet",
    "ComplaintStatus",
    "CorrectiveAction",
    "DissonanceScore",
    "DissonanceSignal",
    "Finding",
    "InvoiceSample",
    "Level",
    "Nature",
    "ProductComplaintFigures",
    "Severity",
    "SeverityDeadline",
    "attachment_path",
]
