"""The quality dashboard: every figure against hand-computed data, the same number of queries at
two data sizes, the complaints-per-product roll-up against the raw rows, the page's access and
its CSV export."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from quality.audits import dashboard, services
from quality.campaigns import selectors
from quality.campaigns import services as campaign_services
from quality.campaigns.models import ClusterRule, ProductComplaintFigures
from quality.models import Complaint, CorrectiveAction
from tests.aftersales.factories import UserFactory
from tests.quality.audit_helpers import (
    carried_out,
    finding_with_action,
    make_template,
    model,
    plan,
    purchase_of,
)
from tests.quality.factories import ComplaintCategoryFactory, ComplaintFactory

pytestmark = pytest.mark.django_db


def world(north, south, quality_manager, colleague, size=1):
    """`size` times: at North an audit of 100 % and one of 75 % (one finding, its action
    overdue), a second finding with a completed action, an overdue audit; a product bought ten
    times with two complaints; at South the same shape, which North's people never see."""
    template = make_template()
    south_qm = UserFactory(roles=["quality"], branches=[south])
    south_staff = UserFactory(roles=["service"], branches=[south])
    for _round in range(size):
        for branch, qm, staff in (
            (north, quality_manager, colleague),
            (south, south_qm, south_staff),
        ):
            carried_out(plan(branch=branch, template=template, auditor=qm), by=qm)
            _finding, overdue = finding_with_action(branch=branch, by=qm, owner=staff)
            CorrectiveAction.objects.filter(pk=overdue.pk).update(
                due_on=timezone.localdate() - timedelta(days=2)
            )
            _second, done = finding_with_action(branch=branch, by=qm, owner=staff)
            services.complete_action(action=done, by=staff, note="Done.")
            plan(branch=branch, template=template, auditor=qm, due_in_days=-3)
            car = model()
            purchases = [purchase_of(car, branch=branch) for _number in range(10)]
            category = ComplaintCategoryFactory()
            for purchase in purchases[:2]:
                ComplaintFactory(purchase=purchase, category=category)
    campaign_services.refresh_product_figures()
    return template


class TestFigures:
    def test_figures_by_hand(self, north, south, quality_manager, colleague):
        world(north, south, quality_manager, colleague)
        figures = dashboard.figures(quality_manager)
        # Three audits at North were carried out: 100 %, and two of 75 % (their findings).
        (scores,) = figures.scores
        assert scores["branch"] == "North"
        assert scores["audits"] == 3
        assert scores["score"] == Decimal("83.3")
        assert figures.overdue_audit_count == 1
        assert figures.overdue_audits[0].branch == north
        assert figures.findings["open"] == 2
        assert figures.findings["major"] == 2
        assert figures.actions == {"open": 1, "overdue": 1, "completed": 1}
        (product,) = figures.products
        assert (product["purchases"], product["complaints"]) == (10, 2)
        assert product["per_100"] == Decimal("20.0")
        assert figures.invoice_rates == []

    def test_an_administrator_sees_both_branches_and_can_pick_one(
        self, north, south, quality_manager, colleague, admin_user
    ):
        world(north, south, quality_manager, colleague)
        everything = dashboard.figures(admin_user)
        assert {row["branch"] for row in everything.scores} == {"North", "South"}
        assert everything.overdue_audit_count == 2
        assert everything.actions["overdue"] == 2
        assert len(everything.products) == 2
        south_only = dashboard.figures(admin_user, p=dashboard.period(branch=south.pk))
        assert {row["branch"] for row in south_only.scores} == {"South"}
        assert south_only.findings["open"] == 2

    def test_open_clusters_and_campaigns_with_progress(self, north, quality_manager):
        wind = ComplaintCategoryFactory(name="Wind noise", code="t-wind")
        ClusterRule.objects.create(category=wind, threshold=3, window_days=60)
        car = model()
        for _number in range(3):
            ComplaintFactory(purchase=purchase_of(car, branch=north), category=wind)
        others = [purchase_of(car, branch=north) for _number in range(2)]
        UserFactory(roles=["service"], branches=[north])
        (cluster,) = campaign_services.detect_clusters()
        campaign = campaign_services.create_campaign(
            by=quality_manager, name="Seal", reference="WN-1", product=None, cluster=cluster
        )
        figures = dashboard.figures(quality_manager)
        assert figures.clusters == [cluster]
        (row,) = figures.campaigns
        assert (row.pk, row.name) == (campaign.pk, "Seal")
        assert (row.affected, row.planned, row.contacted, row.reached) == (len(others), 2, 0, 0)
        # The dashboard's one GROUP BY agrees with the campaign page's figures.
        (page,) = selectors.campaigns_with_progress(quality_manager)
        assert (page.affected, page.planned, page.contacted, page.reached) == (
            row.affected,
            row.planned,
            row.contacted,
            row.reached,
        )
        closed = campaign_services.close_campaign(campaign=campaign, by=quality_manager)
        assert closed.status == "closed"
        assert dashboard.figures(quality_manager).campaigns == []


def queries_of(user):
    with CaptureQueriesContext(connection) as captured:
        dashboard.figures(user)
    return len(captured)


def test_a_constant_number_of_queries_at_two_data_sizes(
    north, south, quality_manager, colleague, client, django_assert_max_num_queries
):
    world(north, south, quality_manager, colleague, size=1)
    small = queries_of(quality_manager)
    world(north, south, quality_manager, colleague, size=3)
    large = queries_of(quality_manager)
    assert small == large
    client.force_login(quality_manager)
    # The first request after logging in does one-time work of the session; count a later one.
    client.get("/quality/")
    # The session and the user, the user's groups and two permission lookups, the branch
    # choices (which also fill the visible branches), the eight figures (overdue audits, scores,
    # findings, actions, invoice rates, products, clusters, campaigns) and the navigation's
    # unread count: 15.
    with django_assert_max_num_queries(15):
        response = client.get("/quality/")
    assert response.status_code == 200


def test_the_roll_up_agrees_with_the_raw_rows(north, south, quality_manager, colleague):
    world(north, south, quality_manager, colleague, size=2)
    raw = {
        (row["branch_id"], row["purchase__lines__product"]): row["count"]
        for row in Complaint.objects.values("branch_id", "purchase__lines__product").annotate(
            count=Count("pk")
        )
    }
    rolled = {
        (row.branch_id, row.product_id): row.complaints
        for row in ProductComplaintFigures.objects.filter(complaints__gt=0)
    }
    assert rolled == raw
    purchases = {}
    for row in ProductComplaintFigures.objects.all():
        key = (row.branch_id, row.product_id)
        purchases[key] = purchases.get(key, 0) + row.purchases
    assert set(purchases.values()) == {10}
    # Rebuilding changes nothing.
    campaign_services.refresh_product_figures()
    assert {
        (row.branch_id, row.product_id): row.complaints
        for row in ProductComplaintFigures.objects.filter(complaints__gt=0)
    } == raw


class TestPage:
    def test_quality_managers_and_managers_see_it(
        self, north, south, quality_manager, manager, colleague, login
    ):
        world(north, south, quality_manager, colleague)
        for person in (quality_manager, manager):
            response = login(person).get("/quality/")
            assert response.status_code == 200
            page = response.content.decode()
            assert "North" in page
            assert "South" not in page

    def test_sales_staff_and_shoppers_do_not(self, owner, shopper, login):
        for person in (owner, shopper):
            assert login(person).get("/quality/").status_code == 403

    def test_csv_export(self, north, south, quality_manager, colleague, login):
        world(north, south, quality_manager, colleague)
        response = login(quality_manager).get("/quality/export/")
        assert response.status_code == 200
        body = (
            b"".join(response.streaming_content).decode()
            if response.streaming
            else response.content.decode()
        )
        assert "figure,dimension,value" in body.replace("\r", "")
        assert "overdue audits,,1" in body
        assert "corrective actions,overdue,1" in body
        assert "South" not in body

    def test_every_number_drills_down(self, north, south, quality_manager, colleague, login):
        world(north, south, quality_manager, colleague)
        client = login(quality_manager)
        page = client.get("/quality/").content.decode()
        for link in (
            "/audits/?overdue=1",
            "/findings/?status=open",
            "/corrective-actions/?overdue=1",
        ):
            assert link in page.replace("&amp;", "&"), link
        actions = client.get("/corrective-actions/?overdue=1")
        assert [action.pk for action in actions.context["page"]] == [
            action.pk for action in CorrectiveAction.objects.overdue().filter(finding__branch=north)
        ]
        overdue = client.get("/audits/?overdue=1")
        assert [audit.is_overdue for audit in overdue.context["page"]] == [True]
