"""Writes of early warning and campaigns: cluster detection (set-based, one alert per cluster),
campaigns from a cluster or a recall with a care follow-up for every other affected owner
(through followups' services, within the contact policy, once each), and the roll-up of
complaints per product behind the quality dashboard.

A complaint's product is the product of its purchase's main line: the first line whose product
is in the purchase's main category (else the first line) — `main_product` below, one rule for
detection, campaigns and the roll-up.
"""

import re
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, connection, transaction
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Lower
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from aftersales import services as core
from aftersales import texts
from aftersales.bulk import insert_objects
from aftersales.errors import DomainError
from aftersales.models import Branch
from aftersales.roles import Role
from customers.models import Customer, Purchase, PurchaseLine
from followups import services as followup_services
from followups.calendar import WorkingCalendar, policy_for
from followups.contact_policy import can_contact
from followups.models import AssigneeRole, ContactChannel, FollowUp, Purpose, StepKind
from quality import texts as quality_texts
from quality.campaigns.models import (
    Campaign,
    CampaignContact,
    ClusterComplaint,
    ClusterRule,
    ComplaintCluster,
)
from quality.models import Complaint, ComplaintCategory

CAMPAIGN_WITHIN_WORKING_DAYS = 5
ROLLUP_MONTHS = 24


def main_product(purchase="purchase_id", main_category="purchase__main_category_id"):
    """A subquery: the product of the purchase's main line (see the module's docstring); the
    arguments name the outer query's purchase id and the purchase's main category id."""
    return Subquery(
        PurchaseLine.objects.filter(purchase_id=OuterRef(purchase))
        .annotate(
            main=Case(
                When(product__category_id=OuterRef(main_category), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("main", "pk")
        .values("product_id")[:1]
    )


def _rule_categories(rule):
    return [
        rule.category_id,
        *ComplaintCategory.objects.filter(parent=rule.category_id).values_list("pk", flat=True),
    ]


def _quality_managers(branch_ids):
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.QUALITY, branches__in=set(branch_ids))
        .distinct()
        .order_by("pk")
    )


def detect_clusters(*, now=None, product_id=None, category_id=None):
    """Find the products whose complaints of a rule's category (and its subcategories) within
    the rule's window reach its threshold: one GROUP BY per rule over the window's complaints.
    Each such group is the one open cluster of its product and category (made once: a partial
    unique index); its complaints are added to it, and the quality managers of the branches
    concerned are alerted once per cluster. Returns the clusters alerted now."""
    now = now or timezone.now()
    rules = ClusterRule.objects.filter(is_active=True).select_related("category")
    if category_id is not None:
        parent = ComplaintCategory.objects.filter(pk=category_id).values_list(
            "parent_id", flat=True
        )
        rules = rules.filter(category_id__in=[category_id, *parent])
    alerted = []
    for rule in rules:
        complaints = Complaint.objects.filter(
            category_id__in=_rule_categories(rule),
            received_at__gte=now - timedelta(days=rule.window_days),
            received_at__lte=now,
            purchase__isnull=False,
        ).annotate(product_id=main_product())
        if product_id is not None:
            complaints = complaints.filter(product_id=product_id)
        groups = (
            complaints.exclude(product_id=None)
            .values("product_id")
            .annotate(count=Count("pk"), first=Min("received_at"), last=Max("received_at"))
            .filter(count__gte=rule.threshold)
            .order_by("product_id")
        )
        for group in groups:
            cluster = _cluster_for(rule, group, now)
            ids = list(
                complaints.filter(product_id=group["product_id"]).values_list("pk", flat=True)
            )
            if _add_complaints(cluster, ids, now):
                alerted.append(cluster)
    return alerted


def _cluster_for(rule, group, now):
    try:
        with transaction.atomic():
            return ComplaintCluster.objects.create(
                rule=rule,
                product_id=group["product_id"],
                category=rule.category,
                complaint_count=group["count"],
                first_received_at=group["first"],
                last_received_at=group["last"],
                detected_at=now,
            )
    except IntegrityError:
        return ComplaintCluster.objects.get(
            product_id=group["product_id"],
            category=rule.category,
            status=ComplaintCluster.Status.OPEN,
        )


@transaction.atomic
def _add_complaints(cluster, complaint_ids, now):
    """Add the complaints, bring the figures up to date and alert once; True when alerted now."""
    cluster = ComplaintCluster.objects.select_for_update().get(pk=cluster.pk)
    ClusterComplaint.objects.bulk_create(
        [ClusterComplaint(cluster=cluster, complaint_id=pk) for pk in complaint_ids],
        ignore_conflicts=True,
    )
    figures = Complaint.objects.filter(clusters=cluster).aggregate(
        count=Count("pk"),
        first=Min("received_at"),
        last=Max("received_at"),
        branches=Count("branch"),
    )
    cluster.complaint_count = figures["count"]
    cluster.first_received_at = figures["first"]
    cluster.last_received_at = figures["last"]
    if cluster.alerted_at is not None:
        cluster.save()
        return False
    branch_ids = set(Complaint.objects.filter(clusters=cluster).values_list("branch_id", flat=True))
    for manager in _quality_managers(branch_ids):
        with translation.override(manager.language):
            core.notify(
                recipient=manager,
                kind="complaint_cluster",
                subject=_("Complaints pile up: %(cluster)s") % {"cluster": cluster},
                body=_("%(count)d complaints between %(first)s and %(last)s.")
                % {
                    "count": cluster.complaint_count,
                    "first": texts.local_date(timezone.localtime(cluster.first_received_at)),
                    "last": texts.local_date(timezone.localtime(cluster.last_received_at)),
                },
                link=cluster.get_absolute_url(),
                dedupe_key=f"complaint-cluster:{cluster.pk}:{manager.pk}",
            )
    cluster.alerted_at = now
    cluster.save()
    return True


def detect_for_complaint(complaint_id):
    """After a complaint is recorded: look at its product and category only (nothing when it has
    no purchase, or is gone)."""
    found = (
        Complaint.objects.filter(pk=complaint_id, purchase__isnull=False)
        .annotate(product_id=main_product())
        .values("product_id", "category_id")
        .first()
    )
    if found is None or found["product_id"] is None:
        return []
    return detect_clusters(product_id=found["product_id"], category_id=found["category_id"])


@transaction.atomic
def close_cluster(*, cluster, by):
    if not by.has_perm("quality.change_complaintcluster"):
        raise DomainError(_("Only quality managers close clusters."))
    cluster.status = ComplaintCluster.Status.CLOSED
    cluster.closed_at = timezone.now()
    cluster.save(update_fields=["status", "closed_at"])
    return cluster


# --- campaigns ----------------------------------------------------------------------------------

RANGE = re.compile(r"^\s*(\S+)\s*\.\.\s*(\S+)\s*$")


def parse_identifiers(text):
    """(exact identifiers, ranges as (first, last)) from one per line or FIRST..LAST lines."""
    exact, ranges = [], []
    for line in (text or "").splitlines():
        if not line.strip():
            continue
        match = RANGE.match(line)
        if match:
            first, last = sorted([match[1].lower(), match[2].lower()])
            ranges.append((first, last))
        else:
            exact.extend(part.lower() for part in re.split(r"[,;\s]+", line) if part)
    return exact, ranges


def affected_purchases(campaign):
    """The purchases of the campaign's product (main line) within its handover period and
    identifiers, not cancelled, of customers not erased; without the complainants of its
    cluster (they are looked after already)."""
    purchases = (
        Purchase.objects.exclude(status=Purchase.Status.CANCELLED)
        .filter(customer__erased_at__isnull=True, lines__product=campaign.product)
        .annotate(main_product_id=main_product("pk", "main_category_id"))
        .filter(main_product_id=campaign.product_id)
        .distinct()
    )
    if campaign.handover_from:
        purchases = purchases.filter(handover_date__gte=campaign.handover_from)
    if campaign.handover_until:
        purchases = purchases.filter(handover_date__lte=campaign.handover_until)
    exact, ranges = parse_identifiers(campaign.identifiers)
    if exact or ranges:
        purchases = purchases.annotate(identifier_ci=Lower("identifier"))
        condition = None
        for first, last in ranges:
            part = Q(identifier_ci__gte=first, identifier_ci__lte=last)
            condition = part if condition is None else condition | part
        if exact:
            part = Q(identifier_ci__in=exact)
            condition = part if condition is None else condition | part
        purchases = purchases.filter(condition)
    if campaign.cluster_id:
        complainants = Complaint.objects.filter(clusters=campaign.cluster_id).values("customer_id")
        purchases = purchases.exclude(customer_id__in=complainants)
    return purchases.order_by("pk")


@transaction.atomic
def create_campaign(
    *,
    by,
    name,
    reference,
    product,
    cluster=None,
    identifiers="",
    handover_from=None,
    handover_until=None,
    instructions="",
):
    if by is not None and not by.has_perm("quality.add_campaign"):
        raise DomainError(_("Only quality managers start campaigns."))
    if not name.strip():
        raise DomainError(_("Give the campaign a name."), field="name")
    reference = (reference or "").strip()
    if not reference:
        raise DomainError(_("Give the campaign a reference."), field="reference")
    if Campaign.objects.filter(reference__iexact=reference).exists():
        raise DomainError(_("This reference is taken."), field="reference")
    if handover_from and handover_until and handover_until < handover_from:
        raise DomainError(_("The handover period ends before it starts."), field="handover_until")
    campaign = Campaign.objects.create(
        name=name.strip(),
        reference=reference,
        source=Campaign.Source.CLUSTER if cluster else Campaign.Source.RECALL,
        cluster=cluster,
        product=product if cluster is None else cluster.product,
        identifiers=identifiers.strip(),
        handover_from=handover_from,
        handover_until=handover_until,
        instructions=instructions.strip(),
        created_by=by,
    )
    plan_campaign_followups(campaign=campaign)
    return campaign


def _assignees(branch_ids):
    """Who calls the affected owners of each branch: its first service employee, else its first
    manager (one query for all branches)."""
    rows = (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name__in=[Role.SERVICE, Role.MANAGER],
            branches__in=set(branch_ids),
        )
        .annotate(branch_id=F("branches"), role=F("groups__name"))
        .order_by("pk")
    )
    ranked = {}
    for user in rows:
        rank = 0 if user.role == Role.SERVICE else 1
        ranked.setdefault(user.branch_id, []).append((rank, user.pk, user))
    return {branch_id: min(users)[2] for branch_id, users in ranked.items()}


@transaction.atomic
def plan_campaign_followups(*, campaign, now=None):
    """A care follow-up for every affected owner that has none in this campaign yet (a unique
    row per purchase: running this again creates nothing twice), due within five working days,
    after asking the contact policy (care contacts are never capped, but counted). Returns the
    number planned now.

    Set-based, so that a recall of thousands of owners is started within the page's request: the
    policy's care decision depends only on the owner's home branch and the moment, so it is asked
    once per (home branch, due day); the follow-ups and the campaign's contacts are written by
    COPY. The campaign's row is locked first: a second run waits and then finds nothing left."""
    now = now or timezone.now()
    Campaign.objects.select_for_update().filter(pk=campaign.pk).first()
    owners = list(
        affected_purchases(campaign)
        .exclude(pk__in=CampaignContact.objects.filter(campaign=campaign).values("purchase_id"))
        .values_list("pk", "customer_id", "branch_id", "customer__branch_id")
    )
    if not owners:
        return 0
    branches = Branch.objects.select_related("followup_policy").in_bulk(
        {branch_id for _pk, _customer, branch_id, _home in owners}
        | {home_id for _pk, _customer, _branch, home_id in owners}
    )
    dues = {pk: _campaign_due(branches[pk], now) for pk in {row[2] for row in owners}}
    decisions = _care_decisions(owners, branches, dues)
    assignees = _assignees(dues)
    # The title and the default instructions are written out in the reader's language
    # (quality.texts); the words of now are their fallback.
    text_params = {"reference": campaign.reference, "name": campaign.name}
    title = quality_texts.campaign_title(text_params)[
        : FollowUp._meta.get_field("title").max_length
    ]
    instructions = campaign.instructions or quality_texts.campaign_instructions()
    instructions_code = "" if campaign.instructions else quality_texts.CAMPAIGN_INSTRUCTIONS
    contacts, followups = [], []
    for purchase_id, customer_id, branch_id, home_id in owners:
        contact = CampaignContact(
            campaign=campaign, purchase_id=purchase_id, customer_id=customer_id, branch_id=branch_id
        )
        decision = decisions[home_id, dues[branch_id]]
        if decision.allowed:
            contact.followup = FollowUp(
                customer_id=customer_id,
                purchase_id=purchase_id,
                branch=branches[branch_id],
                kind=StepKind.CUSTOM,
                channel=ContactChannel.PHONE,
                purpose=Purpose.CARE,
                title=title,
                instructions=instructions,
                title_code=quality_texts.CAMPAIGN_TITLE,
                instructions_code=instructions_code,
                text_params=text_params,
                assignee_role=AssigneeRole.SERVICE,
                assignee=assignees.get(branch_id),
                planned_date=dues[branch_id],
            )
            followups.append(contact.followup)
        else:
            contact.skipped_reason = decision.reason[:200]
        contacts.append(contact)
    followup_services.schedule_followups_for_many(followups=followups, now=now)
    for contact in contacts:
        contact.followup_id = contact.followup.pk if contact.followup else None
    insert_objects(CampaignContact, contacts, now=now)
    return len(followups)


def _campaign_due(branch, now):
    """The branch's fifth working day from today (branch time)."""
    local_today = now.astimezone(branch.zone).date()
    calendar = WorkingCalendar(branch, local_today, local_today + timedelta(days=30))
    return calendar.add_working_days(local_today, CAMPAIGN_WITHIN_WORKING_DAYS)


def _care_decisions(owners, branches, dues):
    """{(home branch id, due day): the contact policy's decision on a care call then}, asked of
    one owner per pair: for care the decision depends on nothing else (erased owners are not
    among the affected)."""
    representatives = {}
    for _purchase, customer_id, branch_id, home_id in owners:
        representatives.setdefault((home_id, dues[branch_id]), customer_id)
    customers = Customer.objects.in_bulk(set(representatives.values()))
    decisions = {}
    for (home_id, due), customer_id in representatives.items():
        customer = customers[customer_id]
        customer.branch = branches[home_id]
        policy = policy_for(customer.branch)
        at = datetime.combine(due, policy.contact_from, tzinfo=customer.branch.zone)
        decisions[home_id, due] = can_contact(customer, Purpose.CARE, ContactChannel.PHONE, at)
    return decisions


@transaction.atomic
def close_campaign(*, campaign, by):
    if not by.has_perm("quality.change_campaign"):
        raise DomainError(_("Only quality managers close campaigns."))
    campaign.status = Campaign.Status.CLOSED
    campaign.closed_at = timezone.now()
    campaign.save(update_fields=["status", "closed_at"])
    return campaign


# --- the roll-up --------------------------------------------------------------------------------

MAIN_LINE = """
    SELECT l.product_id FROM customers_purchaseline l
    JOIN customers_product pr ON pr.id = l.product_id
    WHERE l.purchase_id = {purchase}
    ORDER BY (pr.category_id IS DISTINCT FROM {category}), l.id
    LIMIT 1
"""

ROLLUP_SQL = f"""
INSERT INTO quality_productcomplaintfigures (branch_id, product_id, month, purchases, complaints)
SELECT branch_id, product_id, month, SUM(purchases), SUM(complaints) FROM (
    SELECT p.branch_id, main.product_id,
           date_trunc('month', p.purchase_date)::date AS month,
           COUNT(*) AS purchases, 0 AS complaints
    FROM customers_purchase p
    CROSS JOIN LATERAL ({MAIN_LINE.format(purchase="p.id", category="p.main_category_id")}) main
    WHERE p.purchase_date >= %(since)s AND p.status <> 'cancelled'
    GROUP BY 1, 2, 3
    UNION ALL
    SELECT c.branch_id, main.product_id,
           date_trunc('month', c.received_at AT TIME ZONE 'UTC')::date AS month,
           0 AS purchases, COUNT(*) AS complaints
    FROM quality_complaint c
    JOIN customers_purchase p ON p.id = c.purchase_id
    CROSS JOIN LATERAL ({MAIN_LINE.format(purchase="p.id", category="p.main_category_id")}) main
    WHERE c.received_at >= %(since)s
    GROUP BY 1, 2, 3
) figures
GROUP BY 1, 2, 3
"""  # noqa: S608  # nosec B608 (constants only)


@transaction.atomic
def refresh_product_figures(*, today=None):
    """Rebuild the roll-up of purchases and complaints per branch, product and month for the
    last ROLLUP_MONTHS months: one DELETE and one INSERT … SELECT. Returns the rows written."""
    today = today or timezone.localdate()
    since = (today.replace(day=1) - timedelta(days=31 * ROLLUP_MONTHS)).replace(day=1)
    with connection.cursor() as cursor:
        cursor.execute("LOCK TABLE quality_productcomplaintfigures IN EXCLUSIVE MODE")
        cursor.execute("DELETE FROM quality_productcomplaintfigures")
        cursor.execute(ROLLUP_SQL, {"since": since})
        return cursor.rowcount
