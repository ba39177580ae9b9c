"""Appointments on the customer's timeline (see customers.timeline).

Registered on import, which StaffConfig.ready does together with the receivers."""

from django.utils.translation import gettext as _

from customers import timeline
from staff.people.models import Appointment


@timeline.register
def appointment_events(customer):
    return [
        timeline.TimelineEvent(
            when=appointment.agreed_at,
            kind="appointment",
            title=_("Appointment: %(kind)s with %(employee)s (%(outcome)s)")
            % {
                "kind": appointment.get_kind_display(),
                "employee": appointment.employee,
                "outcome": appointment.get_outcome_display(),
            },
            detail=appointment.notes[:200],
            link=appointment.get_absolute_url(),
            planned=appointment.outcome == Appointment.Outcome.SCHEDULED,
        )
        for appointment in Appointment.objects.filter(customer=customer).select_related("employee")
    ]
