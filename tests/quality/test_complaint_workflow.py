"""The complaint services one by one: recording, every transition (allowed and refused),
attachments, and the deadlines in the branch's working time and time zone.

Deadlines use the branch policy's defaults (followups.calendar.policy_for): working days Monday
to Saturday, working hours 09:00–19:00. No SeverityDeadline rows are needed: the services fall
back to 4 working hours to acknowledge and 2/5/10/20 working days to resolve.
"""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from aftersales.errors import DomainError
from aftersales.models import OutgoingEmail
from followups.models import PublicHoliday
from quality import selectors, services
from quality.models import (
    Complaint,
    ComplaintAttachment,
    DissonanceScore,
    DissonanceSignal,
    Nature,
    Severity,
    SeverityDeadline,
)
from tests.aftersales.factories import BranchFactory, UserFactory
from tests.customers.factories import CustomerFactory, ProductCategoryFactory, PurchaseFactory
from tests.quality.factories import ComplaintCategoryFactory, ComplaintFactory

Status = Complaint.Status
Kind = DissonanceSignal.Kind
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
# Friday 14 March 2025, 17:00: two working hours are left that day (no DST change until 30 March).
FRIDAY_5PM = (2025, 3, 14, 17, 0)
SATURDAY = date(2025, 3, 15)
MB = 1024 * 1024


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def sven(north):
    return UserFactory(username="sven", roles=["service"], branches=[north])


@pytest.fixture
def customer(north):
    return CustomerFactory(branch=north)


@pytest.fixture
def wind_noise(db):
    noise = ComplaintCategoryFactory(name="Noise", code="test-noise")
    return ComplaintCategoryFactory(name="Wind noise", code="test-noise-wind", parent=noise)


def record(by, customer, category, **changes):
    arguments = {
        "channel": Complaint.Channel.COUNTER,
        "description": "A whistle from the driver's door above 100 km/h.",
        "severity": Severity.MEDIUM,
        "nature": Nature.SUBJECTIVE,
        **changes,
    }
    return services.record_complaint(by=by, customer=customer, category=category, **arguments)


def signals_of(complaint):
    return list(
        DissonanceSignal.objects.filter(complaint=complaint)
        .order_by("pk")
        .values_list("kind", flat=True)
    )


# --- recording ---


def test_record_sets_deadlines_history_owner_and_a_signal(sven, customer, wind_noise):
    complaint = record(sven, customer, wind_noise)
    assert complaint.status == Status.NEW
    assert complaint.branch == customer.branch
    assert complaint.owner == sven
    assert complaint.created_by == sven
    assert complaint.acknowledge_due_at > complaint.received_at
    assert complaint.resolve_due_at > complaint.acknowledge_due_at
    event = complaint.events.get()
    assert (event.from_status, event.to_status, event.by) == ("", Status.NEW, sven)
    signal = DissonanceSignal.objects.get(complaint=complaint)
    assert signal.kind == Kind.COMPLAINT
    assert "Wind noise" in signal.summary
    assert "subjective" in signal.summary
    assert DissonanceScore.objects.get(customer=customer, purchase=None).score > 0


def test_the_signal_carries_the_purchases_category_and_salesperson(sven, customer, wind_noise):
    """The dashboard filters and groups by what record_complaint stores, not by the purchase."""
    customer.salesperson = UserFactory(username="cara", roles=["sales"], branches=[customer.branch])
    customer.save()
    seller = UserFactory(username="sam", roles=["sales"], branches=[customer.branch])
    cars = ProductCategoryFactory(name="Cars", code="test-cars")
    purchase = PurchaseFactory(customer=customer, main_category=cars, salesperson=seller)
    complaint = record(sven, customer, wind_noise, purchase=purchase)
    record(sven, customer, wind_noise, purchase=purchase)  # a repeated complaint
    signals = DissonanceSignal.objects.filter(purchase=purchase)
    assert {(signal.kind, signal.category, signal.salesperson) for signal in signals} == {
        (Kind.COMPLAINT, cars, seller),
        (Kind.REPEATED_COMPLAINT, cars, seller),
    }
    assert (complaint.product_category, complaint.responsible_salesperson) == (cars, seller)


def test_without_a_purchase_or_its_seller_the_customers_salesperson_counts(
    sven, customer, wind_noise
):
    customer.salesperson = UserFactory(username="cara", roles=["sales"], branches=[customer.branch])
    customer.save()
    unsold = PurchaseFactory(customer=customer, main_category=None, salesperson=None)
    for purchase in (None, unsold):
        complaint = record(sven, customer, wind_noise, purchase=purchase)
        signal = DissonanceSignal.objects.get(complaint=complaint, kind=Kind.COMPLAINT)
        assert (signal.category, signal.salesperson) == (None, customer.salesperson)
        assert complaint.product_category is None
        assert complaint.responsible_salesperson == customer.salesperson


def test_the_owner_can_be_someone_else_of_the_branch(sven, customer, wind_noise, north, south):
    colleague = UserFactory(username="sina", roles=["service"], branches=[north])
    assert record(sven, customer, wind_noise, owner=colleague).owner == colleague
    stranger = UserFactory(username="stan", roles=["service"], branches=[south])
    with pytest.raises(DomainError) as refused:
        record(sven, customer, wind_noise, owner=stranger)
    assert refused.value.field == "owner"


def test_a_second_complaint_on_the_same_purchase_is_a_repeated_signal(sven, customer, wind_noise):
    purchase = PurchaseFactory(customer=customer)
    first = record(sven, customer, wind_noise, purchase=purchase)
    second = record(sven, customer, wind_noise, purchase=purchase)
    assert signals_of(first) == [Kind.COMPLAINT]
    assert signals_of(second) == [Kind.COMPLAINT, Kind.REPEATED_COMPLAINT]
    assert second.branch == purchase.branch


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"purchase": "another customer's"}, "purchase"),
        ({"description": "   "}, "description"),
        ({"received_at": "tomorrow"}, "received_at"),
    ],
)
def test_bad_input_is_refused_and_saves_nothing(sven, customer, wind_noise, changes, field):
    if "purchase" in changes:
        changes = {"purchase": PurchaseFactory(customer=CustomerFactory(branch=customer.branch))}
    if "received_at" in changes:
        changes = {"received_at": timezone.now() + timedelta(days=1)}
    with pytest.raises(DomainError) as refused:
        record(sven, customer, wind_noise, **changes)
    assert refused.value.field == field
    assert not Complaint.objects.exists()


def test_an_erased_customer_takes_no_complaint(sven, customer, wind_noise):
    Customer = type(customer)
    Customer.objects.filter(pk=customer.pk).update(erased_at=timezone.now())
    customer.refresh_from_db()
    with pytest.raises(DomainError) as refused:
        record(sven, customer, wind_noise)
    assert refused.value.field == "customer"


def test_staff_of_another_branch_cannot_record(south, customer, wind_noise):
    stranger = UserFactory(username="stan", roles=["service"], branches=[south])
    with pytest.raises(DomainError):
        record(stranger, customer, wind_noise)
    assert not Complaint.objects.exists()


# --- transitions, one by one ---

ALLOWED_FROM = {
    "acknowledge": {Status.NEW},
    "start": {Status.NEW, Status.ACKNOWLEDGED},
    "resolve": {Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS},
    "close": {Status.RESOLVED},
    "reopen": {Status.RESOLVED, Status.CLOSED},
    "assign": {Status.NEW, Status.ACKNOWLEDGED, Status.IN_PROGRESS},
}


def act(action, complaint, by, **extra):
    if action == "acknowledge":
        return services.acknowledge_complaint(complaint=complaint, by=by, **extra)
    if action == "start":
        return services.start_complaint(complaint=complaint, by=by, **extra)
    if action == "resolve":
        return services.resolve_complaint(
            complaint=complaint, by=by, resolution=extra.pop("resolution", "repair"), **extra
        )
    if action == "close":
        return services.close_complaint(complaint=complaint, by=by, **extra)
    if action == "reopen":
        return services.reopen_complaint(complaint=complaint, by=by, **extra)
    return services.assign_complaint(complaint=complaint, by=by, to=extra.get("to", by))


def complaint_in(status, by, customer, category):
    """A complaint moved to `status` through the services."""
    complaint = record(by, customer, category)
    path = {
        Status.NEW: [],
        Status.ACKNOWLEDGED: ["acknowledge"],
        Status.IN_PROGRESS: ["start"],
        Status.RESOLVED: ["start", "resolve"],
        Status.CLOSED: ["start", "resolve", "close"],
    }[status]
    for action in path:
        complaint = act(action, complaint, by)
    assert complaint.status == status
    return complaint


@pytest.mark.parametrize("status", Status.values)
@pytest.mark.parametrize("action", ALLOWED_FROM)
def test_each_transition_is_allowed_only_from_its_statuses(
    action, status, sven, customer, wind_noise
):
    complaint = complaint_in(status, sven, customer, wind_noise)
    events_before = complaint.events.count()
    if status in ALLOWED_FROM[action]:
        act(action, complaint, sven)
        # Every transition is in the history, and so is a change of owner.
        assert complaint.events.count() == events_before + 1
    else:
        with pytest.raises(DomainError):
            act(action, complaint, sven)
        complaint.refresh_from_db()
        assert complaint.status == status
        assert complaint.events.count() == events_before


def test_acknowledge_records_who_when_and_the_note(sven, customer, wind_noise):
    complaint = record(sven, customer, wind_noise)
    with time_machine.travel(timezone.now() + timedelta(hours=1), tick=False):
        acknowledged = act("acknowledge", complaint, sven, note="Called back.")
        assert acknowledged.acknowledged_at == timezone.now()
    event = acknowledged.events.last()
    assert (event.from_status, event.to_status) == (Status.NEW, Status.ACKNOWLEDGED)
    assert (event.by, event.note) == (sven, "Called back.")


def test_acknowledgement_e_mail_only_for_customers_who_chose_e_mail(sven, north, wind_noise):
    by_email = CustomerFactory(branch=north, preferred_channel="email", preferred_language="de")
    by_phone = CustomerFactory(branch=north, preferred_channel="phone")
    act("acknowledge", record(sven, by_email, wind_noise), sven)
    act("acknowledge", record(sven, by_phone, wind_noise), sven)
    email = OutgoingEmail.objects.get()
    assert email.to_address == by_email.email


def test_start_from_new_counts_as_acknowledged(sven, customer, wind_noise):
    started = act("start", record(sven, customer, wind_noise), sven)
    assert started.status == Status.IN_PROGRESS
    assert started.acknowledged_at is not None


def test_resolve_needs_to_say_what_was_done(sven, customer, wind_noise):
    complaint = record(sven, customer, wind_noise)
    with pytest.raises(DomainError) as refused:
        act("resolve", complaint, sven, resolution="magic")
    assert refused.value.field == "resolution"


@pytest.mark.parametrize("satisfied", [True, None])
def test_resolve_records_what_was_done(sven, customer, wind_noise, satisfied):
    complaint = complaint_in(Status.IN_PROGRESS, sven, customer, wind_noise)
    resolved = act(
        "resolve",
        complaint,
        sven,
        resolution=Complaint.Resolution.ADJUSTMENT,
        notes=" Door seal adjusted. ",
        customer_satisfied=satisfied,
    )
    assert resolved.status == Status.RESOLVED
    assert resolved.resolved_at is not None
    assert resolved.resolution == Complaint.Resolution.ADJUSTMENT
    assert resolved.resolution_notes == "Door seal adjusted."
    assert resolved.customer_satisfied is satisfied
    assert signals_of(resolved) == [Kind.COMPLAINT]


def test_an_unsatisfied_resolution_reopens_and_adds_signals(sven, customer, wind_noise):
    complaint = complaint_in(Status.IN_PROGRESS, sven, customer, wind_noise)
    score_before = DissonanceScore.objects.get(customer=customer, purchase=None).score
    result = act(
        "resolve",
        complaint,
        sven,
        resolution=Complaint.Resolution.EXPLANATION,
        customer_satisfied=False,
    )
    assert result.status == Status.IN_PROGRESS
    assert result.reopened_count == 1
    assert result.resolved_at is None
    assert result.customer_satisfied is False
    # One answer, one signal: the reopening it causes does not count a second time.
    assert signals_of(result) == [Kind.COMPLAINT, Kind.UNSATISFIED_RESOLUTION]
    transitions = list(result.events.values_list("from_status", "to_status", "note"))
    assert transitions[-2:] == [
        (Status.IN_PROGRESS, Status.RESOLVED, ""),
        (Status.RESOLVED, Status.IN_PROGRESS, "Customer not satisfied"),
    ]
    assert DissonanceScore.objects.get(customer=customer, purchase=None).score > score_before


def test_the_resolution_e_mail_goes_only_to_a_satisfied_customer(sven, north, wind_noise):
    customer = CustomerFactory(branch=north, preferred_channel="email")
    unsatisfied = complaint_in(Status.IN_PROGRESS, sven, customer, wind_noise)
    act("resolve", unsatisfied, sven, customer_satisfied=False)
    assert not OutgoingEmail.objects.exists()
    act("resolve", unsatisfied, sven, customer_satisfied=True)
    assert OutgoingEmail.objects.get().to_address == customer.email


def test_unsatisfied_twice_counts_twice(sven, customer, wind_noise):
    complaint = complaint_in(Status.IN_PROGRESS, sven, customer, wind_noise)
    for _round in range(2):
        complaint = act("resolve", complaint, sven, customer_satisfied=False)
    assert complaint.reopened_count == 2
    assert signals_of(complaint).count(Kind.UNSATISFIED_RESOLUTION) == 2


def test_close_records_when(sven, customer, wind_noise):
    closed = act("close", complaint_in(Status.RESOLVED, sven, customer, wind_noise), sven)
    assert closed.status == Status.CLOSED
    assert closed.closed_at is not None


def test_reopen_a_closed_complaint_gives_a_new_resolve_deadline(sven, customer, wind_noise):
    complaint = complaint_in(Status.CLOSED, sven, customer, wind_noise)
    later = timezone.now() + timedelta(days=30)
    with time_machine.travel(later, tick=False):
        reopened = act("reopen", complaint, sven, note="The whistle is back.")
        expected_due = services.add_working_days(
            reopened.branch, timezone.now(), services.DEFAULT_DEADLINES[Severity.MEDIUM][1]
        )
    assert reopened.status == Status.IN_PROGRESS
    assert reopened.closed_at is None
    assert reopened.resolved_at is None
    assert reopened.reopened_count == 1
    assert reopened.resolve_due_at == expected_due
    assert reopened.events.last().note == "The whistle is back."
    assert signals_of(reopened) == [Kind.COMPLAINT, Kind.REOPENED_COMPLAINT]


def test_assign_to_someone_of_the_branch(sven, customer, wind_noise, north, south):
    complaint = record(sven, customer, wind_noise)
    sina = UserFactory(username="sina", roles=["service"], branches=[north])
    assert act("assign", complaint, sven, to=sina).owner == sina
    for outsider in (
        UserFactory(username="stan", roles=["service"], branches=[south]),
        UserFactory(username="gone", roles=["service"], branches=[north], is_active=False),
    ):
        with pytest.raises(DomainError) as refused:
            act("assign", complaint, sven, to=outsider)
        assert refused.value.field == "owner"
    complaint.refresh_from_db()
    assert complaint.owner == sina


@pytest.mark.parametrize("action", ["acknowledge", "start", "resolve", "assign"])
def test_staff_of_another_branch_cannot_work_it(action, sven, customer, wind_noise, south):
    complaint = record(sven, customer, wind_noise)
    stranger = UserFactory(username="stan", roles=["service"], branches=[south])
    with pytest.raises(DomainError):
        act(action, complaint, stranger)
    complaint.refresh_from_db()
    assert complaint.status == Status.NEW
    assert complaint.owner == sven


# --- attachments ---


@pytest.mark.parametrize(
    ("name", "content_type"),
    [
        ("door.jpg", "image/jpeg"),
        ("door.png", "image/png"),
        ("door.heic", "image/heic"),
        ("door.webp", "image/webp"),
        ("invoice.pdf", "application/pdf"),
        ("notes.txt", "text/plain"),
    ],
)
def test_photos_and_documents_are_attached(sven, customer, wind_noise, name, content_type):
    upload = SimpleUploadedFile(name, b"content", content_type=content_type)
    complaint = record(sven, customer, wind_noise, attachments=[upload])
    attachment = complaint.attachments.get()
    assert (attachment.name, attachment.content_type, attachment.size) == (name, content_type, 7)
    assert attachment.uploaded_by == sven
    assert attachment.file.name.startswith(f"complaints/{complaint.pk}/")
    with attachment.file.open("rb") as stored:
        assert stored.read() == b"content"


def test_ten_megabytes_is_the_limit(sven, customer, wind_noise):
    complaint = record(sven, customer, wind_noise)
    exactly = SimpleUploadedFile("ok.pdf", b"\0" * (10 * MB), content_type="application/pdf")
    assert services.add_attachment(complaint=complaint, upload=exactly, by=sven).size == 10 * MB
    too_big = SimpleUploadedFile("big.jpg", b"\0" * (10 * MB + 1), content_type="image/jpeg")
    with pytest.raises(DomainError) as refused:
        services.add_attachment(complaint=complaint, upload=too_big, by=sven)
    assert refused.value.field == "attachments"
    assert "big.jpg" in refused.value.message
    assert complaint.attachments.count() == 1


@pytest.mark.parametrize("content_type", ["text/html", "application/x-msdownload", "image/svg+xml"])
def test_other_file_types_are_refused_with_the_complaint(sven, customer, wind_noise, content_type):
    good = SimpleUploadedFile("door.jpg", b"jpeg", content_type="image/jpeg")
    bad = SimpleUploadedFile("page.html", b"<script>", content_type=content_type)
    with pytest.raises(DomainError) as refused:
        record(sven, customer, wind_noise, attachments=[good, bad])
    assert refused.value.field == "attachments"
    assert "page.html" in refused.value.message
    assert not Complaint.objects.exists()
    assert not ComplaintAttachment.objects.exists()


# --- deadlines in working time ---


def received(branch, wall_clock, severity=Severity.MEDIUM):
    """A complaint received at `wall_clock` (year, month, day, hour, minute in the branch's
    time), recorded at that moment."""
    moment = datetime(*wall_clock, tzinfo=branch.zone)
    staff = UserFactory(roles=["service"], branches=[branch])
    with time_machine.travel(moment, tick=False):
        return ComplaintFactory(
            customer=CustomerFactory(branch=branch),
            severity=severity,
            by=staff,
            category=ComplaintCategoryFactory(),
        )


@pytest.mark.parametrize(
    ("severity", "resolve_by"),
    [
        # Saturday counts; Sunday does not.
        (
            Severity.CRITICAL,
            datetime(2025, 3, 17, 19, 0, tzinfo=BERLIN),
        ),  # 2 working days: Sat, Mon
        (Severity.HIGH, datetime(2025, 3, 20, 19, 0, tzinfo=BERLIN)),  # 5: Sat, Mon–Thu
        (Severity.MEDIUM, datetime(2025, 3, 26, 19, 0, tzinfo=BERLIN)),  # 10
        (
            Severity.LOW,
            datetime(2025, 4, 7, 19, 0, tzinfo=BERLIN),
        ),  # 20 (summer time from 30 March)
    ],
)
def test_friday_5pm_deadlines(north, severity, resolve_by):
    complaint = received(north, FRIDAY_5PM, severity)
    # Two hours on Friday (17–19), two more from Saturday 09:00.
    assert complaint.acknowledge_due_at == datetime(2025, 3, 15, 11, 0, tzinfo=BERLIN)
    assert complaint.resolve_due_at == resolve_by


@pytest.mark.parametrize("scope", ["country", "branch"])
def test_a_holiday_is_skipped(north, scope):
    where = {"country": "DE"} if scope == "country" else {"branch": north}
    PublicHoliday.objects.create(date=SATURDAY, name="Test holiday", **where)
    complaint = received(north, FRIDAY_5PM, Severity.MEDIUM)
    # Saturday is off: the acknowledgement hours and the resolve days continue on Monday.
    assert complaint.acknowledge_due_at == datetime(2025, 3, 17, 11, 0, tzinfo=BERLIN)
    assert complaint.resolve_due_at == datetime(2025, 3, 27, 19, 0, tzinfo=BERLIN)


def test_another_branchs_holiday_does_not_count(north, south):
    PublicHoliday.objects.create(date=SATURDAY, name="South only", branch=south)
    complaint = received(north, FRIDAY_5PM)
    assert complaint.acknowledge_due_at == datetime(2025, 3, 15, 11, 0, tzinfo=BERLIN)


@pytest.fixture
def new_york(db):
    return BranchFactory(name="New York", code="NYC", country="US", time_zone="America/New_York")


def test_a_branch_in_new_york_counts_in_its_own_time(new_york):
    PublicHoliday.objects.create(date=SATURDAY, name="German holiday", country="DE")
    complaint = received(new_york, FRIDAY_5PM)
    assert complaint.received_at == datetime(2025, 3, 14, 21, 0, tzinfo=UTC)  # EDT, UTC-4
    assert complaint.acknowledge_due_at == datetime(2025, 3, 15, 11, 0, tzinfo=NEW_YORK)
    assert complaint.resolve_due_at == datetime(2025, 3, 26, 19, 0, tzinfo=NEW_YORK)
    assert complaint.acknowledge_due_at == datetime(2025, 3, 15, 15, 0, tzinfo=UTC)


def test_the_same_moment_is_after_hours_in_berlin(north, new_york):
    """Friday 21:00 UTC is 17:00 in New York but 22:00 in Berlin, after closing time."""
    berlin = received(north, (2025, 3, 14, 22, 0))
    american = received(new_york, (2025, 3, 14, 17, 0))
    assert berlin.received_at == american.received_at
    assert berlin.acknowledge_due_at == datetime(2025, 3, 15, 13, 0, tzinfo=BERLIN)
    assert american.acknowledge_due_at == datetime(2025, 3, 15, 11, 0, tzinfo=NEW_YORK)


def test_an_american_holiday_counts_in_new_york(new_york):
    PublicHoliday.objects.create(date=SATURDAY, name="US holiday", country="US")
    complaint = received(new_york, FRIDAY_5PM)
    assert complaint.acknowledge_due_at == datetime(2025, 3, 17, 11, 0, tzinfo=NEW_YORK)


def test_before_opening_time_the_clock_starts_at_opening(north):
    complaint = received(north, (2025, 3, 17, 7, 30))  # Monday
    assert complaint.acknowledge_due_at == datetime(2025, 3, 17, 13, 0, tzinfo=BERLIN)


def test_a_sunday_complaint_starts_on_monday(north):
    complaint = received(north, (2025, 3, 16, 12, 0), Severity.CRITICAL)
    assert complaint.acknowledge_due_at == datetime(2025, 3, 17, 13, 0, tzinfo=BERLIN)
    assert complaint.resolve_due_at == datetime(2025, 3, 18, 19, 0, tzinfo=BERLIN)


def test_configured_deadlines_replace_the_defaults(north):
    SeverityDeadline.objects.update_or_create(
        severity=Severity.LOW, defaults={"acknowledge_hours": 2, "resolve_days": 1}
    )
    complaint = received(north, FRIDAY_5PM, Severity.LOW)
    assert complaint.acknowledge_due_at == datetime(2025, 3, 14, 19, 0, tzinfo=BERLIN)
    assert complaint.resolve_due_at == datetime(2025, 3, 15, 19, 0, tzinfo=BERLIN)


# --- time left (shown on every list and page) ---


def test_time_left_until_the_next_deadline(north):
    complaint = received(north, FRIDAY_5PM)
    acknowledge_by = complaint.acknowledge_due_at  # Saturday 11:00
    early = selectors.time_left(complaint, acknowledge_by - timedelta(days=1, hours=3))
    assert (early.kind, early.overdue, str(early)) == ("acknowledge", False, "1 d 3 h left")
    late = selectors.time_left(complaint, acknowledge_by + timedelta(hours=2, minutes=10))
    assert (late.overdue, str(late)) == (True, "overdue by 2 h")
    assert str(selectors.time_left(complaint, acknowledge_by - timedelta(minutes=20))) == (
        "20 min left"
    )
    complaint.status = Status.IN_PROGRESS
    assert selectors.time_left(complaint, acknowledge_by).kind == "resolve"
    complaint.status = Status.RESOLVED
    assert selectors.time_left(complaint, acknowledge_by) is None
