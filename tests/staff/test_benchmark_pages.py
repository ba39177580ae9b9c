"""manage.py benchmark_pages: one table of every list, dashboard, scorecard and API list per role,
the customers topped up synthetically, and the API throughput run over HTTP."""

import re
from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from aftersales.models import ApiToken
from customers.management import synthetic
from customers.models import Customer, Purchase
from followups.management import synthetic as followups_synthetic
from followups.models import FollowUp, StepKind, SurveyInvitation, SurveyResponse
from quality.models import Complaint, DissonanceSignal
from quality.scoring import complaint_weight
from tests.aftersales.factories import UserFactory
from tests.customers.factories import CustomerFactory, ProductFactory
from tests.followups.factories import PlaybookFactory, PlaybookStepFactory
from tests.quality.factories import ComplaintCategoryFactory


@pytest.fixture
def demo_logins(north):
    """The roles' demo logins the command logs in as."""
    return {
        role: UserFactory(username=role, roles=[role], branches=[north])
        for role in ("sales", "manager", "service", "quality")
    }


def table_rows(output):
    """{(role, page): (p50, p95, max, queries)} of the printed table."""
    rows = {}
    for line in output.splitlines():
        match = re.match(r"(\w+)\s+(.+?)\s+(\d+)\s+(\d+)\s+(\d+)\s+([\d/]+)\s+[\d,]+$", line)
        if match:
            role, page, *numbers, queries = match.groups()
            rows[(role, page)] = (*map(int, numbers), queries)
    return rows


def test_refuses_to_run_without_debug(settings, db):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="--force"):
        call_command("benchmark_pages")


def test_times_every_page_of_each_role_in_one_table(settings, demo_logins, north, capsys):
    settings.DEBUG = True
    CustomerFactory.create_batch(3, branch=north)

    call_command("benchmark_pages", "--requests", "2", "--warmup", "0")

    output = capsys.readouterr().out
    assert "Data: 3 customers." in output
    rows = table_rows(output)
    assert {role for role, _page in rows} == {"sales", "manager", "service", "quality"}
    for page in (
        "follow-up inbox",
        "dissonance dashboard",
        "branch scorecard",
        "GET /api/customers/",
    ):
        assert any(key[1] == page for key in rows), page
    p50, p95, slowest, queries = rows[("manager", "dissonance dashboard")]
    assert 0 < p50 <= p95 <= slowest and int(queries) <= 15


def test_tops_the_customers_up_with_synthetic_car_buyers(settings, demo_logins, north, capsys):
    settings.DEBUG = True
    car = ProductFactory(sku=synthetic.CAR_SKU)
    ProductFactory(sku=synthetic.SERVICE_SKU)
    ComplaintCategoryFactory(code="noise")
    playbook = PlaybookFactory(category=car.category)
    steps = [PlaybookStepFactory(playbook=playbook, offset_days=days) for days in (3, 200)]
    CustomerFactory(branch=north)

    call_command("benchmark_pages", "--customers", "60", "--requests", "1", "--warmup", "0")

    assert Customer.objects.count() == 60
    assert Customer.objects.filter(external_ref__startswith="BENCH-").count() == 59
    assert "Data: 60 customers." in capsys.readouterr().out
    # One synthetic buyer in fourteen complains, with the signal the complaint service writes.
    synthetic_buyers = Customer.objects.filter(external_ref__startswith="BENCH-")
    complaining = sorted(pk for pk in synthetic_buyers.values_list("pk", flat=True) if pk % 14 == 0)
    assert len(complaining) >= 4
    complaints = Complaint.objects.all()
    assert sorted(complaints.values_list("customer", flat=True)) == complaining
    for complaint in complaints:
        signal = DissonanceSignal.objects.get(source_key=f"complaint:{complaint.pk}")
        assert signal.weight == complaint_weight(complaint.severity, complaint.nature)
        assert signal.customer_id == complaint.customer_id
        assert (complaint.status == "closed") == (complaint.closed_at is not None)
    # Each car handed over within the last year has its playbook's steps (which cars those are
    # depends on the ids the database hands out: test_synthetic_followups looks closer).
    year_ago = timezone.localdate() - timedelta(days=365)
    cars = Purchase.objects.filter(
        external_ref__startswith="BENCH-CAR-", handover_date__gte=year_ago
    )
    assert FollowUp.objects.count() == cars.count() * len(steps)


def test_synthetic_followups_are_a_year_of_use(demo_logins, north):
    car = ProductFactory(sku=synthetic.CAR_SKU)
    ProductFactory(sku=synthetic.SERVICE_SKU)
    playbook = PlaybookFactory(category=car.category)
    steps = [PlaybookStepFactory(playbook=playbook, offset_days=days) for days in (3, 200)]
    synthetic.add_car_buyers(12)
    today = timezone.localdate()
    cars = list(Purchase.objects.filter(external_ref__startswith="BENCH-CAR-").order_by("pk"))
    recent, old = cars[:8], cars[8:]
    for number, purchase in enumerate(recent):  # handed over 10 to 360 days ago
        purchase.handover_date = today - timedelta(days=10 + number * 50)
    for purchase in old:
        purchase.handover_date = today - timedelta(days=500)
    for purchase in cars:
        purchase.purchase_date = purchase.handover_date - timedelta(days=7)
    Purchase.objects.bulk_update(cars, ["purchase_date", "handover_date"])

    written = followups_synthetic.add_followups(since_customer_id=0)

    followups = FollowUp.objects.select_related("purchase", "step")
    assert written == followups.count() == len(recent) * len(steps)
    assert not followups.filter(purchase__in=old).exists()
    assert set(followups.values_list("assignee__username", flat=True)) == {"sales"}
    for followup in followups:
        assert followup.due_date == followup.purchase.handover_date + timedelta(
            days=followup.step.offset_days
        )
        long_due = followup.due_date < today - timedelta(days=14)
        assert (followup.status != FollowUp.Status.OPEN) == long_due
        assert (followup.completed_at is not None) == (followup.status == FollowUp.Status.DONE)
    statuses = set(followups.values_list("status", flat=True))
    assert {FollowUp.Status.OPEN, FollowUp.Status.DONE} <= statuses


def test_synthetic_surveys_follow_the_survey_steps_done(demo_logins, north):
    car = ProductFactory(sku=synthetic.CAR_SKU)
    ProductFactory(sku=synthetic.SERVICE_SKU)
    playbook = PlaybookFactory(category=car.category)
    PlaybookStepFactory(playbook=playbook, offset_days=30, kind=StepKind.SURVEY, channel="email")
    PlaybookStepFactory(playbook=playbook, offset_days=3)
    synthetic.add_car_buyers(30)
    today = timezone.localdate()
    cars = list(Purchase.objects.filter(external_ref__startswith="BENCH-CAR-").order_by("pk"))
    for number, purchase in enumerate(cars):  # the survey step done for some, due for others
        purchase.handover_date = today - timedelta(days=(20, 100)[number % 2])
        purchase.purchase_date = purchase.handover_date - timedelta(days=7)
    Purchase.objects.bulk_update(cars, ["purchase_date", "handover_date"])
    followups_synthetic.add_followups(since_customer_id=0)

    invitations, answers = followups_synthetic.add_surveys(since_customer_id=0)

    surveys_done = FollowUp.objects.filter(kind=StepKind.SURVEY, status=FollowUp.Status.DONE)
    assert invitations == SurveyInvitation.objects.count() == surveys_done.count() > 0
    for invitation in SurveyInvitation.objects.select_related("followup"):
        assert invitation.followup in surveys_done
        assert invitation.purchase_id == invitation.followup.purchase_id
        assert invitation.sent_at == invitation.followup.completed_at
    responses = SurveyResponse.objects.select_related("invitation")
    assert answers == responses.count() > 0
    assert answers < invitations  # about a third answer
    for response in responses:
        assert response.invitation.answered_at is not None
        assert 0 <= response.nps <= 10


@pytest.mark.django_db(transaction=True)
def test_the_rate_run_asks_the_api_lists_over_http(settings, live_server, north, capsys):
    settings.DEBUG = True
    UserFactory(username="manager", roles=["manager"], branches=[north])

    call_command("benchmark_pages", "--rate", "8", "--duration", "1", "--url", live_server.url)

    output = capsys.readouterr().out
    assert "8 requests at 8/s for 1 s as manager" in output and ", 0 failed." in output
    for path in ("/api/customers/", "/api/followups/", "/api/complaints/"):
        assert re.search(rf"{re.escape(path)}\s+p50\s+\d+ ms", output), path
    assert not ApiToken.objects.exists()  # the run's token is gone
