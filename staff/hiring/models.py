"""Hiring's models: candidates for customer-facing roles, each assessor's independent assessment
of one, and its ratings of the competencies (the scales are in competencies.py).

App label "staff" (Django finds the containing app); staff/models/__init__.py re-exports them."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from aftersales.access import BranchScopedQuerySet
from aftersales.models import Branch
from aftersales.roles import CUSTOMER_FACING_ROLES


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

    STATUS_BADGES = {
        Status.OPEN: "text-bg-info",
        Status.HIRED: "text-bg-success",
        Status.REJECTED: "text-bg-secondary",
        Status.WITHDRAWN: "text-bg-light border",
    }

    branch = models.ForeignKey(
        Branch, verbose_name=_("branch"), on_delete=models.PROTECT, related_name="+"
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("e-mail"), blank=True)
    role = models.CharField(
        _("role applied for"),
        max_length=20,
        choices=[(role.value, role.label) for role in CUSTOMER_FACING_ROLES],
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
