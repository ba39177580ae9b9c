"""The customer's timeline: what is coming up with a customer, soonest first, apart from
everything that happened, newest first.

The customers app contributes purchases and consent; higher apps (follow-ups, surveys,
complaints, offers) register a provider in their AppConfig.ready() so that this page shows their
events without the customers app importing them (the apps form layers, see docs/architecture.md).
A provider takes the customer and returns TimelineEvent objects using a constant number of
queries; an event still to happen (a planned contact, an agreed appointment, a handover) is
`planned`.
"""

from dataclasses import dataclass
from datetime import datetime, time

from django.utils import timezone
from django.utils.translation import gettext as _

from customers import selectors
from customers.models import ConsentRecord

_providers = []


@dataclass(frozen=True)
class TimelineEvent:
    when: datetime
    kind: str
    title: str
    detail: str = ""
    link: str = ""
    planned: bool = False

    @property
    def is_overdue(self):
        """Planned for a day behind us (today in the active time zone)."""
        return self.planned and timezone.localdate(self.when) < timezone.localdate()


@dataclass(frozen=True)
class Timeline:
    coming_up: list[TimelineEvent]
    history: list[TimelineEvent]


def register(provider):
    if provider not in _providers:
        _providers.append(provider)
    return provider


def as_datetime(day):
    if isinstance(day, datetime):
        return day
    return timezone.make_aware(datetime.combine(day, time(12)))


def events_for(customer):
    events = []
    for provider in [_purchase_and_consent_events, *_providers]:
        events.extend(provider(customer))
    return sorted(events, key=lambda event: event.when, reverse=True)


def timeline_for(customer):
    """The planned events, soonest (or most overdue) first, and the history, newest first."""
    events = events_for(customer)
    return Timeline(
        coming_up=[event for event in reversed(events) if event.planned],
        history=[event for event in events if not event.planned],
    )


def _purchase_and_consent_events(customer):
    """Uses the purchases and consents prefetched by selectors.customer_detail."""
    events = []
    for purchase in customer.purchases.all():
        products = ", ".join(line.product.name for line in purchase.lines.all())
        events.append(
            TimelineEvent(
                when=as_datetime(purchase.purchase_date),
                kind="purchase",
                title=_("Purchase: %(products)s") % {"products": products},
                detail=purchase.identifier,
                link=purchase.get_absolute_url(),
            )
        )
        if purchase.handover_date:
            events.append(
                TimelineEvent(
                    when=as_datetime(purchase.handover_date),
                    kind="handover",
                    title=_("Handover: %(products)s") % {"products": products},
                    link=purchase.get_absolute_url(),
                    planned=purchase.handover_date > timezone.localdate(),
                )
            )
        if purchase.cancelled_at:
            events.append(
                TimelineEvent(
                    when=purchase.cancelled_at,
                    kind="cancellation",
                    title=_("Purchase cancelled"),
                    detail=purchase.cancellation_reason,
                    link=purchase.get_absolute_url(),
                )
            )
    titles = {
        ConsentRecord.State.GRANTED: _("Consent granted: %(channel)s"),
        ConsentRecord.State.DECLINED: _("Consent declined: %(channel)s"),
        ConsentRecord.State.WITHDRAWN: _("Consent withdrawn: %(channel)s"),
    }
    for entry in selectors.consent_history(customer.consents.all()):
        record = entry.record
        events.append(
            TimelineEvent(
                when=record.recorded_at,
                kind="consent",
                title=titles[entry.state] % {"channel": record.get_channel_display()},
                detail=record.get_source_display(),
            )
        )
    return events
