"""The offer pipeline: suggested -> presented (a commercial impulse through the contact policy's
record_contact) -> accepted (the purchase logged from it in one step, which starts its own
follow-up plan) / declined (a reason) / expired (the window is over). Managers reassign."""

from decimal import Decimal

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.access import require_branch, works_in
from aftersales.errors import DomainError
from customers import services as customer_services
from followups import contact_policy
from followups.models import Purpose
from followups.offers import rollups
from followups.offers.models import (
    OPEN_OFFER_STATES,
    DeclineReason,
    Offer,
    OfferEvent,
    OfferRule,
    OfferState,
)

RULE_FIELDS = [
    field.name
    for field in OfferRule._meta.concrete_fields
    if field.name not in ("id", "created_at", "updated_at")
]


@transaction.atomic
def save_offer_rule(*, by, rule=None, data):
    """Create (`rule` None) or change an offer rule from the cleaned fields in `data`."""
    if not by.has_perm("followups.change_offerrule" if rule else "followups.add_offerrule"):
        raise DomainError(_("Only administrators set up offer rules."))
    rule = rule or OfferRule()
    for name in RULE_FIELDS:
        if name in data:
            setattr(rule, name, data[name])
    rule.full_clean()
    rule.save()
    return rule


@transaction.atomic
def set_offer_rule_active(*, by, rule, active):
    """Switch a rule on or off: off, the generation no longer finds offers for it; its open
    offers stay until they are decided or expire."""
    if not by.has_perm("followups.change_offerrule"):
        raise DomainError(_("Only administrators set up offer rules."))
    rule.is_active = active
    rule.save(update_fields=["is_active", "updated_at"])
    return rule


def _locked(offer, by):
    offer = Offer.objects.select_for_update().select_related("rule", "customer").get(pk=offer.pk)
    require_branch(
        by, offer.branch_id, message=_("This offer belongs to a branch you do not work in.")
    )
    return offer


def _today():
    return timezone.localdate()


@transaction.atomic
def present_offer(*, offer, by, channel, at=None, note=""):
    """The salesperson presented the offer on `channel`: a commercial impulse, recorded through
    the contact policy (consent, cap, blockers, calendar decide; a refusal is a DomainError)."""
    offer = _locked(offer, by)
    if offer.state != OfferState.SUGGESTED:
        raise DomainError(_("Only a suggested offer can be presented."))
    if offer.rule.channels and channel not in offer.rule.channels:
        raise DomainError(_("This offer is not made on this channel."), field="channel")
    contact = contact_policy.record_contact(
        customer=offer.customer,
        purpose=Purpose.COMMERCIAL,
        channel=channel,
        by=by,
        at=at,
        note=(note or offer.rule.name)[:200],
    )
    offer.state = OfferState.PRESENTED
    offer.presented_at = contact.happened_at
    offer.presented_by = by
    offer.channel = channel
    offer.contact = contact
    offer.save()
    rollups.bump_offer(offer, OfferEvent.PRESENTED, day=timezone.localdate(contact.happened_at))
    return offer


@transaction.atomic
def accept_offer(*, offer, by, value=None, purchase_date=None, handover_date=None):
    """The customer accepts: the purchase is logged from the offer (customers.services.log_purchase,
    which plans its follow-ups), for the offer's vehicle when the offer is a service."""
    offer = _locked(offer, by)
    if offer.state != OfferState.PRESENTED:
        raise DomainError(_("Only a presented offer can be accepted."))
    rule = offer.rule
    price = value if value is not None else offer.price
    if price is None:
        price = rule.product.list_price
        if rule.discount_percent:
            price = (price * (100 - rule.discount_percent) / 100).quantize(Decimal("0.01"))
    price = Decimal(price)
    if price < 0:
        raise DomainError(_("The value cannot be negative."), field="value")
    vehicle = offer.purchase if offer.purchase and offer.purchase.is_vehicle else None
    if rule.product.category.yearly_distance_km is not None:
        vehicle = None  # a car is no service visit of another car
    today = _today()
    purchase = customer_services.log_purchase(
        by=by,
        customer=offer.customer,
        branch=offer.branch,
        salesperson=offer.assignee or by,
        purchase_date=purchase_date or today,
        handover_date=handover_date,
        lines=[(rule.product, 1, price)],
        vehicle=vehicle,
        notes=_("From the offer “%(rule)s”.") % {"rule": rule.name},
    )
    offer.state = OfferState.ACCEPTED
    offer.value = purchase.total
    offer.accepted_purchase = purchase
    offer.decided_at = timezone.now()
    offer.decided_on = today
    offer.save()
    rollups.bump_offer(offer, OfferEvent.ACCEPTED, day=today)
    return offer


@transaction.atomic
def decline_offer(*, offer, by, reason, note=""):
    offer = _locked(offer, by)
    if offer.state not in (OfferState.SUGGESTED, OfferState.PRESENTED):
        raise DomainError(_("This offer is already decided."))
    if reason not in DeclineReason.values:
        raise DomainError(_("Choose a reason."), field="reason")
    if reason == DeclineReason.OTHER and not note.strip():
        raise DomainError(_("Say why in a few words."), field="note")
    offer.state = OfferState.DECLINED
    offer.decline_reason = reason
    offer.decline_note = note.strip()
    offer.decided_at = timezone.now()
    offer.decided_on = _today()
    offer.save()
    rollups.bump_offer(offer, OfferEvent.DECLINED, day=offer.decided_on)
    return offer


@transaction.atomic
def reassign_offer(*, offer, by, to):
    if not by.has_perm("followups.reassign_offer"):
        raise DomainError(_("Only managers hand offers to someone else."))
    offer = _locked(offer, by)
    if not offer.is_open:
        raise DomainError(_("This offer is already decided."))
    if not works_in(to, offer.branch_id):
        raise DomainError(
            _("%(name)s does not work in this branch.") % {"name": to}, field="assignee"
        )
    offer.assignee = to
    offer.save(update_fields=["assignee", "updated_at"])
    return offer


# One statement: claim the due offers (SKIP LOCKED, so two ticks never expire one twice),
# expire them and count them into the roll-ups, however many there are.
_EXPIRE = """
    WITH due AS (
        SELECT o.id FROM followups_offer o
        JOIN customers_customer c ON c.id = o.customer_id
        WHERE o.state = ANY(%(open)s)
            AND (o.expires_on < %(today)s OR c.erased_at IS NOT NULL)
        FOR UPDATE OF o SKIP LOCKED
    ),
    expired AS (
        UPDATE followups_offer o
        SET state = %(expired)s, decided_at = %(now)s, decided_on = %(today)s, updated_at = %(now)s
        FROM due WHERE o.id = due.id
        RETURNING o.branch_id, o.rule_id, o.assignee_id,
            GREATEST(%(today)s - COALESCE(o.suggested_on, %(today)s), 0) AS days
    ),
    rolled AS (
        INSERT INTO followups_offerrollup (day, branch_id, rule_id, salesperson_id, event, reason,
            offers, value, decision_days)
        SELECT %(today)s, branch_id, rule_id, assignee_id, %(expired)s, '', count(*), 0, sum(days)
        FROM expired GROUP BY branch_id, rule_id, assignee_id
        ON CONFLICT (day, branch_id, rule_id, salesperson_id, event, reason) DO UPDATE SET
            offers = followups_offerrollup.offers + EXCLUDED.offers,
            decision_days = followups_offerrollup.decision_days + EXCLUDED.decision_days
    )
    SELECT count(*) FROM expired
"""


@transaction.atomic
def expire_offers(*, now=None):
    """Open offers whose window is over expire, and so do the open offers of erased customers:
    one set-based UPDATE (with its roll-up counts); returns how many expired."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    with connection.cursor() as cursor:
        cursor.execute(
            _EXPIRE,
            {
                "open": list(OPEN_OFFER_STATES),
                "today": today,
                "now": now,
                "expired": OfferState.EXPIRED,
            },
        )
        return cursor.fetchone()[0]
