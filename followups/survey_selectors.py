"""Reads of survey answers for staff pages and the API, scoped to the user's branches."""

from django.db.models import Q

from followups.models import SurveyInvitation, SurveyResponse

# The same rule as SurveyResponse.is_low, as a query.
LOW_SCORE = Q(nps__lte=6) | Q(satisfaction_purchase__lte=2) | Q(satisfaction_handover__lte=2)


def survey_responses_for(user, *, branch=None, low_only=False, since=None, until=None):
    """The answers to invitations of the user's branches (all for administrators), newest first,
    with customer, branch, purchase and salesperson joined; `since`/`until` bound the answer
    time (aware datetimes)."""
    invitations = SurveyInvitation.objects.visible_to(user)
    if branch is not None:
        invitations = invitations.filter(branch=branch)
    responses = SurveyResponse.objects.filter(invitation__in=invitations)
    if low_only:
        responses = responses.filter(LOW_SCORE)
    if since is not None:
        responses = responses.filter(created_at__gte=since)
    if until is not None:
        responses = responses.filter(created_at__lt=until)
    return responses.select_related(
        "invitation__customer",
        "invitation__branch",
        "invitation__purchase__salesperson",
    ).order_by("-created_at", "-pk")
