"""Correcting a recorded complaint (quality.services.correct_complaint): the history row, the
dissonance signal weighed again with the numbers of quality.scoring, a move to another customer
rescoring both, and what is refused.

The numbers: a high, subjective complaint weighs 35 points; on a high-involvement purchase
handed over a week ago it counts × 1.3 × 1.25 ≈ 57 (level high); without a purchase 35
(elevated). A medium complaint of unknown nature weighs 20 × 0.9 = 18, a critical objective one 50.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from aftersales.errors import DomainError
from followups.models import FollowUp, StepKind
from quality import services
from quality.models import (
    Complaint,
    ComplaintCorrection,
    DissonanceScore,
    DissonanceSignal,
    Level,
    Nature,
    Severity,
)
from staff.models import CoachingAction
from tests.aftersales.factories import UserFactory
from tests.customers.factories import CustomerFactory, ProductCategoryFactory, PurchaseFactory
from tests.quality.factories import ComplaintCategoryFactory

Kind = DissonanceSignal.Kind
Status = Complaint.Status


@pytest.fixture
def sven(north):
    return UserFactory(username="sven", roles=["service"], branches=[north])


@pytest.fixture
def noise(db):
    return ComplaintCategoryFactory(name="Wind noise", code="test-noise-wind")


@pytest.fixture
def paint(db):
    return ComplaintCategoryFactory(name="Paint", code="test-paint")


@pytest.fixture
def customer(north, owner):
    return CustomerFactory(branch=north, salesperson=owner, last_name="Hartmann")


@pytest.fixture
def new_car(customer, colleague):
    """Handed over a week ago, a high-involvement category, sold by the colleague."""
    today = timezone.localdate()
    return PurchaseFactory(
        customer=customer,
        main_category=ProductCategoryFactory(code="test-new-cars"),
        salesperson=colleague,
        purchase_date=today - timedelta(days=10),
        handover_date=today - timedelta(days=7),
    )


def record(by, customer, category, **arguments):
    return services.record_complaint(
        by=by,
        customer=customer,
        category=category,
        description="A whistle from the driver's door above 100 km/h.",
        channel=Complaint.Channel.COUNTER,
        **{"severity": Severity.HIGH, "nature": Nature.SUBJECTIVE, **arguments},
    )


def score_of(customer, purchase=None):
    return DissonanceScore.objects.get(customer=customer, purchase=purchase)


def test_a_complaint_saved_without_its_purchase_gets_it(sven, customer, new_car, noise, colleague):
    complaint = record(sven, customer, noise)
    assert (score_of(customer).score, score_of(customer).level) == (35, Level.ELEVATED)

    corrected = services.correct_complaint(
        complaint=complaint,
        by=sven,
        reason="  The customer named the car on the phone.  ",
        purchase=new_car,
    )

    correction = ComplaintCorrection.objects.get(complaint=complaint)
    assert correction.by == sven
    assert correction.reason == "The customer named the car on the phone."
    assert correction.changes == {"purchase": {"from": None, "to": new_car.pk}}
    assert corrected.purchase == new_car
    # The dashboard attributes it to the purchase now: its category and whoever sold it.
    assert corrected.product_category_id == new_car.main_category_id
    assert corrected.responsible_salesperson == colleague
    signal = DissonanceSignal.objects.get(complaint=complaint)
    assert (signal.purchase, signal.category_id, signal.salesperson) == (
        new_car,
        new_car.main_category_id,
        colleague,
    )
    # 35 × 1.3 × 1.25 = 56.9: high, for the customer and for the purchase.
    assert (score_of(customer).score, score_of(customer).level) == (57, Level.HIGH)
    assert score_of(customer, new_car).score == 57
    # Rising to high starts the recovery call, as recording it so would have.
    assert FollowUp.objects.filter(customer=customer, kind=StepKind.RECOVERY).count() == 1


def test_severity_and_nature_weigh_the_signal_again(sven, customer, noise):
    complaint = record(sven, customer, noise, severity=Severity.MEDIUM, nature=Nature.UNKNOWN)
    assert score_of(customer).score == 18
    ten_working_days = complaint.resolve_due_at

    corrected = services.correct_complaint(
        complaint=complaint,
        by=sven,
        reason="The door seal is torn: measured in the workshop.",
        severity=Severity.CRITICAL,
        nature=Nature.OBJECTIVE,
    )

    signal = DissonanceSignal.objects.get(complaint=complaint, kind=Kind.COMPLAINT)
    assert signal.weight == 50
    assert signal.summary == "Complaint: Wind noise, objective defect, critical"
    assert score_of(customer).score == 50
    assert ComplaintCorrection.objects.get().changes == {
        "nature": {"from": Nature.UNKNOWN, "to": Nature.OBJECTIVE},
        "severity": {"from": Severity.MEDIUM, "to": Severity.CRITICAL},
    }
    # A critical complaint is resolved within two working days, not ten.
    assert corrected.resolve_due_at < ten_working_days


def test_the_category_is_named_in_the_signal(sven, customer, noise, paint):
    complaint = record(sven, customer, noise)
    services.correct_complaint(
        complaint=complaint, by=sven, reason="Scratch, not noise", category=paint
    )
    signal = DissonanceSignal.objects.get(complaint=complaint)
    assert signal.summary == "Complaint: Paint, subjective perception, high"
    assert signal.weight == 35


def test_moving_to_another_customer_rescores_both(sven, north, customer, new_car, noise):
    complaint = record(sven, customer, noise, purchase=new_car)
    assert score_of(customer).score == 57
    assert score_of(customer, new_car).score == 57
    other = CustomerFactory(branch=north, last_name="Brandt")
    others_car = PurchaseFactory(customer=other, main_category=None, handover_date=None)

    services.correct_complaint(
        complaint=complaint,
        by=sven,
        reason="It was Mr Brandt at the counter, not Mr Hartmann.",
        customer=other,
        purchase=others_car,
    )

    complaint.refresh_from_db()
    assert (complaint.customer, complaint.purchase) == (other, others_car)
    signal = DissonanceSignal.objects.get(complaint=complaint)
    assert (signal.customer, signal.purchase) == (other, others_car)
    # Nothing is left to count for Hartmann and his car; Brandt's purchase has no category with
    # an involvement and no handover: 35 points.
    assert score_of(customer).score == 0
    assert score_of(customer).level == Level.LOW
    assert score_of(customer, new_car).score == 0
    assert score_of(other).score == 35
    assert score_of(other, others_car).score == 35
    assert ComplaintCorrection.objects.get().changes == {
        "customer": {"from": customer.pk, "to": other.pk},
        "purchase": {"from": new_car.pk, "to": others_car.pk},
    }


def test_a_repeat_on_the_purchase_follows_the_correction(sven, customer, new_car, noise):
    first = record(sven, customer, noise, purchase=new_car, severity=Severity.LOW)
    second = record(sven, customer, noise, severity=Severity.LOW)
    assert not DissonanceSignal.objects.filter(kind=Kind.REPEATED_COMPLAINT).exists()

    services.correct_complaint(complaint=second, by=sven, reason="Same car", purchase=new_car)
    repeat = DissonanceSignal.objects.get(kind=Kind.REPEATED_COMPLAINT)
    assert (repeat.complaint, repeat.purchase, repeat.weight) == (second, new_car, 15)
    assert repeat.summary == "Repeated complaint on the same purchase (1 before)"

    # The first one was about no car in particular after all: the second is no repeat then.
    services.correct_complaint(complaint=first, by=sven, reason="No car", purchase=None)
    assert not DissonanceSignal.objects.filter(kind=Kind.REPEATED_COMPLAINT).exists()


def test_a_complaint_corrected_to_staff_attention_opens_coaching(sven, customer, owner, noise):
    staff_attention = ComplaintCategoryFactory(code="staff-attention", name="Staff attention")
    complaint = record(sven, customer, noise)
    assert not CoachingAction.objects.exists()

    services.correct_complaint(
        complaint=complaint, by=sven, reason="Nobody had time", category=staff_attention
    )
    services.correct_complaint(
        complaint=complaint, by=sven, reason="Less severe", severity=Severity.LOW
    )

    action = CoachingAction.objects.get()
    assert (action.employee, action.complaint) == (owner, complaint)


@pytest.mark.parametrize("status", [Status.RESOLVED, Status.CLOSED])
def test_a_resolved_or_closed_complaint_is_not_corrected(sven, customer, noise, paint, status):
    complaint = record(sven, customer, noise)
    complaint = services.resolve_complaint(complaint=complaint, by=sven, resolution="repair")
    if status == Status.CLOSED:
        complaint = services.close_complaint(complaint=complaint, by=sven)
    with pytest.raises(DomainError) as refused:
        services.correct_complaint(complaint=complaint, by=sven, reason="Wrong", category=paint)
    assert str(refused.value.message) == (
        f"Only an open complaint can be corrected; this one is {status.label}."
    )
    assert not ComplaintCorrection.objects.exists()


def test_a_purchase_of_another_customer_is_refused(sven, north, customer, noise):
    complaint = record(sven, customer, noise)
    someone_elses = PurchaseFactory(customer=CustomerFactory(branch=north))
    with pytest.raises(DomainError) as refused:
        services.correct_complaint(
            complaint=complaint, by=sven, reason="That car", purchase=someone_elses
        )
    assert refused.value.field == "purchase"
    assert "belongs to another customer" in str(refused.value.message)
    complaint.refresh_from_db()
    assert complaint.purchase is None
    assert not ComplaintCorrection.objects.exists()


def test_another_customer_needs_their_own_purchase(sven, north, customer, new_car, noise):
    """The purchase stays unless it is corrected too: the old customer's is refused."""
    complaint = record(sven, customer, noise, purchase=new_car)
    with pytest.raises(DomainError) as refused:
        services.correct_complaint(
            complaint=complaint,
            by=sven,
            reason="Other person",
            customer=CustomerFactory(branch=north),
        )
    assert refused.value.field == "purchase"


def test_a_customer_of_another_branch_is_refused(sven, south, customer, noise):
    complaint = record(sven, customer, noise)
    with pytest.raises(DomainError) as refused:
        services.correct_complaint(
            complaint=complaint,
            by=sven,
            reason="Other person",
            customer=CustomerFactory(branch=south),
            purchase=None,
        )
    assert str(refused.value.message) == "This belongs to a branch you do not work in."
    assert not ComplaintCorrection.objects.exists()


def test_a_reason_is_required_and_something_must_change(sven, customer, noise, paint):
    complaint = record(sven, customer, noise)
    with pytest.raises(DomainError) as refused:
        services.correct_complaint(complaint=complaint, by=sven, reason="  ", category=paint)
    assert refused.value.field == "reason"
    with pytest.raises(DomainError) as refused:
        services.correct_complaint(
            complaint=complaint, by=sven, reason="Same", category=noise, severity=Severity.HIGH
        )
    assert "Nothing was changed" in str(refused.value.message)
    assert not ComplaintCorrection.objects.exists()


def test_a_category_no_longer_in_use_is_refused(sven, customer, noise):
    complaint = record(sven, customer, noise)
    retired = ComplaintCategoryFactory(code="test-retired", is_active=False)
    with pytest.raises(DomainError) as refused:
        services.correct_complaint(complaint=complaint, by=sven, reason="x", category=retired)
    assert refused.value.field == "category"


@pytest.mark.parametrize(
    ("persona", "allowed"),
    [
        ("sven", True),
        ("quality_manager", True),
        ("admin_user", True),
        ("manager", False),
        ("owner", False),
        ("shopper", False),
    ],
)
def test_who_may_correct(request, sven, customer, noise, persona, allowed):
    complaint = record(sven, customer, noise)
    user = request.getfixturevalue(persona)
    if allowed:
        services.correct_complaint(
            complaint=complaint, by=user, reason="Low after all", severity=Severity.LOW
        )
        assert ComplaintCorrection.objects.get().by == user
        return
    with pytest.raises(DomainError) as refused:
        services.correct_complaint(
            complaint=complaint, by=user, reason="Low after all", severity=Severity.LOW
        )
    assert str(refused.value.message) == "Only service and quality staff may correct complaints."


def test_service_staff_of_another_branch_are_refused(sven, south, customer, noise):
    stan = UserFactory(roles=["service"], branches=[south])
    complaint = record(sven, customer, noise)
    with pytest.raises(DomainError):
        services.correct_complaint(complaint=complaint, by=stan, reason="x", severity=Severity.LOW)


def test_a_purchase_in_another_branch_moves_the_complaint_there(
    north, south, customer, noise, admin_user
):
    """The complaint belongs to its purchase's branch: its owner, who works in North only,
    gives it up; the administrator, who works in no branch, does not take it over."""
    sven = UserFactory(roles=["service"], branches=[north])
    complaint = record(sven, customer, noise)
    bought_in_south = PurchaseFactory(customer=customer, branch=south)
    corrected = services.correct_complaint(
        complaint=complaint, by=admin_user, reason="Bought in South", purchase=bought_in_south
    )
    assert (corrected.branch, corrected.owner) == (south, None)
    assert ComplaintCorrection.objects.get().changes == {
        "purchase": {"from": None, "to": bought_in_south.pk},
        "branch": {"from": north.pk, "to": south.pk},
        "owner": {"from": sven.pk, "to": None},
    }
    assert DissonanceSignal.objects.get(complaint=complaint).branch == south


def test_unknown_fields_are_a_programming_error(sven, customer, noise):
    complaint = record(sven, customer, noise)
    with pytest.raises(TypeError):
        services.correct_complaint(complaint=complaint, by=sven, reason="x", description="y")


def test_a_new_purchase_or_category_looks_for_a_cluster_once_committed(
    sven, customer, new_car, noise, django_capture_on_commit_callbacks
):
    complaint = record(sven, customer, noise)

    def published(**changes):
        with django_capture_on_commit_callbacks() as callbacks:
            services.correct_complaint(complaint=complaint, by=sven, reason="x", **changes)
        return [callback.args[:2] for callback in callbacks if getattr(callback, "args", None)]

    assert published(purchase=new_car) == [(services.DETECT_CLUSTERS_TASK, [complaint.pk])]
    assert published(severity=Severity.LOW) == []
