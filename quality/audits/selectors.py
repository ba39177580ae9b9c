"""Reads of quality audits, scoped to the user: templates, the plan, an audit with its checklist,
findings and corrective actions, invoice error rates."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q
from django.db.models.functions import TruncQuarter
from django.utils import timezone

from aftersales.access import sees_all_branches, visible_branch_ids
from aftersales.models import Branch
from aftersales.roles import STAFF_ROLES, Role
from quality import selectors as complaint_selectors
from quality.audits.models import (
    INVOICE_ERROR_FIELDS,
    Audit,
    AuditAnswer,
    AuditItem,
    AuditPhoto,
    AuditSection,
    AuditStatus,
    AuditTemplate,
    AuditTemplateVersion,
    CorrectiveAction,
    Finding,
    InvoiceSample,
)

# --- templates ----------------------------------------------------------------------------------


def templates(*, active_only=False):
    rows = AuditTemplate.objects.prefetch_related("versions").order_by("area", "name")
    return rows.filter(is_active=True) if active_only else rows


def version_sections(version_id):
    """The sections of a version with their items, in order (two queries)."""
    return list(
        AuditSection.objects.filter(version_id=version_id)
        .order_by("position", "pk")
        .prefetch_related(Prefetch("items", AuditItem.objects.order_by("position", "pk")))
    )


def version_with_sections(version_id):
    """A version with its sections and their items in order (three queries)."""
    return AuditTemplateVersion.objects.prefetch_related(
        Prefetch(
            "sections",
            AuditSection.objects.order_by("position", "pk").prefetch_related(
                Prefetch("items", AuditItem.objects.order_by("position", "pk"))
            ),
        )
    ).get(pk=version_id)


# --- audits -------------------------------------------------------------------------------------


def audits_visible_to(user):
    return Audit.objects.visible_to(user)


def audit_list(user, *, year=None, branch=None, area=None, status=None, overdue=False, today=None):
    today = today or timezone.localdate()
    audits = audits_visible_to(user).select_related("branch", "template", "auditor")
    if year:
        audits = audits.filter(due_on__year=year)
    if branch:
        audits = audits.filter(branch=branch)
    if area:
        audits = audits.filter(area=area)
    if status:
        audits = audits.filter(status=status)
    if overdue:
        audits = audits.overdue(today)
    return audits.order_by("due_on", "branch__name", "pk")


def audit_detail(user, pk):
    return (
        audits_visible_to(user)
        .select_related("branch", "template", "version", "auditor", "signed_off_by")
        .get(pk=pk)
    )


@dataclass
class ChecklistRow:
    item: AuditItem
    answer: AuditAnswer | None
    photos: list = field(default_factory=list)
    finding: Finding | None = None


def checklist(audit):
    """[(section, section score, [ChecklistRow])] of the audit's version, with the answers,
    photos and findings so far (five queries)."""
    answers = {answer.item_id: answer for answer in audit.answers.all()}
    photos = {}
    for photo in AuditPhoto.objects.filter(audit=audit).order_by("pk"):
        photos.setdefault(photo.item_id, []).append(photo)
    findings = {finding.item_id: finding for finding in audit.findings.filter(item__isnull=False)}
    scores = {entry["section"]: entry["score"] for entry in audit.section_scores or []}
    return [
        (
            section,
            scores.get(section.pk),
            [
                ChecklistRow(
                    item=item,
                    answer=answers.get(item.pk),
                    photos=photos.get(item.pk, []),
                    finding=findings.get(item.pk),
                )
                for item in section.items.all()
            ],
        )
        for section in version_sections(audit.version_id)
    ]


def auditors(user):
    """Quality managers of the user's branches (the plan's choice of auditor)."""
    users = get_user_model().objects.filter(is_active=True, groups__name=Role.QUALITY)
    if not sees_all_branches(user):
        users = users.filter(branches__in=visible_branch_ids(user))
    return users.distinct().order_by("last_name", "first_name", "pk")


def branches_for(user):
    return Branch.objects.visible_to(user).filter(is_active=True).order_by("name")


def branch_choices(user):
    """The active branches the user may filter by, in the query that also fills the user's
    visible branch ids for the rest of the request (one query instead of two)."""
    if sees_all_branches(user):
        return list(Branch.objects.filter(is_active=True).order_by("name"))
    branches = list(user.branches.order_by("name"))
    user._visible_branch_ids = frozenset(branch.pk for branch in branches)
    return [branch for branch in branches if branch.is_active]


# --- findings and actions -----------------------------------------------------------------------


def findings_visible_to(user):
    return Finding.objects.visible_to(user)


def finding_list(user, *, status=None, branch=None, area=None, severity=None, audit=None):
    findings = (
        findings_visible_to(user)
        .select_related("branch", "audit")
        .annotate(
            open_actions=Count("actions", filter=Q(actions__status="open"), distinct=True),
            complaint_count=Count("complaints", distinct=True),
        )
    )
    if status:
        findings = findings.filter(status=status)
    if branch:
        findings = findings.filter(branch=branch)
    if area:
        findings = findings.filter(area=area)
    if severity:
        findings = findings.filter(severity=severity)
    if audit:
        findings = findings.filter(audit=audit)
    return findings.order_by("-created_at", "-pk")


def finding_detail(user, pk):
    return (
        findings_visible_to(user)
        .select_related("branch", "audit", "item")
        .prefetch_related(
            Prefetch(
                "actions",
                CorrectiveAction.objects.select_related("owner", "verified_by").order_by(
                    "due_on", "pk"
                ),
            )
        )
        .get(pk=pk)
    )


def explained_complaints(user, finding):
    """The complaints the finding explains that the user may see."""
    return (
        complaint_selectors.complaints_visible_to(user)
        .filter(root_cause=finding)
        .select_related("customer", "category")
        .order_by("-received_at")
    )


def action_owners(finding):
    """Who may own a corrective action of the finding: the branch's staff."""
    return (
        get_user_model()
        .objects.filter(is_active=True, branches=finding.branch_id, groups__name__in=STAFF_ROLES)
        .distinct()
        .order_by("last_name", "first_name", "pk")
    )


def action_list(user, *, mine=False, status=None, overdue=False, branch=None, today=None):
    today = today or timezone.localdate()
    actions = CorrectiveAction.objects.visible_to(user).select_related(
        "finding", "finding__branch", "owner"
    )
    if mine:
        actions = actions.filter(owner=user)
    if status:
        actions = actions.filter(status=status)
    if overdue:
        actions = actions.overdue(today)
    if branch:
        actions = actions.filter(finding__branch=branch)
    return actions.order_by("due_on", "pk")


def root_cause_choices(user, complaint):
    """The findings of the complaint's branch a quality manager can name as its root cause."""
    return findings_visible_to(user).filter(branch=complaint.branch_id).order_by("-created_at")


# --- invoice error rates ------------------------------------------------------------------------


def invoice_error_rate(errors, samples):
    """Per cent with one decimal; None when nothing was sampled."""
    if not samples:
        return None
    return (Decimal(errors) * 100 / samples).quantize(Decimal("0.1"))


def invoice_samples_visible_to(user):
    return InvoiceSample.objects.filter(
        audit__in=audits_visible_to(user).filter(
            status__in=[AuditStatus.SUBMITTED, AuditStatus.SIGNED_OFF]
        )
    )


def invoice_error_rates(user, *, since=None, until=None, by_quarter=False):
    """Per branch (and quarter when asked): sampled invoices of submitted and signed-off
    audits, those with any error, the error rate in per cent, and the count and rate of each
    error type; one query."""
    samples = invoice_samples_visible_to(user)
    if since:
        samples = samples.filter(invoice_date__gte=since)
    if until:
        samples = samples.filter(invoice_date__lte=until)
    any_error = Q()
    for name in INVOICE_ERROR_FIELDS.values():
        any_error |= Q(**{name: True})
    keys = ["audit__branch_id", "audit__branch__name"]
    if by_quarter:
        samples = samples.annotate(quarter=TruncQuarter("invoice_date"))
        keys.append("quarter")
    rows = (
        samples.values(*keys)
        .annotate(
            samples=Count("pk"),
            with_errors=Count("pk", filter=any_error),
            **{
                f"count_{name}": Count("pk", filter=Q(**{name: True}))
                for name in INVOICE_ERROR_FIELDS.values()
            },
        )
        .order_by(*[key for key in keys if key != "audit__branch_id"])
    )
    result = []
    for row in rows:
        result.append(
            {
                "branch_id": row["audit__branch_id"],
                "branch": row["audit__branch__name"],
                "quarter": row.get("quarter"),
                "samples": row["samples"],
                "with_errors": row["with_errors"],
                "rate": invoice_error_rate(row["with_errors"], row["samples"]),
                "by_type": {
                    kind: invoice_error_rate(row[f"count_{name}"], row["samples"])
                    for kind, name in INVOICE_ERROR_FIELDS.items()
                },
                "counts": {
                    kind: row[f"count_{name}"] for kind, name in INVOICE_ERROR_FIELDS.items()
                },
            }
        )
    return result
