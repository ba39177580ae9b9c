"""Early warning and campaigns: a cluster at, below and above the threshold (one alert per
cluster), and a campaign's care follow-ups for the other owners, created once each and within
the contact policy, with its progress (contacted, reached, repaired)."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from aftersales.errors import DomainError
from aftersales.models import Notification
from customers.services import erase_customer
from followups import services as followup_services
from followups.calendar import WorkingCalendar
from followups.models import FollowUp, Purpose
from quality import services as quality_services
from quality import tasks
from quality.campaigns import selectors, services
from quality.campaigns.models import Campaign, CampaignContact, ClusterRule, ComplaintCluster
from quality.models import Complaint
from tests.aftersales.factories import UserFactory
from tests.quality.audit_helpers import model, purchase_of
from tests.quality.factories import ComplaintCategoryFactory, ComplaintFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def noise(db):
    return ComplaintCategoryFactory(name="Noise", code="t-noise")


@pytest.fixture
def wind(noise):
    return ComplaintCategoryFactory(name="Wind noise", code="t-noise-wind", parent=noise)


@pytest.fixture
def rule(wind):
    return ClusterRule.objects.create(category=wind, threshold=3, window_days=60)


@pytest.fixture
def roadster(db):
    return model("Roadster 2")


def complain(product, branch, category, *, days_ago, customer=None):
    purchase = purchase_of(product, branch=branch, customer=customer)
    return ComplaintFactory(
        purchase=purchase,
        category=category,
        received_at=timezone.now() - timedelta(days=days_ago),
    )


def alerts():
    return Notification.objects.filter(kind="complaint_cluster")


class TestClusters:
    def test_below_the_threshold_nothing(self, rule, wind, roadster, north, quality_manager):
        complain(roadster, north, wind, days_ago=30)
        complain(roadster, north, wind, days_ago=10)
        # A third, but outside the 60 days.
        complain(roadster, north, wind, days_ago=61)
        assert services.detect_clusters() == []
        assert not ComplaintCluster.objects.exists()
        assert not alerts().exists()

    def test_at_the_threshold_one_cluster_and_one_alert(
        self, rule, wind, roadster, north, quality_manager
    ):
        complaints = [complain(roadster, north, wind, days_ago=days) for days in (40, 25, 10)]
        alerted = services.detect_clusters()
        cluster = ComplaintCluster.objects.get()
        assert alerted == [cluster]
        assert cluster.product == roadster
        assert cluster.complaint_count == 3
        assert set(cluster.complaints.all()) == set(complaints)
        assert list(alerts().values_list("recipient", flat=True)) == [quality_manager.pk]
        # The next ticks find the same cluster and alert nobody again.
        assert services.detect_clusters() == []
        assert tasks.detect_complaint_clusters.apply().get() == 0
        assert alerts().count() == 1

    def test_above_the_threshold_the_same_cluster_grows(
        self, rule, wind, roadster, north, quality_manager
    ):
        for days in (50, 40, 30, 20):
            complain(roadster, north, wind, days_ago=days)
        services.detect_clusters()
        complain(roadster, north, wind, days_ago=1)
        services.detect_clusters()
        cluster = ComplaintCluster.objects.get()
        assert cluster.complaint_count == 5
        assert alerts().count() == 1

    def test_a_rule_on_the_parent_counts_its_subcategories_per_product(
        self, noise, wind, roadster, north, quality_manager
    ):
        ClusterRule.objects.create(category=noise, threshold=3, window_days=60)
        other_model = model("Cabrio")
        complain(roadster, north, wind, days_ago=5)
        complain(roadster, north, noise, days_ago=6)
        complain(other_model, north, wind, days_ago=7)
        assert services.detect_clusters() == []
        complain(roadster, north, wind, days_ago=8)
        (cluster,) = services.detect_clusters()
        assert (cluster.product, cluster.category) == (roadster, noise)

    def test_a_closed_cluster_makes_room_for_a_new_one(
        self, rule, wind, roadster, north, quality_manager
    ):
        for days in (40, 25, 10):
            complain(roadster, north, wind, days_ago=days)
        (cluster,) = services.detect_clusters()
        services.close_cluster(cluster=cluster, by=quality_manager)
        complain(roadster, north, wind, days_ago=0)
        (second,) = services.detect_clusters()
        assert second.pk != cluster.pk
        assert alerts().count() == 2

    def test_recording_the_complaint_that_completes_a_cluster_alerts_at_once(
        self, rule, wind, roadster, north, quality_manager, django_capture_on_commit_callbacks
    ):
        complain(roadster, north, wind, days_ago=20)
        complain(roadster, north, wind, days_ago=5)
        purchase = purchase_of(roadster, branch=north)
        with django_capture_on_commit_callbacks() as callbacks:
            third = quality_services.record_complaint(
                by=quality_manager,
                customer=purchase.customer,
                purchase=purchase,
                category=wind,
                description="Whistling at 80 km/h",
                channel=Complaint.Channel.COUNTER,
            )
        # Once committed, the complaint's own detection is sent to the workers...
        published = [callback.args[:2] for callback in callbacks if getattr(callback, "args", None)]
        assert (quality_services.DETECT_CLUSTERS_TASK, [third.pk]) in published
        assert not alerts().exists()
        # ...which alerts the quality manager without waiting for the five-minute tick.
        assert tasks.detect_clusters_for_complaint(third.pk) == 1
        cluster = ComplaintCluster.objects.get()
        assert cluster.complaint_count == 3
        assert alerts().filter(recipient=quality_manager).count() == 1
        # A retry of the same message alerts no one twice.
        assert tasks.detect_clusters_for_complaint(third.pk) == 0
        assert alerts().count() == 1

    def test_detection_for_a_complaint_without_purchase_or_gone_does_nothing(
        self, rule, wind, north
    ):
        without_purchase = ComplaintFactory(category=wind, purchase=None)
        assert tasks.detect_clusters_for_complaint(without_purchase.pk) == 0
        assert tasks.detect_clusters_for_complaint(10**9) == 0

    def test_only_quality_managers_close_clusters(self, rule, wind, roadster, north, manager):
        for days in (40, 25, 10):
            complain(roadster, north, wind, days_ago=days)
        (cluster,) = services.detect_clusters()
        with pytest.raises(DomainError):
            services.close_cluster(cluster=cluster, by=manager)


@pytest.fixture
def service_user(north):
    return UserFactory(username="sven", roles=["service"], branches=[north])


@pytest.fixture
def cluster(rule, wind, roadster, north, quality_manager):
    for days in (40, 25, 10):
        complain(roadster, north, wind, days_ago=days)
    (found,) = services.detect_clusters()
    return found


class TestCampaigns:
    def owners(self, roadster, north, count=4):
        return [purchase_of(roadster, branch=north) for _number in range(count)]

    def test_a_campaign_from_a_cluster_calls_every_other_owner_once(
        self, cluster, roadster, north, quality_manager, service_user
    ):
        others = self.owners(roadster, north)
        purchase_of(model("Other car"), branch=north)  # not affected
        campaign = services.create_campaign(
            by=quality_manager, name="Door seal", reference="WN-2026", product=None, cluster=cluster
        )
        contacts = CampaignContact.objects.filter(campaign=campaign)
        # The complainants are looked after already: only the four others.
        assert {contact.purchase_id for contact in contacts} == {p.pk for p in others}
        followups = FollowUp.objects.filter(pk__in=contacts.values("followup_id"))
        assert followups.count() == 4
        calendar = WorkingCalendar(
            north, timezone.localdate(), timezone.localdate() + timedelta(30)
        )
        latest = calendar.add_working_days(
            timezone.localdate(), services.CAMPAIGN_WITHIN_WORKING_DAYS
        )
        for followup in followups:
            assert followup.purpose == Purpose.CARE
            assert followup.assignee.has_role("service")
            assert followup.assignee.branches.filter(pk=north.pk).exists()
            assert "WN-2026" in followup.title
            assert followup.due_date == latest
            assert calendar.is_working_day(followup.due_date)
        # Running it again (the page's button, a second worker) creates nothing twice.
        assert services.plan_campaign_followups(campaign=campaign) == 0
        assert FollowUp.objects.filter(title__contains="WN-2026").count() == 4

    def test_a_recall_by_identifiers_and_handover_period(
        self, roadster, north, quality_manager, service_user
    ):
        today = timezone.localdate()
        inside = [
            purchase_of(
                roadster,
                branch=north,
                identifier=vin,
                purchase_date=today - timedelta(40),
                handover_date=today - timedelta(30),
            )
            for vin in ("WVW100", "WVW150", "WVW300")
        ]
        purchase_of(
            roadster,
            branch=north,
            identifier="WVW200",
            purchase_date=today - timedelta(910),
            handover_date=today - timedelta(900),
        )
        campaign = services.create_campaign(
            by=quality_manager,
            name="Airbag",
            reference="RC-7",
            product=roadster,
            identifiers="WVW100..WVW200\nwvw300",
            handover_from=today - timedelta(365),
        )
        affected = set(
            CampaignContact.objects.filter(campaign=campaign).values_list("purchase", flat=True)
        )
        assert affected == {p.pk for p in inside}
        assert campaign.source == Campaign.Source.RECALL

    def test_erased_owners_are_never_contacted(
        self, roadster, north, quality_manager, service_user, admin_user
    ):
        kept, gone = self.owners(roadster, north, count=2)
        erase_customer(customer=gone.customer, by=admin_user)
        campaign = services.create_campaign(
            by=quality_manager, name="Seal", reference="S-1", product=roadster
        )
        assert list(campaign.contacts.values_list("purchase", flat=True)) == [kept.pk]

    def test_care_contacts_are_not_capped_by_the_commercial_rules(
        self, roadster, north, quality_manager, service_user
    ):
        (purchase,) = self.owners(roadster, north, count=1)
        customer = purchase.customer
        customer.consent_phone = False
        customer.save()
        campaign = services.create_campaign(
            by=quality_manager, name="Seal", reference="S-2", product=roadster
        )
        contact = campaign.contacts.get()
        assert contact.followup is not None
        assert contact.skipped_reason == ""

    def test_progress_contacted_reached_repaired(
        self, cluster, roadster, north, quality_manager, service_user
    ):
        purchases = [
            purchase_of(roadster, branch=north, identifier=f"VIN{number}") for number in range(4)
        ]
        campaign = services.create_campaign(
            by=quality_manager, name="Seal", reference="WN-9", product=None, cluster=cluster
        )
        followups = {
            c.purchase_id: c.followup for c in campaign.contacts.select_related("followup")
        }
        first, second, third, _fourth = purchases
        followup_services.complete_followup(
            followup=followups[first.pk], by=service_user, outcome=FollowUp.Outcome.SATISFIED
        )
        followup_services.complete_followup(
            followup=followups[second.pk], by=service_user, outcome=FollowUp.Outcome.DECLINED
        )
        # The first owner's car was repaired: a service purchase quoting the reference.
        purchase_of(
            model("Door seal kit"),
            customer=first.customer,
            identifier="VIN0",
            notes="Campaign WN-9 done",
            purchase_date=timezone.localdate(),
            handover_date=timezone.localdate(),
        )
        # Another car of a third owner mentions it, but not the same vehicle: not repaired.
        purchase_of(
            model("Wipers"),
            customer=third.customer,
            identifier="OTHER",
            notes="WN-9",
            purchase_date=timezone.localdate(),
            handover_date=timezone.localdate(),
        )
        row = selectors.campaign_detail(quality_manager, campaign.pk)
        assert (row.affected, row.planned, row.contacted, row.reached, row.repaired) == (
            4,
            4,
            2,
            1,
            1,
        )
        assert row.close_rate == 25.0

    def test_a_large_campaign_takes_as_many_queries_as_a_small_one(
        self, roadster, north, quality_manager, service_user
    ):
        """Set-based: 300 owners cost the same queries as 3 (one notification for the service
        employee either way), and a repeated run adds nothing."""
        small_product = model("Small")
        for _number in range(3):
            purchase_of(small_product, branch=north)
        large = self.owners(roadster, north, count=300)
        # The permission check loads the user's permissions once; not part of the comparison.
        assert quality_manager.has_perm("quality.add_campaign")
        counts = []
        for reference, product in (("SMALL-1", small_product), ("LARGE-1", roadster)):
            with CaptureQueriesContext(connection) as queries:
                campaign = services.create_campaign(
                    by=quality_manager, name="Seal", reference=reference, product=product
                )
            counts.append(len(queries))
        small, big = counts
        assert big == small
        assert big <= 30
        assert set(campaign.contacts.values_list("purchase", flat=True)) == {p.pk for p in large}
        assert FollowUp.objects.filter(title__contains="LARGE-1").count() == 300
        assigned = Notification.objects.filter(recipient=service_user, kind="followup_assigned")
        assert assigned.count() == 2
        assert "300" in assigned.latest("pk").subject
        with CaptureQueriesContext(connection) as again:
            assert services.plan_campaign_followups(campaign=campaign) == 0
        assert len(again) <= 8
        assert campaign.contacts.count() == 300

    @pytest.mark.django_db(transaction=True)
    def test_concurrent_runs_plan_each_owner_once(
        self, roadster, north, quality_manager, service_user
    ):
        campaign = services.create_campaign(
            by=quality_manager, name="Seal", reference="S-9", product=roadster
        )
        owners = self.owners(roadster, north, count=20)
        results, errors = [], []

        def run():
            try:
                results.append(services.plan_campaign_followups(campaign=campaign))
            except Exception as error:  # noqa: BLE001 (reported by the assertion below)
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=run) for _number in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert sorted(results) == [0, 0, 20]
        assert set(campaign.contacts.values_list("purchase", flat=True)) == {p.pk for p in owners}
        assert FollowUp.objects.filter(title__contains="S-9").count() == 20

    def test_bad_campaigns_are_refused(self, roadster, quality_manager, manager):
        with pytest.raises(DomainError):
            services.create_campaign(by=manager, name="x", reference="x", product=roadster)
        services.create_campaign(by=quality_manager, name="A", reference="A-1", product=roadster)
        with pytest.raises(DomainError) as taken:
            services.create_campaign(
                by=quality_manager, name="B", reference="a-1", product=roadster
            )
        assert taken.value.field == "reference"
        today = timezone.localdate()
        with pytest.raises(DomainError) as backwards:
            services.create_campaign(
                by=quality_manager,
                name="C",
                reference="C-1",
                product=roadster,
                handover_from=today,
                handover_until=today - timedelta(days=1),
            )
        assert backwards.value.field == "handover_until"
