"""The contact policy: well-dosed impulses (docs/domain.md, "Well-dosed impulses").

Everything that contacts a customer asks `can_contact(customer, purpose, channel, at)` first and
writes what it did with `record_contact(...)`, so the rules live here only:

- no contact at all on Sundays and public holidays, and only within the branch's contact hours
  (in the branch's local time);
- commercial contact needs the customer's current marketing consent on that channel (a visit in
  person needs none), must pass every registered blocker (care before commerce), and is capped at
  N impulses per customer per rolling window (per-branch `BranchPolicy`, defaults 2 in 30 days);
- care contacts are never held back by consent, blockers or the cap, but they are counted
  (`contact_counts`) so people see how often a customer has heard from us.

Higher apps know facts this app must not import (an open complaint, a high dissonance score):
they add a blocking check with `register_blocker` in their AppConfig.ready(), as the customer
timeline does with its providers.

A decision carries a translated `reason` for people and a stable `code` for code and tests.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aftersales.access import require_branch
from aftersales.errors import DomainError
from customers.models import Customer
from followups.calendar import holidays_for, local_now, policy_for
from followups.models import BranchPolicy, ContactChannel, ContactEvent, Purpose

SUNDAY = 6

# Channels on which marketing consent is asked (customers.models.Channel); a visit in person is
# the customer's own doing and needs none.
CONSENT_CHANNELS = frozenset(
    {ContactChannel.EMAIL, ContactChannel.PHONE, ContactChannel.SMS, ContactChannel.LETTER}
)


class Code:
    """The stable codes of the decisions (blockers bring their own)."""

    ALLOWED = "allowed"
    UNKNOWN_PURPOSE = "unknown_purpose"
    UNKNOWN_CHANNEL = "unknown_channel"
    ERASED = "erased"
    SUNDAY = "sunday"
    HOLIDAY = "holiday"
    OUTSIDE_HOURS = "outside_hours"
    NO_CONSENT = "no_consent"
    CAP_REACHED = "cap_reached"


@dataclass(frozen=True)
class ContactDecision:
    allowed: bool
    reason: str
    code: str


@dataclass(frozen=True)
class ContactCounts:
    """Contacts with one customer in the branch's rolling window ending at a moment."""

    care: int
    commercial: int
    commercial_cap: int
    window_days: int

    @property
    def commercial_left(self):
        return max(self.commercial_cap - self.commercial, 0)


# check(customer, at) -> None, or (code, reason) when commercial contact must wait.
Blocker = Callable[[Customer, datetime], tuple[str, str] | None]

_blockers: list[Blocker] = []
# bulk(customers, at) -> (code, reason, queryset of the blocked customers' ids): the same check
# for a queryset of many customers, so that the offer generation asks the policy set-based.
BulkBlocker = Callable[[QuerySet, datetime], tuple[str, str, QuerySet]]
_bulk_blockers: dict[Blocker, BulkBlocker] = {}


def register_blocker(check, bulk=None):
    """Add a blocking check for commercial contact; registering twice has no effect.

    `bulk` is the same check for many customers at once (see `commercial_refusals`); a blocker
    without one makes the bulk decisions refuse to run rather than decide without it.
    Returns the check, so it can be used as a decorator. A check should use a constant number of
    queries, since every decision runs all of them.
    """
    if check not in _blockers:
        _blockers.append(check)
    if bulk is not None:
        _bulk_blockers[check] = bulk
    return check


def unregister_blocker(check):
    if check in _blockers:
        _blockers.remove(check)


def _refused(code, reason):
    return ContactDecision(allowed=False, reason=reason, code=code)


def _require_aware(at):
    if timezone.is_naive(at):
        raise ValueError("The contact policy needs an aware datetime.")


def _window_counts(customer, policy, at):
    """Care and commercial contacts in the window before `at`: one aggregate query."""
    since = at - timedelta(days=policy.commercial_window_days)
    in_window = Q(happened_at__gt=since, happened_at__lte=at)
    totals = ContactEvent.objects.filter(customer=customer).aggregate(
        care=Count("pk", filter=in_window & Q(purpose=Purpose.CARE)),
        commercial=Count("pk", filter=in_window & Q(purpose=Purpose.COMMERCIAL)),
    )
    return ContactCounts(
        care=totals["care"],
        commercial=totals["commercial"],
        commercial_cap=policy.commercial_cap,
        window_days=policy.commercial_window_days,
    )


def contact_counts(customer, at=None):
    """How often the customer heard from us in the home branch's window ending at `at` (default:
    now), care and commercial apart, for showing next to a contact."""
    at = at or timezone.now()
    _require_aware(at)
    return _window_counts(customer, policy_for(customer.branch), at)


def _calendar_refusal(branch, policy, at):
    local = local_now(branch, at)
    day = local.date()
    if day.weekday() == SUNDAY:
        return _refused(Code.SUNDAY, _("No contact on Sundays."))
    if day in holidays_for(branch, day, day):
        return _refused(Code.HOLIDAY, _("No contact on public holidays."))
    if not policy.contact_from <= local.time() < policy.contact_until:
        return _refused(
            Code.OUTSIDE_HOURS,
            _("Customers are contacted only between %(start)s and %(end)s (branch time).")
            % {
                "start": policy.contact_from.strftime("%H:%M"),
                "end": policy.contact_until.strftime("%H:%M"),
            },
        )
    return None


def _commercial_refusal(customer, policy, channel, at):
    if channel in CONSENT_CHANNELS and not customer.has_marketing_consent(channel):
        return _refused(
            Code.NO_CONSENT,
            _("The customer has not agreed to marketing by %(channel)s.")
            % {"channel": ContactChannel(channel).label},
        )
    for check in list(_blockers):
        blocked = check(customer, at)
        if blocked is not None:
            code, reason = blocked
            return _refused(code, str(reason))
    counts = _window_counts(customer, policy, at)
    if counts.commercial >= counts.commercial_cap:
        return _refused(
            Code.CAP_REACHED,
            ngettext(
                "The customer already had %(count)d commercial contact in the last %(days)d "
                "days (at most %(cap)d).",
                "The customer already had %(count)d commercial contacts in the last %(days)d "
                "days (at most %(cap)d).",
                counts.commercial,
            )
            % {
                "count": counts.commercial,
                "days": counts.window_days,
                "cap": counts.commercial_cap,
            },
        )
    return None


def can_contact(customer, purpose, channel, at=None):
    """May we contact the customer for this purpose on this channel at this moment (default: now)?

    Queries: the customer's home branch and its policy (unless already loaded), the branch's
    holidays on that day, and for commercial contact the window's contacts (plus whatever the
    registered blockers need): a constant number, however many contacts the customer had.
    """
    at = at or timezone.now()
    _require_aware(at)
    if purpose not in Purpose.values:
        return _refused(Code.UNKNOWN_PURPOSE, _("Choose care or commercial contact."))
    if channel not in ContactChannel.values:
        return _refused(Code.UNKNOWN_CHANNEL, _("Choose a contact channel."))
    if customer.is_erased:
        return _refused(Code.ERASED, _("This customer's data was erased; no more contact."))
    branch = customer.branch
    policy = policy_for(branch)
    refusal = _calendar_refusal(branch, policy, at)
    if refusal is None and purpose == Purpose.COMMERCIAL:
        refusal = _commercial_refusal(customer, policy, channel, at)
    return refusal or ContactDecision(allowed=True, reason=_("Contact allowed."), code=Code.ALLOWED)


@transaction.atomic
def record_contact(*, customer, purpose, channel, by, at=None, followup=None, note=""):
    """Write down a contact the policy allows; raise DomainError with its reason otherwise.

    The customer's row is locked first, so two colleagues recording commercial contacts at once
    cannot both slip under the cap; consent and home branch are read fresh with it. `by` is None
    for contacts the system makes itself (a survey e-mail).
    """
    now = timezone.now()
    at = at or now
    _require_aware(at)
    if at > now:
        raise DomainError(_("A contact cannot be recorded before it happens."), field="at")
    customer = (
        Customer.objects.select_for_update(of=("self",))
        .select_related("branch", "branch__followup_policy")
        .get(pk=customer.pk)
    )
    if by is not None:
        require_branch(
            by,
            customer.branch_id,
            message=_("This customer belongs to a branch you do not work in."),
        )
    if followup is not None and followup.customer_id != customer.pk:
        raise DomainError(_("This follow-up is about another customer."), field="followup")
    decision = can_contact(customer, purpose, channel, at)
    if not decision.allowed:
        raise DomainError(decision.reason)
    contact = ContactEvent(
        customer=customer,
        purpose=purpose,
        channel=channel,
        happened_at=at,
        followup=followup,
        by=by,
        note=note.strip(),
    )
    # The related objects are in hand (and the customer locked): validating them again would
    # only cost a query each.
    contact.full_clean(exclude=["customer", "followup", "by"])
    contact.save()
    return contact


# --- Many customers at once (the offer generation) ---


def commercial_refusals_sql(customers, *, at, channels=()):
    """(sql, params) of a SELECT of (customer id, refusal code or NULL) for the customers of the
    queryset `customers`: the commercial rules of `can_contact` in the same order — erased, no
    consent on any of `channels` (empty: any consent channel; a visit needs none), the
    registered blockers (their bulk variants), the cap of the home branch's window at `at`. The
    calendar (Sundays, holidays, contact hours) is left out: it decides when to present an
    offer, not whether to make it. A few queries' worth of SQL however many customers."""
    _require_aware(at)
    channels = [channel for channel in channels if channel in ContactChannel.values] or sorted(
        CONSENT_CHANNELS
    )
    if ContactChannel.VISIT in channels:
        consent = "TRUE"
    else:
        consent = " OR ".join(f"c.consent_{channel}" for channel in sorted(set(channels)))
    candidate_sql, candidate_params = customers.values("pk").query.sql_with_params()
    whens, params = [], []
    for check in list(_blockers):
        bulk = _bulk_blockers.get(check)
        if bulk is None:
            raise RuntimeError(f"The blocker {check.__qualname__} has no bulk variant.")
        code, _reason, blocked = bulk(customers, at)
        blocked_sql, blocked_params = blocked.query.sql_with_params()
        whens.append(f"WHEN c.id IN ({blocked_sql}) THEN %s")
        params.extend([*blocked_params, code])
    defaults = BranchPolicy()
    sql = f"""
        SELECT c.id, CASE
            WHEN c.erased_at IS NOT NULL THEN %s
            WHEN NOT ({consent}) THEN %s
            {" ".join(whens)}
            WHEN (SELECT count(*) FROM followups_contactevent e
                  WHERE e.customer_id = c.id AND e.purpose = %s AND e.happened_at <= %s
                    AND e.happened_at > %s - make_interval(
                        days => COALESCE(bp.commercial_window_days, %s)))
                 >= COALESCE(bp.commercial_cap, %s) THEN %s
        END AS code
        FROM customers_customer c
        LEFT JOIN followups_branchpolicy bp ON bp.branch_id = c.branch_id
        WHERE c.id IN ({candidate_sql})
    """  # noqa: S608  # nosec B608 (our own SQL; values are parameters)
    return sql, [
        Code.ERASED,
        Code.NO_CONSENT,
        *params,
        Purpose.COMMERCIAL,
        at,
        at,
        defaults.commercial_window_days,
        defaults.commercial_cap,
        Code.CAP_REACHED,
        *candidate_params,
    ]


def commercial_refusals(customers, *, at=None, channels=()):
    """{customer id: refusal code} of the customers commercial contact must not reach now (the
    allowed ones are left out): one query (see `commercial_refusals_sql`)."""
    sql, params = commercial_refusals_sql(customers, at=at or timezone.now(), channels=channels)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {pk: code for pk, code in cursor.fetchall() if code is not None}


def reason_labels():
    """The people's words for every refusal code the policy and its blockers give."""
    labels = {
        Code.ERASED: _("customer data erased"),
        Code.NO_CONSENT: _("no marketing consent on the channel"),
        Code.CAP_REACHED: _("enough commercial contacts already"),
        Code.SUNDAY: _("Sunday"),
        Code.HOLIDAY: _("public holiday"),
        Code.OUTSIDE_HOURS: _("outside contact hours"),
    }
    for bulk in _bulk_blockers.values():
        code, reason, _blocked = bulk(Customer.objects.none(), timezone.now())
        labels[code] = str(reason)
    return labels
