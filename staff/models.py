"""Staff assessment (MISSION.md point 7): mystery shopping, appointment punctuality, training,
coaching, aptitude assessments for hiring, and the per-branch settings the scorecards read."""

from datetime import timedelta

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.access import (
    BranchScopedQuerySet,
    is_staff_member,
    sees_all_branches,
    visible_branch_ids,
)
from aftersales.models import Branch
from aftersales.roles import Role
from customers.models import Customer, Purchase
from quality.models import Complaint, private_storage

# Roles that meet customers: their people appear on branch scorecards and can be observed.
CUSTOMER_FACING_ROLES = (Role.SALES, Role.SERVICE, Role.MANAGER)

DEFAULT_PUNCTUALITY_TOLERANCE_MINUTES = 5
DEFAULT_COACHING_THRESHOLD = 70


class StaffPolicy(models.Model):
    """A branch's settings for staff assessment; a branch without a row uses the defaults."""

    branch = models.OneToOneField(
        Branch, verbose_name=_("branch"), on_delete=models.CASCADE, related_name="staff_policy"
    )
    punctuality_tolerance_minutes = models.PositiveSmallIntegerField(
        _("punctuality tolerance (minutes)"),
        default=DEFAULT_PUNCTUALITY_TOLERANCE_MINUTES,
        validators=[MaxValueValidator(60)],
        help_text=_("An appointment started this many minutes after the agreed time is on time."),
    )

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("staff policy")
        verbose_name_plural = _("staff policies")
        permissions = [
            ("view_branch_scorecards", _("Can see the scorecards of their branches' staff")),
        ]

    def __str__(self):
        return str(self.branch)


# --- mystery shopping ----------------------------------------------------------------------------


class Scenario(models.TextChoices):
    SHOWROOM_VISIT = "showroom_visit", _("Showroom visit")
    PHONE_ENQUIRY = "phone_enquiry", _("Phone enquiry")
    SERVICE_APPOINTMENT = "service_appointment", _("Service appointment")
    VEHICLE_HANDOVER = "vehicle_handover", _("Vehicle handover")
    COMPLAINT_CALL = "complaint_call", _("Complaint call")
    EMAIL_ENQUIRY = "email_enquiry", _("E-mail enquiry")


class ScorecardTemplate(models.Model):
    """A mystery-shop scorecard for one scenario. Its questions live in versions: a version that
    an assignment uses is never changed again, so editing never alters a submitted result."""

    name = models.CharField(_("name"), max_length=150)
    scenario = models.CharField(_("scenario"), max_length=30, choices=Scenario.choices)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Only active templates can be assigned.")
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("scorecard template")
        verbose_name_plural = _("scorecard templates")
        ordering = ["scenario", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("staff:template-detail", args=[self.pk])


class ScorecardVersion(models.Model):
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
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("scorecard version")
        verbose_name_plural = _("scorecard versions")
        ordering = ["template", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["template", "number"], name="scorecard_version_unique")
        ]

    def __str__(self):
        return _("%(template)s, version %(number)s") % {
            "template": self.template,
            "number": self.number,
        }


class ScorecardSection(models.Model):
    version = models.ForeignKey(
        ScorecardVersion,
        verbose_name=_("version"),
        on_delete=models.CASCADE,
        related_name="sections",
    )
    title = models.CharField(_("title"), max_length=150)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("section")
        verbose_name_plural = _("sections")
        ordering = ["version", "position", "pk"]

    def __str__(self):
        return self.title


class Criterion(models.Model):
    class Kind(models.TextChoices):
        YES_NO = "yes_no", _("Yes / no")
        SCALE = "scale", _("Scale 1–5")
        MINUTES = "minutes", _("Minutes waited against a target")
        OBSERVATION = "observation", _("Free observation (not scored)")

    section = models.ForeignKey(
        ScorecardSection,
        verbose_name=_("section"),
        on_delete=models.CASCADE,
        related_name="criteria",
    )
    text = models.CharField(_("criterion"), max_length=250)
    guidance = models.TextField(
        _("guidance for the shopper"), blank=True, help_text=_("What counts as met.")
    )
    kind = models.CharField(_("type"), max_length=12, choices=Kind.choices, default=Kind.YES_NO)
    weight = models.PositiveSmallIntegerField(
        _("weight"), default=1, validators=[MaxValueValidator(10)]
    )
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
    position = models.PositiveSmallIntegerField(_("position"), default=0)

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

    def __str__(self):
        return self.text

    @property
    def is_scored(self):
        return self.kind != self.Kind.OBSERVATION and self.weight > 0


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


# --- appointments and punctuality --------------------------------------------------------------


class Appointment(models.Model):
    """An agreed time with a customer; punctuality compares the actual start with it."""

    class Kind(models.TextChoices):
        HANDOVER = "handover", _("Vehicle handover")
        SERVICE_DROP_OFF = "service_drop_off", _("Service drop-off")
        CONSULTATION = "consultation", _("Consultation")
        CALL_BACK = "call_back", _("Call-back")

    class Outcome(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        HELD = "held", _("held")
        NO_SHOW = "no_show", _("customer did not come")
        CANCELLED = "cancelled", _("cancelled")

    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+"
    )
    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("employee"),
        on_delete=models.PROTECT,
        related_name="appointments",
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="appointments"
    )
    purchase = models.ForeignKey(
        Purchase,
        verbose_name=_("purchase"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="appointments",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    agreed_at = models.DateTimeField(_("agreed time"))
    started_at = models.DateTimeField(_("actual start"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=10, choices=Outcome.choices, default=Outcome.SCHEDULED
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("appointment")
        verbose_name_plural = _("appointments")
        ordering = ["agreed_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(outcome="held") | models.Q(started_at__isnull=False),
                name="appointment_held_has_start",
            ),
        ]
        indexes = [
            models.Index(fields=["employee", "agreed_at"], name="appointment_employee"),
            models.Index(fields=["branch", "agreed_at"], name="appointment_branch"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}: {self.customer}"

    def get_absolute_url(self):
        return reverse("staff:appointment-detail", args=[self.pk])

    @property
    def time_has_come(self):
        """Whether the agreed time is reached: only then can the customer have failed to come."""
        return self.agreed_at <= timezone.now()

    def lateness(self):
        """How late the appointment started (negative: early); None until it started."""
        if self.started_at is None:
            return None
        return self.started_at - self.agreed_at

    def is_on_time(self, tolerance_minutes):
        late = self.lateness()
        return None if late is None else late <= timedelta(minutes=tolerance_minutes)


# --- training ------------------------------------------------------------------------------------


class Course(models.Model):
    class Topic(models.TextChoices):
        CUSTOMER_ORIENTATION = "customer_orientation", _("Customer orientation")
        COMPLAINT_HANDLING = "complaint_handling", _("Complaint handling")
        PRODUCT = "product", _("Product")
        HANDOVER = "handover", _("Handover")
        COMMUNICATION = "communication", _("Communication")

    title = models.CharField(_("title"), max_length=200)
    topic = models.CharField(_("topic"), max_length=25, choices=Topic.choices)
    description = models.TextField(_("description"), blank=True)
    validity_months = models.PositiveSmallIntegerField(
        _("valid for (months)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(120)],
        help_text=_("Empty: a completed course never expires."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["title"]
        constraints = [models.UniqueConstraint(Lower("title"), name="course_title_unique_ci")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("staff:course-detail", args=[self.pk])


class RequiredCourse(models.Model):
    """Everyone with this role must hold a valid record of this course."""

    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.CASCADE, related_name="required_for"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)

    class Meta:
        verbose_name = _("required course")
        verbose_name_plural = _("required courses")
        ordering = ["role", "course__title"]
        constraints = [
            models.UniqueConstraint(fields=["course", "role"], name="required_course_once")
        ]

    def __str__(self):
        return f"{self.course} ({self.get_role_display()})"


class TrainingRecordQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Administrators see all; managers and quality managers their branches' people;
        everyone else their own records."""
        if sees_all_branches(user):
            return self.all()
        if not is_staff_member(user):
            return self.none()
        if user.has_role(Role.MANAGER, Role.QUALITY):
            return self.filter(
                models.Q(employee__branches__in=visible_branch_ids(user)) | models.Q(employee=user)
            ).distinct()
        return self.filter(employee=user)


def certificate_path(record, filename):
    return f"certificates/{record.employee_id}/{filename}"


class TrainingRecord(models.Model):
    class Result(models.TextChoices):
        PASSED = "passed", _("passed")
        ATTENDED = "attended", _("attended")
        FAILED = "failed", _("failed")

    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("employee"),
        on_delete=models.CASCADE,
        related_name="training_records",
    )
    course = models.ForeignKey(
        Course, verbose_name=_("course"), on_delete=models.PROTECT, related_name="records"
    )
    completed_on = models.DateField(_("completed on"))
    result = models.CharField(
        _("result"), max_length=10, choices=Result.choices, default=Result.PASSED
    )
    certificate = models.FileField(
        _("certificate"), upload_to=certificate_path, storage=private_storage, blank=True
    )
    expires_on = models.DateField(_("expires on"), null=True, blank=True)
    # The record that counts for this employee and course (the latest one that was not failed);
    # older ones are kept as history and never remind anyone.
    is_current = models.BooleanField(_("current"), default=True)
    # Set in the same transaction as the reminder, so each goes out once.
    expiry_warning_sent_at = models.DateTimeField(null=True, blank=True)
    expiry_notice_sent_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = TrainingRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("training record")
        verbose_name_plural = _("training records")
        ordering = ["-completed_on", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["employee", "course"],
                condition=models.Q(is_current=True),
                name="training_record_one_current",
            ),
        ]
        indexes = [
            models.Index(
                fields=["expires_on"],
                condition=models.Q(is_current=True, expires_on__isnull=False),
                name="training_record_expiry",
            ),
        ]

    def __str__(self):
        return f"{self.course}: {self.employee}"

    def get_absolute_url(self):
        return reverse("staff:training-record-detail", args=[self.pk])


# --- coaching ------------------------------------------------------------------------------------


class CoachingActionQuerySet(BranchScopedQuerySet):
    def visible_to(self, user):
        """Managers, quality managers and administrators see their branches' actions; everyone
        else the actions about themselves."""
        if sees_all_branches(user):
            return self.all()
        if not is_staff_member(user):
            return self.none()
        if user.has_role(Role.MANAGER, Role.QUALITY):
            return super().visible_to(user)
        return self.filter(employee=user)


class CoachingAction(models.Model):
    class Source(models.TextChoices):
        MYSTERY_SHOP = "mystery_shop", _("Mystery-shop result")
        COMPLAINT = "complaint", _("Complaint about staff attention")
        MANUAL = "manual", _("Created by hand")

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        IN_PROGRESS = "in_progress", _("in progress")
        DONE = "done", _("done")
        CANCELLED = "cancelled", _("cancelled")

    employee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("employee"),
        on_delete=models.CASCADE,
        related_name="coaching_actions",
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+"
    )
    coach = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coach"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coaching_given",
        help_text=_("The manager who leads it."),
    )
    source = models.CharField(_("source"), max_length=15, choices=Source.choices)
    mystery_shop_result = models.ForeignKey(
        MysteryShopResult,
        verbose_name=_("mystery-shop result"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coaching_actions",
    )
    complaint = models.ForeignKey(
        Complaint,
        verbose_name=_("complaint"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    goal = models.TextField(_("goal"))
    measures = models.TextField(_("agreed measures"), blank=True)
    course = models.ForeignKey(
        Course,
        verbose_name=_("linked training"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="coaching_actions",
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    outcome = models.TextField(_("outcome"), blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    # Set in the same transaction as the reminder, so it goes out once.
    due_reminder_sent_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CoachingActionQuerySet.as_manager()

    class Meta:
        verbose_name = _("coaching action")
        verbose_name_plural = _("coaching actions")
        ordering = ["due_on", "pk"]
        constraints = [
            # A result or a complaint opens one coaching action, however often it is processed.
            models.UniqueConstraint(
                fields=["mystery_shop_result"],
                condition=models.Q(mystery_shop_result__isnull=False),
                name="coaching_once_per_result",
            ),
            models.UniqueConstraint(
                fields=["complaint", "employee"],
                condition=models.Q(complaint__isnull=False),
                name="coaching_once_per_complaint",
            ),
        ]
        indexes = [
            models.Index(
                fields=["due_on"],
                condition=models.Q(status__in=["open", "in_progress"]),
                name="coaching_open_due",
            ),
            models.Index(fields=["employee", "status"], name="coaching_employee"),
        ]

    def __str__(self):
        return _("Coaching for %(employee)s") % {"employee": self.employee}

    def get_absolute_url(self):
        return reverse("staff:coaching-detail", args=[self.pk])

    @property
    def is_open(self):
        return self.status in {self.Status.OPEN, self.Status.IN_PROGRESS}


# --- aptitude assessment for hiring --------------------------------------------------------------


class Competency(models.TextChoices):
    CUSTOMER_ORIENTATION = "customer_orientation", _("Customer orientation")
    RELIABILITY = "reliability", _("Reliability and punctuality")
    COMMUNICATION = "communication", _("Communication")
    RESILIENCE = "resilience", _("Resilience under complaint pressure")
    PRODUCT_INTEREST = "product_interest", _("Product interest")


class Candidate(models.Model):
    """Someone applying for a customer-facing role. Minimal personal data; deleted automatically
    CANDIDATE_RETENTION_MONTHS after the decision unless hired (data protection)."""

    class Status(models.TextChoices):
        OPEN = "open", _("in assessment")
        HIRED = "hired", _("hired")
        REJECTED = "rejected", _("rejected")
        WITHDRAWN = "withdrawn", _("withdrew")

    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+"
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    role = models.CharField(
        _("role applied for"),
        max_length=20,
        choices=[(role.value, role.label) for role in (Role.SALES, Role.SERVICE, Role.MANAGER)],
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    decision_reason = models.TextField(_("reason for the decision"), blank=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    delete_after = models.DateField(_("delete after"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("candidate")
        verbose_name_plural = _("candidates")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["delete_after"],
                condition=models.Q(delete_after__isnull=False),
                name="candidate_deletion_due",
            ),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_absolute_url(self):
        return reverse("staff:candidate-detail", args=[self.pk])


class CandidateAssessment(models.Model):
    """One assessor's independent ratings of one candidate."""

    candidate = models.ForeignKey(
        Candidate, verbose_name=_("candidate"), on_delete=models.CASCADE, related_name="assessments"
    )
    assessor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assessor"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    notes = models.TextField(_("notes"), blank=True)
    submitted_at = models.DateTimeField(_("submitted"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["candidate", "assessor"], name="assessment_once")
        ]

    def __str__(self):
        return f"{self.candidate}: {self.assessor}"


class CompetencyRating(models.Model):
    assessment = models.ForeignKey(
        CandidateAssessment,
        verbose_name=_("assessment"),
        on_delete=models.CASCADE,
        related_name="ratings",
    )
    competency = models.CharField(_("competency"), max_length=25, choices=Competency.choices)
    rating = models.PositiveSmallIntegerField(
        _("rating"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    evidence = models.TextField(_("what you observed"), blank=True)

    class Meta:
        verbose_name = _("rating")
        verbose_name_plural = _("ratings")
        ordering = ["assessment", "competency"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "competency"], name="rating_once_per_competency"
            ),
            models.CheckConstraint(
                condition=models.Q(rating__gte=1, rating__lte=5), name="rating_1_to_5"
            ),
        ]

    def __str__(self):
        return f"{self.get_competency_display()}: {self.rating}"
