"""The dissonance dashboard: key figures against hand-computed data, scoping, the lists behind
the numbers, CSV export and the query count.

"Now" is Wednesday 10 June 2026, noon in Berlin; the default period is the last 90 days
(12 March to 10 June). The world, in North unless said otherwise:

customer   purchase (category, seller, handover)       signals (weight, when)          score
A "@Anna"  pA (cars: high 1.3, owner, 2025-06-01)      s1 complaint 20 Jun 1           80 critical
                                                       s3 complaint 30 May 20
B "-Berta" pB (extras: low 0.7, colleague, 2026-05-15) s2 complaint 24 Jun 2           55 high
                                                       s5 missed follow-up 10 Jan 10
C          none (customer's salesperson: owner)        s4 concern 20 Jun 5             30 elevated
D          -                                           -                               5 low
E (South)  pE                                          s6 complaint 50 Jun 3           90 critical

Complaints: c1 (A, subjective, acknowledged after 2 h, resolved after 2 days, in time),
c2 (B, subjective, acknowledged after 6 h: 2 h late, still open), c3 (A, objective,
acknowledged after 1 h, resolved after 4 days: 2 days late), c4 (D, received in January,
still new: open but not in the period), c5 (E in South, subjective).
Survey answers in the period: NPS 10 and 7 in North (NPS +50), 0 in South; one North answer
of February (outside the period).
"""

import csv
import io
import re
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse

from customers.models import Customer, InvolvementLevel
from followups.models import (
    AssigneeRole,
    FollowUp,
    StepKind,
    SurveyInvitation,
    SurveyResponse,
)
from quality import dashboard, scoring, services
from quality.models import (
    Complaint,
    ComplaintCategory,
    DissonanceScore,
    DissonanceSignal,
    Nature,
    Severity,
)
from tests.aftersales.factories import UserFactory
from tests.customers.factories import CustomerFactory, ProductCategoryFactory, PurchaseFactory

BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2026, 6, 10, 12, tzinfo=BERLIN)
Kind = DissonanceSignal.Kind
Status = Complaint.Status
DASHBOARD = reverse("quality:dashboard")
CUSTOMERS = reverse("quality:dashboard-customers")
LISTS = reverse("quality:dashboard-signals")
EXPORT = reverse("quality:dashboard-export")


def at(month, day, hour=10, minute=0, year=2026):
    return datetime(year, month, day, hour, minute, tzinfo=BERLIN)


@pytest.fixture
def now():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def make_complaint(customer, category, *, nature, received, purchase=None, **fields):
    """A complaint as the workflow leaves it (with the dashboard's product category and
    salesperson, as record_complaint stores them); deadlines default to 4 h and 10 days."""
    product_category_id, salesperson_id = services.dashboard_dimensions(customer, purchase)
    values = {
        "product_category_id": product_category_id,
        "responsible_salesperson_id": salesperson_id,
        "acknowledge_due_at": received + timedelta(hours=4),
        "resolve_due_at": received + timedelta(days=10),
        "status": Status.NEW,
        "description": "It whistles above 120 km/h.",
        **fields,
    }
    return Complaint.objects.create(
        customer=customer,
        purchase=purchase,
        branch=customer.branch,
        channel=Complaint.Channel.PHONE,
        received_at=received,
        category=category,
        nature=nature,
        severity=Severity.MEDIUM,
        **values,
    )


def make_signal(customer, *, weight, occurred_at, purchase=None, kind=Kind.COMPLAINT, **fields):
    """A signal as record_signal stores it, with the dashboard's category, salesperson and
    handover date."""
    fields.setdefault("summary", f"{Kind(kind).label}: {weight} points")
    for name, value in services.signal_facts(customer, purchase).items():
        fields.setdefault(name, value)
    return DissonanceSignal.objects.create(
        customer=customer,
        purchase=purchase,
        branch=purchase.branch if purchase else customer.branch,
        kind=kind,
        weight=weight,
        occurred_at=occurred_at,
        source_key=f"test:{customer.pk}:{kind}:{occurred_at.isoformat()}",
        **fields,
    )


def reason(signal, points, share):
    return {
        "signal": signal.pk,
        "kind": signal.kind,
        "summary": signal.summary,
        "occurred_at": signal.occurred_at.isoformat(),
        "points": points,
        "share": share,
    }


def make_score(customer, value, *, reasons=(), recovery=None):
    return DissonanceScore.objects.create(
        customer=customer,
        branch=customer.branch,
        score=value,
        level=scoring.level_for(value),
        reasons=list(reasons),
        computed_at=NOW,
        level_changed_at=NOW,
        recovery_followup=recovery,
    )


def make_recovery(customer, assignee):
    return FollowUp.objects.create(
        customer=customer,
        branch=customer.branch,
        kind=StepKind.RECOVERY,
        channel="phone",
        purpose="care",
        title=f"Recovery call: {customer}",
        assignee_role=AssigneeRole.MANAGER,
        assignee=assignee,
        planned_date=date(2026, 6, 12),
        due_date=date(2026, 6, 12),
    )


def make_answer(customer, *, nps, answered, purchase=None):
    invitation = SurveyInvitation.objects.create(
        customer=customer,
        purchase=purchase,
        branch=customer.branch,
        sent_at=answered - timedelta(days=2),
        expires_at=answered + timedelta(days=28),
        answered_at=answered,
    )
    answer = SurveyResponse.objects.create(
        invitation=invitation, nps=nps, satisfaction_purchase=4, satisfaction_handover=4
    )
    SurveyResponse.objects.filter(pk=answer.pk).update(created_at=answered)
    return answer


@pytest.fixture
def categories(db):
    # Our own taxonomy: tests must not rely on the rows the data migration wrote.
    noise = ComplaintCategory.objects.create(name="Noise (test)", code="test-noise")
    return SimpleNamespace(
        wind=ComplaintCategory.objects.create(name="Wind", code="test-wind", parent=noise),
        paint=ComplaintCategory.objects.create(name="Paint (test)", code="test-paint"),
    )


@pytest.fixture
def world(now, north, south, owner, colleague, outsider, manager, categories):
    cars = ProductCategoryFactory(name="Cars", code="cars", involvement=InvolvementLevel.HIGH)
    extras = ProductCategoryFactory(name="Extras", code="extras", involvement=InvolvementLevel.LOW)
    a = CustomerFactory(branch=north, salesperson=owner, first_name="@Anna", last_name="Ahrens")
    b = CustomerFactory(branch=north, salesperson=owner, first_name="-Berta", last_name="Brandt")
    c = CustomerFactory(branch=north, salesperson=owner, first_name="Carl", last_name="Cramer")
    d = CustomerFactory(branch=north, salesperson=owner, first_name="Dora", last_name="Dietz")
    e = CustomerFactory(branch=south, salesperson=outsider, first_name="Emil", last_name="Ebner")
    pa = PurchaseFactory(
        customer=a,
        salesperson=owner,
        main_category=cars,
        purchase_date=date(2025, 5, 20),
        handover_date=date(2025, 6, 1),
        identifier="WVWZZZ1KZAW000001",
    )
    pb = PurchaseFactory(
        customer=b,
        salesperson=colleague,
        main_category=extras,
        purchase_date=date(2026, 5, 10),
        handover_date=date(2026, 5, 15),
    )
    pe = PurchaseFactory(customer=e, salesperson=outsider, main_category=cars)

    c1 = make_complaint(
        a,
        categories.wind,
        purchase=pa,
        nature=Nature.SUBJECTIVE,
        received=at(6, 1, 9),
        acknowledged_at=at(6, 1, 11),
        resolved_at=at(6, 3, 9),
        status=Status.CLOSED,
        description='=HYPERLINK("http://evil.example")',
    )
    c2 = make_complaint(
        b,
        categories.wind,
        purchase=pb,
        nature=Nature.SUBJECTIVE,
        received=at(6, 2, 10),
        acknowledged_at=at(6, 2, 16),
        status=Status.ACKNOWLEDGED,
    )
    c3 = make_complaint(
        a,
        categories.paint,
        purchase=pa,
        nature=Nature.OBJECTIVE,
        received=at(5, 20, 10),
        acknowledged_at=at(5, 20, 11),
        resolve_due_at=at(5, 22, 10),
        resolved_at=at(5, 24, 10),
        status=Status.RESOLVED,
    )
    c4 = make_complaint(d, categories.paint, nature=Nature.UNKNOWN, received=at(1, 5, 9))
    make_complaint(e, categories.wind, purchase=pe, nature=Nature.SUBJECTIVE, received=at(6, 1))

    s1 = make_signal(
        a,
        purchase=pa,
        weight=20,
        occurred_at=c1.received_at,
        complaint=c1,
        summary="Complaint: Wind, subjective perception, medium",
    )
    s3 = make_signal(a, purchase=pa, weight=30, occurred_at=c3.received_at, complaint=c3)
    s2 = make_signal(b, purchase=pb, weight=24, occurred_at=c2.received_at, complaint=c2)
    s5 = make_signal(b, purchase=pb, weight=10, occurred_at=at(1, 10), kind=Kind.MISSED_FOLLOWUP)
    s4 = make_signal(
        c, weight=20, occurred_at=at(6, 5), kind=Kind.FOLLOWUP_CONCERN, summary="+49 call me"
    )
    s6 = make_signal(e, purchase=pe, weight=50, occurred_at=at(6, 3))

    recovery = make_recovery(a, manager)
    make_score(a, 80, reasons=[reason(s1, 50, 0.62), reason(s3, 30, 0.38)], recovery=recovery)
    make_score(b, 55, reasons=[reason(s2, 50, 0.91), reason(s5, 5, 0.09)])
    make_score(c, 30, reasons=[reason(s4, 30, 1.0)])
    make_score(d, 5)
    make_score(e, 90, reasons=[reason(s6, 90, 1.0)])

    make_answer(a, purchase=pa, nps=10, answered=at(6, 4))
    make_answer(b, purchase=pb, nps=7, answered=at(5, 30))
    make_answer(c, nps=2, answered=at(2, 1))
    make_answer(e, purchase=pe, nps=0, answered=at(6, 4))
    return SimpleNamespace(
        cars=cars,
        extras=extras,
        a=a,
        b=b,
        c=c,
        d=d,
        e=e,
        pa=pa,
        pb=pb,
        complaints=(c1, c2, c3, c4),
        signals=(s1, s2, s3, s4, s5, s6),
        recovery=recovery,
    )


# --- the figures ---------------------------------------------------------------------------------


def test_key_figures_match_the_hand_computed_ones(world, manager):
    figures = dashboard.overview(manager, dashboard.Filters.default()).figures

    assert figures.levels == {"critical": 1, "high": 1, "elevated": 1, "low": 1}
    assert figures.at_risk == 2
    # s1, s2, s3, s4 (s5 is from January, s6 from South).
    assert (figures.new_signals, figures.signal_points) == (4, 20 + 24 + 30 + 20)
    assert figures.complaints == 3  # c1, c2, c3
    assert figures.open_complaints == 2  # c2, and c4 from January
    assert figures.breached == 2  # c2 acknowledged late, c3 resolved late
    assert figures.acknowledged == 3
    assert figures.mean_acknowledge_hours == pytest.approx((2 + 6 + 1) / 3)
    assert figures.resolved == 2
    assert figures.mean_resolve_days == pytest.approx((2 + 4) / 2)
    assert figures.subjective == 2
    assert figures.subjective_share == pytest.approx(2 / 3)
    assert (figures.surveys, figures.promoters, figures.detractors) == (2, 1, 0)
    assert figures.nps == 50


def test_where_doubt_arises(world, manager, owner, colleague, north):
    overview = dashboard.overview(manager, dashboard.Filters.default(), none_labels=("–", "?"))

    heat = {
        (row.name, cell.column): (cell.count, cell.points)
        for row in overview.heat_map.rows
        for cell in row.cells
    }
    assert overview.heat_map.columns == [(north.pk, "North")]
    assert heat == {
        ("Cars", north.pk): (2, 50),
        ("Extras", north.pk): (1, 24),
        ("–", north.pk): (1, 20),  # s4 concerns no purchase
    }
    # The concern about no purchase counts for the customer's salesperson.
    sellers = [(row.key, row.signals, row.points, row.complaints) for row in overview.salespeople]
    assert sellers == [(owner.pk, 3, 70, 2), (colleague.pk, 1, 24, 1)]
    categories = [
        (row.name, row.total, row.objective, row.subjective, row.unknown)
        for row in overview.categories
    ]
    assert categories == [("Noise (test) → Wind", 2, 0, 2, 0), ("Paint (test)", 1, 1, 0, 0)]


def test_trend_over_twelve_months(world, manager):
    trend = dashboard.overview(manager, dashboard.Filters.default()).trend

    assert [month.start for month in trend][:2] == [date(2025, 7, 1), date(2025, 8, 1)]
    assert trend[-1].start == date(2026, 6, 1)
    by_month = {month.start.month: month for month in trend if month.signals or month.complaints}
    assert {
        number: (month.signals, month.complaints, month.subjective)
        for number, month in by_month.items()
    } == {1: (1, 1, 0), 5: (1, 1, 0), 6: (3, 2, 2)}
    # What the month's signals add per customer, with scoring's factors: January: s5 10 × 0.7
    # (low involvement, before handover); May: s3 30 × 1.3 (high); June: A 20 × 1.3,
    # B 24 × 0.7 × 1.25 (18 days after handover), C 20 (no purchase).
    assert by_month[1].mean_score == pytest.approx(7)
    assert by_month[5].mean_score == pytest.approx(39)
    assert by_month[6].mean_score == pytest.approx((26 + 21 + 20) / 3)
    assert by_month[6].customers == 3


def test_at_risk_customers_with_reasons_purchase_and_recovery(world, manager, owner, colleague):
    rows = dashboard.overview(manager, dashboard.Filters.default()).at_risk

    assert [row.customer for row in rows] == [world.a, world.b]
    first = rows[0]
    assert [reason.points for reason in first.reasons] == [50, 30]
    assert first.reasons[0].summary == "Complaint: Wind, subjective perception, medium"
    assert first.reasons[0].age_days == 9
    assert first.purchase == world.pa  # the top reason's purchase
    assert first.salesperson == owner
    assert first.recovery == world.recovery
    assert rows[1].purchase == world.pb
    assert rows[1].salesperson == colleague


def test_dashboard_page(world, login, manager):
    response = login(manager).get(DASHBOARD)

    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["figures"].nps == 50
    # The reasons in words, and the actions on the recovery call.
    assert "Complaint: Wind, subjective perception, medium, 9 days ago" in html
    assert "50 points" in html
    detail = reverse("followups:followup-detail", args=[world.recovery.pk])
    # Worked from the dashboard, the recovery call returns to it.
    assert f'href="{detail}?next=/dissonance/#complete"' in html
    assert f'href="{detail}?next=/dissonance/#reassign"' in html
    assert f'href="{detail}?next=/dissonance/">open</a>' in html
    assert f'href="{world.a.get_absolute_url()}"' in html
    # The chart gets its data through json_script, drawn by our own static script.
    assert 'id="dashboard-trend-data"' in html
    assert "js/dashboard.js" in html
    assert "vendor/chartjs/chart.umd.js" in html


# --- scoping and access --------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["manager", "quality_manager"])
def test_north_sees_only_north(request, world, login, persona):
    response = login(request.getfixturevalue(persona)).get(DASHBOARD)

    figures = response.context["figures"]
    assert figures.levels["critical"] == 1  # not South's E
    assert figures.complaints == 3
    assert figures.surveys == 2
    assert world.e.display_name not in response.content.decode()


def test_administrator_sees_every_branch_and_can_choose_one(world, login, admin_user, south):
    client = login(admin_user)

    everything = client.get(DASHBOARD).context["figures"]
    assert (everything.levels["critical"], everything.complaints, everything.surveys) == (2, 4, 3)
    assert everything.nps == round(100 * (1 - 1) / 3)

    only_south = client.get(DASHBOARD, {"branch": south.pk}).context["figures"]
    assert (only_south.levels["critical"], only_south.complaints, only_south.new_signals) == (
        1,
        1,
        1,
    )


def test_a_manager_cannot_choose_another_branch(world, login, manager, south):
    response = login(manager).get(DASHBOARD, {"branch": south.pk})

    assert "branch" in response.context["form"].errors
    assert response.context["figures"].complaints == 3  # still their own branches only


@pytest.mark.parametrize("persona", ["owner", "outsider", "shopper", "service_user"])
@pytest.mark.parametrize("url", [DASHBOARD, CUSTOMERS, LISTS, EXPORT])
def test_others_may_not_see_it(request, world, login, persona, url):
    if persona == "service_user":
        user = UserFactory(
            username="sven", roles=["service"], branches=[request.getfixturevalue("north")]
        )
    else:
        user = request.getfixturevalue(persona)

    assert login(user).get(url).status_code == 403


def test_it_needs_a_login(client, db):
    response = client.get(DASHBOARD)

    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# --- filters -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "signals", "complaints"),
    [
        ({"category": "cars"}, 2, 2),
        ({"category": "extras"}, 1, 1),
        ({"category": "none"}, 1, 0),
        ({"salesperson": "owner"}, 3, 2),
        ({"salesperson": "colleague"}, 1, 1),
        ({"start": "2026-06-01", "end": "2026-06-10"}, 3, 2),
        ({"start": "2026-01-01", "end": "2026-01-31"}, 1, 1),
    ],
)
def test_filters(request, world, login, manager, params, signals, complaints):
    values = {
        key: {"cars": world.cars.pk, "extras": world.extras.pk}.get(value)
        or (request.getfixturevalue(value).pk if key == "salesperson" else value)
        for key, value in params.items()
    }
    figures = login(manager).get(DASHBOARD, values).context["figures"]

    assert (figures.new_signals, figures.complaints) == (signals, complaints)


def test_filters_narrow_the_customers_too(world, login, manager, colleague):
    figures = login(manager).get(DASHBOARD, {"salesperson": colleague.pk}).context["figures"]

    assert figures.levels == {"critical": 0, "high": 1, "elevated": 0, "low": 0}


def test_a_reversed_period_is_explained_and_the_default_used(world, login, manager):
    response = login(manager).get(DASHBOARD, {"start": "2026-06-10", "end": "2026-06-01"})

    assert response.status_code == 200
    assert "swap" in response.content.decode()
    assert response.context["figures"].complaints == 3


# --- the lists behind the numbers ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("figure", "params"),
    [
        ("new_signals", {"list": "signals"}),
        ("complaints", {"list": "complaints"}),
        ("open_complaints", {"list": "complaints", "state": "open"}),
        ("breached", {"list": "complaints", "state": "breached"}),
        ("acknowledged", {"list": "complaints", "state": "acknowledged"}),
        ("resolved", {"list": "complaints", "state": "resolved"}),
        ("subjective", {"list": "complaints", "nature": "subjective"}),
        ("surveys", {"list": "surveys"}),
        ("promoters", {"list": "surveys", "answer": "promoter"}),
        ("detractors", {"list": "surveys", "answer": "detractor"}),
    ],
)
def test_each_number_drills_down_to_its_list(world, login, manager, figure, params):
    client = login(manager)
    expected = getattr(client.get(DASHBOARD).context["figures"], figure)

    response = client.get(LISTS, params)

    assert response.status_code == 200
    assert response.context["page"].paginator.count == expected


@pytest.mark.parametrize("level", ["", "critical", "high", "elevated", "low", "all"])
def test_level_counts_drill_down_to_the_customers(world, login, manager, level):
    client = login(manager)
    levels = client.get(DASHBOARD).context["figures"].levels
    expected = {"": 2, "all": 4}.get(level) or levels.get(level)

    response = client.get(CUSTOMERS, {"level": level} if level else {})

    assert response.context["page"].paginator.count == expected
    if level == "":
        assert [row.customer for row in response.context["rows"]] == [world.a, world.b]


def test_heat_map_cells_and_salespeople_drill_down(world, login, manager, owner, north):
    client = login(manager)
    overview = client.get(DASHBOARD).context["overview"]

    for row in overview.heat_map.rows:
        for cell in row.cells:
            params = {"list": "signals", "branch": cell.column, "category": row.key}
            assert client.get(LISTS, params).context["page"].paginator.count == cell.count
    for seller in overview.salespeople:
        params = {"list": "signals", "salesperson": seller.key}
        assert client.get(LISTS, params).context["page"].paginator.count == seller.signals
    for category in overview.categories:
        params = {"list": "complaints", "complaint_category": category.category_id}
        assert client.get(LISTS, params).context["page"].paginator.count == category.total


def test_trend_months_drill_down(world, login, manager):
    client = login(manager)
    june = client.get(DASHBOARD).context["overview"].trend[-1]

    response = client.get(LISTS, {"list": "signals", "start": june.start, "end": june.end})

    assert response.context["page"].paginator.count == june.signals == 3


def test_htmx_pages_return_the_table_alone(world, login, manager):
    response = login(manager).get(CUSTOMERS, headers={"HX-Request": "true"})

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="dashboard-customers"')
    assert "<html" not in html
    # The recovery call returns to the list as it was, its page included.
    html = login(manager).get(CUSTOMERS, {"page": "1"}).content.decode()
    detail = reverse("followups:followup-detail", args=[world.recovery.pk])
    assert f'href="{detail}?next=/dissonance/customers/%3Fpage%3D1#complete"' in html


def test_heat_maps_can_count_signals_instead_of_points(world, login, manager, north):
    overview = login(manager).get(DASHBOARD, {"measure": "count"}).context["overview"]

    assert overview.heat_map.measure == "count"
    strongest = [cell for row in overview.heat_map.rows for cell in row.cells if cell.step == 100]
    assert [(cell.column, cell.count) for cell in strongest] == [(north.pk, 2)]  # Cars


def test_the_list_of_customers_is_the_customer_page(world, login, manager):
    response = login(manager).get(LISTS, {"list": "customers", "level": "high"})

    assert response.status_code == 302
    assert response.url.startswith(CUSTOMERS)
    assert "level=high" in response.url


# --- CSV export ----------------------------------------------------------------------------------


def export(client, **params):
    response = client.get(EXPORT, params)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_export_of_complaints_defuses_formulas(world, login, manager):
    rows = export(login(manager), list="complaints")

    assert rows[0][:2] == ["Number", "Received"]
    assert sorted(int(row[0]) for row in rows[1:]) == sorted(c.pk for c in world.complaints[:3])
    c1 = next(row for row in rows[1:] if int(row[0]) == world.complaints[0].pk)
    assert c1[-1] == '\'=HYPERLINK("http://evil.example")'
    assert c1[2] == "'@Anna Ahrens"  # the customer's name starts with @


def test_export_of_customers_has_the_reasons(world, login, manager):
    rows = export(login(manager), list="customers")

    assert len(rows) == 1 + 2
    anna, berta = rows[1], rows[2]
    assert anna[:5] == [str(world.a.pk), "'@Anna Ahrens", "North", "80", "critical"]
    assert "Complaint: Wind, subjective perception, medium (50 points)" in anna[5]
    assert anna[6] == "WVWZZZ1KZAW000001"
    assert anna[9:11] == ["open", str(world.recovery.assignee)]
    assert berta[1] == "'-Berta Brandt"


def test_export_of_signals_uses_the_filters(world, login, manager, owner):
    rows = export(login(manager), list="signals", salesperson=owner.pk)

    assert len(rows) == 1 + 3
    assert "'+49 call me" in [row[2] for row in rows[1:]]


def test_export_of_surveys(world, login, admin_user, north):
    rows = export(login(admin_user), list="surveys", branch=north.pk)

    assert sorted(row[3] for row in rows[1:]) == ["10", "7"]


def test_german_export_uses_semicolons(world, login, manager):
    response = login(manager).get(EXPORT, {"list": "complaints"}, headers={"Accept-Language": "de"})

    header = b"".join(response.streaming_content).decode("utf-8-sig").splitlines()[0]
    assert header.count(";") == 12


# --- speed: a constant number of queries ---------------------------------------------------------


def at_risk_world(count, *, north, owner, manager, category, cars):
    """`count` customers at risk, each with a purchase, a complaint, a signal, a score, a
    recovery call and a survey answer."""
    for number in range(count):
        customer = CustomerFactory(branch=north, salesperson=owner)
        purchase = PurchaseFactory(customer=customer, salesperson=owner, main_category=cars)
        complaint = make_complaint(
            customer,
            category,
            purchase=purchase,
            nature=Nature.SUBJECTIVE,
            received=at(6, 1 + number % 9),
        )
        signal = make_signal(
            customer,
            purchase=purchase,
            weight=35,
            occurred_at=complaint.received_at,
            complaint=complaint,
        )
        make_score(
            customer,
            50 + number % 50,
            reasons=[reason(signal, 50, 1.0)],
            recovery=make_recovery(customer, manager),
        )
        make_answer(customer, purchase=purchase, nps=number % 11, answered=at(6, 2))


# The dashboard for a manager, query by query:
DASHBOARD_QUERIES = [
    "the session",
    "the user with their permissions, roles and branches (the branch scope)",
    "the filter form's branches",
    "the filter form's product categories",
    "the filter form's salespeople",
    "the period's signal figures: heat maps, new signals",
    "the trend's signals, customers and mean score (the monthly roll-up)",
    "the customers at each level",
    "the complaint figures",
    "the survey figures (NPS)",
    "the customers at risk",
    "the signals of their reasons (for the reasons' texts), with the purchases shown for them",
    "the top complaint categories",
    "the complaints per month",
    "the unread notifications (navigation)",
]


@pytest.mark.parametrize("customers", [5, 50])
def test_dashboard_query_count_does_not_grow(
    now, login, north, owner, manager, categories, customers, django_assert_max_num_queries
):
    cars = ProductCategoryFactory(name="Cars", code="cars")
    at_risk_world(
        customers, north=north, owner=owner, manager=manager, category=categories.wind, cars=cars
    )
    client = login(manager)

    with django_assert_max_num_queries(len(DASHBOARD_QUERIES)) as captured:
        response = client.get(DASHBOARD)

    assert response.status_code == 200
    assert len(captured) == len(DASHBOARD_QUERIES)
    assert len(response.context["overview"].at_risk) == min(customers, 10)


@pytest.mark.parametrize("customers", [5, 50])
def test_list_query_counts_do_not_grow(
    now, login, north, owner, manager, categories, customers, django_assert_max_num_queries
):
    cars = ProductCategoryFactory(name="Cars", code="cars")
    at_risk_world(
        customers, north=north, owner=owner, manager=manager, category=categories.wind, cars=cars
    )
    client = login(manager)

    # session, the user with permissions, roles and branches, 3 × filter choices, the count, the
    # page, (customers: their reasons' signals with the purchases shown), unread notifications.
    for url, params, queries in [
        (CUSTOMERS, {}, 9),
        (LISTS, {"list": "signals"}, 8),
        (LISTS, {"list": "complaints"}, 8),
        (LISTS, {"list": "surveys"}, 8),
    ]:
        with django_assert_max_num_queries(queries):
            assert client.get(url, params).status_code == 200
    # The export: session, the user with permissions, roles and branches, 3 × filter choices,
    # the rows (and for customers their purchases, per 500).
    with django_assert_max_num_queries(7):
        export(client, list="customers")


# --- the commands ------------------------------------------------------------------------------


@pytest.fixture
def bulk_customers(now, north, owner, manager):
    # The categories seed_quality draws from; created here, not taken from the data migration.
    for code, name in (("function", "Function"), ("noise-wind", "Wind noise")):
        ComplaintCategory.objects.get_or_create(code=code, defaults={"name": name})
    cars = ProductCategoryFactory(name="Cars", code="cars", involvement=InvolvementLevel.HIGH)
    return [
        PurchaseFactory(
            customer=CustomerFactory(branch=north, salesperson=owner),
            salesperson=owner,
            main_category=cars,
            purchase_date=date(2026, 1, 10),
            handover_date=date(2026, 1, 20),
        ).customer
        for _number in range(12)
    ]


def seed(**options):
    out = io.StringIO()
    call_command("seed_quality", stdout=out, **options)
    return out.getvalue()


def test_seed_quality_scores_as_the_service_does_and_seeds_once(settings, bulk_customers):
    settings.DEBUG = True

    seed(signals=1.0, complaints=1.0, surveys=1.0)

    assert DissonanceSignal.objects.exists()
    assert Complaint.objects.filter(customer__in=bulk_customers).exists()
    stored = {
        score.customer_id: (score.score, score.level, score.reasons)
        for score in DissonanceScore.objects.filter(purchase__isnull=True)
    }
    assert stored
    for customer_id, values in stored.items():
        recomputed = services.rescore_customer(customer=Customer.objects.get(pk=customer_id))
        assert (recomputed.score, recomputed.level, recomputed.reasons) == values
    counts = (DissonanceSignal.objects.count(), Complaint.objects.count())

    seed(signals=1.0, complaints=1.0, surveys=1.0)

    assert (DissonanceSignal.objects.count(), Complaint.objects.count()) == counts


def test_seed_quality_refuses_production(settings, bulk_customers):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        seed()


def test_benchmark_dashboard_reports_median_p95_and_queries(settings, world, manager):
    settings.DEBUG = True
    out = io.StringIO()

    call_command("benchmark_dashboard", requests=3, warmup=1, user=manager.username, stdout=out)

    assert re.search(r"median=\d+ ms p95=\d+ ms queries=\d+$", out.getvalue().strip())


def test_benchmark_dashboard_refuses_production(settings, manager):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG"):
        call_command("benchmark_dashboard", user=manager.username)
