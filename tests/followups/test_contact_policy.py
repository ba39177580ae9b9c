"""The contact policy ("well-dosed impulses"), rule by rule, with explicit moments in time.

Each rule refuses with its own stable code; care contacts pass consent, blockers and the cap but
not the calendar (Sundays, holidays, contact hours in the branch's local time).
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from aftersales.errors import DomainError
from customers.models import Customer
from followups import contact_policy
from followups.contact_policy import (
    Code,
    ContactDecision,
    can_contact,
    contact_counts,
    record_contact,
    register_blocker,
    unregister_blocker,
)
from followups.models import (
    BranchPolicy,
    ContactChannel,
    ContactEvent,
    FollowUp,
    PublicHoliday,
    Purpose,
    StepKind,
)
from tests.aftersales.factories import BranchFactory
from tests.customers.factories import CustomerFactory

BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
MONDAY = date(2026, 6, 1)
WEDNESDAY = date(2026, 6, 3)
SUNDAY = date(2026, 6, 7)
CARE, COMMERCIAL = Purpose.CARE, Purpose.COMMERCIAL
PHONE, EMAIL, VISIT = ContactChannel.PHONE, ContactChannel.EMAIL, ContactChannel.VISIT


def at(day, hour, minute=0, zone=BERLIN):
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


NOON = at(MONDAY, 12)


@pytest.fixture
def customer(north):
    return CustomerFactory(branch=north)


@pytest.fixture
def consenting(north):
    """A customer who agreed to marketing by phone (only)."""
    return CustomerFactory(branch=north, consent_phone=True)


def contacted(customer, purpose, when, channel=PHONE):
    return ContactEvent.objects.create(
        customer=customer, purpose=purpose, channel=channel, happened_at=when
    )


def fresh(customer):
    """The customer as a caller would load it: nothing related cached yet."""
    return Customer.objects.get(pk=customer.pk)


# --- consent -------------------------------------------------------------------------------------


def test_commercial_contact_needs_consent_on_that_channel(consenting):
    assert can_contact(consenting, COMMERCIAL, PHONE, NOON) == ContactDecision(
        allowed=True, reason="Contact allowed.", code=Code.ALLOWED
    )
    refused = can_contact(consenting, COMMERCIAL, EMAIL, NOON)
    assert not refused.allowed
    assert refused.code == Code.NO_CONSENT
    assert refused.reason == "The customer has not agreed to marketing by e-mail."


@pytest.mark.parametrize("channel", ["email", "phone", "sms", "letter"])
def test_without_any_consent_every_remote_channel_is_refused(customer, channel):
    assert can_contact(customer, COMMERCIAL, channel, NOON).code == Code.NO_CONSENT


def test_a_visit_needs_no_consent(customer):
    assert can_contact(customer, COMMERCIAL, VISIT, NOON).allowed


@pytest.mark.parametrize("channel", ContactChannel.values)
def test_care_contact_needs_no_consent(customer, channel):
    assert can_contact(customer, CARE, channel, NOON).allowed


# --- Sundays, holidays and hours ------------------------------------------------------------------


@pytest.mark.parametrize("purpose", [CARE, COMMERCIAL])
def test_no_contact_on_sundays(consenting, purpose):
    decision = can_contact(consenting, purpose, PHONE, at(SUNDAY, 11))
    assert (decision.allowed, decision.code) == (False, Code.SUNDAY)


def test_saturday_is_a_contact_day(consenting):
    assert can_contact(consenting, COMMERCIAL, PHONE, at(SUNDAY - timedelta(days=1), 11)).allowed


@pytest.mark.parametrize("purpose", [CARE, COMMERCIAL])
def test_no_contact_on_a_national_holiday(consenting, purpose):
    PublicHoliday.objects.create(date=WEDNESDAY, name="Feiertag", country="DE")
    assert can_contact(consenting, purpose, PHONE, at(WEDNESDAY, 11)).code == Code.HOLIDAY
    assert can_contact(consenting, purpose, PHONE, at(WEDNESDAY + timedelta(days=1), 11)).allowed


def test_a_branch_holiday_holds_only_that_branch(consenting, south):
    PublicHoliday.objects.create(date=WEDNESDAY, name="Stadtfest", branch=south)
    assert can_contact(consenting, CARE, PHONE, at(WEDNESDAY, 11)).allowed
    southern = CustomerFactory(branch=south)
    assert can_contact(southern, CARE, PHONE, at(WEDNESDAY, 11)).code == Code.HOLIDAY


@pytest.mark.parametrize(
    ("hour", "minute", "allowed"),
    [(8, 59, False), (9, 0, True), (18, 59, True), (19, 0, False), (22, 0, False)],
)
@pytest.mark.parametrize("purpose", [CARE, COMMERCIAL])
def test_only_within_contact_hours(consenting, purpose, hour, minute, allowed):
    decision = can_contact(consenting, purpose, PHONE, at(MONDAY, hour, minute))
    assert decision.allowed is allowed
    if not allowed:
        assert decision.code == Code.OUTSIDE_HOURS
        assert "09:00" in decision.reason
        assert "19:00" in decision.reason


def test_hours_are_configurable_per_branch(consenting, north):
    BranchPolicy.objects.create(branch=north, contact_from=time(8), contact_until=time(20))
    consenting = fresh(consenting)
    assert can_contact(consenting, CARE, PHONE, at(MONDAY, 8, 30)).allowed
    assert can_contact(consenting, CARE, PHONE, at(MONDAY, 19, 30)).allowed
    assert can_contact(consenting, CARE, PHONE, at(MONDAY, 20)).code == Code.OUTSIDE_HOURS


def test_hours_and_days_are_the_branch_local_ones(db):
    branch = BranchFactory(name="Manhattan", code="NYC", time_zone="America/New_York")
    customer = CustomerFactory(branch=branch)
    # 14:00 in Berlin is 08:00 in New York: too early there.
    assert can_contact(customer, CARE, PHONE, at(MONDAY, 14)).code == Code.OUTSIDE_HOURS
    assert can_contact(customer, CARE, PHONE, at(MONDAY, 10, zone=NEW_YORK)).allowed
    # Monday 04:00 in Berlin is still Sunday evening (22:00) in New York.
    assert can_contact(customer, CARE, PHONE, at(MONDAY, 4)).code == Code.SUNDAY


# --- the commercial cap ---------------------------------------------------------------------------


def test_at_most_two_commercial_impulses_in_thirty_days(consenting):
    contacted(consenting, COMMERCIAL, NOON - timedelta(days=29))
    assert can_contact(consenting, COMMERCIAL, PHONE, NOON).allowed
    contacted(consenting, COMMERCIAL, NOON - timedelta(days=1))
    refused = can_contact(consenting, COMMERCIAL, PHONE, NOON)
    assert (refused.allowed, refused.code) == (False, Code.CAP_REACHED)
    assert "2" in refused.reason
    assert "30" in refused.reason


def test_the_window_rolls(consenting):
    contacted(consenting, COMMERCIAL, NOON - timedelta(days=30))  # just out of the window
    contacted(consenting, COMMERCIAL, NOON - timedelta(days=10))
    contacted(consenting, COMMERCIAL, NOON + timedelta(hours=1))  # after the moment asked about
    assert can_contact(consenting, COMMERCIAL, PHONE, NOON).allowed
    assert not can_contact(consenting, COMMERCIAL, PHONE, NOON + timedelta(hours=2)).allowed
    assert can_contact(consenting, COMMERCIAL, PHONE, NOON + timedelta(days=22)).allowed


def test_care_contacts_do_not_use_up_the_cap(consenting):
    for days in range(1, 6):
        contacted(consenting, CARE, NOON - timedelta(days=days))
    assert can_contact(consenting, COMMERCIAL, PHONE, NOON).allowed


def test_only_the_customers_own_contacts_count(consenting, north):
    other = CustomerFactory(branch=north, consent_phone=True)
    contacted(other, COMMERCIAL, NOON - timedelta(days=1))
    contacted(other, COMMERCIAL, NOON - timedelta(days=2))
    assert can_contact(consenting, COMMERCIAL, PHONE, NOON).allowed


def test_a_branch_sets_its_own_cap_and_window(consenting, north):
    BranchPolicy.objects.create(branch=north, commercial_cap=1, commercial_window_days=7)
    consenting = fresh(consenting)
    contacted(consenting, COMMERCIAL, NOON - timedelta(days=8))
    assert can_contact(consenting, COMMERCIAL, PHONE, NOON).allowed
    contacted(consenting, COMMERCIAL, NOON - timedelta(days=3))
    refused = can_contact(consenting, COMMERCIAL, PHONE, NOON)
    assert refused.code == Code.CAP_REACHED
    assert refused.reason == (
        "The customer already had 1 commercial contact in the last 7 days (at most 1)."
    )


def test_care_is_never_blocked_by_the_cap_or_consent(customer):
    for days in range(1, 4):
        contacted(customer, COMMERCIAL, NOON - timedelta(days=days))
    assert can_contact(customer, COMMERCIAL, VISIT, NOON).code == Code.CAP_REACHED
    for channel in ContactChannel.values:
        assert can_contact(customer, CARE, channel, NOON).allowed


# --- blockers registered by higher apps -----------------------------------------------------------


@pytest.fixture
def complaint_blocker():
    """What the quality app registers later: commercial contact waits for open complaints."""
    asked = []

    def open_complaint(customer, when):
        asked.append((customer.pk, when))
        if customer.last_name == "Grumpy":
            return ("open_complaint", "The customer has an open complaint.")
        return None

    register_blocker(open_complaint)
    yield asked
    unregister_blocker(open_complaint)
    assert open_complaint not in contact_policy._blockers


def test_a_registered_blocker_holds_commercial_contact(complaint_blocker, north):
    grumpy = CustomerFactory(branch=north, last_name="Grumpy", consent_phone=True)
    decision = can_contact(grumpy, COMMERCIAL, PHONE, NOON)
    assert decision == ContactDecision(
        allowed=False, reason="The customer has an open complaint.", code="open_complaint"
    )
    assert complaint_blocker == [(grumpy.pk, NOON)]


def test_a_blocker_lets_others_through(complaint_blocker, consenting):
    assert can_contact(consenting, COMMERCIAL, PHONE, NOON).allowed


def test_blockers_never_hold_care(complaint_blocker, north):
    grumpy = CustomerFactory(branch=north, last_name="Grumpy")
    assert can_contact(grumpy, CARE, PHONE, NOON).allowed
    assert complaint_blocker == []


def test_registering_twice_runs_the_check_once(consenting):
    calls = []

    def check(customer, when):
        calls.append(customer.pk)

    try:
        assert register_blocker(check) is check
        register_blocker(check)
        can_contact(consenting, COMMERCIAL, PHONE, NOON)
    finally:
        unregister_blocker(check)
    assert calls == [consenting.pk]


# --- other refusals -------------------------------------------------------------------------------


def test_an_erased_customer_is_never_contacted(consenting):
    consenting.erased_at = NOON - timedelta(days=1)
    assert can_contact(consenting, CARE, PHONE, NOON).code == Code.ERASED


@pytest.mark.parametrize(
    ("purpose", "channel", "code"),
    [("advert", PHONE, Code.UNKNOWN_PURPOSE), (CARE, "pigeon", Code.UNKNOWN_CHANNEL)],
)
def test_unknown_purpose_or_channel(customer, purpose, channel, code):
    assert can_contact(customer, purpose, channel, NOON).code == code


def test_a_naive_moment_is_a_programming_error(customer):
    with pytest.raises(ValueError, match="aware"):
        can_contact(customer, CARE, PHONE, datetime(2026, 6, 1, 12))  # noqa: DTZ001


def test_without_a_moment_the_policy_asks_about_now(consenting):
    with time_machine.travel(at(SUNDAY, 12), tick=False):
        assert can_contact(consenting, CARE, PHONE).code == Code.SUNDAY
    with time_machine.travel(NOON, tick=False):
        assert can_contact(consenting, CARE, PHONE).allowed


# --- counts for showing ---------------------------------------------------------------------------


def test_contact_counts_in_the_window(consenting, north):
    contacted(consenting, CARE, NOON - timedelta(days=1))
    contacted(consenting, CARE, NOON - timedelta(days=20))
    contacted(consenting, CARE, NOON - timedelta(days=40))
    contacted(consenting, COMMERCIAL, NOON - timedelta(days=5))
    counts = contact_counts(consenting, NOON)
    assert (counts.care, counts.commercial) == (2, 1)
    assert (counts.commercial_cap, counts.window_days, counts.commercial_left) == (2, 30, 1)

    BranchPolicy.objects.create(branch=north, commercial_cap=1, commercial_window_days=10)
    counts = contact_counts(fresh(consenting), NOON)
    assert (counts.care, counts.commercial, counts.commercial_left) == (1, 1, 0)


# --- recording contacts ---------------------------------------------------------------------------


@pytest.fixture
def on_monday_noon():
    with time_machine.travel(NOON, tick=False):
        yield NOON


def test_record_an_allowed_contact(on_monday_noon, consenting, owner):
    followup = FollowUp.objects.create(
        customer=consenting,
        branch=consenting.branch,
        kind=StepKind.CUSTOM,
        channel=PHONE,
        purpose=COMMERCIAL,
        title="Winter tyres",
        assignee_role="salesperson",
        planned_date=MONDAY,
        due_date=MONDAY,
    )
    contact = record_contact(
        customer=consenting,
        purpose=COMMERCIAL,
        channel=PHONE,
        by=owner,
        followup=followup,
        note="  Offered winter tyres. ",
    )
    contact.refresh_from_db()
    assert (contact.customer, contact.by, contact.followup) == (consenting, owner, followup)
    assert (contact.purpose, contact.channel, contact.happened_at) == (COMMERCIAL, PHONE, NOON)
    assert contact.note == "Offered winter tyres."


def test_record_refuses_what_the_policy_refuses(on_monday_noon, customer, owner):
    with pytest.raises(DomainError) as refused:
        record_contact(customer=customer, purpose=COMMERCIAL, channel=EMAIL, by=owner)
    assert str(refused.value.message) == "The customer has not agreed to marketing by e-mail."
    assert not ContactEvent.objects.exists()


def test_record_keeps_to_the_cap(on_monday_noon, consenting, owner):
    for hours in (3, 2):
        record_contact(
            customer=consenting,
            purpose=COMMERCIAL,
            channel=PHONE,
            by=owner,
            at=NOON - timedelta(hours=hours),
        )
    with pytest.raises(DomainError, match="2 commercial contacts"):
        record_contact(customer=consenting, purpose=COMMERCIAL, channel=PHONE, by=owner)
    # Care goes on being recorded, and counted.
    record_contact(customer=consenting, purpose=CARE, channel=PHONE, by=owner)
    assert contact_counts(consenting, NOON).care == 1


def test_record_reads_consent_fresh(on_monday_noon, consenting, owner):
    Customer.objects.filter(pk=consenting.pk).update(consent_phone=False)
    with pytest.raises(DomainError, match="not agreed"):
        record_contact(customer=consenting, purpose=COMMERCIAL, channel=PHONE, by=owner)


def test_record_outside_hours_is_refused_unless_it_happened_within(on_monday_noon, customer, owner):
    with time_machine.travel(at(MONDAY, 20), tick=False):
        with pytest.raises(DomainError, match="between"):
            record_contact(customer=customer, purpose=CARE, channel=PHONE, by=owner)
        # Written down in the evening, the call itself was at 15:00.
        record_contact(customer=customer, purpose=CARE, channel=PHONE, by=owner, at=at(MONDAY, 15))
    assert ContactEvent.objects.get().happened_at == at(MONDAY, 15)


def test_record_refuses_a_contact_in_the_future(on_monday_noon, customer, owner):
    with pytest.raises(DomainError) as refused:
        record_contact(
            customer=customer, purpose=CARE, channel=PHONE, by=owner, at=NOON + timedelta(hours=1)
        )
    assert refused.value.field == "at"


def test_record_refuses_another_branchs_customer(on_monday_noon, customer, outsider):
    with pytest.raises(DomainError, match="branch you do not work in"):
        record_contact(customer=customer, purpose=CARE, channel=PHONE, by=outsider)


def test_record_refuses_a_followup_of_another_customer(on_monday_noon, customer, owner, north):
    other = CustomerFactory(branch=north)
    followup = FollowUp.objects.create(
        customer=other,
        branch=north,
        kind=StepKind.CHECK_IN,
        channel=PHONE,
        purpose=CARE,
        title="Check-in",
        assignee_role="salesperson",
        planned_date=MONDAY,
        due_date=MONDAY,
    )
    with pytest.raises(DomainError) as refused:
        record_contact(customer=customer, purpose=CARE, channel=PHONE, by=owner, followup=followup)
    assert refused.value.field == "followup"


def test_the_system_records_without_a_person(on_monday_noon, customer):
    contact = record_contact(customer=customer, purpose=CARE, channel=EMAIL, by=None)
    assert contact.by is None


# --- queries --------------------------------------------------------------------------------------


def test_a_decision_takes_a_constant_number_of_queries(consenting, django_assert_max_num_queries):
    for days in range(1, 15):
        contacted(consenting, CARE, NOON - timedelta(days=days))
    contacted(consenting, COMMERCIAL, NOON - timedelta(days=3))
    customer = fresh(consenting)
    # 1 the home branch, 2 its policy, 3 the holidays on that day, 4 and 5 the blockers the
    # quality app registers (open complaint, high dissonance), 6 the window's contacts.
    with django_assert_max_num_queries(6):
        assert can_contact(customer, COMMERCIAL, PHONE, NOON).allowed
    # The branch and policy are now loaded: 1 the holidays, 2 and 3 the blockers, 4 the window.
    with django_assert_max_num_queries(4):
        assert can_contact(customer, COMMERCIAL, PHONE, NOON).allowed
    # Care is not counted against anything: 1 the holidays.
    with django_assert_max_num_queries(1):
        assert can_contact(customer, CARE, PHONE, NOON).allowed
    # 1 the window's contacts, both kinds at once.
    with django_assert_max_num_queries(1):
        contact_counts(customer, NOON)


def test_recording_takes_a_constant_number_of_queries(
    on_monday_noon, consenting, owner, django_assert_max_num_queries
):
    for days in range(1, 15):
        contacted(consenting, CARE, NOON - timedelta(days=days))
    by = type(owner).objects.get(pk=owner.pk)
    # 1 savepoint, 2 the customer locked with branch and policy, 3 the recorder's roles and
    # 4 branches (access), 5 the holidays, 6 and 7 the quality app's blockers, 8 the window's
    # contacts, 9 the insert, 10 release.
    with django_assert_max_num_queries(10):
        record_contact(customer=consenting, purpose=COMMERCIAL, channel=PHONE, by=by)
