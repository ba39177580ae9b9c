"""Mystery shopping's models: scorecard templates with their versions, sections and criteria, the
assignments of shoppers to branches, and the results with their answers and attachments.

App label "staff" (Django finds the containing app); staff/models/__init__.py re-exports them."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.access import BranchScopedQuerySet, is_staff_member, sees_all_branches
from aftersales.models import Branch
from aftersales.roles import Role
from aftersales.storage import private_storage
from quality.checklists.models import (
    ChecklistItem,
    ChecklistSection,
    ChecklistTemplate,
    ChecklistVersion,
    ItemKind,
)

DEFAULT_COACHING_THRESHOLD = 70


class Scenario(models.TextChoices):
    SHOWROOM_VISIT = "showroom_visit", _("Showroom visit")
    PHONE_ENQUIRY = "phone_enquiry", _("Phone enquiry")
    SERVICE_APPOINTMENT = "service_appointment", _("Service appointment")
    VEHICLE_HANDOVER = "vehicle_handover", _("Vehicle handover")
    COMPLAINT_CALL = "complaint_call", _("Complaint call")
    EMAIL_ENQUIRY = "email_enquiry", _("E-mail enquiry")


class ScorecardTemplate(ChecklistTemplate):
    """A mystery-shop scorecard for one scenario (the shared versioned checklist,
    quality.checklists). Its questions live in versions: a version that an assignment uses is
    never changed again, so editing never alters a submitted result."""

    scenario = models.CharField(_("scenario"), max_length=30, choices=Scenario.choices)

    class Meta:
        verbose_name = _("scorecard template")
        verbose_name_plural = _("scorecard templates")
        ordering = ["scenario", "name"]

    def get_absolute_url(self):
        return reverse("staff:template-detail", args=[self.pk])


class ScorecardVersion(ChecklistVersion):
    template = models.ForeignKey(
        ScorecardTemplate,
        verbose_name=_("template"),
        on_delete=models.CASCADE,
        related_name="versions",
    )
    number = models.PositiveSmallIntegerField(_("version"))
    coaching_threshold = models.PositiveSmallIntegerField(
        _("coaching threshold (%)"),
        default=DEFAULT_COACHING_THRESHOLD,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "An accepted result below this overall score opens a coaching action for the "
            "employee's manager (so does any critical criterion that was not met)."
        ),
    )

    class Meta:
        verbose_name = _("scorecard version")
        verbose_name_plural = _("scorecard versions")
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="scorecard_version_unique")
        ]


class ScorecardSection(ChecklistSection):
    version = models.ForeignKey(
        ScorecardVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="sections",
    )

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["version", "position", "pk"]


class Criterion(ChecklistItem):
    class Kind(models.TextChoices):
        YES_NO = ItemKind.YES_NO.value, ItemKind.YES_NO.label
        SCALE = ItemKind.SCALE.value, ItemKind.SCALE.label
        MINUTES = ItemKind.MINUTES.value, ItemKind.MINUTES.label
        OBSERVATION = ItemKind.OBSERVATION.value, ItemKind.OBSERVATION.label

    section = models.ForeignKey(
        ScorecardSection,
        verbose_name=_("section"),
        on_delete=models.CASCADE,
        related_name="criteria",
    )
    guidance = models.TextField(
        _("guidance for the shopper"), blank=True, help_text=_("What counts as met.")
    )
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.YES_NO)
    target_minutes = models.PositiveSmallIntegerField(
        _("target (minutes)"),
        null=True,
        blank=True,
        help_text=_("Only for “minutes waited”: full marks up to this, none at twice as long."),
    )
    is_critical = models.BooleanField(
        _("critical"),
        default=False,
        help_text=_("Not meeting it opens a coaching action whatever the overall score."),
    )

    class Meta:
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        ordering = ["section", "position", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kind="minutes") | models.Q(target_minutes__gt=0),
                name="criterion_minutes_have_target",
            ),
        ]

    @property
    def target(self):
        return self.target_minutes


class AssignmentQuerySet(BranchScopedQuerySet):
    def visible_to(self, user):
        """Staff see their branches' assignments; a mystery shopper sees only their own."""
        if sees_all_branches(user) or is_staff_member(user):
            return super().visible_to(user)
        if user.is_authenticated and user.is_active and user.has_role(Role.MYSTERY_SHOPPER):
            return self.filter(shopper=user)
        return self.none()


class MysteryShopAssignment(models.Model):
    """A quality manager sends a mystery shopper to a branch for a scenario in a date window."""

    template = models.ForeignKey(
        ScorecardTemplate,
        verbose_name=_("scorecard"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    # Fixed when the assignment is made: later edits of the template make a new version.
    version = models.ForeignKey(
        ScorecardVersion, on_delete=models.PROTECT, related_name="assignments"
    )
    shopper = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("mystery shopper"),
        on_delete=models.PROTECT,
        related_name="mystery_shop_assignments",
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+"
    )
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("employee to observe"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Optional. Leave empty to let the shopper record whoever served them."),
    )
    window_start = models.DateField(_("from"))
    window_end = models.DateField(_("until"))
    instructions = models.TextField(_("instructions for the shopper"), blank=True)
    cancelled_at = models.DateTimeField(_("cancelled"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("mystery-shop assignment")
        verbose_name_plural = _("mystery-shop assignments")
        ordering = ["window_start", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(window_end__gte=models.F("window_start")),
                name="assignment_window_in_order",
            ),
        ]
        indexes = [
            models.Index(fields=["shopper", "window_start"], name="assignment_shopper"),
            models.Index(fields=["branch", "-window_start"], name="assignment_branch"),
        ]

    def __str__(self):
        return _("%(scenario)s at %(branch)s") % {
            "scenario": self.template.get_scenario_display(),
            "branch": self.branch,
        }

    def get_absolute_url(self):
        return reverse("staff:assignment-detail", args=[self.pk])

    @property
    def is_cancelled(self):
        return self.cancelled_at is not None


class ResultQuerySet(BranchScopedQuerySet):
    branch_lookup = "assignment__branch"

    def visible_to(self, user):
        if sees_all_branches(user) or is_staff_member(user):
            return super().visible_to(user)
        if user.is_authenticated and user.is_active and user.has_role(Role.MYSTERY_SHOPPER):
            return self.filter(assignment__shopper=user)
        return self.none()

    def counting(self):
        """Results that count on scorecards: the accepted ones."""
        return self.filter(status=MysteryShopResult.Status.ACCEPTED)


class MysteryShopResult(models.Model):
    """What the shopper saw. Editable while a draft (or when sent back with a question), locked
    once submitted; counts on scorecards once the quality manager accepts it."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SUBMITTED = "submitted", _("submitted")
        RETURNED = "returned", _("sent back with a question")
        ACCEPTED = "accepted", _("accepted")

    assignment = models.OneToOneField(
        MysteryShopAssignment,
        verbose_name=_("assignment"),
        on_delete=models.CASCADE,
        related_name="result",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    visited_at = models.DateTimeField(_("visit date and time"), null=True, blank=True)
    served_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("served by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mystery_shop_results",
    )
    served_by_description = models.CharField(
        _("or describe who served you"),
        max_length=250,
        blank=True,
        help_text=_("When you do not know the name: appearance, name badge, desk."),
    )
    comments = models.TextField(_("comments"), blank=True)
    # Computed when submitted (the version's criteria never change afterwards): percentages.
    score = models.DecimalField(
        _("score (%)"), max_digits=5, decimal_places=1, null=True, blank=True
    )
    section_scores = models.JSONField(_("section scores"), default=list, blank=True)
    critical_failed = models.BooleanField(_("critical criterion not met"), default=False)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    review_question = models.TextField(_("question from the reviewer"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ResultQuerySet.as_manager()

    class Meta:
        verbose_name = _("mystery-shop result")
        verbose_name_plural = _("mystery-shop results")
        ordering = ["-submitted_at", "-pk"]
        permissions = [
            ("review_mysteryshopresult", _("Can accept or send back mystery-shop results")),
        ]
        indexes = [
            models.Index(
                fields=["served_by", "accepted_at"],
                condition=models.Q(status="accepted"),
                name="result_accepted_by_employee",
            ),
        ]

    def __str__(self):
        return str(self.assignment)

    def get_absolute_url(self):
        return reverse("staff:result-detail", args=[self.pk])

    @property
    def is_editable(self):
        return self.status in {self.Status.DRAFT, self.Status.RETURNED}


class Answer(models.Model):
    result = models.ForeignKey(
        MysteryShopResult,
        verbose_name=_("result"),
        on_delete=models.CASCADE,
        related_name="answers",
    )
    criterion = models.ForeignKey(
        Criterion, verbose_name=_("criterion"), on_delete=models.PROTECT, related_name="answers"
    )
    met = models.BooleanField(_("met"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("rating"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    minutes = models.PositiveSmallIntegerField(_("minutes waited"), null=True, blank=True)
    not_applicable = models.BooleanField(_("not applicable"), default=False)
    note = models.TextField(_("observation"), blank=True)
    # Share of the criterion's points earned (0 to 1), set when the result is submitted.
    points = models.DecimalField(max_digits=4, decimal_places=3, null=True, blank=True)

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answers")
        ordering = ["criterion__section__position", "criterion__position", "criterion_id"]
        constraints = [
            models.UniqueConstraint(fields=["result", "criterion"], name="answer_once"),
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="answer_rating_1_to_5",
            ),
        ]

    def __str__(self):
        return str(self.criterion)

    @property
    def value(self):
        """What the shared scoring reads of a measured answer (quality.checklists.scoring)."""
        return self.minutes


def result_attachment_path(attachment, filename):
    return f"mystery-shop/{attachment.result_id}/{filename}"


class ResultAttachment(models.Model):
    """A photo or receipt the shopper kept; private, streamed after a permission check."""

    result = models.ForeignKey(
        MysteryShopResult,
        verbose_name=_("result"),
        on_delete=models.CASCADE,
        related_name="attachments",
    )
    file = models.FileField(_("file"), upload_to=result_attachment_path, storage=private_storage)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.name
