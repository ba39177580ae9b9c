import uuid
import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from aftersales.access import BranchScopedQuerySet
from aftersales.holiday_regions import canonical_region, split_region
from aftersales.roles import Role

TIME_ZONE_CHOICES = [(name, name) for name in sorted(zoneinfo.available_timezones())]


class BranchQuerySet(BranchScopedQuerySet):
    branch_lookup = "pk"


class Branch(models.Model):
    name = models.CharField(_("name"), max_length=120)
    code = models.SlugField(
        _("code"),
        max_length=20,
        unique=True,
        help_text=_("Short unique code, e.g. MUC-01. Letters, digits, hyphens and underscores."),
    )
    street = models.CharField(_("street and number"), max_length=200, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="DE", help_text=_("ISO code."))
    time_zone = models.CharField(
        _("time zone"),
        max_length=64,
        choices=TIME_ZONE_CHOICES,
        default=settings.TIME_ZONE,
        help_text=_("Reminders and due times of this branch follow this zone."),
    )
    holiday_region = models.CharField(
        _("holiday region"),
        max_length=40,
        blank=True,
        help_text=_(
            "Country and subdivision whose public holidays apply, e.g. DE-BY (Bavaria) or AT-9 "
            "(Vienna). Empty: the country's nationwide holidays only."
        ),
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = BranchQuerySet.as_manager()

    class Meta:
        verbose_name = _("branch")
        verbose_name_plural = _("branches")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(Lower("name"), name="branch_name_unique_ci"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("branch-update", args=[self.pk])

    def clean(self):
        super().clean()
        if not self.holiday_region:
            return
        try:
            region = canonical_region(self.holiday_region)
        except ValidationError as error:
            raise ValidationError({"holiday_region": error.messages}) from error
        if split_region(region)[0] != self.country.upper():
            raise ValidationError(
                {
                    "holiday_region": _(
                        "The holiday region must lie in the branch's country (%(country)s)."
                    )
                    % {"country": self.country}
                }
            )
        self.holiday_region = region

    @property
    def zone(self):
        return zoneinfo.ZoneInfo(self.time_zone)

    def today(self):
        """The date it is now where the branch is (a desk's "today")."""
        return timezone.localdate(timezone=self.zone)

    @property
    def holiday_subdivision(self):
        """The subdivision part of the holiday region ("BY" of "DE-BY"); "" for nationwide."""
        return split_region(self.holiday_region)[1]


# What a user's name (str) is made of: lists that show a colleague's name load only these.
USER_NAME_FIELDS = ("username", "first_name", "last_name")


class User(AbstractUser):
    """A person who logs in. Roles are Django groups (see aftersales.roles); branches say where
    the person works and so which data they see."""

    branches = models.ManyToManyField(
        Branch, verbose_name=_("branches"), related_name="members", blank=True
    )
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("language"),
        max_length=5,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("Language of the e-mails this person receives."),
    )

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        permissions = [
            ("manage_organisation", _("Can manage branches and users")),
            ("view_team", _("Can see the team of their branches")),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    def get_absolute_url(self):
        return reverse("user-update", args=[self.pk])

    @property
    def role_names(self):
        """Role codes of this user, read once per request from the prefetched groups."""
        if not hasattr(self, "_role_names"):
            self._role_names = frozenset(group.name for group in self.groups.all())
        return self._role_names

    def has_role(self, *roles):
        return bool(self.role_names.intersection(roles))

    @property
    def is_administrator(self):
        return self.is_superuser or Role.ADMIN in self.role_names


def new_message_id():
    """A globally unique RFC 5322 Message-ID for a new outbox row, e.g.
    <3f2a…@crm.example.com>: every attempt to send the row uses it, so a resend is the same message
    to mail servers and clients (which drop repeats)."""
    return f"<{uuid.uuid4().hex}@{settings.EMAIL_MESSAGE_ID_DOMAIN}>"


class OutgoingEmail(models.Model):
    """The e-mail outbox, for staff notifications and for customers alike.

    A row is written in the same transaction as the change it reports. Delivery claims the row
    (pending → sending, with a short lease that the sender renews) with a conditional update, so
    a retried, duplicated or re-scanned task never sends it while another holds it; a claim whose
    lease ran out (its worker died) is taken over. Each row has one Message-ID for all attempts.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("pending")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")

    to_address = models.EmailField(_("to"))
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    # Whoever must send something once (a survey link, a reminder) names it here; the unique
    # constraint turns a second attempt into a no-op.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    state = models.CharField(
        _("state"), max_length=10, choices=State.choices, default=State.PENDING
    )
    # The Message-ID header of every attempt (a resend is recognisable as the same message).
    message_id = models.CharField(
        _("Message-ID"), max_length=255, unique=True, default=new_message_id, editable=False
    )
    # Counted when an attempt starts, before the SMTP conversation: attempts > 1 means the e-mail
    # may have reached its recipient before (always with the same Message-ID).
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # When the current (or last) attempt started, and until when its claim holds: the sender
    # renews the lease while it talks to the mail server; past it, the tick takes the row over.
    claimed_at = models.DateTimeField(null=True, blank=True)
    lease_until = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["created_at"],
                condition=models.Q(state__in=["pending", "sending"]),
                name="email_undelivered",
            )
        ]

    def __str__(self):
        return f"{self.to_address}: {self.subject}"


class Notification(models.Model):
    """An in-app message for one user, with the e-mail that went with it (if any)."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=60)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    link = models.CharField(_("link"), max_length=500, blank=True)
    # Whoever creates a notification that must exist once (a daily digest, an escalation) names it
    # here; the unique constraint turns a second attempt into a no-op.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    email = models.OneToOneField(
        OutgoingEmail,
        verbose_name=_("e-mail"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notification",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["recipient", "-created_at"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
        ]

    def __str__(self):
        return self.subject

    @property
    def is_read(self):
        return self.read_at is not None


# The sign-in domain's table (API tokens) belongs to this app.
from aftersales.signin.models import ApiToken  # noqa: E402, F401


class Job(models.Model):
    """A piece of long work run by a Celery worker (aftersales.jobs), with its progress.

    The row is the truth: the task reads its parameters from here and a page polls it."""

    QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
    STATES = [
        (QUEUED, _("queued")),
        (RUNNING, _("running")),
        (DONE, _("done")),
        (FAILED, _("failed")),
    ]
    STATUS_BADGES = {
        QUEUED: "text-bg-secondary",
        RUNNING: "text-bg-info",
        DONE: "text-bg-success",
        FAILED: "text-bg-danger",
    }

    kind = models.CharField(_("kind"), max_length=60)
    state = models.CharField(_("state"), max_length=10, choices=STATES, default=QUEUED)
    params = models.JSONField(default=dict, blank=True)
    rows_done = models.PositiveIntegerField(_("rows done"), default=0)
    rows_total = models.PositiveIntegerField(_("rows in all"), default=0)
    error = models.TextField(_("error"), blank=True)
    result = models.JSONField(null=True, blank=True)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    branch = models.ForeignKey(
        Branch,
        verbose_name=_("branch"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        indexes = [
            models.Index(fields=["state", "heartbeat_at"], name="job_state_heartbeat"),
            # A user's recent jobs, newest first (the import page lists them).
            models.Index(fields=["started_by", "-created_at"], name="job_started_by_recent"),
        ]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.state})"

    @property
    def is_finished(self):
        return self.state in (self.DONE, self.FAILED)

    @property
    def percent(self):
        if self.state == self.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(100, self.rows_done * 100 // self.rows_total)
