"""Care before commerce: the checks the contact policy asks before any commercial contact."""

from django.utils.translation import gettext as _

from quality import scoring
from quality.models import Complaint, DissonanceScore


def open_complaint(customer, at):
    if Complaint.objects.open().filter(customer=customer).exists():
        return "open_complaint", _("The customer has an open complaint: care before commerce.")
    return None


def high_dissonance(customer, at):
    if DissonanceScore.objects.filter(
        customer=customer, purchase__isnull=True, level__in=scoring.AT_RISK_LEVELS
    ).exists():
        return "high_dissonance", _("The customer's dissonance is high: care before commerce.")
    return None


# The same checks for many customers at once (the offer generation asks the contact policy
# set-based): each returns its code, its reason and a queryset of the blocked customers' ids.


def open_complaint_among(customers, at):
    return (
        "open_complaint",
        _("open complaint"),
        Complaint.objects.open().filter(customer__in=customers.values("pk")).values("customer_id"),
    )


def high_dissonance_among(customers, at):
    return (
        "high_dissonance",
        _("high dissonance"),
        DissonanceScore.objects.filter(
            customer__in=customers.values("pk"),
            purchase__isnull=True,
            level__in=scoring.AT_RISK_LEVELS,
        ).values("customer_id"),
    )
