"""Complaints on the customer's timeline (see customers.timeline)."""

from django.utils.translation import gettext as _

from customers import timeline
from quality.models import Complaint


@timeline.register
def complaint_events(customer):
    return [
        timeline.TimelineEvent(
            when=complaint.received_at,
            kind="complaint",
            title=_("Complaint: %(category)s (%(status)s)")
            % {"category": complaint.category, "status": complaint.get_status_display()},
            detail=complaint.description[:200],
            link=complaint.get_absolute_url(),
        )
        for complaint in Complaint.objects.filter(customer=customer).select_related(
            "category__parent"
        )
    ]
