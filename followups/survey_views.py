"""The customer's survey pages: public (no login), reached through the personal e-mailed link.

Every page speaks the customer's language (from the invitation, not the browser) and is never
cached, since the link is personal. Status codes:

- forged or unknown link: 404 with a friendly "this link does not work" page (browser language);
- expired and unanswered: 410 "this link has expired";
- already answered: 200 "thank you, we already have your answer" when the link is opened again
  (not an error for the customer), 409 with the same page when a second answer is posted;
- invalid input: 200 with the form and its errors; a stored answer redirects to the thank-you page;
- more answers posted from one address than THROTTLE_SURVEY_RATE allows: 429 "try again later".
"""

from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from aftersales.errors import DomainError
from aftersales.signin.throttling import SurveyAnswerThrottle
from aftersales.views import add_domain_error
from followups import surveys
from followups.survey_forms import SurveyForm


def _render(request, template, context=None, *, invitation=None, status=200):
    context = {"invitation": invitation, **(context or {})}
    if invitation is None:
        return render(request, template, context, status=status)
    # The customer's language, and dates in the branch's time zone.
    language = invitation.customer.preferred_language
    with translation.override(language), timezone.override(invitation.branch.zone):
        response = render(request, template, context, status=status)
    # LocaleMiddleware only sets the header when the view has not.
    response.headers["Content-Language"] = language
    return response


def _invalid(request):
    return _render(request, "surveys/invalid.html", status=404)


def _answered(request, invitation, status=200):
    return _render(request, "surveys/answered.html", invitation=invitation, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def answer(request, token):
    if request.method == "POST":
        throttle = SurveyAnswerThrottle()
        if not throttle.allow_request(request, None):
            response = _render(request, "surveys/throttled.html", status=429)
            response.headers["Retry-After"] = str(int(throttle.wait() or 60))
            return response
    try:
        invitation = surveys.invitation_for_token(token)
    except surveys.InvalidSurveyLink:
        return _invalid(request)
    except surveys.ExpiredSurveyLink as expired:
        return _render(request, "surveys/expired.html", invitation=expired.invitation, status=410)
    if invitation.answered_at is not None:
        return _answered(request, invitation, status=409 if request.method == "POST" else 200)
    form = SurveyForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        try:
            surveys.answer_survey(invitation=invitation, **form.cleaned_data)
        except DomainError as error:
            invitation.refresh_from_db(fields=["answered_at"])
            if invitation.answered_at is not None:
                # Another tab or a double click got there first.
                return _answered(request, invitation, status=409)
            add_domain_error(form, error)
        else:
            return redirect("surveys:thanks", token=token)
    return _render(request, "surveys/answer.html", {"form": form}, invitation=invitation)


@never_cache
@require_http_methods(["GET"])
def thanks(request, token):
    try:
        invitation = surveys.invitation_for_token(token)
    except surveys.InvalidSurveyLink:
        return _invalid(request)
    except surveys.ExpiredSurveyLink as expired:
        return _render(request, "surveys/expired.html", invitation=expired.invitation, status=410)
    if invitation.answered_at is None:
        return redirect("surveys:answer", token=token)
    return _render(request, "surveys/thanks.html", invitation=invitation)
