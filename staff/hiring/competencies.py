"""The anchored rating scales of the aptitude assessment for hiring.

Each competency has a question (or exercise) for the interview, what to look for, and a
behavioural description of each level 1–5. Assessors rate what they observed against these
anchors, so that "4" means the same to every assessor and different assessors can be compared.
"""

from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from staff.hiring.models import Competency

LEVELS = (1, 2, 3, 4, 5)

LEVEL_NAMES = {
    1: _("poor"),
    2: _("below expectations"),
    3: _("meets expectations"),
    4: _("strong"),
    5: _("excellent"),
}


@dataclass(frozen=True)
class AnchoredScale:
    competency: Competency
    question: Promise
    look_for: Promise
    anchors: dict[int, Promise]

    @property
    def label(self):
        return self.competency.label

    def levels(self):
        """(level, name, description) from 1 to 5."""
        return [(level, LEVEL_NAMES[level], self.anchors[level]) for level in LEVELS]


SCALES = {
    Competency.CUSTOMER_ORIENTATION: AnchoredScale(
        competency=Competency.CUSTOMER_ORIENTATION,
        question=_(
            "Tell us about a time you went out of your way for a customer. What did you do, "
            "and why?"
        ),
        look_for=_(
            "A concrete example; the customer's point of view rather than their own targets; "
            "help that went on after the sale or the request."
        ),
        anchors={
            1: _(
                "Speaks of customers as a nuisance or only of their own targets; no example "
                "where the customer's need came first."
            ),
            2: _(
                "A general answer (“the customer is king”) without a concrete example; help "
                "stops where the rules end."
            ),
            3: _(
                "A concrete example of meeting a customer's request promptly and politely; asks "
                "what the customer needs before offering a solution."
            ),
            4: _(
                "In the example they anticipated a need the customer had not spoken (explained "
                "the next steps, called back unasked) and can say what it meant to the customer."
            ),
            5: _(
                "Several examples of lasting relationships built by following up; balances the "
                "customer's interest with the company's and names what they changed in their "
                "own work because of customer feedback."
            ),
        },
    ),
    Competency.RELIABILITY: AnchoredScale(
        competency=Competency.RELIABILITY,
        question=_(
            "How do you make sure you keep appointments and promises to customers and "
            "colleagues? What happened the last time you could not?"
        ),
        look_for=_(
            "Punctual for the interview; concrete habits (calendar, reminders, confirming); "
            "owning a missed promise instead of blaming others."
        ),
        anchors={
            1: _(
                "Late without notice, or vague about commitments; blames others for missed "
                "appointments."
            ),
            2: _("Usually on time but without a method; missed promises are “things that happen”."),
            3: _(
                "On time; keeps a calendar or notes; tells people in advance when something slips."
            ),
            4: _(
                "Describes a dependable routine (confirming appointments, buffer times) and an "
                "example of keeping a difficult promise."
            ),
            5: _(
                "Others rely on them to organise; confirms and reports back unasked; owns a past "
                "failure and names what they changed since."
            ),
        },
    ),
    Competency.COMMUNICATION: AnchoredScale(
        competency=Competency.COMMUNICATION,
        question=_(
            "Explain a feature of a product you know well to someone who has never used it."
        ),
        look_for=_("Structure, plain words, listening, checking that the listener has understood."),
        anchors={
            1: _("Hard to follow; jargon; interrupts or does not listen."),
            2: _(
                "Understandable but rambling or one-way; does not check whether it was understood."
            ),
            3: _("Clear and structured; adapts some words to the listener; listens to questions."),
            4: _(
                "Asks first what the listener knows, explains in plain words with examples, "
                "checks understanding and sums up."
            ),
            5: _(
                "Engaging and precise; adapts tone and depth to the listener as they go; turns "
                "questions into a dialogue."
            ),
        },
    ),
    Competency.RESILIENCE: AnchoredScale(
        competency=Competency.RESILIENCE,
        question=_(
            "Role play: an angry customer complains that their car is not ready as promised."
        ),
        look_for=_(
            "Staying calm, letting the customer finish, acknowledging the feeling, no blame on "
            "colleagues, a concrete next step."
        ),
        anchors={
            1: _(
                "Becomes defensive, argues or blames colleagues — or promises anything to end "
                "the conversation."
            ),
            2: _(
                "Stays polite but tense; justifies the delay instead of listening; no concrete "
                "next step."
            ),
            3: _(
                "Stays calm, lets the customer finish, apologises for the inconvenience and "
                "offers a next step."
            ),
            4: _(
                "Acknowledges the customer's feeling in their own words, takes ownership, offers "
                "options and a firm time for the next contact."
            ),
            5: _(
                "Visibly calms the customer and wins back trust (a clear commitment, a follow-up "
                "unasked); reflects on it afterwards without taking it personally."
            ),
        },
    ),
    Competency.PRODUCT_INTEREST: AnchoredScale(
        competency=Competency.PRODUCT_INTEREST,
        question=_(
            "What interests you about our products? What have you recently learned about them?"
        ),
        look_for=_(
            "Preparation, curiosity, the questions they ask, linking features to what they mean "
            "for a customer."
        ),
        anchors={
            1: _("No interest or knowledge; has not looked at our products."),
            2: _("General interest but no specific knowledge; asks few questions."),
            3: _("Has prepared: knows our main products and asks relevant questions."),
            4: _(
                "Detailed knowledge of some products and of competitors; links features to "
                "customer benefits."
            ),
            5: _(
                "Genuine enthusiasm; keeps up to date on their own (new models, technology); "
                "explains benefits vividly and would enjoy teaching customers and colleagues."
            ),
        },
    ),
}


def scales():
    """The anchored scales in the order of the competencies."""
    return [SCALES[competency] for competency in Competency]
