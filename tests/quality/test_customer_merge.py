"""Merging two records of one customer keeps everything the higher apps hold about the duplicate:
follow-ups, contacts, complaints, dissonance signals and the score built from them."""

from customers import services as customer_services
from followups.models import ContactEvent, FollowUp
from quality.models import Complaint, DissonanceScore, DissonanceSignal, Level
from tests.customers.factories import CustomerFactory, PurchaseFactory
from tests.followups.factories import FollowUpFactory
from tests.quality.factories import ComplaintFactory


def test_merge_moves_followups_complaints_and_signals_to_the_survivor(admin_user, north):
    survivor = CustomerFactory(branch=north)
    duplicate = CustomerFactory(branch=north)
    purchase = PurchaseFactory(customer=duplicate)
    followup = FollowUpFactory(customer=duplicate, purchase=purchase, branch=north)
    ContactEvent.objects.create(
        customer=duplicate, purpose="care", channel="phone", happened_at=purchase.created_at
    )
    complaint = ComplaintFactory(customer=duplicate, purchase=purchase, severity="high")
    duplicate_score = DissonanceScore.objects.get(customer=duplicate, purchase__isnull=True)
    assert duplicate_score.score > 0

    customer_services.merge_customers(survivor=survivor, duplicate=duplicate, by=admin_user)

    assert FollowUp.objects.get(pk=followup.pk).customer == survivor
    assert ContactEvent.objects.get().customer == survivor
    assert Complaint.objects.get(pk=complaint.pk).customer == survivor
    assert set(DissonanceSignal.objects.values_list("customer", flat=True)) == {survivor.pk}
    survivor_score = DissonanceScore.objects.get(customer=survivor, purchase__isnull=True)
    assert survivor_score.score == duplicate_score.score
    assert survivor_score.level != Level.LOW
    assert DissonanceScore.objects.get(purchase=purchase).customer == survivor
    assert not DissonanceScore.objects.filter(customer_id=duplicate.pk).exists()
