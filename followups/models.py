from datetime import time

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from aftersales import texts
from aftersales.access import BranchScopedQuerySet
from aftersales.holiday_regions import canonical_region, split_region
from aftersales.models import Branch
from aftersales.rollup_triggers import counted_reference
from customers.models import Customer, InvolvementLevel, ProductCategory, Purchase

WEEKDAYS = [
    (0, _("Monday")),
    (1, _("Tuesday")),
    (2, _("Wednesday")),
    (3, _("Thursday")),
    (4, _("Friday")),
    (5, _("Saturday")),
    (6, _("Sunday")),
]


def default_working_days():
    return [0, 1, 2, 3, 4, 5]


class Purpose(models.TextChoices):
    CARE = "care", _("care")
    COMMERCIAL = "commercial", _("commercial")


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("phone")
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")
    LETTER = "letter", _("letter")
    VISIT = "visit", _("visit")


class StepKind(models.TextChoices):
    THANK_YOU = "thank_you", _("thank-you call")
    CHECK_IN = "check_in", _("check-in")
    SERVICE_REMINDER = "service_reminder", _("service reminder")
    WARRANTY_END = "warranty_end", _("warranty-end reminder")
    ANNIVERSARY = "anniversary", _("anniversary")
    SURVEY = "survey", _("satisfaction survey")
    RECOVERY = "recovery", _("recovery call")
    CUSTOM = "custom", _("custom")


class AssigneeRole(models.TextChoices):
    SALESPERSON = "salesperson", _("the purchase's salesperson")
    SERVICE = "service", _("the branch's service team")
    MANAGER = "manager", _("the branch manager")


class BranchPolicy(models.Model):
    """Per-branch settings of the follow-up cycle and the contact policy (defaults apply when a
    branch has none)."""

    branch = models.OneToOneField(
        Branch, verbose_name=_("branch"), on_delete=models.CASCADE, related_name="followup_policy"
    )
    working_days = ArrayField(
        models.PositiveSmallIntegerField(choices=WEEKDAYS),
        verbose_name=_("working days"),
        default=default_working_days,
        help_text=_("Follow-ups fall due only on these days (0 = Monday)."),
    )
    digest_time = models.TimeField(
        _("daily digest at"),
        default=time(7, 30),
        help_text=_("Local time of the morning digest."),
    )
    escalate_after_days = models.PositiveSmallIntegerField(
        _("escalate after (days overdue)"), default=3
    )
    missed_after_days = models.PositiveSmallIntegerField(
        _("missed after (days overdue)"),
        default=14,
        help_text=_("A follow-up still open this long after its due date counts as missed."),
    )
    max_attempts = models.PositiveSmallIntegerField(
        _("attempts before missed"),
        default=3,
        validators=[MinValueValidator(1)],
        help_text=_("How often “not reached” is tried again."),
    )
    retry_after_days = models.PositiveSmallIntegerField(
        _("retry after (working days)"), default=1, validators=[MinValueValidator(1)]
    )
    commercial_cap = models.PositiveSmallIntegerField(
        _("commercial impulses per window"), default=2
    )
    commercial_window_days = models.PositiveSmallIntegerField(
        _("window (days)"), default=30, validators=[MinValueValidator(1)]
    )
    contact_from = models.TimeField(_("contact from"), default=time(9, 0))
    contact_until = models.TimeField(_("contact until"), default=time(19, 0))

    class Meta:
        verbose_name = _("branch follow-up policy")
        verbose_name_plural = _("branch follow-up policies")

    def __str__(self):
        return str(self.branch)


class PublicHoliday(models.Model):
    """A day without follow-ups or contact: for one branch, or for the branches of a country
    (or of one subdivision of it).

    Imported rows come from the `holidays` package (followups.public_holidays), one complete list
    per region: those with an empty subdivision count for the country's branches without one, a
    subdivision's rows (its nationwide holidays included) only for branches in it. The import
    adds, renames and removes imported rows only; manual ones (a branch's own closing days, or a
    holiday typed in for a whole country or subdivision) it never touches."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("entered by hand")
        IMPORTED = "imported", _("imported")

    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=100)
    country = models.CharField(_("country"), max_length=2, blank=True)
    subdivision = models.CharField(
        _("subdivision"),
        max_length=40,
        blank=True,
        help_text=_(
            "Only for branches in this subdivision of the country, e.g. BY for Bavaria. Empty: "
            "the whole country."
        ),
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.CASCADE, null=True, blank=True
    )
    source = models.CharField(
        pgettext_lazy("public holiday", "source"),
        max_length=10,
        choices=Source.choices,
        default=Source.MANUAL,
    )

    class Meta:
        verbose_name = _("public holiday")
        verbose_name_plural = _("public holidays")
        ordering = ["date"]
        indexes = [models.Index(fields=["date"], name="holiday_date")]
        constraints = [
            # However often the import runs, a region has each imported day once.
            models.UniqueConstraint(
                fields=["country", "subdivision", "date"],
                condition=models.Q(source="imported"),
                name="holiday_imported_once",
            ),
            models.CheckConstraint(
                condition=~models.Q(source="imported")
                | (models.Q(branch__isnull=True) & ~models.Q(country="")),
                name="holiday_imported_for_a_country",
            ),
            models.CheckConstraint(
                condition=models.Q(subdivision="") | ~models.Q(country=""),
                name="holiday_subdivision_of_a_country",
                violation_error_message=_("A subdivision needs its country."),
            ),
        ]

    def __str__(self):
        return f"{self.date}: {self.name}"

    def clean(self):
        super().clean()
        if not self.subdivision:
            return
        if not self.country:
            raise ValidationError({"country": _("A subdivision needs its country.")})
        try:
            region = canonical_region(f"{self.country}-{self.subdivision}")
        except ValidationError as error:
            raise ValidationError({"subdivision": error.messages}) from error
        self.country, self.subdivision = split_region(region)


class Playbook(models.Model):
    """The follow-up plan for a product category, or the fallback for an involvement level."""

    name = models.CharField(_("name"), max_length=120)
    category = models.OneToOneField(
        ProductCategory,
        verbose_name=_("product category"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="playbook",
    )
    involvement = models.CharField(
        _("fallback for involvement level"),
        max_length=10,
        choices=InvolvementLevel.choices,
        blank=True,
        help_text=_("Used for categories without a playbook of their own."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("playbook")
        verbose_name_plural = _("playbooks")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(category__isnull=False) & models.Q(involvement=""))
                | (models.Q(category__isnull=True) & ~models.Q(involvement="")),
                name="playbook_category_or_involvement",
                violation_error_message=_(
                    "A playbook is either for a product category or the fallback for an "
                    "involvement level."
                ),
            ),
            models.UniqueConstraint(
                fields=["involvement"],
                condition=~models.Q(involvement=""),
                name="playbook_one_fallback_per_level",
                violation_error_message=_("There is already a fallback for this level."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("followups:playbook-detail", args=[self.pk])


class PlaybookStep(models.Model):
    class Anchor(models.TextChoices):
        HANDOVER = "handover", _("days after handover")
        WARRANTY_END = "warranty_end", _("days relative to warranty end")

    playbook = models.ForeignKey(
        Playbook, verbose_name=_("playbook"), on_delete=models.CASCADE, related_name="steps"
    )
    anchor = models.CharField(
        _("counted from"), max_length=15, choices=Anchor.choices, default=Anchor.HANDOVER
    )
    offset_days = models.IntegerField(
        _("offset (days)"),
        help_text=_("E.g. 7 for a week after handover, -60 for 60 days before warranty end."),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=StepKind.choices)
    channel = models.CharField(
        _("channel"), max_length=10, choices=ContactChannel.choices, default=ContactChannel.PHONE
    )
    assignee_role = models.CharField(
        _("done by"),
        max_length=12,
        choices=AssigneeRole.choices,
        default=AssigneeRole.SALESPERSON,
    )
    purpose = models.CharField(
        _("purpose"), max_length=10, choices=Purpose.choices, default=Purpose.CARE
    )
    title = models.CharField(_("title"), max_length=120)
    instructions = models.TextField(
        _("instructions for the caller"),
        blank=True,
        help_text=_("What to ask. For high-involvement products: noises, function, handover."),
    )

    class Meta:
        verbose_name = _("playbook step")
        verbose_name_plural = _("playbook steps")
        ordering = ["playbook", "anchor", "offset_days", "pk"]

    def __str__(self):
        return self.title


class FollowUpQuerySet(BranchScopedQuerySet):
    def open(self):
        return self.filter(status=FollowUp.Status.OPEN)

    def for_people(self):
        """Without the surveys the system e-mails by itself: nobody has to act on those."""
        return self.exclude(kind=StepKind.SURVEY, channel=ContactChannel.EMAIL)


class FollowUp(models.Model):
    """One planned contact with a customer about a purchase."""

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        DONE = "done", _("done")
        MISSED = "missed", _("missed")
        CANCELLED = "cancelled", _("cancelled")

    OVERDUE = "overdue"  # not a stored status: an open follow-up past its due date (is_overdue)
    STATUS_BADGES = {
        Status.OPEN: "text-bg-info",
        OVERDUE: "text-bg-danger",
        Status.DONE: "text-bg-success",
        Status.MISSED: "text-bg-danger",
        Status.CANCELLED: "text-bg-secondary",
    }

    class Outcome(models.TextChoices):
        SATISFIED = "satisfied", _("reached and satisfied")
        CONCERN = "concern", _("reached, concern raised")
        NOT_REACHED = "not_reached", _("not reached")
        DECLINED = "declined", _("declined contact")
        SENT = "sent", _("sent")

    purchase = models.ForeignKey(
        Purchase,
        verbose_name=_("purchase"),
        on_delete=models.CASCADE,
        related_name="followups",
        null=True,
        blank=True,
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="followups"
    )
    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="followups"
    )
    step = models.ForeignKey(
        PlaybookStep,
        verbose_name=_("playbook step"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followups",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=StepKind.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=ContactChannel.choices)
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    title = models.CharField(_("title"), max_length=120)
    instructions = models.TextField(_("instructions"), blank=True)
    # A title and instructions the software wrote (a recovery call's) are codes with parameters
    # (aftersales.texts), written out when read, in the reader's language and from the rows as
    # they are then (the customer's open complaints today); `title` and `instructions` keep the
    # words as first written. Empty for a playbook step's or a person's own words.
    title_code = models.CharField(max_length=60, blank=True)
    instructions_code = models.CharField(max_length=60, blank=True)
    text_params = models.JSONField(default=dict, blank=True)
    assignee_role = models.CharField(_("done by"), max_length=12, choices=AssigneeRole.choices)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followups",
    )
    # The step's date before working-day adjustment, kept so a new handover date can move it.
    planned_date = models.DateField(_("planned for"))
    due_date = models.DateField(_("due"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    snooze_reason = models.CharField(_("snoozed because"), max_length=200, blank=True)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    satisfaction = models.PositiveSmallIntegerField(
        _("satisfaction"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    notes = models.TextField(_("notes"), blank=True)
    concern = models.TextField(_("concern"), blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("completed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)
    missed_at = models.DateTimeField(_("missed"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = FollowUpQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        ordering = ["due_date", "pk"]
        permissions = [
            ("view_team_followups", _("Can see the follow-ups of the whole team")),
        ]
        constraints = [
            # However often purchase_logged arrives, a step is planned once per purchase.
            models.UniqueConstraint(
                fields=["purchase", "step"],
                condition=models.Q(step__isnull=False),
                name="followup_once_per_step",
            ),
            models.CheckConstraint(
                condition=models.Q(satisfaction__isnull=True)
                | models.Q(satisfaction__gte=1, satisfaction__lte=5),
                name="followup_satisfaction_1_to_5",
            ),
        ]
        indexes = [
            models.Index(
                fields=["assignee", "due_date"],
                condition=models.Q(status="open"),
                name="followup_open_by_assignee",
            ),
            models.Index(
                fields=["branch", "due_date"],
                condition=models.Q(status="open"),
                name="followup_open_by_branch",
            ),
            models.Index(fields=["branch", "status", "due_date"], name="followup_branch_status"),
            # One person's follow-ups of a period, whatever their state (staff scorecards).
            models.Index(fields=["assignee", "due_date"], name="followup_by_assignee"),
        ]

    def __str__(self):
        return f"{self.heading} ({self.customer})"

    def get_absolute_url(self):
        return reverse("followups:followup-detail", args=[self.pk])

    @property
    def heading(self):
        """The title in the reader's language."""
        return texts.render(self.title_code, self.text_params, source=self, fallback=self.title)

    @property
    def what_to_ask(self):
        """The instructions in the reader's language, for a recovery call from the customer's
        complaints open now (lists call `prepare_texts` first)."""
        return texts.render(
            self.instructions_code, self.text_params, source=self, fallback=self.instructions
        )

    # Long lists (the inbox's 75 rows) name the channel and kind of every row: the enums' labels
    # directly, as get_FOO_display rebuilds a dict of the field's choices on every call.
    @property
    def channel_label(self):
        return ContactChannel(self.channel).label

    @property
    def kind_label(self):
        return StepKind(self.kind).label

    @property
    def is_open(self):
        return self.status == self.Status.OPEN

    @property
    def is_overdue(self):
        """Still open with its due date behind us (today in the active time zone)."""
        return self.is_open and self.due_date < timezone.localdate()

    @property
    def shown_state(self):
        """The state its badge shows: the status, or "overdue" for an open one past due."""
        return self.OVERDUE if self.is_overdue else self.status


class AdherenceDay(models.Model):
    """How many follow-ups due on a day, in a branch, for a person (None: nobody) ended how:
    the roll-up the scorecards' follow-up adherence reads (followups.figures) instead of a
    person's or branch's every follow-up of the period.

    The database keeps it: statement triggers on follow-ups add every insert, change and delete
    here, whichever statement made it (services, COPY, cascades; migration 0010), and the
    nightly tick rebuilds it from the follow-ups (followups.figures.rebuild_rollups), which
    also catches a branch's changed time zone. Open ones are one outcome: which of them are
    overdue depends on the day they are read.
    """

    class Outcome(models.TextChoices):
        ON_TIME = "on_time", _("on time")
        LATE = "late", _("late")
        MISSED = "missed", _("missed")
        OPEN = "open", _("open")

    due_date = models.DateField()
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="+")
    assignee = counted_reference(settings.AUTH_USER_MODEL, null=True)
    outcome = models.CharField(max_length=8, choices=Outcome.choices)
    followups = models.IntegerField(default=0)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up adherence roll-up")
        verbose_name_plural = _("follow-up adherence roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["due_date", "branch", "assignee", "outcome"],
                name="adherence_day_key",
                nulls_distinct=False,
            )
        ]
        indexes = [
            models.Index(fields=["branch", "due_date"], name="adherence_day_branch"),
            models.Index(fields=["assignee", "due_date"], name="adherence_day_assignee"),
        ]

    def __str__(self):
        return f"{self.due_date} {self.outcome}: {self.followups}"


class ContactEvent(models.Model):
    """A contact that reached (or tried to reach) a customer: what the contact policy counts."""

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="contacts"
    )
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    channel = models.CharField(_("channel"), max_length=10, choices=ContactChannel.choices)
    happened_at = models.DateTimeField(_("when"))
    followup = models.ForeignKey(
        FollowUp, on_delete=models.SET_NULL, null=True, blank=True, related_name="contacts"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["-happened_at"]
        indexes = [
            models.Index(fields=["customer", "purpose", "-happened_at"], name="contact_recent")
        ]

    def __str__(self):
        return f"{self.customer}: {self.get_purpose_display()} {self.happened_at:%Y-%m-%d}"


class SurveyInvitation(models.Model):
    """A personal survey link sent to a customer; one answer per invitation."""

    followup = models.OneToOneField(
        FollowUp,
        verbose_name=_("follow-up"),
        on_delete=models.CASCADE,
        related_name="survey",
        null=True,
        blank=True,
    )
    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.CASCADE, related_name="surveys"
    )
    purchase = models.ForeignKey(
        Purchase,
        verbose_name=_("purchase"),
        on_delete=models.CASCADE,
        related_name="surveys",
        null=True,
        blank=True,
    )
    branch = models.ForeignKey(Branch, verbose_name=_("branch"), on_delete=models.PROTECT)
    sent_at = models.DateTimeField(_("sent"))
    expires_at = models.DateTimeField(_("expires"))
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        ordering = ["-sent_at"]

    def __str__(self):
        return f"{self.customer} {self.sent_at:%Y-%m-%d}"


class SurveyResponse(models.Model):
    invitation = models.OneToOneField(
        SurveyInvitation,
        verbose_name=_("invitation"),
        on_delete=models.CASCADE,
        related_name="response",
    )
    nps = models.PositiveSmallIntegerField(
        _("likelihood to recommend (0–10)"), validators=[MaxValueValidator(10)]
    )
    satisfaction_purchase = models.PositiveSmallIntegerField(
        _("satisfaction with the purchase (1–5)"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    satisfaction_handover = models.PositiveSmallIntegerField(
        _("satisfaction with the handover (1–5)"),
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    comment = models.TextField(_("comment"), blank=True)
    callback_wanted = models.BooleanField(_("may we call you back?"), default=False)
    created_at = models.DateTimeField(_("answered"), auto_now_add=True)

    class Meta:
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(nps__lte=10), name="survey_nps_0_to_10"),
            models.CheckConstraint(
                condition=models.Q(satisfaction_purchase__gte=1, satisfaction_purchase__lte=5)
                & models.Q(satisfaction_handover__gte=1, satisfaction_handover__lte=5),
                name="survey_satisfaction_1_to_5",
            ),
        ]

    def __str__(self):
        return f"NPS {self.nps}"

    @property
    def is_low(self):
        return self.nps <= 6 or min(self.satisfaction_purchase, self.satisfaction_handover) <= 2


# A survey answer's net promoter class: 9–10 promotes, 0–6 detracts (the dashboard, the
# scorecards and the survey roll-up's triggers, migration followups 0011).
PROMOTER_FROM, DETRACTOR_UNTIL = 9, 6


class SurveyDay(models.Model):
    """Survey answers per day given (in the project's time zone), branch and the purchase's
    dimensions: its main category, its salesperson (the staff scorecards) and the dashboard's
    seller (its salesperson, else the customer's), with their counts and sums. The dissonance
    dashboard and the scorecards add these up instead of joining every answer to its purchase.

    Triggers on the answers keep it (migration followups 0011); the nightly tick rebuilds it,
    which also follows a purchase's changed salesperson or category and a moved invitation."""

    day = models.DateField()
    branch = models.ForeignKey(Branch, on_delete=models.CASCADE, related_name="+")
    category = counted_reference(ProductCategory, null=True)
    salesperson = counted_reference(settings.AUTH_USER_MODEL, null=True)
    seller = counted_reference(settings.AUTH_USER_MODEL, null=True)
    answers = models.IntegerField(default=0)
    promoters = models.IntegerField(default=0)
    detractors = models.IntegerField(default=0)
    nps_sum = models.IntegerField(default=0)
    purchase_sum = models.IntegerField(default=0)
    handover_sum = models.IntegerField(default=0)

    objects = BranchScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("daily survey roll-up")
        verbose_name_plural = _("daily survey roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "branch", "category", "salesperson", "seller"],
                name="survey_day_key",
                nulls_distinct=False,
            )
        ]

    def __str__(self):
        return f"{self.day}: {self.answers}"


# Cross-selling's tables live in their domain package (followups/offers); imported here so that
# Django finds them in the app's models module (app label "followups").
from followups.offers.models import (  # noqa: E402, F401
    DECIDED_STATES,
    OPEN_OFFER_STATES,
    DeclineReason,
    ImpulseRollup,
    Offer,
    OfferEvent,
    OfferMonthRollup,
    OfferQuerySet,
    OfferRollup,
    OfferRule,
    OfferState,
    RetentionRollup,
)
