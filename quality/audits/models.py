"""Quality audits' models: templates (versioned checklists per business area), the audits of the
yearly plan with their answers and photos, the invoice and communication samples, findings and
corrective actions.

App label "quality" (Django finds the containing app); quality/models.py imports them at its end.
"""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.access import (
    BranchScopedQuerySet,
    is_staff_member,
    sees_all_branches,
    visible_branch_ids,
)
from aftersales.models import Branch, OutgoingEmail
from aftersales.roles import Role
from aftersales.storage import private_storage
from customers.models import Customer, Purchase
from followups.models import ContactEvent
from quality.checklists.models import (
    ChecklistItem,
    ChecklistSection,
    ChecklistTemplate,
    ChecklistVersion,
    ItemKind,
)

DEFAULT_PASS_THRESHOLD = 80
# Reminders before an audit and a corrective action are due (and again on the day).
REMINDER_DAYS_BEFORE = 3


class Area(models.TextChoices):
    SALES = "sales", _("Sales")
    SERVICE_RECEPTION = "service_reception", _("Service reception")
    WORKSHOP = "workshop", _("Workshop / technical")
    PURCHASING = "purchasing", _("Purchasing")
    WAREHOUSE = "warehouse", _("Warehouse")
    COMMUNICATION = "communication", _("Customer communication")
    INVOICING = "invoicing", _("Invoicing")


class FindingSeverity(models.TextChoices):
    MINOR = "minor", _("minor")
    MAJOR = "major", _("major")
    CRITICAL = "critical", _("critical")


# --- templates -----------------------------------------------------------------------------------


class AuditTemplate(ChecklistTemplate):
    """An audit checklist for one business area; its items live in versions (an audit keeps the
    version it was carried out on, so editing the template never changes a completed audit)."""

    area = models.CharField(_("area"), max_length=20, choices=Area.choices)

    class Meta:
        verbose_name = _("audit template")
        verbose_name_plural = _("audit templates")
        ordering = ["area", "name"]

    def get_absolute_url(self):
        return reverse("quality:audit-template-detail", args=[self.pk])


class AuditTemplateVersion(ChecklistVersion):
    template = models.ForeignKey(
        AuditTemplate, verbose_name=_("template"), on_delete=models.CASCADE, related_name="versions"
    )
    pass_threshold = models.PositiveSmallIntegerField(
        _("pass threshold (%)"),
        default=DEFAULT_PASS_THRESHOLD,
        validators=[MaxValueValidator(100)],
        help_text=_("An audit below this overall score, or with a critical item failed, fails."),
    )

    class Meta:
        verbose_name = _("audit template version")
        verbose_name_plural = _("audit template versions")
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="audit_version_unique")
        ]


class AuditSection(ChecklistSection):
    version = models.ForeignKey(
        AuditTemplateVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="sections",
    )

    class Meta:
        verbose_name = _("audit section")
        verbose_name_plural = _("audit sections")
        ordering = ["version", "position", "pk"]


class AuditItem(ChecklistItem):
    class Kind(models.TextChoices):
        YES_NO = ItemKind.YES_NO.value, _("Pass / fail")
        SCALE = ItemKind.SCALE.value, _("Score 1–5")
        MEASURED = ItemKind.MEASURED.value, _("Measured value against a target")
        OBSERVATION = ItemKind.OBSERVATION.value, _("Free observation (not scored)")

    section = models.ForeignKey(
        AuditSection, verbose_name=_("section"), on_delete=models.CASCADE, related_name="items"
    )
    guidance = models.TextField(
        _("guidance for the auditor"), blank=True, help_text=_("What counts as passed.")
    )
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.YES_NO)
    target_value = models.DecimalField(
        _("target"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("Only for measured values."),
    )
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    higher_is_better = models.BooleanField(
        _("higher is better"),
        default=False,
        help_text=_(
            "Measured values: full marks at the target or above, none at half of it. "
            "Otherwise full marks up to the target, none at twice it."
        ),
    )
    is_critical = models.BooleanField(
        _("critical"),
        default=False,
        help_text=_("Failing it fails the audit whatever the overall score."),
    )

    class Meta:
        verbose_name = _("audit item")
        verbose_name_plural = _("audit items")
        ordering = ["section", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="measured") | Q(target_value__gt=0),
                name="audit_item_measured_has_target",
            ),
        ]

    @property
    def target(self):
        return self.target_value


# --- audits --------------------------------------------------------------------------------------


class AuditStatus(models.TextChoices):
    PLANNED = "planned", _("planned")
    IN_PROGRESS = "in_progress", _("in progress")
    SUBMITTED = "submitted", _("submitted")
    SIGNED_OFF = "signed_off", _("signed off")
    CANCELLED = "cancelled", _("cancelled")


# Still to be carried out: these can be overdue.
OPEN_AUDIT_STATUSES = [AuditStatus.PLANNED, AuditStatus.IN_PROGRESS]
DONE_AUDIT_STATUSES = [AuditStatus.SUBMITTED, AuditStatus.SIGNED_OFF]


class AuditQuerySet(BranchScopedQuerySet):
    def open(self):
        return self.filter(status__in=OPEN_AUDIT_STATUSES)

    def overdue(self, today=None):
        return self.open().filter(due_on__lt=today or timezone.localdate())

    def done(self):
        return self.filter(status__in=DONE_AUDIT_STATUSES)


class Audit(models.Model):
    """One audit of the yearly plan: a branch, an area's template, a due date. Carried out on the
    version it was started with; scored when submitted; locked when signed off."""

    Status = AuditStatus

    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="audits"
    )
    template = models.ForeignKey(
        AuditTemplate, verbose_name=_("template"), on_delete=models.PROTECT, related_name="audits"
    )
    version = models.ForeignKey(
        AuditTemplateVersion, on_delete=models.PROTECT, related_name="audits"
    )
    # The template's area, stored so that the plan and the dashboard never join the templates.
    area = models.CharField(_("area"), max_length=20, choices=Area.choices)
    due_on = models.DateField(_("due"))
    auditor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("auditor"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audits",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    notes = models.TextField(_("summary"), blank=True)
    score = models.DecimalField(
        _("score (%)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    section_scores = models.JSONField(_("section scores"), default=list, blank=True)
    critical_failed = models.BooleanField(_("critical item failed"), default=False)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    signed_off_at = models.DateTimeField(_("signed off"), null=True, blank=True)
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("signed off by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Set in the same transaction as the auditor's notification: each reminder goes out once.
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    due_notice_sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit")
        verbose_name_plural = _("audits")
        ordering = ["due_on", "pk"]
        permissions = [
            ("sign_off_audit", _("Can sign off audits")),
            ("view_quality_dashboard", _("Can see the quality dashboard")),
        ]
        indexes = [
            models.Index(fields=["branch", "area", "due_on"], name="audit_branch_area_due"),
            models.Index(
                fields=["due_on"],
                condition=Q(status__in=["planned", "in_progress"]),
                name="audit_open_due",
            ),
        ]

    def __str__(self):
        return _("%(area)s audit at %(branch)s") % {
            "area": self.get_area_display(),
            "branch": self.branch,
        }

    def get_absolute_url(self):
        return reverse("quality:audit-detail", args=[self.pk])

    @property
    def is_editable(self):
        return self.status in OPEN_AUDIT_STATUSES

    @property
    def is_locked(self):
        return self.status in {AuditStatus.SIGNED_OFF, AuditStatus.CANCELLED}

    @property
    def is_overdue(self):
        return self.status in OPEN_AUDIT_STATUSES and self.due_on < timezone.localdate()


class AuditAnswer(models.Model):
    audit = models.ForeignKey(
        Audit, verbose_name=_("audit"), on_delete=models.CASCADE, related_name="answers"
    )
    item = models.ForeignKey(
        AuditItem, verbose_name=_("item"), on_delete=models.PROTECT, related_name="answers"
    )
    met = models.BooleanField(_("passed"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("score"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    value = models.DecimalField(
        _("measured value"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    note = models.TextField(_("note"), blank=True)
    # Share of the item's points earned (0 to 1), set when the audit is submitted.
    points = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)

    class Meta:
        verbose_name = _("audit answer")
        verbose_name_plural = _("audit answers")
        ordering = ["item__section__position", "item__position", "item_id"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "item"], name="audit_answer_once"),
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="audit_answer_rating_1_to_5",
            ),
        ]

    def __str__(self):
        return str(self.item)


def audit_photo_path(photo, filename):
    return f"audits/{photo.audit_id}/{filename}"


class AuditPhoto(models.Model):
    """A photo taken during an audit, for one item; private, streamed after a permission check."""

    audit = models.ForeignKey(
        Audit, verbose_name=_("audit"), on_delete=models.CASCADE, related_name="photos"
    )
    item = models.ForeignKey(
        AuditItem,
        verbose_name=_("item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    file = models.FileField(_("file"), upload_to=audit_photo_path, storage=private_storage)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("audit photo")
        verbose_name_plural = _("audit photos")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.name


# --- samples -------------------------------------------------------------------------------------


class InvoiceErrorKind(models.TextChoices):
    WRONG_PRICE = "wrong_price", _("wrong price")
    DISCOUNT_MISSING = "discount_missing", _("agreed discount or goodwill missing")
    UNCLEAR_ITEM = "unclear_item", _("unclear or surprising item")
    WRONG_CUSTOMER_DATA = "wrong_customer_data", _("wrong customer data")
    LATE = "late", _("late")


# The boolean field of each error type on InvoiceSample.
INVOICE_ERROR_FIELDS = {
    InvoiceErrorKind.WRONG_PRICE: "wrong_price",
    InvoiceErrorKind.DISCOUNT_MISSING: "discount_missing",
    InvoiceErrorKind.UNCLEAR_ITEM: "unclear_item",
    InvoiceErrorKind.WRONG_CUSTOMER_DATA: "wrong_customer_data",
    InvoiceErrorKind.LATE: "late",
}


class InvoiceSample(models.Model):
    """One invoice the auditor looked at in an invoicing audit: where the customer feels quality
    on paper."""

    audit = models.ForeignKey(
        Audit, verbose_name=_("audit"), on_delete=models.CASCADE, related_name="invoice_samples"
    )
    number = models.CharField(_("invoice number"), max_length=40)
    invoice_date = models.DateField(_("invoice date"))
    amount = models.DecimalField(_("amount"), max_digits=12, decimal_places=2)
    purchase = models.ForeignKey(
        Purchase,
        verbose_name=_("purchase or service"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    wrong_price = models.BooleanField(InvoiceErrorKind.WRONG_PRICE.label, default=False)
    discount_missing = models.BooleanField(InvoiceErrorKind.DISCOUNT_MISSING.label, default=False)
    unclear_item = models.BooleanField(InvoiceErrorKind.UNCLEAR_ITEM.label, default=False)
    wrong_customer_data = models.BooleanField(
        InvoiceErrorKind.WRONG_CUSTOMER_DATA.label, default=False
    )
    late = models.BooleanField(InvoiceErrorKind.LATE.label, default=False)
    clarity = models.PositiveSmallIntegerField(
        _("clarity and tone (1–5)"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("Would the customer understand every line? 1 not at all, 5 completely."),
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        verbose_name = _("invoice sample")
        verbose_name_plural = _("invoice samples")
        ordering = ["invoice_date", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "number"], name="invoice_sample_once"),
            models.CheckConstraint(
                condition=Q(clarity__gte=1, clarity__lte=5), name="invoice_clarity_1_to_5"
            ),
        ]

    def __str__(self):
        return self.number

    @property
    def errors(self):
        return [kind for kind, name in INVOICE_ERROR_FIELDS.items() if getattr(self, name)]

    @property
    def has_error(self):
        return bool(self.errors)


class CommunicationSample(models.Model):
    """One e-mail the system sent to a customer, or one logged contact, drawn at random for a
    communication audit and rated by the auditor."""

    class Source(models.TextChoices):
        EMAIL = "email", _("e-mail sent")
        CONTACT = "contact", _("logged contact")

    audit = models.ForeignKey(
        Audit,
        verbose_name=_("audit"),
        on_delete=models.CASCADE,
        related_name="communication_samples",
    )
    source = models.CharField(_("source"), max_length=10, choices=Source.choices)
    email = models.ForeignKey(
        OutgoingEmail, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    contact = models.ForeignKey(
        ContactEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="+"
    )
    sent_at = models.DateTimeField(_("sent"))
    summary = models.CharField(_("what"), max_length=200)
    correctness = models.PositiveSmallIntegerField(_("correctness"), null=True, blank=True)
    clarity = models.PositiveSmallIntegerField(_("clarity"), null=True, blank=True)
    tone = models.PositiveSmallIntegerField(_("tone"), null=True, blank=True)
    timeliness = models.PositiveSmallIntegerField(_("timeliness"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)

    RATINGS = ("correctness", "clarity", "tone", "timeliness")

    class Meta:
        verbose_name = _("communication sample")
        verbose_name_plural = _("communication samples")
        ordering = ["sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "email"],
                condition=Q(email__isnull=False),
                name="communication_email_once",
            ),
            models.UniqueConstraint(
                fields=["audit", "contact"],
                condition=Q(contact__isnull=False),
                name="communication_contact_once",
            ),
        ]

    def __str__(self):
        return self.summary

    @property
    def is_rated(self):
        return all(getattr(self, name) is not None for name in self.RATINGS)


# --- findings and corrective actions -------------------------------------------------------------


class FindingQuerySet(BranchScopedQuerySet):
    def visible_to(self, user):
        """Quality managers and managers: their branches' findings. Everyone else on the staff:
        the findings behind complaints they own or recorded, and those with an action of theirs."""
        if sees_all_branches(user):
            return self.all()
        if not is_staff_member(user):
            return self.none()
        if user.has_role(Role.QUALITY, Role.MANAGER):
            return self.filter(branch__in=visible_branch_ids(user))
        return self.filter(
            Q(complaints__owner=user)
            | Q(complaints__created_by=user)
            | Q(complaints__customer__salesperson=user)
            | Q(actions__owner=user),
            branch__in=visible_branch_ids(user),
        ).distinct()


class Finding(models.Model):
    """What an audit found wrong (one per failed item, or recorded by hand): it explains the
    complaints linked to it as their root cause and is fixed by its corrective actions."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        CLOSED = "closed", _("closed")

    audit = models.ForeignKey(
        Audit,
        verbose_name=_("audit"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="findings",
    )
    item = models.ForeignKey(
        AuditItem,
        verbose_name=_("item"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="findings"
    )
    area = models.CharField(_("area"), max_length=20, choices=Area.choices)
    severity = models.CharField(
        _("severity"),
        max_length=10,
        choices=FindingSeverity.choices,
        default=FindingSeverity.MAJOR,
    )
    title = models.CharField(_("title"), max_length=250)
    description = models.TextField(_("description"), blank=True)
    evidence = models.TextField(_("evidence"), blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "item"],
                condition=Q(audit__isnull=False, item__isnull=False),
                name="finding_once_per_failed_item",
            ),
        ]
        indexes = [
            models.Index(
                fields=["branch", "created_at"],
                condition=Q(status="open"),
                name="finding_open_branch",
            ),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("quality:finding-detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status == self.Status.OPEN


class ActionStatus(models.TextChoices):
    OPEN = "open", _("open")
    COMPLETED = "completed", _("completed, to be verified")
    VERIFIED = "verified", _("verified")


class CorrectiveActionQuerySet(BranchScopedQuerySet):
    branch_lookup = "finding__branch"

    def visible_to(self, user):
        """Quality managers and managers: their branches' actions; anyone on the staff: the
        actions they own."""
        if sees_all_branches(user):
            return self.all()
        if not is_staff_member(user):
            return self.none()
        if user.has_role(Role.QUALITY, Role.MANAGER):
            return self.filter(Q(finding__branch__in=visible_branch_ids(user)) | Q(owner=user))
        return self.filter(owner=user)

    def open(self):
        return self.filter(status=ActionStatus.OPEN)

    def overdue(self, today=None):
        return self.open().filter(due_on__lt=today or timezone.localdate())


class CorrectiveAction(models.Model):
    Status = ActionStatus

    finding = models.ForeignKey(
        Finding, verbose_name=_("finding"), on_delete=models.CASCADE, related_name="actions"
    )
    description = models.TextField(_("what is to be done"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="corrective_actions",
    )
    due_on = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    completion_note = models.TextField(_("evidence of completion"), blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    verification_note = models.TextField(_("verification note"), blank=True)
    reopened_count = models.PositiveSmallIntegerField(_("reopened"), default=0)
    # Set in the same transaction as the notifications: each goes out once per round (a reopened
    # action starts a new round: the dedupe keys carry reopened_count).
    reminder_sent_at = models.DateTimeField(null=True, blank=True)
    due_notice_sent_at = models.DateTimeField(null=True, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = CorrectiveActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("corrective action")
        verbose_name_plural = _("corrective actions")
        ordering = ["due_on", "pk"]
        permissions = [("verify_correctiveaction", _("Can verify corrective actions"))]
        indexes = [
            models.Index(fields=["due_on"], condition=Q(status="open"), name="action_open_due"),
            models.Index(fields=["owner", "status"], name="action_owner_status"),
        ]

    def __str__(self):
        return self.description[:80]

    def get_absolute_url(self):
        return reverse("quality:finding-detail", args=[self.finding_id]) + f"#action-{self.pk}"

    @property
    def is_overdue(self):
        return self.status == ActionStatus.OPEN and self.due_on < timezone.localdate()

    def reminder_due_on(self):
        return self.due_on - timedelta(days=REMINDER_DAYS_BEFORE)
