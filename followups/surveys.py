"""Satisfaction surveys: the tick that e-mails personal links, the signed links, the answers.

A survey step of a playbook (kind SURVEY, channel e-mail) falls due like any follow-up. The tick
`send_due_surveys` then writes, in one transaction per batch of claimed follow-ups: the
invitation, the customer's e-mail in the outbox (delivered once, by its dedupe key), the contact,
and the follow-up marked done. A customer without an e-mail address cannot get a link: the
follow-up stays open, becomes a phone call and tells the caller to ask the questions.

A link carries the invitation's id signed with the SECRET_KEY (`django.core.signing`, its own
salt) and the time it was signed; it is valid for SURVEY_LINK_DAYS. Nothing secret is stored.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from aftersales import services as core
from aftersales.errors import DomainError
from aftersales.models import Branch
from aftersales.roles import Role
from customers.salutations import letter_greeting
from followups.calendar import local_now
from followups.contact_policy import can_contact, record_contact
from followups.models import (
    ContactChannel,
    FollowUp,
    Purpose,
    StepKind,
    SurveyInvitation,
    SurveyResponse,
)
from followups.signals import survey_answered

logger = logging.getLogger(__name__)

# How long a survey link works; `settings.SURVEY_LINK_DAYS` overrides it.
SURVEY_LINK_DAYS = 30
# Follow-ups claimed per transaction: each costs a handful of writes, so locks stay short.
SURVEY_BATCH = 200
# Separates survey links from every other signed value; the secret is SECRET_KEY, not this.
TOKEN_SALT = "aftersales.survey"  # noqa: S105


class SurveyLinkError(Exception):
    """A survey link that cannot be answered."""


class InvalidSurveyLink(SurveyLinkError):
    """Forged, mangled, or naming an invitation that no longer exists."""


class ExpiredSurveyLink(SurveyLinkError):
    """Authentic but past its lifetime, and never answered."""

    def __init__(self, invitation):
        super().__init__(f"Survey link of invitation {invitation.pk} has expired.")
        self.invitation = invitation


def link_days():
    return getattr(settings, "SURVEY_LINK_DAYS", SURVEY_LINK_DAYS)


# --- Links ---


def make_token(invitation):
    return signing.dumps(invitation.pk, salt=TOKEN_SALT)


def survey_link(invitation):
    """The absolute personal link for the e-mail (workers have no request to build it from)."""
    path = reverse("surveys:answer", args=[make_token(invitation)])
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def invitation_for_token(token, *, now=None):
    """The invitation a link names, with customer, branch and purchase.

    Raises InvalidSurveyLink for a forged link or a deleted invitation, and ExpiredSurveyLink
    for an unanswered one past its lifetime. An answered invitation is returned even when the
    link is old, so that the page can say "we already have your answer" rather than "expired".
    """
    now = now or timezone.now()
    try:
        pk = signing.loads(token, salt=TOKEN_SALT, max_age=timedelta(days=link_days()))
        signature_expired = False
    except signing.SignatureExpired:
        # Authentic, only too old: still worth knowing whether it was answered.
        pk = signing.loads(token, salt=TOKEN_SALT)
        signature_expired = True
    except signing.BadSignature:
        raise InvalidSurveyLink from None
    if not isinstance(pk, int):
        raise InvalidSurveyLink
    invitation = (
        SurveyInvitation.objects.select_related("customer", "branch", "purchase")
        .filter(pk=pk)
        .first()
    )
    if invitation is None:
        raise InvalidSurveyLink
    if invitation.answered_at is None and (signature_expired or invitation.expires_at <= now):
        raise ExpiredSurveyLink(invitation)
    return invitation


# --- The tick ---


def send_due_surveys(*, now=None):
    """E-mail the survey link of every due survey follow-up once; returns how many were sent.

    Rows are claimed with SKIP LOCKED, so two ticks at once share the work instead of doubling
    it; a follow-up leaves the scan in the same transaction that sends it (done, or turned into a
    phone call), so a re-run finds nothing. Due means on or before the branch's local today.

    Surveys are care contacts: marketing consent never holds them back, but the contact policy's
    calendar does (no e-mail on Sundays, holidays or outside the contact hours); such follow-ups
    stay open for a later tick. `now` is the moment of sending and must not lie in the future.
    """
    now = now or timezone.now()
    sent = 0
    for branch in Branch.objects.filter(is_active=True).order_by("pk"):
        today = local_now(branch, now).date()
        # Walk by primary key: rows that must wait stay in scope and must not be claimed again
        # by the next batch of the same run.
        last_pk = 0
        while True:
            with transaction.atomic():
                claimed = list(
                    FollowUp.objects.select_for_update(skip_locked=True, of=("self",))
                    .filter(
                        branch=branch,
                        kind=StepKind.SURVEY,
                        channel=ContactChannel.EMAIL,
                        status=FollowUp.Status.OPEN,
                        due_date__lte=today,
                        pk__gt=last_pk,
                    )
                    .select_related(
                        "customer__branch__followup_policy", "purchase", "assignee", "branch"
                    )
                    .order_by("pk")[:SURVEY_BATCH]
                )
                if not claimed:
                    break
                for followup in claimed:
                    sent += _send_survey(followup, now)
                last_pk = claimed[-1].pk
    return sent


def _send_survey(followup, now):
    customer = followup.customer
    if not customer.email or customer.is_erased:
        _hand_over_to_phone(followup)
        return 0
    decision = can_contact(customer, Purpose.CARE, ContactChannel.EMAIL, now)
    if not decision.allowed:
        logger.info("Survey follow-up %s waits: %s", followup.pk, decision.code)
        return 0
    invitation = SurveyInvitation(
        followup=followup,
        customer=customer,
        purchase=followup.purchase,
        branch=followup.branch,
        sent_at=now,
        expires_at=now + timedelta(days=link_days()),
    )
    # The related rows are in hand and the one-to-one is guarded by the database.
    invitation.full_clean(exclude=["followup", "customer", "purchase", "branch"])
    invitation.save()
    with translation.override(customer.preferred_language):
        subject, body = _invitation_email(invitation)
    core.queue_email(
        to=customer.email, subject=subject, body=body, dedupe_key=f"survey:{followup.pk}"
    )
    followup.status = FollowUp.Status.DONE
    followup.outcome = FollowUp.Outcome.SENT
    followup.completed_at = now
    followup.save(update_fields=["status", "outcome", "completed_at", "updated_at"])
    record_contact(
        customer=customer,
        purpose=Purpose.CARE,
        channel=ContactChannel.EMAIL,
        by=None,
        at=now,
        followup=followup,
    )
    return 1


def _invitation_email(invitation):
    """Subject and text in the active language (the customer's)."""
    customer, branch = invitation.customer, invitation.branch
    valid_until = formats.date_format(invitation.expires_at.astimezone(branch.zone).date())
    subject = _("Your opinion matters: how satisfied are you with %(branch)s?") % {
        "branch": branch.name
    }
    paragraphs = [
        f"{letter_greeting(customer)},",
        _(
            "thank you for your purchase at %(branch)s. We would like to know how satisfied you "
            "are. Four short questions, about two minutes:"
        )
        % {"branch": branch.name},
        survey_link(invitation),
        _(
            "The link is personal and valid until %(date)s. If you would like us to call you, "
            "just say so in the survey."
        )
        % {"date": valid_until},
        _("Kind regards,\nYour team at %(branch)s") % {"branch": branch.name},
    ]
    return subject, "\n\n".join(paragraphs)


def _hand_over_to_phone(followup):
    """No address to send a link to: the survey becomes a call of the assignee."""
    language = followup.assignee.language if followup.assignee else settings.LANGUAGE_CODE
    with translation.override(language):
        note = _("No e-mail address: ask the survey questions by phone.")
    changed = ["channel", "updated_at"]
    if note not in followup.instructions:
        followup.instructions = "\n\n".join(
            part for part in (followup.instructions.strip(), note) if part
        )
        changed.append("instructions")
    followup.channel = ContactChannel.PHONE
    followup.save(update_fields=changed)


# --- The answer ---


def _check_scale(value, low, high, field, message):
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise DomainError(message, field=field)


@transaction.atomic
def answer_survey(
    *, invitation, nps, satisfaction_purchase, satisfaction_handover, comment, callback_wanted
):
    """Store the customer's one answer to an invitation; a low score alerts people at once.

    The invitation row is locked first, so a double submit (two tabs, a double click) stores one
    answer and refuses the other.
    """
    now = timezone.now()
    invitation = (
        SurveyInvitation.objects.select_for_update(of=("self",))
        .select_related("customer", "branch", "purchase__salesperson", "customer__salesperson")
        .get(pk=invitation.pk)
    )
    if invitation.answered_at is not None:
        raise DomainError(_("We already have your answer to this survey."))
    if invitation.expires_at <= now:
        raise DomainError(_("This survey link has expired."))
    _check_scale(nps, 0, 10, "nps", _("Choose a number from 0 to 10."))
    _check_scale(
        satisfaction_purchase, 1, 5, "satisfaction_purchase", _("Choose a number from 1 to 5.")
    )
    _check_scale(
        satisfaction_handover, 1, 5, "satisfaction_handover", _("Choose a number from 1 to 5.")
    )
    response = SurveyResponse(
        invitation=invitation,
        nps=nps,
        satisfaction_purchase=satisfaction_purchase,
        satisfaction_handover=satisfaction_handover,
        comment=(comment or "").strip(),
        callback_wanted=bool(callback_wanted),
    )
    # The invitation is locked and checked above.
    response.full_clean(exclude=["invitation"])
    response.save()
    invitation.answered_at = now
    invitation.save(update_fields=["answered_at"])
    survey_answered.send(sender=SurveyResponse, response=response)
    if response.is_low:
        _alert_low_score(response)
    return response


def _low_score_recipients(invitation):
    """The purchase's salesperson (else the customer's) and the branch's managers, once each."""
    recipients = {}
    purchase = invitation.purchase
    salesperson = purchase.salesperson if purchase else invitation.customer.salesperson
    if salesperson is not None and salesperson.is_active:
        recipients[salesperson.pk] = salesperson
    managers = (
        get_user_model()
        .objects.filter(is_active=True, branches=invitation.branch, groups__name=Role.MANAGER)
        .order_by("pk")
        .distinct()
    )
    for manager in managers:
        recipients.setdefault(manager.pk, manager)
    return list(recipients.values())


def _alert_low_score(response):
    invitation = response.invitation
    customer = invitation.customer
    for user in _low_score_recipients(invitation):
        with translation.override(user.language):
            lines = [
                _("Likelihood to recommend: %(nps)d of 10") % {"nps": response.nps},
                _("Satisfaction with the purchase: %(score)d of 5")
                % {"score": response.satisfaction_purchase},
                _("Satisfaction with the handover: %(score)d of 5")
                % {"score": response.satisfaction_handover},
                _("The customer would like a call back.")
                if response.callback_wanted
                else _("No call back requested."),
            ]
            if response.comment:
                lines.append(_("Comment: %(comment)s") % {"comment": response.comment})
            core.notify(
                recipient=user,
                kind="survey_low_score",
                subject=_("Low survey score from %(customer)s (NPS %(nps)d)")
                % {"customer": customer.display_name, "nps": response.nps},
                body="\n".join(lines),
                link=customer.get_absolute_url(),
                dedupe_key=f"survey-low:{response.pk}:{user.pk}",
            )
