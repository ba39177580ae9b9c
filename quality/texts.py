"""The texts quality generates (see aftersales.texts): dissonance signals' summaries and the
recovery call's title and questions, written out in the reader's language from the rows they
name as those rows are now (a corrected complaint reads corrected).

The signal's functions read the complaint, follow-up or survey answer the signal points to;
lists load them with the signals (`SIGNAL_TEXT_RELATED`), so a text costs no query of its own.
"""

from collections import defaultdict

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, pgettext

from aftersales import texts
from aftersales.translated import translated
from customers.salutations import by_gender
from quality.models import Complaint, DissonanceSignal, Nature, Severity

COMPLAINT = "quality.signal.complaint"
REPEATED_COMPLAINT = "quality.signal.repeated_complaint"
UNSATISFIED_RESOLUTION = "quality.signal.unsatisfied_resolution"
REOPENED_COMPLAINT = "quality.signal.reopened_complaint"
FOLLOWUP_CONCERN = "quality.signal.followup_concern"
NOT_REACHED = "quality.signal.not_reached"
MISSED_FOLLOWUP = "quality.signal.missed_followup"
LOW_SURVEY = "quality.signal.low_survey"
RECOVERY_TITLE = "quality.recovery.title"
RECOVERY_INSTRUCTIONS = "quality.recovery.instructions"
CAMPAIGN_TITLE = "quality.campaign.title"
CAMPAIGN_INSTRUCTIONS = "quality.campaign.instructions"

Kind = DissonanceSignal.Kind
# Each kind of signal has one text.
SIGNAL_CODES = {
    Kind.COMPLAINT: COMPLAINT,
    Kind.REPEATED_COMPLAINT: REPEATED_COMPLAINT,
    Kind.UNSATISFIED_RESOLUTION: UNSATISFIED_RESOLUTION,
    Kind.REOPENED_COMPLAINT: REOPENED_COMPLAINT,
    Kind.FOLLOWUP_CONCERN: FOLLOWUP_CONCERN,
    Kind.NOT_REACHED: NOT_REACHED,
    Kind.MISSED_FOLLOWUP: MISSED_FOLLOWUP,
    Kind.LOW_SURVEY: LOW_SURVEY,
}
# What a list of signals joins so that their texts need no query of their own.
SIGNAL_TEXT_RELATED = ("complaint__category", "followup__customer", "survey_response")
# The columns those texts read, with every language of a translated one (its fallbacks): the
# reasons of a page of scores load nothing else of the rows joined (whole complaint, follow-up,
# customer and survey rows took three times as long, a fifth of the dissonance list's request).
SIGNAL_TEXT_FIELDS = (
    "summary_code",
    "summary_params",
    "summary",
    "complaint__category",
    "complaint__nature",
    "complaint__severity",
    "complaint__category__name",
    *translated("complaint__category__name"),
    "followup__title_code",
    "followup__text_params",
    "followup__title",
    *translated("followup__title"),
    "followup__concern",
    "followup__customer__kind",
    "followup__customer__company_name",
    "followup__customer__first_name",
    "followup__customer__last_name",
    "survey_response__nps",
    "survey_response__satisfaction_purchase",
    "survey_response__satisfaction_handover",
)


def choice_label(choices, value):
    """What the model's get_..._display() gives, translating only this choice's label: Django's
    translates every label of the field to look one up (a sixth of the dissonance list's
    request went into the reasons' natures and severities)."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def complaint_summary(complaint):
    """A complaint as its signal names it: "Complaint: Wind noise, subjective, medium"."""
    return _("Complaint: %(category)s, %(nature)s, %(severity)s") % {
        "category": complaint.category.name,
        "nature": choice_label(Nature, complaint.nature),
        "severity": choice_label(Severity, complaint.severity),
    }


@texts.define(COMPLAINT)
def _complaint(params, signal):
    return complaint_summary(signal.complaint)


@texts.define(REPEATED_COMPLAINT)
def _repeated(params, signal):
    return _("Repeated complaint on the same purchase (%(count)d before)") % {
        "count": params["count"]
    }


@texts.define(UNSATISFIED_RESOLUTION)
def _unsatisfied(params, signal):
    return _("Not satisfied with the resolution of: %(category)s") % {
        "category": signal.complaint.category.name
    }


@texts.define(REOPENED_COMPLAINT)
def _reopened(params, signal):
    return _("Complaint reopened: %(category)s") % {"category": signal.complaint.category.name}


@texts.define(FOLLOWUP_CONCERN)
def _concern(params, signal):
    followup = signal.followup
    return _("Concern in %(title)s: %(concern)s") % {
        "title": followup.heading,
        "concern": followup.concern,
    }


@texts.define(NOT_REACHED)
def _not_reached(params, signal):
    count = params["count"]
    return ngettext(
        "Not reached %(count)d time: %(title)s",
        "Not reached %(count)d times: %(title)s",
        count,
    ) % {"count": count, "title": signal.followup.heading}


@texts.define(MISSED_FOLLOWUP)
def _missed(params, signal):
    return _("Follow-up never made: %(title)s") % {"title": signal.followup.heading}


@texts.define(LOW_SURVEY)
def _low_survey(params, signal):
    response = signal.survey_response
    return _("Low survey answer: NPS %(nps)d, purchase %(purchase)d/5, handover %(handover)d/5") % {
        "nps": response.nps,
        "purchase": response.satisfaction_purchase,
        "handover": response.satisfaction_handover,
    }


# --- the recovery call -------------------------------------------------------------------------


@texts.define(RECOVERY_TITLE)
def _recovery_title(params, followup):
    return _("Recovery call: %(customer)s") % {"customer": followup.customer}


def _load_open_complaints(followups):
    """The open complaints of all the follow-ups' customers, in one query."""
    by_customer = defaultdict(list)
    for complaint in (
        Complaint.objects.open()
        .filter(customer_id__in={followup.customer_id for followup in followups})
        .select_related("category")
        .order_by("received_at", "pk")
    ):
        by_customer[complaint.customer_id].append(complaint)
    for followup in followups:
        followup.open_complaints = by_customer.get(followup.customer_id, [])


@texts.define(RECOVERY_INSTRUCTIONS, prepare=_load_open_complaints)
def _recovery_instructions(params, followup):
    if not hasattr(followup, "open_complaints"):
        _load_open_complaints([followup])
    return recovery_instructions(
        followup.customer, [complaint_summary(complaint) for complaint in followup.open_complaints]
    )


def recovery_instructions(customer, reasons):
    """What the recovery call's assignee is asked to do, with every reason given; German speaks
    of "die Kundin" or "der Kunde" by the customer's salutation."""
    if not reasons:
        return by_gender(
            customer,
            female=pgettext(
                "female customer",
                "Call personally. The customer shows strong doubt about the purchase. "
                "Listen, acknowledge, agree on a concrete next step.",
            ),
            male=pgettext(
                "male customer",
                "Call personally. The customer shows strong doubt about the purchase. "
                "Listen, acknowledge, agree on a concrete next step.",
            ),
            neutral=pgettext(
                "customer",
                "Call personally. The customer shows strong doubt about the purchase. "
                "Listen, acknowledge, agree on a concrete next step.",
            ),
        )
    text = by_gender(
        customer,
        female=pgettext(
            "female customer",
            "Call personally. The customer shows strong doubt about the purchase: %(reasons)s. "
            "Listen, acknowledge, agree on a concrete next step.",
        ),
        male=pgettext(
            "male customer",
            "Call personally. The customer shows strong doubt about the purchase: %(reasons)s. "
            "Listen, acknowledge, agree on a concrete next step.",
        ),
        neutral=pgettext(
            "customer",
            "Call personally. The customer shows strong doubt about the purchase: %(reasons)s. "
            "Listen, acknowledge, agree on a concrete next step.",
        ),
    )
    return text % {"reasons": "; ".join(reasons)}


# --- a campaign's calls ------------------------------------------------------------------------


@texts.define(CAMPAIGN_TITLE)
def campaign_title(params, followup=None):
    return _("Campaign %(reference)s: %(name)s") % {
        "reference": params["reference"],
        "name": params["name"],
    }


@texts.define(CAMPAIGN_INSTRUCTIONS)
def campaign_instructions(params=None, followup=None):
    return _("Call the owner about the campaign and offer a service appointment.")


# --- a score's reasons -------------------------------------------------------------------------


def reason_signals(reasons, *, related=()):
    """The signals that reasons stored with scores (DissonanceScore.reasons) name, by id, joined
    for their texts (and with `related`, whole): one query for the reasons of any number of
    scores. Without `related` only what the texts read is loaded (SIGNAL_TEXT_FIELDS)."""
    ids = {reason.get("signal") for reason in reasons} - {None}
    if not ids:
        return {}
    signals = DissonanceSignal.objects.select_related(*SIGNAL_TEXT_RELATED, *related)
    if not related:
        signals = signals.only(*SIGNAL_TEXT_FIELDS)
    return signals.in_bulk(ids)


def reason_text(reason, signals):
    """A stored reason in the reader's language: its signal's text, else the words stored."""
    signal = signals.get(reason.get("signal"))
    return signal.text if signal is not None else reason.get("summary", "")
