"""The people's models: each branch's staff policy (the punctuality tolerance; it also carries the
permission to see branch scorecards), appointments, the course catalogue with the courses each
role requires, training records, and coaching actions (see docs/domain.md).

App label "staff" (Django finds the containing app); staff/models/__init__.py re-exports them.
A coaching action names its mystery-shop result as "staff.MysteryShopResult", so these models
need nothing of staff.mystery (which builds on them)."""

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
from aftersales.storage import private_storage
from customers.models import Customer, Purchase
from quality.models import Complaint

DEFAULT_PUNCTUALITY_TOLERANCE_MINUTES = 5


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

    STATUS_BADGES = {
        Status.OPEN: "text-bg-warning",
        Status.IN_PROGRESS: "text-bg-info",
        Status.DONE: "text-bg-success",
        Status.CANCELLED: "text-bg-secondary",
    }

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
        "staff.MysteryShopResult",
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
