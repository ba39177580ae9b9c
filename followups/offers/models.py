"""Tables of cross-selling (app label "followups", imported by followups.models)."""

from datetime import date

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.access import BranchScopedQuerySet
from followups.models import ContactChannel

MONTHS = [(number, date(2000, number, 1).strftime("%m")) for number in range(1, 13)]


class OfferRule(models.Model):
    """When to offer what to whom: a trigger (the category bought, its age, the season, the next
    service, declined work, the warranty end), what to offer, through which channels, with
    which priority and script."""

    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)
    active_from = models.DateField(_("active from"), null=True, blank=True)
    active_until = models.DateField(_("active until"), null=True, blank=True)
    # --- trigger ---
    category = models.ForeignKey(
        "customers.ProductCategory",
        verbose_name=_("bought category"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Customers who bought a product of this category."),
    )
    min_age_days = models.PositiveIntegerField(
        _("purchase at least (days old)"), null=True, blank=True
    )
    max_age_days = models.PositiveIntegerField(
        _("purchase at most (days old)"), null=True, blank=True
    )
    not_bought_product = models.ForeignKey(
        "customers.Product",
        verbose_name=_("unless they bought"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    not_bought_months = models.PositiveSmallIntegerField(
        _("within (months)"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    season_start_month = models.PositiveSmallIntegerField(
        _("season from (month)"), null=True, blank=True, choices=MONTHS
    )
    season_start_day = models.PositiveSmallIntegerField(
        _("season from (day)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    season_end_month = models.PositiveSmallIntegerField(
        _("season until (month)"), null=True, blank=True, choices=MONTHS
    )
    season_end_day = models.PositiveSmallIntegerField(
        _("season until (day)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(31)],
    )
    maintenance_due_days = models.PositiveIntegerField(
        _("maintenance due within (days)"), null=True, blank=True
    )
    maintenance_due_km = models.PositiveIntegerField(_("or within (km)"), null=True, blank=True)
    declined_work_days = models.PositiveIntegerField(
        _("declined work open for (days)"), null=True, blank=True
    )
    warranty_end_days = models.PositiveIntegerField(
        _("warranty ends within (days)"), null=True, blank=True
    )
    # --- what to offer ---
    product = models.ForeignKey(
        "customers.Product",
        verbose_name=_("offered product or service"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    price = models.DecimalField(
        _("offer price"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    discount_percent = models.PositiveSmallIntegerField(
        _("discount (%)"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    channels = ArrayField(
        models.CharField(max_length=10, choices=ContactChannel.choices),
        verbose_name=_("channels"),
        default=list,
        blank=True,
        help_text=_("Channels to present the offer on, preferred first; empty: any."),
    )
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=50, help_text=_("Higher first in the salesperson's inbox.")
    )
    script = models.TextField(
        _("script for the salesperson"), blank=True, help_text=_("A few sentences to say.")
    )
    valid_days = models.PositiveSmallIntegerField(
        _("open for (days)"),
        default=45,
        validators=[MinValueValidator(1)],
        help_text=_("Outside a season: how long an offer stays open before it expires."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("offer rule")
        verbose_name_plural = _("offer rules")
        ordering = ["-priority", "name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(season_start_month__isnull=True)
                    & Q(season_start_day__isnull=True)
                    & Q(season_end_month__isnull=True)
                    & Q(season_end_day__isnull=True)
                )
                | (
                    Q(season_start_month__isnull=False)
                    & Q(season_start_day__isnull=False)
                    & Q(season_end_month__isnull=False)
                    & Q(season_end_day__isnull=False)
                ),
                name="offer_rule_season_complete",
                violation_error_message=_("A season needs its first and its last day."),
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("followups:offer-rule-update", args=[self.pk])

    @property
    def is_seasonal(self):
        return self.season_start_month is not None

    def clean(self):
        super().clean()
        if self.is_seasonal:
            for month, day, field in (
                (self.season_start_month, self.season_start_day, "season_start_day"),
                (self.season_end_month, self.season_end_day, "season_end_day"),
            ):
                if month is None or day is None:
                    continue  # an incomplete season: the check constraint says so
                try:
                    date(2000, month, day)  # a leap year: 29 February is a valid season day
                except (TypeError, ValueError) as error:
                    raise ValidationError({field: _("This day does not exist.")}) from error
        if (self.not_bought_product is None) != (self.not_bought_months is None):
            raise ValidationError(
                {"not_bought_months": _("Give the product and the months together.")}
            )
        if (
            self.min_age_days is not None
            and self.max_age_days is not None
            and self.min_age_days > self.max_age_days
        ):
            raise ValidationError({"max_age_days": _("The maximum is below the minimum.")})
        if self.active_from and self.active_until and self.active_from > self.active_until:
            raise ValidationError({"active_until": _("The end is before the start.")})
        if self.discount_percent is not None and self.price is not None:
            raise ValidationError({"discount_percent": _("Give a price or a discount, not both.")})


class OfferState(models.TextChoices):
    HELD_BACK = "held_back", _("held back")
    SUGGESTED = "suggested", _("suggested")
    PRESENTED = "presented", _("presented")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    EXPIRED = "expired", _("expired")


OPEN_OFFER_STATES = (OfferState.SUGGESTED, OfferState.PRESENTED)
DECIDED_STATES = (OfferState.ACCEPTED, OfferState.DECLINED, OfferState.EXPIRED)


class DeclineReason(models.TextChoices):
    PRICE = "price", _("too expensive")
    NOT_NEEDED = "not_needed", _("not needed")
    ALREADY_HAS = "already_has", _("already has it")
    COMPETITOR = "competitor", _("bought elsewhere")
    LATER = "later", _("maybe later")
    OTHER = "other", _("other reason")


class OfferQuerySet(BranchScopedQuerySet):
    def open(self):
        return self.filter(state__in=OPEN_OFFER_STATES)


class Offer(models.Model):
    """One offer to one customer for one rule and window: suggested (or held back by the contact
    policy, with its reason), presented, then accepted, declined or expired."""

    rule = models.ForeignKey(
        OfferRule, verbose_name=_("rule"), on_delete=models.PROTECT, related_name="offers"
    )
    customer = models.ForeignKey(
        "customers.Customer",
        verbose_name=_("customer"),
        on_delete=models.CASCADE,
        related_name="offers",
    )
    branch = models.ForeignKey(
        "aftersales.Branch", verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+"
    )
    purchase = models.ForeignKey(
        "customers.Purchase",
        verbose_name=_("for the purchase"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    declined_work = models.ForeignKey(
        "customers.DeclinedWork",
        verbose_name=_("declined work"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("salesperson"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="offers",
    )
    # The window the offer belongs to: the season's first day, else the first of the year.
    window_start = models.DateField(_("window from"))
    expires_on = models.DateField(_("open until"))
    state = models.CharField(
        _("state"), max_length=10, choices=OfferState.choices, default=OfferState.SUGGESTED
    )
    hold_reason = models.CharField(_("held back because"), max_length=40, blank=True)
    price = models.DecimalField(
        _("offer price"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    found_on = models.DateField(_("found on"))
    suggested_on = models.DateField(_("suggested on"), null=True, blank=True)
    presented_at = models.DateTimeField(_("presented"), null=True, blank=True)
    presented_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("presented by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    channel = models.CharField(
        _("channel"), max_length=10, choices=ContactChannel.choices, blank=True
    )
    contact = models.ForeignKey(
        "followups.ContactEvent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2, null=True, blank=True)
    accepted_purchase = models.ForeignKey(
        "customers.Purchase",
        verbose_name=_("purchase logged"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    decline_reason = models.CharField(
        _("reason"), max_length=12, choices=DeclineReason.choices, blank=True
    )
    decline_note = models.CharField(_("in the customer's words"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = OfferQuerySet.as_manager()

    STATE_BADGES = {
        OfferState.HELD_BACK: "text-bg-warning",
        OfferState.SUGGESTED: "text-bg-info",
        OfferState.PRESENTED: "text-bg-primary",
        OfferState.ACCEPTED: "text-bg-success",
        OfferState.DECLINED: "text-bg-danger",
    }

    class Meta:
        verbose_name = _("offer")
        verbose_name_plural = _("offers")
        ordering = ["-found_on", "-pk"]
        permissions = [
            ("view_offer_figures", _("Can see the cross-selling figures")),
            ("reassign_offer", _("Can hand offers to another salesperson")),
        ]
        constraints = [
            # However often the generation runs: one offer per customer, rule and window.
            models.UniqueConstraint(
                fields=["rule", "customer", "window_start"], name="offer_once_per_window"
            ),
            models.CheckConstraint(
                condition=~Q(state="held_back") | ~Q(hold_reason=""),
                name="offer_held_back_has_reason",
            ),
        ]
        indexes = [
            models.Index(
                fields=["assignee", "expires_on"],
                condition=Q(state__in=["suggested", "presented"]),
                name="offer_open_by_assignee",
            ),
            models.Index(
                fields=["expires_on"],
                condition=Q(state__in=["suggested", "presented"]),
                name="offer_open_expiry",
            ),
            models.Index(fields=["branch", "found_on"], name="offer_branch_found"),
            models.Index(fields=["customer", "state"], name="offer_customer_state"),
        ]

    def __str__(self):
        return f"{self.rule} ({self.customer})"

    def get_absolute_url(self):
        return reverse("followups:offer-detail", args=[self.pk])

    @property
    def is_open(self):
        return self.state in OPEN_OFFER_STATES

    @property
    def badge_class(self):
        return self.STATE_BADGES.get(self.state, "text-bg-secondary")

    @property
    def days_to_decision(self):
        if self.decided_on is None or self.suggested_on is None:
            return None
        return (self.decided_on - self.suggested_on).days


class OfferEvent(models.TextChoices):
    """What the figures count, per day: the roll-up's event column."""

    HELD_BACK = "held_back", _("held back")
    SUGGESTED = "suggested", _("suggested")
    PRESENTED = "presented", _("presented")
    ACCEPTED = "accepted", _("accepted")
    DECLINED = "declined", _("declined")
    EXPIRED = "expired", _("expired")


class _OfferCounts(models.Model):
    """What a roll-up row counts, whatever its period: offers per branch, rule, salesperson, event
    and (held back) reason, with the value and the days to the decision summed."""

    branch = models.ForeignKey("aftersales.Branch", on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(OfferRule, on_delete=models.CASCADE, related_name="+")
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, related_name="+"
    )
    event = models.CharField(max_length=10, choices=OfferEvent.choices)
    reason = models.CharField(max_length=40, default="")
    offers = models.PositiveIntegerField(default=0)
    value = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    decision_days = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class OfferRollup(_OfferCounts):
    """Offers per day: what the figures page reads instead of millions of offers. Kept by the
    services as things happen and rebuilt by the nightly tick (followups.offers.rollups)."""

    day = models.DateField()

    class Meta:
        verbose_name = _("offer roll-up")
        verbose_name_plural = _("offer roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "branch", "rule", "salesperson", "event", "reason"],
                name="offer_rollup_key",
                nulls_distinct=False,
            )
        ]
        indexes = [models.Index(fields=["day", "branch"], name="offer_rollup_day")]

    def __str__(self):
        return f"{self.day} {self.event}: {self.offers}"


class OfferMonthRollup(_OfferCounts):
    """The daily roll-ups summed per month (its first day), so that a long period reads a few
    rows per month instead of one per day. The database keeps it: a trigger on the daily
    roll-ups adds every change of theirs here (migration 0007), whichever statement wrote it."""

    month = models.DateField()

    class Meta:
        verbose_name = _("monthly offer roll-up")
        verbose_name_plural = _("monthly offer roll-ups")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "branch", "rule", "salesperson", "event", "reason"],
                name="offer_month_rollup_key",
                nulls_distinct=False,
            )
        ]
        indexes = [models.Index(fields=["month", "branch"], name="offer_month_rollup_month")]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.event}: {self.offers}"


class ImpulseRollup(models.Model):
    """Commercial impulses per customer and month: how many customers of a branch had 1, 2, 3 ...
    commercial contacts in a month (rebuilt nightly from the contacts)."""

    month = models.DateField()
    branch = models.ForeignKey("aftersales.Branch", on_delete=models.CASCADE, related_name="+")
    impulses = models.PositiveSmallIntegerField()
    customers = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["month", "branch", "impulses"], name="impulse_rollup_key"
            )
        ]

    def __str__(self):
        return f"{self.month:%Y-%m} {self.impulses}: {self.customers}"


class RetentionRollup(models.Model):
    """Service retention by vehicle age and branch on a day: vehicles and those that came back
    for a paid service in the 12 months before (rebuilt nightly from the purchases)."""

    computed_on = models.DateField()
    branch = models.ForeignKey("aftersales.Branch", on_delete=models.CASCADE, related_name="+")
    age_band = models.CharField(max_length=8)
    vehicles = models.PositiveIntegerField()
    retained = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["branch", "age_band"], name="retention_rollup_key")
        ]

    def __str__(self):
        return f"{self.age_band}: {self.retained}/{self.vehicles}"
