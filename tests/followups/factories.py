from datetime import timedelta

import factory
from django.utils import timezone

from customers.models import InvolvementLevel, PurchaseLine
from followups.models import (
    AssigneeRole,
    ContactChannel,
    FollowUp,
    Playbook,
    PlaybookStep,
    Purpose,
    StepKind,
)
from followups.services import plan_followups
from tests.customers.factories import (
    CustomerFactory,
    ProductCategoryFactory,
    ProductFactory,
    PurchaseFactory,
)


class PlaybookFactory(factory.django.DjangoModelFactory):
    """A category's playbook; pass `category=None, involvement=...` for a level's fallback."""

    class Meta:
        model = Playbook

    name = factory.Sequence(lambda n: f"Playbook {n}")
    category = factory.SubFactory(ProductCategoryFactory, involvement=InvolvementLevel.HIGH)
    involvement = ""
    is_active = True


class PlaybookStepFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PlaybookStep

    playbook = factory.SubFactory(PlaybookFactory)
    anchor = PlaybookStep.Anchor.HANDOVER
    offset_days = 7
    kind = StepKind.CHECK_IN
    channel = ContactChannel.PHONE
    assignee_role = AssigneeRole.SALESPERSON
    purpose = Purpose.CARE
    title = factory.Sequence(lambda n: f"Check-in {n}")
    instructions = "Ask about noises, function and whether the handover answered every question."


class FollowUpFactory(factory.django.DjangoModelFactory):
    """Inserted directly; tests of the planning call followups.services.plan_followups."""

    class Meta:
        model = FollowUp

    purchase = factory.SubFactory(PurchaseFactory)
    customer = factory.LazyAttribute(lambda followup: followup.purchase.customer)
    branch = factory.LazyAttribute(lambda followup: followup.purchase.branch)
    kind = StepKind.CHECK_IN
    channel = ContactChannel.PHONE
    purpose = Purpose.CARE
    title = factory.Sequence(lambda n: f"Follow-up {n}")
    instructions = "Ask how the customer gets on."
    assignee_role = AssigneeRole.SALESPERSON
    assignee = factory.LazyAttribute(lambda followup: followup.purchase.salesperson)
    planned_date = factory.LazyAttribute(lambda followup: followup.due_date)
    due_date = factory.LazyFunction(timezone.localdate)


def planned_purchase(*, branch, salesperson, handover, playbook=None, offsets=(7,), customer=None):
    """A handed-over purchase with a product, its follow-ups planned the way a logged purchase
    gets them (followups.services.plan_followups with the category's playbook)."""
    if playbook is None:
        playbook = PlaybookFactory()
        for offset in offsets:
            PlaybookStepFactory(playbook=playbook, offset_days=offset, title=f"Day {offset} call")
    product = ProductFactory(category=playbook.category)
    purchase = PurchaseFactory(
        customer=customer or CustomerFactory(branch=branch),
        branch=branch,
        salesperson=salesperson,
        purchase_date=handover - timedelta(days=5),
        handover_date=handover,
        main_category=playbook.category,
    )
    PurchaseLine.objects.create(purchase=purchase, product=product, unit_price=product.list_price)
    plan_followups(purchase=purchase)
    return purchase
