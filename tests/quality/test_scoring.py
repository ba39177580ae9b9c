"""The dissonance score (quality.scoring and the scoring half of quality.services).

Weights by severity and nature, decay with the half-life, the involvement and early-months
factors, the explanation in words, the levels, the recovery action when a customer rises to high,
the nightly recompute; the signals that reach the score from follow-ups and surveys through the
real Django signals and receivers; and the contact policy's "care before commerce" block.

The clock stands still on a Tuesday morning in Berlin (time-machine); later moments are reached
by travelling or by passing `now=` explicitly.
"""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.utils import translation

from aftersales.models import Notification
from customers.models import InvolvementLevel
from followups import contact_policy
from followups import services as followup_services
from followups.models import (
    AssigneeRole,
    ContactChannel,
    FollowUp,
    Purpose,
    StepKind,
    SurveyInvitation,
)
from followups.surveys import answer_survey
from quality import scoring, services
from quality import texts as quality_texts
from quality.models import (
    Complaint,
    ComplaintCategory,
    DissonanceScore,
    DissonanceSignal,
    Level,
    Nature,
    Severity,
)
from tests.aftersales.factories import UserFactory
from tests.customers.factories import CustomerFactory, ProductCategoryFactory, PurchaseFactory

TUESDAY = date(2026, 6, 9)
THURSDAY = date(2026, 6, 11)
# In UTC, so that "120 days earlier" is exactly 120 × 24 hours across the change to summer time.
NOW = datetime(2026, 6, 9, 8, 0, tzinfo=UTC)  # 10:00 in Berlin
# Within the branch's default contact hours (09:00-19:00 Berlin time) of a working day.
NOON = datetime(2026, 6, 9, 10, 0, tzinfo=UTC)
Kind = DissonanceSignal.Kind


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def sven(north):
    return UserFactory(username="sven", roles=["service"], branches=[north])


@pytest.fixture
def wind(db):
    return ComplaintCategory.objects.create(name="Wind noise", code="test-wind-noise")


@pytest.fixture
def invoice(db):
    return ComplaintCategory.objects.create(name="Invoice", code="test-invoice")


@pytest.fixture
def handover(db):
    return ComplaintCategory.objects.create(name="Handover", code="test-handover")


@pytest.fixture
def customer(north, owner):
    return CustomerFactory(branch=north, salesperson=owner, consent_email=True)


def complain(by, customer, category, *, severity=Severity.MEDIUM, nature=Nature.SUBJECTIVE, **kw):
    return services.record_complaint(
        by=by,
        customer=customer,
        category=category,
        description="It whistles above 100 km/h.",
        channel=Complaint.Channel.PHONE,
        severity=severity,
        nature=nature,
        **kw,
    )


def customer_score(customer):
    return DissonanceScore.objects.get(customer=customer, purchase=None)


def purchase_for(customer, *, involvement, handover_days_ago):
    handover = TUESDAY - timedelta(days=handover_days_ago)
    return PurchaseFactory(
        customer=customer,
        main_category=ProductCategoryFactory(involvement=involvement),
        purchase_date=handover - timedelta(days=5),
        handover_date=handover,
    )


def recovery_followups():
    return FollowUp.objects.filter(kind=StepKind.RECOVERY)


def alerts(user):
    return Notification.objects.filter(recipient=user, kind="dissonance_alert")


def open_followup(customer, assignee, **fields):
    return FollowUp.objects.create(
        customer=customer,
        branch=customer.branch,
        kind=StepKind.CHECK_IN,
        channel=ContactChannel.PHONE,
        purpose=Purpose.CARE,
        title=fields.pop("title", "Check-in after a week"),
        assignee_role=AssigneeRole.SALESPERSON,
        assignee=assignee,
        planned_date=fields.get("due_date", TUESDAY),
        due_date=fields.pop("due_date", TUESDAY),
        **fields,
    )


# --- weights -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("severity", "nature", "points"),
    [
        (Severity.LOW, Nature.OBJECTIVE, 10),
        (Severity.MEDIUM, Nature.SUBJECTIVE, 20),
        (Severity.HIGH, Nature.SUBJECTIVE, 35),
        (Severity.CRITICAL, Nature.OBJECTIVE, 50),
        # Not yet known weighs 0.9: 18 and 45 (31.5 rounds half to even: 32).
        (Severity.MEDIUM, Nature.UNKNOWN, 18),
        (Severity.HIGH, Nature.UNKNOWN, 32),
        (Severity.CRITICAL, Nature.UNKNOWN, 45),
    ],
)
def test_a_complaint_weighs_by_severity_and_nature(sven, customer, wind, severity, nature, points):
    complaint = complain(sven, customer, wind, severity=severity, nature=nature)

    signal = DissonanceSignal.objects.get()
    assert (signal.kind, signal.weight, signal.complaint) == (Kind.COMPLAINT, points, complaint)
    assert signal.occurred_at == NOW
    # No purchase, received just now: neither decay nor a factor changes the points.
    assert customer_score(customer).score == points


def test_subjective_doubt_counts_as_much_as_an_objective_defect(sven, north, wind):
    subjective, objective = CustomerFactory(branch=north), CustomerFactory(branch=north)
    complain(sven, subjective, wind, severity=Severity.HIGH, nature=Nature.SUBJECTIVE)
    complain(sven, objective, wind, severity=Severity.HIGH, nature=Nature.OBJECTIVE)

    assert customer_score(subjective).score == customer_score(objective).score == 35


def test_weights_are_configurable(settings, sven, customer, wind):
    settings.DISSONANCE_WEIGHTS = {
        "nature": {Nature.OBJECTIVE: 1.0, Nature.SUBJECTIVE: 0.5, Nature.UNKNOWN: 0.9}
    }
    complain(sven, customer, wind, severity=Severity.HIGH, nature=Nature.SUBJECTIVE)

    # 35 × 0.5 = 17.5, rounded half to even.
    assert DissonanceSignal.objects.get().weight == 18


def test_a_second_complaint_on_the_same_purchase_is_a_repeated_complaint(sven, customer, wind):
    purchase = purchase_for(customer, involvement=InvolvementLevel.MEDIUM, handover_days_ago=200)
    complain(sven, customer, wind, purchase=purchase)
    assert not DissonanceSignal.objects.filter(kind=Kind.REPEATED_COMPLAINT).exists()

    second = complain(sven, customer, wind, purchase=purchase)

    repeated = DissonanceSignal.objects.get(kind=Kind.REPEATED_COMPLAINT)
    assert (repeated.complaint, repeated.weight) == (second, 15)
    assert repeated.summary == "Repeated complaint on the same purchase (1 before)"
    assert customer_score(customer).score == 20 + 20 + 15


# --- decay ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("half_life", "age_days", "points"),
    [(60, 0, 20), (60, 60, 10), (60, 120, 5), (30, 60, 5), (30, 30, 10)],
)
def test_a_signal_halves_with_each_half_life(
    settings, sven, customer, wind, half_life, age_days, points
):
    settings.DISSONANCE_HALF_LIFE_DAYS = half_life
    complain(sven, customer, wind, received_at=NOW - timedelta(days=age_days))

    assert customer_score(customer).score == points


def test_the_score_decays_when_recomputed_later(sven, customer, wind):
    complain(sven, customer, wind)
    assert customer_score(customer).score == 20

    services.rescore_customer(customer=customer, now=NOW + timedelta(days=60))

    assert customer_score(customer).score == 10
    assert customer_score(customer).computed_at == NOW + timedelta(days=60)


# --- involvement and the first months after handover ------------------------------------------


@pytest.mark.parametrize(
    ("involvement", "points"),
    [(InvolvementLevel.HIGH, 26), (InvolvementLevel.MEDIUM, 20), (InvolvementLevel.LOW, 14)],
)
def test_high_involvement_purchases_weigh_more(sven, customer, wind, involvement, points):
    purchase = purchase_for(customer, involvement=involvement, handover_days_ago=200)
    complain(sven, customer, wind, purchase=purchase)

    assert customer_score(customer).score == points
    assert DissonanceScore.objects.get(purchase=purchase).score == points


@pytest.mark.parametrize(
    ("handover_days_ago", "points"),
    # 20 × 1.25 up to 90 days after handover, 20 afterwards.
    [(0, 25), (10, 25), (90, 25), (91, 20), (365, 20)],
)
def test_doubt_in_the_first_months_after_handover_weighs_more(
    sven, customer, wind, handover_days_ago, points
):
    purchase = purchase_for(
        customer, involvement=InvolvementLevel.MEDIUM, handover_days_ago=handover_days_ago
    )
    complain(sven, customer, wind, purchase=purchase)

    assert customer_score(customer).score == points


def test_involvement_and_early_months_multiply(sven, customer, wind):
    purchase = purchase_for(customer, involvement=InvolvementLevel.HIGH, handover_days_ago=12)
    complain(sven, customer, wind, severity=Severity.CRITICAL, purchase=purchase)

    # 50 × 1.3 × 1.25 = 81.25
    assert customer_score(customer).score == 81
    assert customer_score(customer).level == Level.CRITICAL


def test_each_purchase_has_its_own_score_and_the_customer_the_sum(sven, customer, wind):
    car = purchase_for(customer, involvement=InvolvementLevel.MEDIUM, handover_days_ago=200)
    tyres = purchase_for(customer, involvement=InvolvementLevel.MEDIUM, handover_days_ago=200)
    complain(sven, customer, wind, purchase=car, severity=Severity.HIGH)
    complain(sven, customer, wind, purchase=tyres, severity=Severity.LOW)

    assert DissonanceScore.objects.get(purchase=car).score == 35
    assert DissonanceScore.objects.get(purchase=tyres).score == 10
    assert customer_score(customer).score == 45


# --- explanation ---------------------------------------------------------------------------------


def test_every_score_explains_itself_largest_reason_first(sven, customer, wind, invoice, handover):
    old = complain(
        sven,
        customer,
        invoice,
        severity=Severity.CRITICAL,
        nature=Nature.OBJECTIVE,
        received_at=NOW - timedelta(days=120),
    )
    small = complain(sven, customer, handover, severity=Severity.LOW, nature=Nature.OBJECTIVE)
    windy = complain(sven, customer, wind, severity=Severity.HIGH, nature=Nature.SUBJECTIVE)

    score = customer_score(customer)
    # 35 (new) + 50 × 0.25 (two half-lives old) + 10 (new) = 57.5
    assert score.score == 58
    assert [reason["summary"] for reason in score.reasons] == [
        "Complaint: Wind noise, subjective perception, high",
        "Complaint: Invoice, objective defect, critical",
        "Complaint: Handover, objective defect, low",
    ]
    assert [reason["signal"] for reason in score.reasons] == [
        windy.signals.get().pk,
        old.signals.get().pk,
        small.signals.get().pk,
    ]
    assert [reason["points"] for reason in score.reasons] == [35, 12, 10]
    assert [reason["share"] for reason in score.reasons] == [0.61, 0.22, 0.17]
    assert sum(reason["share"] for reason in score.reasons) == pytest.approx(1, abs=0.02)
    assert {reason["kind"] for reason in score.reasons} == {Kind.COMPLAINT}
    assert score.reasons[1]["occurred_at"] == (NOW - timedelta(days=120)).isoformat()


def test_signals_that_decayed_to_nothing_are_left_out_of_the_reasons(sven, customer, wind):
    complain(sven, customer, wind, received_at=NOW - timedelta(days=600))
    complain(sven, customer, wind, severity=Severity.HIGH)

    reasons = customer_score(customer).reasons
    assert [reason["points"] for reason in reasons] == [35]
    assert reasons[0]["share"] == pytest.approx(1, abs=0.01)


def test_a_customer_without_signals_has_no_score(customer):
    assert not DissonanceScore.objects.filter(customer=customer).exists()


# --- levels --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("score", "level"),
    [
        (0, Level.LOW),
        (24, Level.LOW),
        (25, Level.ELEVATED),
        (49, Level.ELEVATED),
        (50, Level.HIGH),
        (74, Level.HIGH),
        (75, Level.CRITICAL),
        (100, Level.CRITICAL),
    ],
)
def test_level_boundaries(score, level):
    assert scoring.level_for(score) == level


@pytest.mark.parametrize(
    ("weight", "level"),
    [(24, Level.LOW), (25, Level.ELEVATED), (49, Level.ELEVATED), (50, Level.HIGH)],
)
def test_the_stored_level_follows_the_score(customer, weight, level):
    services.record_signal(
        customer=customer,
        branch=customer.branch,
        kind=Kind.LOW_SURVEY,
        weight=weight,
        occurred_at=NOW,
        summary="Low survey answer",
        source_key="test:1",
    )

    score = customer_score(customer)
    assert (score.score, score.level, score.level_changed_at) == (weight, level, NOW)


def test_the_score_is_capped_at_100(sven, customer, wind):
    for _ in range(3):
        complain(sven, customer, wind, severity=Severity.CRITICAL)

    assert customer_score(customer).score == 100


# --- rising to high: the recovery action ---------------------------------------------------------


def test_rising_to_high_plans_one_recovery_call_and_alerts_the_manager(
    sven, manager, owner, customer, wind
):
    complain(sven, customer, wind, severity=Severity.LOW)
    assert not recovery_followups().exists()

    complain(sven, customer, wind, severity=Severity.HIGH)

    score = customer_score(customer)
    assert (score.score, score.level) == (45, Level.ELEVATED)
    assert not recovery_followups().exists()
    complain(sven, customer, wind, severity=Severity.LOW)

    score = customer_score(customer)
    assert (score.score, score.level) == (55, Level.HIGH)
    recovery = recovery_followups().get()
    assert score.recovery_followup == recovery
    assert (recovery.customer, recovery.branch) == (customer, customer.branch)
    assert (recovery.assignee, recovery.assignee_role) == (manager, AssigneeRole.MANAGER)
    assert (recovery.status, recovery.purpose) == (FollowUp.Status.OPEN, Purpose.CARE)
    # A personal call within two working days: Tuesday → Thursday.
    assert recovery.due_date == THURSDAY
    assert "Complaint: Wind noise, subjective perception, high" in recovery.instructions
    alert = alerts(manager).get()
    assert alert.subject.endswith("is at risk (dissonance 55)")
    assert alert.body.startswith("Complaint: Wind noise, subjective perception, high")
    assert alert.link == customer.get_absolute_url()
    assert not Notification.objects.filter(kind="dissonance_alert").exclude(recipient=manager)


def test_staying_high_or_rising_to_critical_is_not_a_new_alert(sven, manager, customer, wind):
    complain(sven, customer, wind, severity=Severity.CRITICAL)
    assert customer_score(customer).level == Level.HIGH

    complain(sven, customer, wind, severity=Severity.HIGH)

    assert customer_score(customer).level == Level.CRITICAL
    assert recovery_followups().count() == 1
    assert alerts(manager).count() == 1


def test_a_second_rise_while_the_recovery_call_is_open_plans_nothing(
    clock, sven, manager, customer, wind
):
    complain(sven, customer, wind, severity=Severity.CRITICAL)
    recovery = recovery_followups().get()
    later = NOW + timedelta(days=90)
    services.recompute_scores(now=later)
    # 50 × 2^-1.5 ≈ 17.7: the doubt has faded.
    assert customer_score(customer).level == Level.LOW

    clock.move_to(later)
    complain(sven, customer, wind, severity=Severity.CRITICAL)

    score = customer_score(customer)
    assert score.level == Level.HIGH
    assert score.recovery_followup == recovery
    assert recovery_followups().count() == 1
    assert alerts(manager).count() == 1


def test_a_rise_after_the_recovery_call_was_made_plans_a_new_one(
    clock, sven, manager, customer, wind
):
    complain(sven, customer, wind, severity=Severity.CRITICAL)
    first = recovery_followups().get()
    followup_services.complete_followup(
        followup=first, by=manager, outcome=FollowUp.Outcome.SATISFIED
    )
    later = NOW + timedelta(days=90)
    services.recompute_scores(now=later)

    clock.move_to(later)
    complain(sven, customer, wind, severity=Severity.CRITICAL)

    second = recovery_followups().exclude(pk=first.pk).get()
    assert customer_score(customer).recovery_followup == second
    assert alerts(manager).count() == 2


def test_without_a_manager_the_recovery_call_waits_for_someone_to_take_it(sven, customer, wind):
    complain(sven, customer, wind, severity=Severity.CRITICAL)

    recovery = recovery_followups().get()
    assert (recovery.assignee, recovery.assignee_role) == (None, AssigneeRole.MANAGER)
    assert not Notification.objects.filter(kind="dissonance_alert").exists()


# --- the nightly recompute -----------------------------------------------------------------------


def test_recompute_scores_lowers_a_decayed_score(sven, manager, north, customer, wind):
    complain(sven, customer, wind, severity=Severity.CRITICAL, nature=Nature.OBJECTIVE)
    complain(sven, customer, wind, severity=Severity.HIGH)
    calm = CustomerFactory(branch=north)
    services.record_signal(
        customer=calm,
        branch=north,
        kind=Kind.NOT_REACHED,
        weight=5,
        occurred_at=NOW - timedelta(days=2000),
        summary="Not reached",
        source_key="test:calm",
    )
    score = customer_score(customer)
    assert (score.score, score.level) == (85, Level.CRITICAL)
    assert customer_score(calm).score == 0
    later = NOW + timedelta(days=60)

    # Only customers with a score above zero can still decay.
    assert services.recompute_scores(now=later) == 1

    score = customer_score(customer)
    # 85 / 2 = 42.5, rounded half to even.
    assert (score.score, score.level) == (42, Level.ELEVATED)
    assert score.computed_at == score.level_changed_at == later
    assert [reason["points"] for reason in score.reasons] == [25, 18]
    # Falling is no reason for another recovery call.
    assert recovery_followups().count() == 1


# --- signals from follow-ups and surveys (through the real signals and receivers) ---------------


def test_a_follow_up_that_ends_with_a_concern_is_a_signal(owner, customer):
    followup = open_followup(customer, owner)

    followup_services.complete_followup(
        followup=followup,
        by=owner,
        outcome=FollowUp.Outcome.CONCERN,
        concern="Hears a rattle from the dashboard",
    )

    signal = DissonanceSignal.objects.get()
    assert (signal.kind, signal.weight, signal.followup) == (Kind.FOLLOWUP_CONCERN, 20, followup)
    assert signal.summary == "Concern in Check-in after a week: Hears a rattle from the dashboard"
    assert customer_score(customer).score == 20


def test_a_satisfied_customer_is_no_signal(owner, customer):
    followup = open_followup(customer, owner)

    followup_services.complete_followup(
        followup=followup, by=owner, outcome=FollowUp.Outcome.SATISFIED, satisfaction=5
    )

    assert not DissonanceSignal.objects.exists()


def test_a_buyer_not_reached_twice_is_a_signal_once(owner, customer):
    followup = open_followup(customer, owner)

    def not_reached():
        followup_services.complete_followup(
            followup=followup, by=owner, outcome=FollowUp.Outcome.NOT_REACHED
        )

    not_reached()
    assert not DissonanceSignal.objects.exists()
    not_reached()
    signal = DissonanceSignal.objects.get()
    assert (signal.kind, signal.weight, signal.followup) == (Kind.NOT_REACHED, 5, followup)
    assert signal.summary == "Not reached 2 times: Check-in after a week"

    # The third attempt is the branch's last (default 3): the follow-up is missed.
    not_reached()

    followup.refresh_from_db()
    assert followup.status == FollowUp.Status.MISSED
    assert sorted(DissonanceSignal.objects.values_list("kind", flat=True)) == [
        Kind.MISSED_FOLLOWUP,
        Kind.NOT_REACHED,
    ]
    assert customer_score(customer).score == 5 + 10


def test_a_missed_follow_up_is_a_signal(owner, customer):
    followup = open_followup(customer, owner, due_date=TUESDAY - timedelta(days=20))

    assert followup_services.mark_missed_followups(now=NOW) == 1

    signal = DissonanceSignal.objects.get()
    assert (signal.kind, signal.weight, signal.followup) == (Kind.MISSED_FOLLOWUP, 10, followup)
    assert signal.occurred_at == NOW
    assert signal.summary == "Follow-up never made: Check-in after a week"
    assert customer_score(customer).score == 10
    assert followup_services.mark_missed_followups(now=NOW + timedelta(days=1)) == 0
    assert DissonanceSignal.objects.count() == 1


def test_the_same_source_never_counts_twice(owner, sven, customer, wind):
    concern = open_followup(customer, owner, title="Thank-you call")
    followup_services.complete_followup(
        followup=concern, by=owner, outcome=FollowUp.Outcome.CONCERN, concern="Paint scratch"
    )
    missed = open_followup(customer, owner, due_date=TUESDAY - timedelta(days=20))
    followup_services.mark_missed_followups(now=NOW)
    complaint = complain(sven, customer, wind)
    before = customer_score(customer).score
    assert before == 20 + 10 + 20

    # Announced again (a retried job, a second receiver call): nothing new is recorded.
    assert services.signal_from_followup(followup=concern, outcome=FollowUp.Outcome.CONCERN) is None
    assert services.signal_from_missed_followup(followup=missed) is None
    again = services.record_signal(
        customer=customer,
        branch=customer.branch,
        kind=Kind.COMPLAINT,
        weight=20,
        occurred_at=NOW,
        summary="The same complaint",
        source_key=f"complaint:{complaint.pk}",
        complaint=complaint,
    )

    assert again is None
    assert DissonanceSignal.objects.count() == 3
    assert customer_score(customer).score == before


@pytest.fixture
def invitation(customer):
    purchase = purchase_for(customer, involvement=InvolvementLevel.MEDIUM, handover_days_ago=200)
    return SurveyInvitation.objects.create(
        customer=customer,
        purchase=purchase,
        branch=customer.branch,
        sent_at=NOW - timedelta(days=1),
        expires_at=NOW + timedelta(days=29),
    )


def answer(invitation, nps, purchase, handover):
    return answer_survey(
        invitation=invitation,
        nps=nps,
        satisfaction_purchase=purchase,
        satisfaction_handover=handover,
        comment="",
        callback_wanted=False,
    )


def test_a_low_survey_answer_is_a_signal(invitation, customer):
    response = answer(invitation, 3, 2, 4)

    signal = DissonanceSignal.objects.get()
    assert (signal.kind, signal.weight) == (Kind.LOW_SURVEY, 20)
    assert (signal.survey_response, signal.purchase) == (response, invitation.purchase)
    assert signal.summary == "Low survey answer: NPS 3, purchase 2/5, handover 4/5"
    assert customer_score(customer).score == 20
    assert DissonanceScore.objects.get(purchase=invitation.purchase).score == 20


def test_a_good_survey_answer_is_no_signal(invitation):
    answer(invitation, 9, 5, 4)

    assert not DissonanceSignal.objects.exists()


# --- the contact policy: care before commerce ----------------------------------------------------


def decision(customer, purpose):
    return contact_policy.can_contact(customer, purpose, ContactChannel.EMAIL, NOON)


def test_an_open_complaint_holds_back_commercial_contact_but_not_care(sven, customer, wind):
    assert decision(customer, Purpose.COMMERCIAL).allowed
    complaint = complain(sven, customer, wind, severity=Severity.LOW)

    refused = decision(customer, Purpose.COMMERCIAL)

    assert (refused.allowed, refused.code) == (False, "open_complaint")
    assert refused.reason == "The customer has an open complaint: care before commerce."
    assert decision(customer, Purpose.CARE).allowed
    services.resolve_complaint(
        complaint=complaint,
        by=sven,
        resolution=Complaint.Resolution.ADJUSTMENT,
        customer_satisfied=True,
    )
    assert decision(customer, Purpose.COMMERCIAL).allowed


def test_high_dissonance_holds_back_commercial_contact_but_not_care(clock, sven, customer, wind):
    complaint = complain(sven, customer, wind, severity=Severity.CRITICAL)
    services.resolve_complaint(
        complaint=complaint,
        by=sven,
        resolution=Complaint.Resolution.REPAIR,
        customer_satisfied=True,
    )
    services.close_complaint(complaint=complaint, by=sven)
    assert customer_score(customer).level == Level.HIGH

    refused = decision(customer, Purpose.COMMERCIAL)

    assert (refused.allowed, refused.code) == (False, "high_dissonance")
    assert refused.reason == "The customer's dissonance is high: care before commerce."
    assert decision(customer, Purpose.CARE).allowed
    # Once the doubt has faded, offers may follow again.
    later = NOON + timedelta(days=91)
    services.recompute_scores(now=later)
    assert contact_policy.can_contact(
        customer, Purpose.COMMERCIAL, ContactChannel.EMAIL, later
    ).allowed


# --- the reasons' texts --------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["en", "de"])
def test_reasons_read_their_texts_from_the_few_columns_loaded(
    owner, sven, customer, wind, invitation, language, django_assert_num_queries
):
    wind.name_de = "Windgeräusch"
    wind.save()
    bought = purchase_for(customer, involvement=InvolvementLevel.MEDIUM, handover_days_ago=30)
    complain(sven, customer, wind, purchase=bought)
    complain(sven, customer, wind, purchase=bought)  # repeated
    concern = open_followup(customer, owner, title_de="Anruf nach einer Woche")
    followup_services.complete_followup(
        followup=concern, by=owner, outcome=FollowUp.Outcome.CONCERN, concern="Rattle"
    )
    unreached = open_followup(customer, owner)
    for _ in range(3):  # not reached twice, then missed
        followup_services.complete_followup(
            followup=unreached, by=owner, outcome=FollowUp.Outcome.NOT_REACHED
        )
    answer(invitation, 3, 2, 4)
    reasons = [{"signal": pk} for pk in DissonanceSignal.objects.values_list("pk", flat=True)]
    assert {signal.kind for signal in DissonanceSignal.objects.all()} >= {
        Kind.COMPLAINT,
        Kind.REPEATED_COMPLAINT,
        Kind.FOLLOWUP_CONCERN,
        Kind.NOT_REACHED,
        Kind.MISSED_FOLLOWUP,
        Kind.LOW_SURVEY,
    }
    with translation.override(language):
        whole = quality_texts.reason_signals(reasons, related=("purchase",))
        expected = [quality_texts.reason_text(reason, whole) for reason in reasons]
        with django_assert_num_queries(1):
            signals = quality_texts.reason_signals(reasons)
            texts = [quality_texts.reason_text(reason, signals) for reason in reasons]
    assert texts == expected
    assert ("Windgeräusch" in " ".join(texts)) == (language == "de")


@pytest.mark.parametrize("language", ["en", "de"])
@pytest.mark.parametrize(("choices", "field"), [(Nature, "nature"), (Severity, "severity")])
def test_a_choice_label_is_the_one_the_model_displays(choices, field, language):
    with translation.override(language):
        for value in choices.values:
            complaint = Complaint(**{field: value})
            shown = getattr(complaint, f"get_{field}_display")()
            assert quality_texts.choice_label(choices, value) == shown
        assert quality_texts.choice_label(choices, "gone") == "gone"
