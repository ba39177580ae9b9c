"""Follow-ups and survey answers on the customer's timeline (see customers.timeline)."""

from urllib.parse import urlencode

from django.utils.translation import gettext as _

from customers import timeline
from followups.models import FollowUp, SurveyResponse


@timeline.register
def followup_events(customer):
    events = []
    # A follow-up opened from the customer's page returns there once it has been worked.
    back = urlencode({"next": customer.get_absolute_url()})
    followups = FollowUp.objects.filter(customer=customer).select_related(
        "assignee", "completed_by", "customer"
    )
    for followup in followups:
        if followup.status == FollowUp.Status.OPEN:
            events.append(
                timeline.TimelineEvent(
                    when=timeline.as_datetime(followup.due_date),
                    kind="followup",
                    title=_("Planned: %(title)s") % {"title": followup.heading},
                    detail=str(followup.assignee or ""),
                    link=f"{followup.get_absolute_url()}?{back}",
                    planned=True,
                )
            )
        elif followup.status != FollowUp.Status.CANCELLED:
            result = followup.get_outcome_display() or followup.get_status_display()
            events.append(
                timeline.TimelineEvent(
                    when=followup.completed_at
                    or followup.missed_at
                    or timeline.as_datetime(followup.due_date),
                    kind="followup",
                    title=f"{followup.heading}: {result}",
                    detail=followup.concern or followup.notes,
                    link=f"{followup.get_absolute_url()}?{back}",
                )
            )
    for response in SurveyResponse.objects.filter(invitation__customer=customer):
        events.append(
            timeline.TimelineEvent(
                when=response.created_at,
                kind="survey",
                title=_("Survey answered: NPS %(nps)d, satisfaction %(purchase)d/5")
                % {"nps": response.nps, "purchase": response.satisfaction_purchase},
                detail=response.comment,
            )
        )
    return events
