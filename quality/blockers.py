"""Care before commerce: the checks the contact policy asks before any commercial contact."""

from django.utils.translation import gettext as _

from quality import scoring
from quality.models import Complaint, DissonanceScore

OPEN_STATUSES = [Complaint.Status.NEW, Complaint.Status.ACKNOWLEDGED, Complaint.Status.IN_PROGRESS]


def open_complaint(customer, at):
    if Complaint.objects.filter(customer=customer, status__in=OPEN_STATUSES).exists():
        return "open_complaint", _("The customer has an open complaint: care before commerce.")
    return None


def high_dissonance(customer, at):
    if DissonanceScore.objects.filter(
        customer=customer, purchase__isnull=True, level__in=scoring.AT_RISK_LEVELS
    ).exists():
        return "high_dissonance", _("The customer's dissonance is high: care before commerce.")
    return None
