"""The quality REST API: complaints and their workflow, customers' dissonance scores, the
dissonance dashboard's key figures.

Personas from tests/conftest.py: owner and colleague sell in North (each the salesperson of one
North customer), the outsider sells in South, the manager leads North, the quality manager reads
North, the mystery shopper is external; sven works complaints in North, siggi in South.
"""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from customers.models import InvolvementLevel
from followups.models import FollowUp, StepKind, SurveyInvitation
from followups.surveys import answer_survey
from quality import services
from quality.models import (
    Complaint,
    ComplaintAttachment,
    ComplaintCategory,
    ComplaintEvent,
    DissonanceSignal,
    Nature,
    Severity,
)
from tests.aftersales.factories import UserFactory
from tests.api_helpers import fresh, ids
from tests.customers.factories import CustomerFactory, ProductCategoryFactory, PurchaseFactory

NOW = datetime(2026, 6, 9, 8, 0, tzinfo=UTC)  # Tuesday 10:00 in Berlin
# The acknowledgement deadline (4 working hours) of a complaint received at NOW has passed.
AFTER_ACKNOWLEDGE_DUE = NOW + timedelta(hours=5)
COMPLAINTS = "/api/complaints/"
SCORES = "/api/dissonance/customers/"
SUMMARY = "/api/dissonance/summary/"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def sven(north):
    return UserFactory(username="sven", roles=["service"], branches=[north])


@pytest.fixture
def siggi(south):
    return UserFactory(username="siggi", roles=["service"], branches=[south])


@pytest.fixture
def noise(db):
    return ComplaintCategory.objects.create(name="Noise", code="test-noise")


@pytest.fixture
def wind(noise):
    return ComplaintCategory.objects.create(name="Wind noise", code="test-noise-wind", parent=noise)


@pytest.fixture
def invoice(db):
    return ComplaintCategory.objects.create(name="Invoice", code="test-invoice")


@pytest.fixture
def customer(north, owner):
    return CustomerFactory(branch=north, salesperson=owner, first_name="Hans", last_name="Müller")


@pytest.fixture
def colleagues_customer(north, colleague):
    return CustomerFactory(branch=north, salesperson=colleague, first_name="Eva", last_name="Kern")


@pytest.fixture
def south_customer(south, outsider):
    return CustomerFactory(branch=south, salesperson=outsider, first_name="Sepp", last_name="Huber")


def complain(by, customer, category, *, severity=Severity.MEDIUM, nature=Nature.SUBJECTIVE, **kw):
    return services.record_complaint(
        by=by,
        customer=customer,
        category=category,
        description="A whistle from the driver's door above 100 km/h.",
        channel=Complaint.Channel.PHONE,
        severity=severity,
        nature=nature,
        **kw,
    )


@pytest.fixture
def owners(sven, customer, wind):
    """A subjective wind noise of the owner's customer."""
    return complain(sven, customer, wind, severity=Severity.HIGH)


@pytest.fixture
def colleagues(sven, colleagues_customer, invoice, colleague):
    """A wrong invoice of the colleague's customer, owned by the colleague."""
    return complain(
        sven,
        colleagues_customer,
        invoice,
        severity=Severity.LOW,
        nature=Nature.OBJECTIVE,
        owner=colleague,
    )


@pytest.fixture
def southern(siggi, south_customer, invoice):
    return complain(siggi, south_customer, invoice, severity=Severity.CRITICAL)


def action_url(complaint, name):
    return f"{COMPLAINTS}{complaint.pk}/{name}/"


# --- access -------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [COMPLAINTS, SCORES, SUMMARY])
def test_anonymous_callers_are_refused(api_client, db, url):
    assert api_client.get(url).status_code == 401


def test_mystery_shoppers_get_403_everywhere(client_for, shopper, owners, customer):
    client = client_for(shopper)
    for url in [
        COMPLAINTS,
        f"{COMPLAINTS}{owners.pk}/",
        SCORES,
        f"{SCORES}{customer.pk}/",
        SUMMARY,
    ]:
        assert client.get(url).status_code == 403, url
    assert client.post(COMPLAINTS, {}, format="json").status_code == 403
    assert client.post(action_url(owners, "acknowledge"), {}, format="json").status_code == 403


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("sven", {"owners", "colleagues"}),
        ("manager", {"owners", "colleagues"}),
        ("quality_manager", {"owners", "colleagues"}),
        ("admin_user", {"owners", "colleagues", "southern"}),
        ("siggi", {"southern"}),
        # Sales staff see the complaints of their own customers only.
        ("owner", {"owners"}),
        ("colleague", {"colleagues"}),
        ("outsider", {"southern"}),
    ],
)
def test_each_persona_sees_the_complaints_of_their_scope(
    client_for, request, owners, colleagues, southern, persona, visible
):
    complaints = {"owners": owners, "colleagues": colleagues, "southern": southern}
    client = client_for(request.getfixturevalue(persona))

    assert set(ids(client.get(COMPLAINTS))) == {complaints[name].pk for name in visible}
    for name, complaint in complaints.items():
        expected = 200 if name in visible else 404
        assert client.get(f"{COMPLAINTS}{complaint.pk}/").status_code == expected


@pytest.mark.parametrize("persona", ["owner", "colleague", "outsider"])
def test_sales_staff_neither_record_nor_work_complaints(client_for, request, persona, owners):
    client = client_for(request.getfixturevalue(persona))

    assert client.post(COMPLAINTS, {}, format="json").status_code == 403
    for name in ("acknowledge", "start", "resolve", "close", "reopen"):
        assert client.post(action_url(owners, name), {}, format="json").status_code == 403
    owners.refresh_from_db()
    assert owners.status == Complaint.Status.NEW


def test_another_branch_cannot_work_the_complaint(client_for, siggi, owners):
    response = client_for(siggi).post(action_url(owners, "acknowledge"), {}, format="json")

    assert response.status_code == 404
    owners.refresh_from_db()
    assert owners.status == Complaint.Status.NEW


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_complaints_are_not_written_directly(client_for, manager, owners, method):
    response = getattr(client_for(manager), method)(f"{COMPLAINTS}{owners.pk}/", {}, format="json")
    assert response.status_code == 405


# --- reading a complaint ------------------------------------------------------------------------


def test_a_complaint_reads_with_its_deadlines(client_for, sven, owners, customer):
    data = client_for(sven).get(f"{COMPLAINTS}{owners.pk}/").json()

    assert data["customer"] == customer.pk
    assert data["customer_name"] == "Hans Müller"
    assert data["category_name"] == "Noise → Wind noise"
    assert (data["nature"], data["severity"], data["status"]) == ("subjective", "high", "new")
    assert data["owner"] == sven.pk
    assert data["branch_name"] == "North"
    assert data["breached"] is False
    # Acknowledge within 4 working hours: 14:00 in Berlin.
    assert data["acknowledge_due_at"] == "2026-06-09T14:00:00+02:00"
    assert data["time_left"] == {
        "deadline": "acknowledge",
        "due_at": "2026-06-09T14:00:00+02:00",
        "seconds": 4 * 3600,
        "overdue": False,
    }


def test_a_missed_deadline_shows(clock, client_for, sven, owners):
    clock.move_to(AFTER_ACKNOWLEDGE_DUE)

    data = client_for(sven).get(f"{COMPLAINTS}{owners.pk}/").json()

    assert data["breached"] is True
    assert data["time_left"]["overdue"] is True
    assert data["time_left"]["seconds"] == -3600


# --- recording a complaint ----------------------------------------------------------------------


@pytest.fixture
def payload(customer, wind):
    return {
        "customer": customer.pk,
        "category": wind.pk,
        "channel": "counter",
        "nature": "subjective",
        "severity": "high",
        "description": "  Wind noise from the left mirror at motorway speed.  ",
    }


def test_service_staff_record_a_complaint(client_for, sven, payload, customer):
    response = client_for(sven).post(COMPLAINTS, payload, format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    complaint = Complaint.objects.get(pk=data["id"])
    assert (complaint.customer, complaint.branch, complaint.owner) == (
        customer,
        customer.branch,
        sven,
    )
    assert complaint.created_by == sven
    assert complaint.received_at == NOW
    assert data["description"] == "Wind noise from the left mirror at motorway speed."
    assert (data["status"], data["channel"], data["breached"]) == ("new", "counter", False)
    signal = DissonanceSignal.objects.get(complaint=complaint)
    assert signal.summary == "Complaint: Wind noise, subjective perception, high"
    assert ComplaintEvent.objects.get(complaint=complaint).by == sven


def test_a_complaint_about_a_purchase_with_an_owner(client_for, sven, payload, customer):
    purchase = PurchaseFactory(customer=customer)
    received = NOW - timedelta(days=1)

    response = client_for(sven).post(
        COMPLAINTS,
        {**payload, "purchase": purchase.pk, "owner": sven.pk, "received_at": received.isoformat()},
        format="json",
    )

    assert response.status_code == 201, response.content
    complaint = Complaint.objects.get(pk=response.json()["id"])
    assert (complaint.purchase, complaint.owner, complaint.received_at) == (
        purchase,
        sven,
        received,
    )


@pytest.fixture
def elsewhere(south, south_customer, north):
    """Things a North caller may not name: a South customer, another customer's purchase, an
    inactive category, a South employee."""
    return {
        "customer": south_customer.pk,
        "purchase": PurchaseFactory(customer=CustomerFactory(branch=north)).pk,
        "category": ComplaintCategory.objects.create(
            name="Old", code="test-old", is_active=False
        ).pk,
        "owner": UserFactory(username="sam-south", roles=["service"], branches=[south]).pk,
    }


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"customer": None}, "customer"),
        ({"customer": 999999}, "customer"),
        ({"customer": "elsewhere"}, "customer"),
        ({"category": "elsewhere"}, "category"),
        ({"category": "abc"}, "category"),
        ({"channel": "pigeon"}, "channel"),
        ({"severity": "apocalyptic"}, "severity"),
        ({"nature": "imagined"}, "nature"),
        ({"description": "   "}, "description"),
        ({"received_at": "yesterday"}, "received_at"),
        ({"received_at": "2026-06-10T10:00:00+02:00"}, "received_at"),
        ({"owner": "elsewhere"}, "owner"),
        ({"purchase": "elsewhere"}, "purchase"),
    ],
)
def test_invalid_complaints_are_400_with_the_field(
    client_for, sven, payload, elsewhere, change, field
):
    data = {**payload, **change}
    for key, value in change.items():
        if value == "elsewhere":
            data[key] = elsewhere[key]
        if value is None:
            del data[key]

    response = client_for(sven).post(COMPLAINTS, data, format="json")

    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not Complaint.objects.exists()


def test_an_empty_complaint_names_every_missing_field(client_for, sven):
    response = client_for(sven).post(COMPLAINTS, {}, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"customer", "category", "channel", "description"}


def test_attachments_are_uploaded_and_checked(settings, tmp_path, client_for, sven, payload):
    settings.MEDIA_ROOT = tmp_path
    client = client_for(sven)
    photo = SimpleUploadedFile("mirror.png", b"\x89PNG fake", content_type="image/png")

    response = client.post(COMPLAINTS, {**payload, "attachments": [photo]}, format="multipart")

    assert response.status_code == 201, response.content
    attachment = ComplaintAttachment.objects.get()
    assert (attachment.name, attachment.content_type, attachment.uploaded_by) == (
        "mirror.png",
        "image/png",
        sven,
    )
    program = SimpleUploadedFile("fix.exe", b"MZ", content_type="application/x-msdownload")
    response = client.post(COMPLAINTS, {**payload, "attachments": [program]}, format="multipart")
    assert response.status_code == 400
    assert "attachments" in response.json()
    assert Complaint.objects.count() == 1


# --- the workflow -------------------------------------------------------------------------------


def test_the_workflow_through_the_actions(client_for, sven, owners):
    client = client_for(sven)

    def act(name, body=None):
        response = client.post(action_url(owners, name), body or {}, format="json")
        assert response.status_code == 200, response.content
        return response.json()

    assert act("acknowledge", {"note": "Called the customer back."})["status"] == "acknowledged"
    assert act("start")["status"] == "in_progress"
    resolved = act(
        "resolve",
        {"resolution": "adjustment", "notes": "Mirror seal refitted.", "customer_satisfied": True},
    )
    assert (resolved["status"], resolved["resolution"]) == ("resolved", "adjustment")
    assert (resolved["resolution_notes"], resolved["customer_satisfied"]) == (
        "Mirror seal refitted.",
        True,
    )
    assert resolved["time_left"] is None
    assert act("close")["status"] == "closed"
    reopened = act("reopen", {"note": "The whistle is back."})
    assert (reopened["status"], reopened["reopened_count"]) == ("in_progress", 1)

    events = ComplaintEvent.objects.filter(complaint=owners).order_by("pk")
    assert [(event.to_status, event.by) for event in events] == [
        ("new", sven),
        ("acknowledged", sven),
        ("in_progress", sven),
        ("resolved", sven),
        ("closed", sven),
        ("in_progress", sven),
    ]
    assert events[1].note == "Called the customer back."
    assert events[5].note == "The whistle is back."


@pytest.mark.parametrize(
    ("name", "body"),
    [
        ("close", {}),
        ("reopen", {"note": "Too early."}),
    ],
)
def test_a_transition_the_status_does_not_allow_is_400(client_for, sven, owners, name, body):
    response = client_for(sven).post(action_url(owners, name), body, format="json")

    assert response.status_code == 400
    assert response.json() == {"detail": "A complaint that is new cannot do this."}
    owners.refresh_from_db()
    assert owners.status == Complaint.Status.NEW


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "resolution"),
        ({"resolution": "magic"}, "resolution"),
        ({"resolution": "repair", "customer_satisfied": "perhaps"}, "customer_satisfied"),
    ],
)
def test_a_resolution_needs_what_was_done(client_for, sven, owners, body, field):
    response = client_for(sven).post(action_url(owners, "resolve"), body, format="json")

    assert response.status_code == 400
    assert field in response.json()


def test_a_customer_not_satisfied_reopens_the_complaint(client_for, sven, owners):
    response = client_for(sven).post(
        action_url(owners, "resolve"),
        {"resolution": "explanation", "customer_satisfied": False},
        format="json",
    )

    assert response.status_code == 200
    data = response.json()
    assert (data["status"], data["reopened_count"], data["customer_satisfied"]) == (
        "in_progress",
        1,
        False,
    )
    kinds = set(DissonanceSignal.objects.filter(complaint=owners).values_list("kind", flat=True))
    assert kinds == {
        DissonanceSignal.Kind.COMPLAINT,
        DissonanceSignal.Kind.UNSATISFIED_RESOLUTION,
    }


def test_a_form_post_without_satisfaction_does_not_count_as_unsatisfied(client_for, sven, owners):
    response = client_for(sven).post(
        action_url(owners, "resolve"), {"resolution": "repair"}, format="multipart"
    )

    assert response.status_code == 200
    assert (response.json()["status"], response.json()["customer_satisfied"]) == (
        "resolved",
        None,
    )


# --- filters, search, ordering ------------------------------------------------------------------


@pytest.fixture
def all_complaints(owners, colleagues, sven, customer, wind):
    acknowledged = complain(sven, customer, wind, severity=Severity.MEDIUM, nature=Nature.UNKNOWN)
    services.acknowledge_complaint(complaint=acknowledged, by=sven)
    return {"owners": owners, "colleagues": colleagues, "acknowledged": acknowledged}


def listed(client, **params):
    return set(ids(client.get(COMPLAINTS, params)))


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({}, {"owners", "colleagues", "acknowledged"}),
        ({"status": "new"}, {"owners", "colleagues"}),
        ({"status": "acknowledged"}, {"acknowledged"}),
        ({"status": "open"}, {"owners", "colleagues", "acknowledged"}),
        ({"status": "closed"}, set()),
        ({"severity": "high"}, {"owners"}),
        ({"nature": "objective"}, {"colleagues"}),
        ({"nature": "unknown"}, {"acknowledged"}),
        ({"category": "noise"}, {"owners", "acknowledged"}),
        ({"category": "invoice"}, {"colleagues"}),
        ({"owner": "colleague"}, {"colleagues"}),
        ({"owner": "sven"}, {"owners", "acknowledged"}),
        ({"branch": "north"}, {"owners", "colleagues", "acknowledged"}),
        ({"branch": "south"}, set()),
        ({"search": "müller"}, {"owners", "acknowledged"}),
        ({"search": "Kern"}, {"colleagues"}),
    ],
)
def test_filters(client_for, request, manager, all_complaints, params, expected):
    params = dict(params)
    for key in ("category", "owner", "branch"):
        if key in params:
            params[key] = request.getfixturevalue(params[key]).pk
    pks = {name: complaint.pk for name, complaint in all_complaints.items()}

    assert listed(client_for(manager), **params) == {pks[name] for name in expected}


def test_the_breached_filter(clock, client_for, manager, all_complaints):
    client = client_for(manager)
    assert listed(client, breached="true") == set()

    clock.move_to(AFTER_ACKNOWLEDGE_DUE)

    # The acknowledged one kept its deadline; the other two were not acknowledged in time.
    late = {all_complaints["owners"].pk, all_complaints["colleagues"].pk}
    assert listed(client, breached="true") == late
    assert listed(client, breached="false") == set(ids(client.get(COMPLAINTS)))


def test_ordering(client_for, manager, all_complaints):
    client = client_for(manager)
    by_severity = ids(client.get(COMPLAINTS, {"ordering": "-severity"}))
    assert by_severity == [
        all_complaints["owners"].pk,
        all_complaints["acknowledged"].pk,
        all_complaints["colleagues"].pk,
    ]
    assert ids(client.get(COMPLAINTS, {"ordering": "severity"})) == by_severity[::-1]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"status": "lost"}, "status"),
        ({"severity": "huge"}, "severity"),
        ({"category": "noise"}, "category"),
        ({"owner": "me"}, "owner"),
        ({"breached": "maybe"}, "breached"),
        ({"ordering": "price"}, "ordering"),
    ],
)
def test_invalid_list_parameters_are_400(client_for, manager, owners, params, field):
    response = client_for(manager).get(COMPLAINTS, params)

    assert response.status_code == 400
    assert field in response.json()


def test_list_query_count(client_for, sven, manager, customer, wind, django_assert_max_num_queries):
    for index in range(6):
        complain(sven, customer, wind, severity=Severity.LOW if index % 2 else Severity.HIGH)
    client = client_for(fresh(manager))
    # 1 the caller's groups (staff check), 2-3 their user and group permissions, 4 their branches
    # (scope), 5 COUNT for the pagination, 6 the page joined with customer, branch, category and
    # its parent, owner.
    with django_assert_max_num_queries(6):
        response = client.get(COMPLAINTS, {"status": "open", "ordering": "due"})
    assert response.json()["count"] == 6


# --- dissonance scores --------------------------------------------------------------------------


@pytest.fixture
def scores(sven, siggi, customer, colleagues_customer, south_customer, wind, invoice, manager):
    """Owner's customer at high (with a recovery call), colleague's low, a South customer."""
    complain(sven, customer, wind, severity=Severity.CRITICAL)
    complain(sven, customer, wind, severity=Severity.LOW)
    complain(sven, colleagues_customer, invoice, severity=Severity.LOW, nature=Nature.OBJECTIVE)
    complain(siggi, south_customer, invoice, severity=Severity.HIGH)
    return {"customer": customer, "colleagues": colleagues_customer, "south": south_customer}


def customer_ids(response):
    assert response.status_code == 200, response.content
    return [item["customer"] for item in response.json()["results"]]


@pytest.mark.parametrize(
    ("persona", "visible"),
    [
        ("manager", ["customer", "colleagues"]),
        ("quality_manager", ["customer", "colleagues"]),
        ("sven", ["customer", "colleagues"]),
        ("admin_user", ["customer", "south", "colleagues"]),
        ("owner", ["customer"]),
        ("colleague", ["colleagues"]),
        ("outsider", ["south"]),
    ],
)
def test_each_persona_sees_the_scores_of_their_scope(client_for, request, scores, persona, visible):
    client = client_for(request.getfixturevalue(persona))

    # Highest score first: 60, 35, 10.
    assert customer_ids(client.get(SCORES)) == [scores[name].pk for name in visible]
    for name, customer in scores.items():
        expected = 200 if name in visible else 404
        assert client.get(f"{SCORES}{customer.pk}/").status_code == expected


def test_a_score_explains_itself_and_names_the_recovery_call(client_for, manager, owner, scores):
    data = client_for(manager).get(f"{SCORES}{scores['customer'].pk}/").json()

    recovery = FollowUp.objects.get(kind=StepKind.RECOVERY)
    assert (data["score"], data["level"]) == (60, "high")
    assert (data["customer_name"], data["salesperson"]) == ("Hans Müller", owner.pk)
    assert data["branch_name"] == "North"
    assert [reason["summary"] for reason in data["reasons"]] == [
        "Complaint: Wind noise, subjective perception, critical",
        "Complaint: Wind noise, subjective perception, low",
    ]
    assert [reason["points"] for reason in data["reasons"]] == [50, 10]
    assert sum(reason["share"] for reason in data["reasons"]) == pytest.approx(1, abs=0.02)
    assert data["reasons"][0]["kind"] == "complaint"
    assert data["recovery_followup"] == recovery.pk
    assert data["recovery_followup_status"] == "open"
    assert data["recovery_followup_due_date"] == "2026-06-11"
    low = client_for(manager).get(f"{SCORES}{scores['colleagues'].pk}/").json()
    assert low["recovery_followup"] is None
    assert low["recovery_followup_status"] is None


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"level": "high"}, ["customer"]),
        ({"level": "low"}, ["colleagues"]),
        ({"level": "critical"}, []),
        ({"min_score": 30}, ["customer", "south"]),
        ({"min_score": 61}, []),
        ({"branch": "south"}, ["south"]),
        ({"ordering": "score"}, ["colleagues", "south", "customer"]),
        ({"search": "Huber"}, ["south"]),
    ],
)
def test_score_filters_and_ordering(client_for, admin_user, south, scores, params, expected):
    if params.get("branch") == "south":
        params = {"branch": south.pk}

    response = client_for(admin_user).get(SCORES, params)

    assert customer_ids(response) == [scores[name].pk for name in expected]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"level": "panic"}, "level"),
        ({"min_score": "lots"}, "min_score"),
        ({"branch": 0}, "branch"),
    ],
)
def test_invalid_score_filters_are_400(client_for, manager, scores, params, field):
    response = client_for(manager).get(SCORES, params)

    assert response.status_code == 400
    assert field in response.json()


def test_the_manager_cannot_filter_by_a_branch_not_theirs(client_for, manager, south, scores):
    response = client_for(manager).get(SCORES, {"branch": south.pk})

    assert response.status_code == 400
    assert "branch" in response.json()


def test_score_list_query_count(client_for, manager, scores, django_assert_max_num_queries):
    client = client_for(fresh(manager))
    # 1 the caller's groups (staff check), 2-3 their user and group permissions, 4 their branches
    # (scope), 5 COUNT for the pagination, 6 the page joined with customer, salesperson, branch
    # and recovery follow-up, 7 the signals of all the page's reasons (their texts).
    with django_assert_max_num_queries(7):
        response = client.get(SCORES)
    assert response.json()["count"] == 2


# --- the dashboard's key figures ----------------------------------------------------------------


@pytest.fixture
def dashboard(clock, scores, sven, customer, colleagues_customer, invoice, north):
    """North: the scores above, plus a complaint received 40 days ago that is still open, long
    past its deadlines, and one received 200 days ago (before the default 90-day period); one of
    today's complaints acknowledged after two hours; a promoter's survey answer."""
    old = complain(
        sven,
        colleagues_customer,
        invoice,
        severity=Severity.LOW,
        nature=Nature.OBJECTIVE,
        received_at=NOW - timedelta(days=40),
    )
    calm = CustomerFactory(branch=north)
    complain(sven, calm, invoice, severity=Severity.LOW, received_at=NOW - timedelta(days=200))
    clock.move_to(NOW + timedelta(hours=2))
    services.acknowledge_complaint(
        complaint=Complaint.objects.filter(customer=customer).first(), by=sven
    )
    invitation = SurveyInvitation.objects.create(
        customer=colleagues_customer,
        branch=north,
        sent_at=NOW - timedelta(days=2),
        expires_at=NOW + timedelta(days=28),
    )
    answer_survey(
        invitation=invitation,
        nps=10,
        satisfaction_purchase=5,
        satisfaction_handover=5,
        comment="",
        callback_wanted=False,
    )
    return {**scores, "old": old, "calm": calm}


def test_the_summary_counts_the_callers_branches(client_for, manager, dashboard):
    response = client_for(manager).get(SUMMARY)

    assert response.status_code == 200, response.content
    assert response.json() == {
        "date_from": "2026-03-12",
        "date_to": "2026-06-09",
        "branch": None,
        "category": None,
        "salesperson": None,
        # The owner's customer 60 (high); the colleague's 10 + 10 × 2^(-40/60) ≈ 16 (low); the
        # calm customer 10 × 2^(-200/60) ≈ 1 (low).
        "customers_by_level": {"low": 2, "elevated": 0, "high": 1, "critical": 0},
        "at_risk_customers": 1,
        # Today's three complaints and the one 40 days ago: 50 + 10 + 10 + 10 points.
        "new_signals": 4,
        "signal_points": 80,
        "new_complaints": 4,
        "open_complaints": 5,
        # The one 40 days ago; today's are still in time, the 200-day-old one is not in the period.
        "breached_complaints": 1,
        "acknowledged_complaints": 1,
        "mean_hours_to_acknowledge": 2.0,
        "resolved_complaints": 0,
        "mean_days_to_resolve": None,
        # The owner's customer's two are subjective, the colleague's customer's two objective.
        "subjective_share": 0.5,
        "survey_answers": 1,
        "nps": 100,
    }


def test_the_summary_for_a_period_and_a_branch(client_for, admin_user, south, dashboard):
    client = client_for(admin_user)

    everything = client.get(SUMMARY, {"date_from": "2025-01-01", "date_to": "2026-12-31"}).json()
    south_only = client.get(SUMMARY, {"branch": south.pk, "date_to": "2026-06-08"}).json()

    assert everything["customers_by_level"] == {"low": 2, "elevated": 1, "high": 1, "critical": 0}
    assert (everything["new_signals"], everything["new_complaints"]) == (6, 6)
    assert everything["open_complaints"] == 6
    assert everything["breached_complaints"] == 2
    assert south_only["branch"] == south.pk
    assert (south_only["date_from"], south_only["date_to"]) == ("2026-03-11", "2026-06-08")
    assert south_only["customers_by_level"] == {"low": 0, "elevated": 1, "high": 0, "critical": 0}
    # The South complaint came in today, after the chosen period.
    assert (south_only["new_signals"], south_only["new_complaints"]) == (0, 0)
    assert south_only["open_complaints"] == 1
    assert (south_only["survey_answers"], south_only["nps"]) == (0, None)


def test_the_summary_for_a_salesperson(client_for, manager, colleague, dashboard):
    data = client_for(manager).get(SUMMARY, {"salesperson": colleague.pk}).json()

    assert data["salesperson"] == colleague.pk
    assert data["customers_by_level"] == {"low": 1, "elevated": 0, "high": 0, "critical": 0}
    assert (data["new_signals"], data["new_complaints"]) == (2, 2)


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("manager", 200),
        ("quality_manager", 200),
        ("admin_user", 200),
        ("sven", 403),
        ("owner", 403),
        ("shopper", 403),
    ],
)
def test_only_managers_and_quality_managers_see_the_summary(client_for, request, persona, status):
    assert client_for(request.getfixturevalue(persona)).get(SUMMARY).status_code == status


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"date_from": "2026-06-10", "date_to": "2026-06-01"}, "date_from"),
        ({"date_from": "last week"}, "date_from"),
        ({"branch": "south"}, "branch"),
        ({"branch": "x"}, "branch"),
    ],
)
def test_invalid_summary_parameters_are_400(client_for, manager, south, params, field):
    if params.get("branch") == "south":
        params = {"branch": south.pk}

    response = client_for(manager).get(SUMMARY, params)

    assert response.status_code == 400
    assert field in response.json()


def test_summary_query_count(client_for, manager, dashboard, django_assert_max_num_queries):
    client = client_for(fresh(manager))
    # 1 the caller's groups (staff check), 2-3 their user and group permissions, 4 their branches
    # (scope), 5 customers by level, 6 the period's signals, 7 complaints (received, open, late,
    # times to acknowledge and resolve, subjective), 8 survey answers.
    with django_assert_max_num_queries(8):
        response = client.get(SUMMARY)
    assert response.status_code == 200


def test_a_high_involvement_purchase_raises_the_listed_score(client_for, manager, sven, customer):
    """The API shows the stored score, factors included (not a recomputation of its own)."""
    cars = ProductCategoryFactory(involvement=InvolvementLevel.HIGH)
    purchase = PurchaseFactory(
        customer=customer,
        main_category=cars,
        handover_date=NOW.date() - timedelta(days=200),
        purchase_date=NOW.date() - timedelta(days=205),
    )
    category = ComplaintCategory.objects.create(name="Rattle", code="test-rattle")
    complain(sven, customer, category, purchase=purchase)

    data = client_for(manager).get(f"{SCORES}{customer.pk}/").json()

    # 20 × 1.3
    assert data["score"] == 26
