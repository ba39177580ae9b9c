"""The cross-selling figures against hand-computed data: the pipeline per rule, branch and
salesperson, held back by reason, conversion, revenue, days to decision, commercial contacts per
customer and month, service retention by vehicle age, declined-work recapture; the roll-ups
against the raw tables, the drill-down, the CSV export, the query count at two sizes."""

import io
import re
from collections import Counter
from datetime import date, datetime, time, timedelta
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from customers.models import DeclinedWork
from followups.models import (
    ContactEvent,
    ImpulseRollup,
    Offer,
    OfferMonthRollup,
    OfferRollup,
    OfferRule,
    Purpose,
    RetentionRollup,
)
from followups.offers import figures, rollups
from tests.aftersales.factories import UserFactory
from tests.customers.factories import PurchaseFactory
from tests.followups.test_offer_generation import OCTOBER_MORNING, car_buyer, run

PERIOD = {"start": "2026-10-01", "end": "2026-10-31"}


def figures_page(client, **params):
    return client.get(reverse("followups:offer-figures"), {**PERIOD, **params})


def test_the_figures_agree_with_the_hand_counted_pipeline(login, manager, owner, pipeline):
    result = figures_page(login(manager)).context["figures"]
    total = result.total
    assert (total.suggested, total.held_back, total.presented) == (2, 2, 2)
    assert (total.accepted, total.declined, total.expired) == (1, 1, 0)
    assert total.revenue == Decimal("500.00")
    assert total.conversion_rate == 0.5
    assert total.mean_days_to_decision == 1.0  # 0 days (Anna) and 2 days (Bert)
    assert [(row.name, row.counts.accepted) for row in result.by_rule] == [("Winter tyres", 1)]
    assert [(row.name, row.counts.suggested) for row in result.by_branch] == [("North", 2)]
    assert [(row.id, row.counts.declined) for row in result.by_salesperson] == [(owner.pk, 1)]
    assert {(item.code, item.offers) for item in result.held_back} == {
        ("no_consent", 1),
        ("open_complaint", 1),
    }
    # October: Bert heard from us once (the offer), Anna twice (a call and the offer).
    assert [month.customers for month in result.impulses] == [(1, 1, 0, 0)]
    # Four cars in their first year; Anna's came back for a paid service (the tyres).
    first_year = result.retention[0]
    assert (first_year.band, first_year.vehicles, first_year.retained) == ("0-1", 4, 1)
    assert [band.vehicles for band in result.retention[1:]] == [0, 0, 0, 0]
    assert (result.recapture.declined, result.recapture.recaptured) == (2, 1)
    assert result.recapture.rate == 0.5


def test_the_manager_sees_why_offers_were_held_back(login, manager, pipeline):
    html = figures_page(login(manager)).content.decode()
    assert "open complaint" in html
    assert "no marketing consent on the channel" in html


def test_every_number_drills_down_to_its_offers(login, manager, pipeline):
    client = login(manager)
    page = figures_page(client)
    row = page.context["rule_rows"][0]
    links = dict(row["links"])
    assert links["accepted"] == 1
    listed = client.get(f"{reverse('followups:offer-list')}?{row['query']}&event=accepted")
    assert [offer.customer.last_name for offer in listed.context["page"]] == ["Anna"]
    held = client.get(
        reverse("followups:offer-list"),
        {**PERIOD, "event": "held_back", "reason": "open_complaint"},
    )
    assert [offer.customer.last_name for offer in held.context["page"]] == ["Dora"]


def test_the_csv_export_has_the_pages_tables(login, manager, pipeline):
    response = login(manager).get(reverse("followups:offer-figures-export"), PERIOD)
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "Winter tyres,2,2,2,1,1,0,50.0,500.00,1.0" in text
    assert "open complaint,1" in text
    assert "North,0-1,4,1,25.0" in text
    assert "2,1,50.0" in text


@pytest.mark.parametrize("persona", ["owner", "quality_manager", "shopper"])
def test_the_figures_are_for_managers(login, request, pipeline, persona):
    client = login(request.getfixturevalue(persona))
    assert figures_page(client).status_code == 403
    assert client.get(reverse("followups:offer-figures-export")).status_code == 403


def test_a_manager_of_another_branch_sees_none_of_it(login, south, pipeline):
    elsewhere = UserFactory(roles=["manager"], branches=[south])
    result = figures_page(login(elsewhere)).context["figures"]
    assert result.total.suggested == 0 and not result.held_back
    assert not result.retention_by_branch and result.recapture.declined == 0


def test_a_bad_period_is_a_field_error_not_a_500(login, manager, pipeline):
    response = figures_page(login(manager), start="2026-10-31", end="2026-10-01")
    assert response.status_code == 200
    assert response.context["form"].errors["end"]
    response = figures_page(login(manager), start="yesterday")
    assert response.status_code == 200


def test_the_rollups_agree_with_the_raw_tables(pipeline, north):
    # Commercial contacts per customer and month, counted from the contacts themselves.
    per_customer = Counter(
        (timezone.localtime(event.happened_at).date().replace(day=1), event.customer_id)
        for event in ContactEvent.objects.filter(purpose=Purpose.COMMERCIAL)
    )
    raw = Counter((month, impulses) for (month, _customer), impulses in per_customer.items())
    assert {
        (row.month, row.impulses): row.customers for row in ImpulseRollup.objects.all()
    } == dict(raw)
    assert list(
        RetentionRollup.objects.values_list("branch", "age_band", "vehicles", "retained")
    ) == [(north.pk, "0-1", 4, 1)]


def test_retention_by_vehicle_age_and_paid_visits_only(north, cars):
    today = OCTOBER_MORNING.date()
    ages = {"0-1": 100, "1-2": 400, "2-3": 800, "3-5": 1500, "5+": 2500}
    cars_by_band = {}
    for band, days in ages.items():
        _customer, car = car_buyer(north, cars, handover_days=days)
        cars_by_band[band] = car
    # Paid in the last 12 months: retained. Free (warranty) or older than a year: not.
    for band, total, days_ago in (("1-2", "180.00", 30), ("2-3", "0.00", 30), ("3-5", "90", 400)):
        car = cars_by_band[band]
        PurchaseFactory(
            customer=car.customer,
            branch=north,
            vehicle=car,
            total=Decimal(total),
            purchase_date=today - timedelta(days=days_ago),
            handover_date=today - timedelta(days=days_ago),
        )
    rollups.rebuild(today=today)
    assert dict(RetentionRollup.objects.values_list("age_band", "retained")) == {
        "0-1": 0,
        "1-2": 1,
        "2-3": 0,
        "3-5": 0,
        "5+": 0,
    }


def test_the_page_takes_a_constant_number_of_queries(
    login,
    manager,
    owner,
    north,
    cars,
    winter_tyres,
    pipeline,
    django_assert_max_num_queries,
):
    client = login(manager)

    def page_queries():
        with django_assert_max_num_queries(15) as captured:
            assert figures_page(client).status_code == 200
        return len(captured)

    small = page_queries()
    for number in range(4):
        OfferRule.objects.create(
            name=f"Rule {number}", category=cars, product=winter_tyres, channels=["email"]
        )
    for _ in range(6):
        car_buyer(north, cars, owner=UserFactory(roles=["sales"], branches=[north]))
    run(at=OCTOBER_MORNING + timedelta(days=1))
    rollups.rebuild(today=(OCTOBER_MORNING + timedelta(days=1)).date())
    assert figures_page(client).context["figures"].total.suggested > 10
    assert page_queries() == small


def test_the_benchmark_reports_p50_p95_and_leaves_the_rollups_as_they_were(
    settings, manager, pipeline
):
    settings.DEBUG = True
    before = sorted(OfferRollup.objects.values_list("day", "event", "reason", "offers"))
    out = io.StringIO()
    call_command(
        "benchmark_offer_figures",
        requests=2,
        warmup=0,
        user=manager.username,
        offers_per_year=5000,
        stdout=out,
    )
    text = out.getvalue()
    assert "Synthetic roll-ups of 5,000 offers a year" in text
    assert re.search(r"median=\d+ ms p95=\d+ ms queries=\d+", text)
    assert sorted(OfferRollup.objects.values_list("day", "event", "reason", "offers")) == before


def test_the_recapture_rate_drills_down_to_the_declined_work(login, manager, south, pipeline):
    client = login(manager)
    url = reverse("followups:offer-figures-declined-work")
    assert len(client.get(url, PERIOD).context["page"]) == 2
    done = client.get(url, {**PERIOD, "recaptured": "yes"}).context["page"]
    assert [work.status for work in done] == [DeclinedWork.Status.DONE]
    assert len(client.get(url, {**PERIOD, "recaptured": "no"}).context["page"]) == 1
    elsewhere = UserFactory(roles=["manager"], branches=[south])
    assert not login(elsewhere).get(url, PERIOD).context["page"]
    assert login(UserFactory(roles=["sales"], branches=[south])).get(url).status_code == 403


def _counted_from_offers(start, end):
    """The period's figures counted from the offers themselves, event by event."""

    def within(day):
        return day is not None and start <= day <= end

    counts = Counter()
    for offer in Offer.objects.all():
        counts["held_back"] += bool(offer.hold_reason) and within(offer.found_on)
        counts["suggested"] += within(offer.suggested_on)
        counts["presented"] += offer.presented_at is not None and within(
            timezone.localdate(offer.presented_at)
        )
        if within(offer.decided_on):
            counts[offer.state] += 1
            counts["revenue"] += offer.value if offer.state == "accepted" else 0
            counts["decision_days"] += (offer.decided_on - offer.suggested_on).days
    return figures.Counts(**counts)


def test_whole_months_and_the_edge_days_agree_with_the_offers(manager, pipeline):
    def local(day):
        return timezone.make_aware(datetime.combine(day, time(10)))

    # Events on both sides of the month ends: Sep 28 → Oct 1, Oct 31 → Nov 3, Nov 30, Dec 1.
    anna, bert, carl, dora = Offer.objects.order_by("customer__last_name")
    Offer.objects.filter(pk=anna.pk).update(
        found_on=date(2026, 9, 28),
        suggested_on=date(2026, 9, 28),
        presented_at=local(date(2026, 9, 30)),
        decided_on=date(2026, 10, 1),
    )
    Offer.objects.filter(pk=bert.pk).update(
        found_on=date(2026, 10, 31),
        suggested_on=date(2026, 10, 31),
        presented_at=local(date(2026, 11, 1)),
        decided_on=date(2026, 11, 3),
    )
    Offer.objects.filter(pk=carl.pk).update(found_on=date(2026, 11, 30))
    Offer.objects.filter(pk=dora.pk).update(found_on=date(2026, 12, 1))
    rollups.rebuild(today=date(2026, 12, 3))
    periods = (
        (date(2026, 9, 15), date(2026, 12, 10)),  # two whole months, an edge on either side
        (date(2026, 10, 1), date(2026, 11, 30)),  # whole months only
        (date(2026, 9, 30), date(2026, 11, 1)),  # one whole month, an edge day on either side
        (date(2026, 10, 2), date(2026, 11, 29)),  # no whole month
        (date(2026, 9, 29), date(2026, 10, 31)),
    )
    for start, end in periods:
        result = figures.offer_figures(manager, start=start, end=end)
        assert result.total == _counted_from_offers(start, end), (start, end)
    assert figures.offer_figures(
        manager, start=date(2026, 9, 15), end=date(2026, 12, 10)
    ).total == figures.Counts(
        held_back=2,
        suggested=2,
        presented=2,
        accepted=1,
        declined=1,
        revenue=Decimal("500.00"),
        decision_days=6,
    )

    # What the services add during the day reaches the monthly row of its day as well.
    rollups.bump_offer(anna, "suggested", day=date(2026, 10, 20))
    october = figures.offer_figures(manager, start=date(2026, 10, 1), end=date(2026, 10, 31))
    assert october.total.suggested == 2
    assert (
        OfferMonthRollup.objects.filter(month=date(2026, 10, 1), event="suggested").get().offers
        == 2
    )
