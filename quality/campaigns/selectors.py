"""Reads of clusters and campaigns, scoped to the user, with each campaign's progress."""

from dataclasses import dataclass

from django.db.models import Count, Exists, F, Max, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse

from aftersales.access import sees_all_branches, visible_branch_ids
from customers.models import Purchase
from followups.models import FollowUp
from quality import selectors as complaint_selectors
from quality.campaigns.models import Campaign, CampaignContact, ComplaintCluster

REACHED = [FollowUp.Outcome.SATISFIED, FollowUp.Outcome.CONCERN]


def clusters_visible_to(user):
    return ComplaintCluster.objects.visible_to(user)


def cluster_list(user, *, status=None):
    clusters = clusters_visible_to(user).select_related("product", "category", "category__parent")
    if status:
        clusters = clusters.filter(status=status)
    return clusters.order_by("-last_received_at", "-pk")


def cluster_detail(user, pk):
    return clusters_visible_to(user).select_related("product", "category").get(pk=pk)


def cluster_complaints(user, cluster):
    return (
        complaint_selectors.complaints_visible_to(user)
        .filter(clusters=cluster)
        .select_related("customer", "branch", "purchase")
        .order_by("received_at")
    )


def repaired_q():
    """A contact is repaired when a purchase of the same customer for the same vehicle (its
    identifier, not blank), dated on or after the campaign started, quotes the campaign's
    reference in its notes or external reference. Looked up by customer (their few purchases),
    never through the identifier index: a blank identifier is shared by many purchases."""
    return Exists(
        Purchase.objects.filter(
            customer_id=OuterRef("customer_id"),
            identifier=OuterRef("purchase__identifier"),
            purchase_date__gte=OuterRef("campaign__created_at__date"),
        )
        .exclude(identifier="")
        .exclude(pk=OuterRef("purchase_id"))
        .filter(
            Q(notes__icontains=OuterRef("campaign__reference"))
            | Q(external_ref__icontains=OuterRef("campaign__reference"))
        )
    )


def contacts_with_state(campaign):
    return (
        CampaignContact.objects.filter(campaign=campaign)
        .select_related("customer", "purchase", "followup", "followup__assignee", "branch")
        .annotate(repaired=repaired_q())
        .order_by("pk")
    )


def _count(contacts, condition=None):
    """The number of the outer campaign's contacts (meeting a condition), as a subquery."""
    if condition is not None:
        contacts = contacts.filter(condition)
    return Coalesce(
        Subquery(
            contacts.order_by().values("campaign").annotate(count=Count("pk")).values("count")[:1]
        ),
        0,
    )


def campaigns_with_progress(user, *, pk=None):
    """Campaigns with their affected owners (in the user's branches), follow-ups planned,
    contacted (done), reached and repaired (see repaired_q), and the close rate (repaired of
    affected): one query, each figure a subquery over the campaign's contacts (indexed by
    campaign)."""
    campaigns = Campaign.objects.visible_to(user).select_related("product", "cluster")
    if pk is not None:
        campaigns = campaigns.filter(pk=pk)
    contacts = CampaignContact.objects.filter(campaign=OuterRef("pk"))
    if not sees_all_branches(user):
        contacts = contacts.filter(branch__in=visible_branch_ids(user))
    rows = list(
        campaigns.annotate(
            affected=_count(contacts),
            planned=_count(contacts, Q(followup__isnull=False)),
            contacted=_count(contacts, Q(followup__status=FollowUp.Status.DONE)),
            reached=_count(contacts, Q(followup__outcome__in=REACHED)),
            repaired=_count(contacts, repaired_q()),
        ).order_by("-created_at", "-pk")
    )
    for row in rows:
        row.close_rate = round(row.repaired * 100 / row.affected, 1) if row.affected else None
    return rows


@dataclass(frozen=True)
class CampaignProgress:
    pk: int
    name: str
    affected: int
    planned: int
    contacted: int
    reached: int

    def get_absolute_url(self):
        return reverse("quality:campaign-detail", args=[self.pk])


def open_campaign_progress(user, *, limit):
    """The newest open campaigns with affected owners in the user's branches and their
    progress (affected, planned, contacted, reached), for the dashboard: one GROUP BY over the
    campaigns' contacts and their follow-ups, cheaper to build and run than a subquery per
    figure (campaigns_with_progress, which the campaign pages use)."""
    contacts = CampaignContact.objects.filter(campaign__status=Campaign.Status.OPEN)
    if not sees_all_branches(user):
        contacts = contacts.filter(branch__in=visible_branch_ids(user))
    rows = (
        contacts.values("campaign_id", name=F("campaign__name"))
        .annotate(
            created=Max("campaign__created_at"),
            affected=Count("pk"),
            planned=Count("pk", filter=Q(followup__isnull=False)),
            contacted=Count("pk", filter=Q(followup__status=FollowUp.Status.DONE)),
            reached=Count("pk", filter=Q(followup__outcome__in=REACHED)),
        )
        .order_by("-created", "-campaign_id")[:limit]
    )
    return [
        CampaignProgress(
            pk=row["campaign_id"],
            name=row["name"],
            affected=row["affected"],
            planned=row["planned"],
            contacted=row["contacted"],
            reached=row["reached"],
        )
        for row in rows
    ]


def campaign_detail(user, pk):
    rows = campaigns_with_progress(user, pk=pk)
    if not rows:
        raise Campaign.DoesNotExist
    return rows[0]
