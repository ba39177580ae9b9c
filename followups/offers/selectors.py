"""Reads of cross-selling for the pages and the API: offer rules, offers (scoped to the user's
branches), the offers of a salesperson's inbox with the customer's context."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Max, Q
from django.utils import timezone

from customers.models import Customer, DeclinedWork
from customers.selectors import search_customers
from customers.service_history.mileage import Estimate, estimates
from followups import contact_policy
from followups.models import ContactEvent, FollowUp
from followups.offers.models import OPEN_OFFER_STATES, Offer, OfferEvent, OfferRule, OfferState

# --- offer rules (administrators) ---

RULE_ORDERINGS = {
    "name": ("name",),
    "-name": ("-name",),
    "priority": ("priority", "name"),
    "-priority": ("-priority", "name"),
    "updated": ("updated_at",),
    "-updated": ("-updated_at",),
}


def offer_rule_list(*, search="", active=None, category=None, ordering="-priority"):
    rules = OfferRule.objects.select_related("category", "product").annotate(
        open_offers=Count("offers", filter=Q(offers__state__in=OPEN_OFFER_STATES))
    )
    if search:
        rules = rules.filter(
            Q(name__icontains=search)
            | Q(product__name__icontains=search)
            | Q(category__name__icontains=search)
        )
    if active is not None:
        rules = rules.filter(is_active=active)
    if category:
        rules = rules.filter(category=category)
    return rules.order_by(*RULE_ORDERINGS.get(ordering, RULE_ORDERINGS["-priority"]), "pk")


def offer_rule_detail(pk):
    return OfferRule.objects.select_related("category", "product", "not_bought_product").get(pk=pk)


def rule_choices():
    return OfferRule.objects.order_by("name", "pk")


# --- offers ---

OFFER_ORDERINGS = {
    "found": ("found_on",),
    "-found": ("-found_on",),
    "expires": ("expires_on",),
    "-expires": ("-expires_on",),
    "priority": ("rule__priority",),
    "-priority": ("-rule__priority",),
}


def _joined(offers):
    return offers.select_related(
        "rule",
        "rule__product",
        "customer",
        "branch",
        "assignee",
        "purchase",
        "purchase__main_category",
    )


def offers_in_event(offers, event, *, start, end, reason=""):
    """The offers behind a figure: those that had `event` (OfferEvent) from `start` to `end`,
    on the day the roll-ups count it (followups.offers.rollups)."""
    if event == OfferEvent.HELD_BACK:
        offers = offers.exclude(hold_reason="").filter(found_on__range=(start, end))
        return offers.filter(hold_reason=reason) if reason else offers
    if event == OfferEvent.SUGGESTED:
        return offers.filter(suggested_on__range=(start, end))
    if event == OfferEvent.PRESENTED:
        return offers.filter(presented_at__date__range=(start, end))
    return offers.filter(state=event, decided_on__range=(start, end))


def offer_list(
    user,
    *,
    state="",
    rule=None,
    branch=None,
    assignee=None,
    search="",
    event="",
    start=None,
    end=None,
    reason="",
    ordering="-found",
):
    """The offers the user may see, filtered; `event` with `start`/`end` (and `reason`) is the
    figures page's drill-down."""
    offers = Offer.objects.visible_to(user)
    if state in OfferState.values:
        offers = offers.filter(state=state)
    if rule:
        offers = offers.filter(rule=rule)
    if branch:
        offers = offers.filter(branch=branch)
    if assignee:
        offers = offers.filter(assignee=assignee)
    if search:
        offers = offers.filter(
            customer__in=search_customers(Customer.objects.all(), search).values("pk")
        )
    if event in OfferEvent.values and start and end:
        offers = offers_in_event(offers, event, start=start, end=end, reason=reason)
    return _joined(offers).order_by(
        *OFFER_ORDERINGS.get(ordering, OFFER_ORDERINGS["-found"]), "-pk"
    )


def offer_detail(user, pk):
    return (
        _joined(Offer.objects.visible_to(user))
        .select_related("presented_by", "accepted_purchase", "declined_work", "rule__category")
        .get(pk=pk)
    )


# --- the salesperson's inbox ---

INBOX_OFFERS = 10


@dataclass(frozen=True)
class CustomerContext:
    last_contact: date | None
    satisfaction: int | None
    refusal: str  # the contact policy's reason not to present now (open complaint...), or ""
    mileage: Estimate | None


@dataclass(frozen=True)
class InboxOffer:
    offer: Offer
    context: CustomerContext


@dataclass(frozen=True)
class InboxOffers:
    rows: tuple
    total: int


def inbox_offers(user, *, limit=INBOX_OFFERS, now=None):
    """The user's open offers, highest priority and soonest expiry first, at most `limit`, each
    with the customer's context. A constant number of queries: the offers, their count, the
    last contacts, the last satisfaction, the contact policy (one query) and the mileage."""
    now = now or timezone.now()
    mine = Offer.objects.visible_to(user).open().filter(assignee=user)
    offers = list(_joined(mine).order_by("-rule__priority", "expires_on", "pk")[:limit])
    if not offers:
        return InboxOffers(rows=(), total=0)
    total = len(offers) if len(offers) < limit else mine.count()
    customer_ids = {offer.customer_id for offer in offers}
    last_contacts = dict(
        ContactEvent.objects.filter(customer_id__in=customer_ids)
        .values("customer_id")
        .annotate(last=Max("happened_at"))
        .values_list("customer_id", "last")
    )
    satisfaction = dict(
        FollowUp.objects.filter(customer_id__in=customer_ids, satisfaction__isnull=False)
        .order_by("customer_id", "-completed_at", "-pk")
        .distinct("customer_id")
        .values_list("customer_id", "satisfaction")
    )
    refusals = contact_policy.commercial_refusals(
        Customer.objects.filter(pk__in=customer_ids), at=now
    )
    labels = contact_policy.reason_labels() if refusals else {}
    vehicles = [
        offer.purchase_id for offer in offers if offer.purchase and offer.purchase.is_vehicle
    ]
    mileage = estimates(vehicles, today=timezone.localdate(now))
    rows = tuple(
        InboxOffer(
            offer=offer,
            context=CustomerContext(
                last_contact=(
                    timezone.localdate(last_contacts[offer.customer_id])
                    if offer.customer_id in last_contacts
                    else None
                ),
                satisfaction=satisfaction.get(offer.customer_id),
                refusal=labels.get(refusals.get(offer.customer_id), ""),
                mileage=mileage.get(offer.purchase_id),
            ),
        )
        for offer in offers
    )
    return InboxOffers(rows=rows, total=total)


def declined_work_list(user, *, start, end, branch=None, recaptured=None):
    """The declined work behind the recapture figure: declined from `start` to `end` in the
    user's branches; `recaptured` True: done later, False: not (yet)."""
    work = DeclinedWork.objects.visible_to(user).filter(declined_on__range=(start, end))
    if branch is not None:
        work = work.filter(branch=branch)
    if recaptured is True:
        work = work.filter(status=DeclinedWork.Status.DONE)
    elif recaptured is False:
        work = work.exclude(status=DeclinedWork.Status.DONE)
    return work.select_related("customer", "branch", "vehicle", "done_in").order_by(
        "-declined_on", "-pk"
    )
