import logging
from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aftersales import services as core
from aftersales.access import require_branch
from aftersales.celery import enqueue_on_commit
from aftersales.errors import DomainError
from aftersales.roles import Role
from customers.models import Customer, Purchase
from customers.salutations import letter_greeting
from followups import services as followup_services
from followups.calendar import WorkingCalendar, policy_for
from followups.models import AssigneeRole, FollowUp, StepKind
from quality import scoring
from quality import texts as quality_texts
from quality.models import (
    OPEN_COMPLAINT_STATUSES,
    Complaint,
    ComplaintAttachment,
    ComplaintCorrection,
    ComplaintEvent,
    DissonanceScore,
    DissonanceSignal,
    Nature,
    Severity,
    SeverityDeadline,
)
from quality.signals import complaint_corrected, complaint_recorded

logger = logging.getLogger(__name__)

DEFAULT_DEADLINES = {
    Severity.CRITICAL: (4, 2),
    Severity.HIGH: (4, 5),
    Severity.MEDIUM: (4, 10),
    Severity.LOW: (4, 20),
}
RECOVERY_WITHIN_WORKING_DAYS = 2
TICK_BATCH = 500
ALLOWED_ATTACHMENT_TYPES = core.PHOTO_TYPES | core.PDF_TYPES | core.TEXT_TYPES
DETECT_CLUSTERS_TASK = "quality.tasks.detect_clusters_for_complaint"
Status = Complaint.Status
Kind = DissonanceSignal.Kind


def _managers(branch):
    return list(
        get_user_model()
        .objects.filter(is_active=True, branches=branch, groups__name=Role.MANAGER)
        .order_by("pk")
    )


# --- deadlines in working time ---------------------------------------------------------------


def deadlines_for(severity):
    stored = SeverityDeadline.objects.filter(severity=severity).first()
    if stored:
        return stored.acknowledge_hours, stored.resolve_days
    return DEFAULT_DEADLINES[severity]


def add_working_hours(branch, start, hours):
    """`start` plus `hours` of the branch's working time (working days, contact hours)."""
    policy = policy_for(branch)
    local = start.astimezone(branch.zone)
    calendar = WorkingCalendar(branch, local.date(), local.date() + timedelta(days=60))
    remaining = timedelta(hours=hours)
    day = local.date()
    cursor = local
    while True:
        opens = datetime.combine(day, policy.contact_from, tzinfo=branch.zone)
        closes = datetime.combine(day, policy.contact_until, tzinfo=branch.zone)
        if calendar.is_working_day(day) and cursor < closes:
            begin = max(cursor, opens)
            available = closes - begin
            if remaining <= available:
                return begin + remaining
            remaining -= available
        day = calendar.on_or_after(day + timedelta(days=1))
        cursor = datetime.combine(day, policy.contact_from, tzinfo=branch.zone)


def add_working_days(branch, start, days):
    """The end of the working day `days` working days after `start`'s day, in the branch."""
    policy = policy_for(branch)
    local = start.astimezone(branch.zone)
    calendar = WorkingCalendar(branch, local.date(), local.date() + timedelta(days=days * 3 + 30))
    day = calendar.add_working_days(local.date(), days)
    return datetime.combine(day, policy.contact_until, tzinfo=branch.zone)


# --- complaints --------------------------------------------------------------------------------


def _event(complaint, from_status, to_status, by, note=""):
    ComplaintEvent.objects.create(
        complaint=complaint,
        from_status=from_status,
        to_status=to_status,
        by=by,
        at=timezone.now(),
        note=note,
    )


def _email_customer(complaint, kind, subject, body):
    """Acknowledgement and resolution e-mails: a care contact, sent only if the customer chose
    e-mail as their channel."""
    customer = complaint.customer
    if not customer.email or customer.preferred_channel != "email":
        return None
    return core.queue_email(
        to=customer.email,
        subject=subject,
        body=body,
        dedupe_key=f"complaint-{kind}:{complaint.pk}:{complaint.reopened_count}",
    )


@transaction.atomic
def record_complaint(
    *,
    by,
    customer,
    category,
    description,
    channel,
    severity=Severity.MEDIUM,
    nature=Nature.UNKNOWN,
    purchase=None,
    received_at=None,
    owner=None,
    attachments=(),
):
    require_branch(by, customer.branch_id)
    if customer.is_erased:
        raise DomainError(_("This customer's data has been erased."), field="customer")
    if purchase is not None and purchase.customer_id != customer.pk:
        raise DomainError(_("This purchase belongs to another customer."), field="purchase")
    if not description.strip():
        raise DomainError(_("Write down what the customer said."), field="description")
    received_at = received_at or timezone.now()
    if received_at > timezone.now() + timedelta(minutes=5):
        raise DomainError(_("A complaint cannot be received in the future."), field="received_at")
    branch = purchase.branch if purchase else customer.branch
    require_branch(by, branch.pk)
    if owner is None and by.branches.filter(pk=branch.pk).exists():
        # Whoever records it owns it, unless they work elsewhere (an administrator).
        owner = by
    if owner is not None and not (owner.is_active and owner.branches.filter(pk=branch.pk).exists()):
        raise DomainError(_("Choose an owner who works in this branch."), field="owner")
    acknowledge_hours, resolve_days = deadlines_for(severity)
    product_category_id, salesperson_id = dashboard_dimensions(customer, purchase)
    complaint = Complaint(
        customer=customer,
        purchase=purchase,
        branch=branch,
        product_category_id=product_category_id,
        responsible_salesperson_id=salesperson_id,
        channel=channel,
        received_at=received_at,
        category=category,
        nature=nature,
        severity=severity,
        description=description.strip(),
        owner=owner,
        acknowledge_due_at=add_working_hours(branch, received_at, acknowledge_hours),
        resolve_due_at=add_working_days(branch, received_at, resolve_days),
        created_by=by,
    )
    complaint.full_clean()
    complaint.save()
    _event(complaint, "", Status.NEW, by)
    for upload in attachments:
        add_attachment(complaint=complaint, upload=upload, by=by)
    record_signal(
        customer=customer,
        purchase=purchase,
        branch=branch,
        kind=Kind.COMPLAINT,
        weight=scoring.complaint_weight(severity, nature),
        occurred_at=received_at,
        summary=_complaint_summary(complaint),
        source_key=f"complaint:{complaint.pk}",
        complaint=complaint,
    )
    if purchase is not None:
        earlier = Complaint.objects.filter(purchase=purchase).exclude(pk=complaint.pk).count()
        if earlier:
            record_signal(
                customer=customer,
                purchase=purchase,
                branch=branch,
                kind=Kind.REPEATED_COMPLAINT,
                weight=scoring.weights()[Kind.REPEATED_COMPLAINT],
                occurred_at=received_at,
                summary=_repeated_complaint_summary(earlier),
                summary_params={"count": earlier},
                source_key=f"repeated-complaint:{complaint.pk}",
                complaint=complaint,
            )
    # The cluster this complaint may complete is looked for once it is committed, so the alert
    # comes within seconds; the five-minute tick finds it too when the broker is away.
    enqueue_on_commit(DETECT_CLUSTERS_TASK, args=[complaint.pk])
    complaint_recorded.send(sender=Complaint, complaint=complaint)
    return complaint


def _repeated_complaint_summary(earlier):
    return _("Repeated complaint on the same purchase (%(count)d before)") % {"count": earlier}


def _complaint_summary(complaint):
    return quality_texts.complaint_summary(complaint)


def add_attachment(*, complaint, upload, by):
    return core.store_upload(
        ComplaintAttachment,
        upload,
        allowed_types=ALLOWED_ATTACHMENT_TYPES,
        field="attachments",
        not_allowed=_("%(name)s is not a photo, PDF or text file."),
        complaint=complaint,
        uploaded_by=by,
    )


def _locked(complaint, by, allowed_from):
    complaint = (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("customer", "branch", "category")
        .get(pk=complaint.pk)
    )
    require_branch(by, complaint.branch_id)
    if complaint.status not in allowed_from:
        raise DomainError(
            _("A complaint that is %(status)s cannot do this.")
            % {"status": complaint.get_status_display()}
        )
    return complaint


@transaction.atomic
def acknowledge_complaint(*, complaint, by, note=""):
    complaint = _locked(complaint, by, {Status.NEW})
    complaint.status = Status.ACKNOWLEDGED
    complaint.acknowledged_at = timezone.now()
    complaint.save()
    _event(complaint, Status.NEW, Status.ACKNOWLEDGED, by, note)
    with translation.override(complaint.customer.preferred_language):
        _email_customer(
            complaint,
            "acknowledged",
            _("We have received your concern"),
            _(
                "%(greeting)s,\n\nthank you for telling us. We have registered your concern "
                "(number %(number)s) and will get back to you by %(due)s at the latest.\n\n"
                "%(branch)s"
            )
            % {
                "greeting": letter_greeting(complaint.customer),
                "number": complaint.pk,
                "due": date_format(
                    complaint.resolve_due_at.astimezone(complaint.branch.zone), "DATE_FORMAT"
                ),
                "branch": complaint.branch.name,
            },
        )
    return complaint


@transaction.atomic
def start_complaint(*, complaint, by, note=""):
    complaint = _locked(complaint, by, {Status.NEW, Status.ACKNOWLEDGED})
    previous = complaint.status
    if complaint.acknowledged_at is None:
        complaint.acknowledged_at = timezone.now()
    complaint.status = Status.IN_PROGRESS
    complaint.save()
    _event(complaint, previous, Status.IN_PROGRESS, by, note)
    return complaint


@transaction.atomic
def resolve_complaint(*, complaint, by, resolution, notes="", customer_satisfied=None):
    """Record what was done. A customer not satisfied with it reopens the complaint and counts
    as a new dissonance signal."""
    complaint = _locked(complaint, by, OPEN_COMPLAINT_STATUSES)
    if resolution not in Complaint.Resolution.values:
        raise DomainError(_("Say what was done."), field="resolution")
    previous = complaint.status
    now = timezone.now()
    complaint.acknowledged_at = complaint.acknowledged_at or now
    complaint.status = Status.RESOLVED
    complaint.resolved_at = now
    complaint.resolution = resolution
    complaint.resolution_notes = notes.strip()
    complaint.customer_satisfied = customer_satisfied
    complaint.save()
    _event(complaint, previous, Status.RESOLVED, by, notes)
    if customer_satisfied is False:
        record_signal(
            customer=complaint.customer,
            purchase=complaint.purchase,
            branch=complaint.branch,
            kind=Kind.UNSATISFIED_RESOLUTION,
            weight=scoring.weights()[Kind.UNSATISFIED_RESOLUTION],
            occurred_at=now,
            summary=_("Not satisfied with the resolution of: %(category)s")
            % {"category": complaint.category.name},
            source_key=f"unsatisfied:{complaint.pk}:{complaint.reopened_count}",
            complaint=complaint,
        )
        # One signal for one answer: the reopening itself does not count again.
        complaint = reopen_complaint(
            complaint=complaint, by=by, note=_("Customer not satisfied"), signal=False
        )
    else:
        with translation.override(complaint.customer.preferred_language):
            _email_customer(
                complaint,
                "resolved",
                _("Your concern has been resolved"),
                _(
                    "%(greeting)s,\n\nyour concern (number %(number)s) has been dealt with: "
                    "%(resolution)s.\n%(notes)s\n\nIf anything is still not right, simply reply to "
                    "this e-mail or call us.\n\n%(branch)s"
                )
                % {
                    "greeting": letter_greeting(complaint.customer),
                    "number": complaint.pk,
                    "resolution": complaint.get_resolution_display(),
                    "notes": complaint.resolution_notes,
                    "branch": complaint.branch.name,
                },
            )

    return complaint


@transaction.atomic
def close_complaint(*, complaint, by, note=""):
    complaint = _locked(complaint, by, {Status.RESOLVED})
    complaint.status = Status.CLOSED
    complaint.closed_at = timezone.now()
    complaint.save()
    _event(complaint, Status.RESOLVED, Status.CLOSED, by, note)
    return complaint


@transaction.atomic
def reopen_complaint(*, complaint, by, note="", signal=True):
    complaint = _locked(complaint, by, {Status.RESOLVED, Status.CLOSED})
    previous = complaint.status
    now = timezone.now()
    complaint.status = Status.IN_PROGRESS
    complaint.reopened_count += 1
    complaint.resolved_at = complaint.closed_at = None
    _ack_hours, resolve_days = deadlines_for(complaint.severity)
    complaint.resolve_due_at = add_working_days(complaint.branch, now, resolve_days)
    complaint.resolve_breach_escalated_at = None
    complaint.save()
    _event(complaint, previous, Status.IN_PROGRESS, by, note)
    if not signal:
        return complaint
    record_signal(
        customer=complaint.customer,
        purchase=complaint.purchase,
        branch=complaint.branch,
        kind=Kind.REOPENED_COMPLAINT,
        weight=scoring.weights()[Kind.REOPENED_COMPLAINT],
        occurred_at=now,
        summary=_("Complaint reopened: %(category)s") % {"category": complaint.category.name},
        source_key=f"reopened:{complaint.pk}:{complaint.reopened_count}",
        complaint=complaint,
    )
    return complaint


@transaction.atomic
def assign_complaint(*, complaint, to, by):
    complaint = _locked(complaint, by, OPEN_COMPLAINT_STATUSES)
    if not (to.is_active and to.branches.filter(pk=complaint.branch_id).exists()):
        raise DomainError(_("Choose someone who works in this branch."), field="owner")
    complaint.owner = to
    complaint.save(update_fields=["owner", "updated_at"])
    _event(
        complaint,
        complaint.status,
        complaint.status,
        by,
        _("Owner: %(owner)s") % {"owner": to},
    )
    return complaint


# --- corrections ---------------------------------------------------------------------------------

CORRECT_PERMISSION = "quality.add_complaintcorrection"


def may_correct(user):
    """Service and quality staff and administrators correct complaints (their roles hold the
    permission); managers, sales staff and mystery shoppers do not."""
    return user.has_perm(CORRECT_PERMISSION)


def _recorded_value(value):
    """A fact as a correction keeps it: an id for a customer, purchase, category, branch or
    owner, the stored value for nature and severity."""
    return getattr(value, "pk", value)


@transaction.atomic
def correct_complaint(*, complaint, by, reason, **changes):
    """Correct what was recorded about an open complaint (customer, purchase, category, nature,
    severity), saying why. The branch, the deadlines and the dashboard's dimensions follow the
    corrected facts; the complaint's dissonance signals move and are weighed again, and the
    customers concerned (both, when it moves to another customer) are scored again."""
    unknown = set(changes) - set(ComplaintCorrection.FIELDS)
    if unknown:
        raise TypeError(f"A correction cannot change {', '.join(sorted(unknown))}.")
    if not may_correct(by):
        raise DomainError(_("Only service and quality staff may correct complaints."))
    complaint = (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("customer", "purchase", "category", "branch", "owner")
        .get(pk=complaint.pk)
    )
    require_branch(by, complaint.branch_id)
    if not complaint.is_open:
        raise DomainError(
            _("Only an open complaint can be corrected; this one is %(status)s.")
            % {"status": complaint.get_status_display()}
        )
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("Say why the complaint is corrected."), field="reason")
    before = {name: getattr(complaint, name) for name in ComplaintCorrection.FIELDS}
    after = {**before, **changes}
    changed = [
        name
        for name in ComplaintCorrection.FIELDS
        if _recorded_value(after[name]) != _recorded_value(before[name])
    ]
    if not changed:
        raise DomainError(
            _("Nothing was changed: correct the customer, purchase, category, nature or severity.")
        )
    customer, purchase = after["customer"], after["purchase"]
    _check_correction(by, complaint, changed, after)
    branch = purchase.branch if purchase else customer.branch
    require_branch(by, branch.pk)
    old_customer, old_purchase_id = complaint.customer, complaint.purchase_id
    old_branch_id, old_owner_id = complaint.branch_id, complaint.owner_id
    for name in changed:
        setattr(complaint, name, after[name])
    complaint.branch = branch
    if branch.pk != old_branch_id and not (
        complaint.owner and complaint.owner.branches.filter(pk=branch.pk).exists()
    ):
        # The owner works elsewhere: whoever corrects takes it over if they work in the branch.
        complaint.owner = by if by.branches.filter(pk=branch.pk).exists() else None
    complaint.product_category_id, complaint.responsible_salesperson_id = dashboard_dimensions(
        customer, purchase
    )
    if "severity" in changed or branch.pk != old_branch_id:
        _set_deadlines(complaint)
    complaint.full_clean()
    complaint.save()
    recorded = {
        name: {"from": _recorded_value(before[name]), "to": _recorded_value(after[name])}
        for name in changed
    }
    if branch.pk != old_branch_id:
        recorded["branch"] = {"from": old_branch_id, "to": branch.pk}
    if complaint.owner_id != old_owner_id:
        recorded["owner"] = {"from": old_owner_id, "to": complaint.owner_id}
    correction = ComplaintCorrection(
        complaint=complaint, by=by, at=timezone.now(), reason=reason, changes=recorded
    )
    correction.full_clean()
    correction.save()
    _reweigh_signals(complaint, {old_purchase_id, complaint.purchase_id} - {None})
    rescore_customer(customer=complaint.customer)
    if old_customer.pk != complaint.customer_id:
        rescore_customer(customer=old_customer)
    if "category" in changed or "purchase" in changed:
        # As when it was recorded: the cluster it may now complete is looked for once committed.
        enqueue_on_commit(DETECT_CLUSTERS_TASK, args=[complaint.pk])
    complaint_corrected.send(sender=Complaint, complaint=complaint, correction=correction)
    return complaint


def _check_correction(by, complaint, changed, after):
    customer, purchase, category = after["customer"], after["purchase"], after["category"]
    if "customer" in changed:
        require_branch(by, customer.branch_id)
        if customer.is_erased:
            raise DomainError(_("This customer's data has been erased."), field="customer")
    if purchase is not None:
        if purchase.customer_id != customer.pk:
            raise DomainError(
                _("This purchase belongs to another customer: choose one of %(customer)s's.")
                % {"customer": customer},
                field="purchase",
            )
        require_branch(by, purchase.branch_id)
    if "category" in changed and not category.is_active:
        raise DomainError(_("Choose a category that is in use."), field="category")
    if after["nature"] not in Nature.values:
        raise DomainError(_("Choose the nature of the complaint."), field="nature")
    if after["severity"] not in Severity.values:
        raise DomainError(_("Choose the severity of the complaint."), field="severity")


def _set_deadlines(complaint):
    """The deadlines of the complaint's severity in its branch, from when it came in (the
    resolution from its last reopening); a deadline moved into the future may escalate again."""
    acknowledge_hours, resolve_days = deadlines_for(complaint.severity)
    reopened_at = (
        complaint.events.filter(
            from_status__in=[Status.RESOLVED, Status.CLOSED], to_status=Status.IN_PROGRESS
        )
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    complaint.acknowledge_due_at = add_working_hours(
        complaint.branch, complaint.received_at, acknowledge_hours
    )
    complaint.resolve_due_at = add_working_days(
        complaint.branch, reopened_at or complaint.received_at, resolve_days
    )
    now = timezone.now()
    if complaint.acknowledge_due_at > now:
        complaint.acknowledge_breach_escalated_at = None
    if complaint.resolve_due_at > now:
        complaint.resolve_breach_escalated_at = None


def _reweigh_signals(complaint, purchase_ids):
    """The complaint's signals belong to its customer and purchase again, with the dashboard's
    dimensions of now; the complaint signal weighs by the corrected severity and nature; the
    repeated-complaint signals of the purchases concerned are as recording would have made them."""
    DissonanceSignal.objects.filter(complaint=complaint).update(
        customer=complaint.customer,
        purchase=complaint.purchase,
        branch=complaint.branch,
        **signal_facts(complaint.customer, complaint.purchase),
    )
    DissonanceSignal.objects.filter(source_key=f"complaint:{complaint.pk}").update(
        weight=scoring.complaint_weight(complaint.severity, complaint.nature),
        summary=_complaint_summary(complaint)[:200],
    )
    _reconcile_repeated_complaints(complaint, purchase_ids)


def _reconcile_repeated_complaints(complaint, purchase_ids):
    """Each complaint on a purchase after the first is a repeat, counting those recorded before
    it: the signals that no longer hold go, missing ones are made, counts are brought up to date."""
    on_purchases = list(
        Complaint.objects.filter(purchase_id__in=purchase_ids)
        .select_related("customer", "purchase", "branch")
        .order_by("pk")
    )
    existing = {
        signal.complaint_id: signal
        for signal in DissonanceSignal.objects.filter(
            kind=Kind.REPEATED_COMPLAINT,
            complaint_id__in=[complaint.pk, *(other.pk for other in on_purchases)],
        )
    }
    earlier_by_purchase = {}
    wanted = {}
    for other in on_purchases:
        earlier = earlier_by_purchase.get(other.purchase_id, 0)
        if earlier:
            wanted[other.pk] = (other, earlier)
        earlier_by_purchase[other.purchase_id] = earlier + 1
    DissonanceSignal.objects.filter(
        pk__in=[signal.pk for pk, signal in existing.items() if pk not in wanted]
    ).delete()
    for pk, (other, earlier) in wanted.items():
        summary = _repeated_complaint_summary(earlier)
        signal = existing.get(pk)
        if signal is None:
            record_signal(
                customer=other.customer,
                purchase=other.purchase,
                branch=other.branch,
                kind=Kind.REPEATED_COMPLAINT,
                weight=scoring.weights()[Kind.REPEATED_COMPLAINT],
                occurred_at=other.received_at,
                summary=summary,
                summary_params={"count": earlier},
                source_key=f"repeated-complaint:{other.pk}",
                complaint=other,
            )
        elif signal.summary_params != {"count": earlier}:
            signal.summary, signal.summary_params = summary, {"count": earlier}
            signal.save(update_fields=["summary", "summary_params"])


def escalate_breached_complaints(*, now=None):
    """Tell the branch managers once about each missed acknowledgement or resolution deadline:
    rows are claimed with SKIP LOCKED and marked in the same transaction as the notification."""
    now = now or timezone.now()
    escalated = 0
    for field, due_field, statuses in (
        ("acknowledge_breach_escalated_at", "acknowledge_due_at", [Status.NEW]),
        ("resolve_breach_escalated_at", "resolve_due_at", OPEN_COMPLAINT_STATUSES),
    ):
        while True:
            with transaction.atomic():
                claimed = list(
                    Complaint.objects.select_for_update(skip_locked=True, of=("self",))
                    .filter(
                        status__in=statuses, **{f"{due_field}__lt": now, f"{field}__isnull": True}
                    )
                    .select_related("branch", "customer", "category")
                    .order_by(due_field)[:TICK_BATCH]
                )
                if not claimed:
                    break
                Complaint.objects.filter(pk__in=[c.pk for c in claimed]).update(**{field: now})
                for complaint in claimed:
                    _notify_breach(complaint, field)
                escalated += len(claimed)
    return escalated


def _notify_breach(complaint, field):
    for manager in _managers(complaint.branch):
        with translation.override(manager.language):
            what = (
                _("not acknowledged in time")
                if field == "acknowledge_breach_escalated_at"
                else _("not resolved in time")
            )
            core.notify(
                recipient=manager,
                kind="complaint_breach",
                subject=_("Complaint %(number)s %(what)s") % {"number": complaint.pk, "what": what},
                body=f"{complaint.customer}: {complaint.category} "
                f"({complaint.get_severity_display()})",
                link=complaint.get_absolute_url(),
                dedupe_key=(
                    f"complaint-breach:{field}:{complaint.pk}:"
                    f"{complaint.reopened_count}:{manager.pk}"
                ),
            )


# --- dissonance signals and scores ---------------------------------------------------------------


def dashboard_dimensions(customer, purchase):
    """(product category id, salesperson id) as the dissonance dashboard groups and filters by
    them: the purchase's main category, and whoever sold it, else the customer's responsible
    salesperson. Stored on signals and complaints so that the dashboard never joins purchases."""
    if purchase is None:
        return None, customer.salesperson_id
    return purchase.main_category_id, purchase.salesperson_id or customer.salesperson_id


def signal_facts(customer, purchase):
    """What a signal keeps of its customer and purchase for the dashboard, which never joins
    purchases: the dimensions (dashboard_dimensions) and the handover date."""
    category_id, salesperson_id = dashboard_dimensions(customer, purchase)
    return {
        "category_id": category_id,
        "salesperson_id": salesperson_id,
        "handover_date": purchase.handover_date if purchase is not None else None,
    }


def handover_moved(*, purchase):
    """A purchase's handover date changed: its signals keep the new one."""
    DissonanceSignal.objects.filter(purchase=purchase).update(handover_date=purchase.handover_date)


def record_signal(
    *,
    customer,
    branch,
    kind,
    weight,
    occurred_at,
    summary,
    source_key,
    purchase=None,
    complaint=None,
    followup=None,
    survey_response=None,
    summary_params=None,
):
    """Record one sign of doubt (once per source) and update the scores in the same transaction.

    Its words are written out when read from its kind's code (quality.texts.SIGNAL_CODES), the
    parameters and the rows it points to; `summary` is kept as their fallback."""
    try:
        with transaction.atomic():
            signal = DissonanceSignal.objects.create(
                customer=customer,
                purchase=purchase,
                branch=branch,
                **signal_facts(customer, purchase),
                kind=kind,
                weight=weight,
                occurred_at=occurred_at,
                summary=summary[:200],
                summary_code=quality_texts.SIGNAL_CODES[kind],
                summary_params=summary_params or {},
                source_key=source_key,
                complaint=complaint,
                followup=followup,
                survey_response=survey_response,
            )
    except IntegrityError:
        return None
    rescore_customer(customer=customer)
    return signal


@transaction.atomic
def rescore_customer(*, customer, now=None):
    """Recompute and store the customer's score and each purchase's; act when it rises to high."""
    now = now or timezone.now()
    customer = Customer.objects.select_for_update().get(pk=customer.pk)
    signals = list(DissonanceSignal.objects.filter(customer=customer))
    purchases = {
        purchase.pk: purchase
        for purchase in Purchase.objects.filter(customer=customer).select_related("main_category")
    }
    existing = {
        score.purchase_id: score for score in DissonanceScore.objects.filter(customer=customer)
    }
    contributions_by_purchase = {}
    all_contributions = []
    for signal in signals:
        purchase = purchases.get(signal.purchase_id)
        involvement = (
            purchase.main_category.involvement if purchase and purchase.main_category else None
        )
        item = scoring.contribution(
            signal,
            now=now,
            involvement=involvement,
            handover_date=purchase.handover_date if purchase else None,
        )
        all_contributions.append(item)
        if signal.purchase_id:
            contributions_by_purchase.setdefault(signal.purchase_id, []).append(item)
    for purchase_id, items in contributions_by_purchase.items():
        _store_score(customer, purchases[purchase_id], items, existing.get(purchase_id), now)
    for purchase_id, score_row in existing.items():
        # A purchase whose signals moved away (a corrected complaint) has nothing left to count.
        if purchase_id in purchases and purchase_id not in contributions_by_purchase:
            _store_score(customer, purchases[purchase_id], [], score_row, now)
    customer_score = _store_score(customer, None, all_contributions, existing.get(None), now)
    return customer_score


def _store_score(customer, purchase, contributions, score_row, now):
    score, reasons = scoring.score_of(contributions)
    level = scoring.level_for(score)
    if score_row is None:
        score_row = DissonanceScore(
            customer=customer,
            purchase=purchase,
            branch=purchase.branch if purchase else customer.branch,
            computed_at=now,
        )
    previous_level = score_row.level if score_row.pk else scoring.Level.LOW
    score_row.score, score_row.reasons, score_row.computed_at = score, reasons[:10], now
    if level != previous_level or not score_row.pk:
        score_row.level_changed_at = now
    score_row.level = level
    score_row.save()
    rose_to_risk = level in scoring.AT_RISK_LEVELS and previous_level not in scoring.AT_RISK_LEVELS
    if purchase is None and rose_to_risk:
        _start_recovery(score_row, now)
    return score_row


def _start_recovery(score_row, now):
    """Prevention, not just reporting: alert the branch manager and plan a personal recovery
    call within two working days, unless one is still open."""
    if (
        score_row.recovery_followup_id
        and FollowUp.objects.filter(
            pk=score_row.recovery_followup_id, status=FollowUp.Status.OPEN
        ).exists()
    ):
        return
    customer = score_row.customer
    branch = score_row.branch
    managers = _managers(branch)
    local_today = now.astimezone(branch.zone).date()
    calendar = WorkingCalendar(branch, local_today, local_today + timedelta(days=30))
    # Title and questions are written out when read (the questions from the complaints open
    # then); the words of now are their fallback.
    open_complaints = list(
        Complaint.objects.open()
        .filter(customer=customer)
        .select_related("category")
        .order_by("received_at", "pk")
    )
    followup = followup_services.schedule_followup(
        customer=customer,
        branch=branch,
        kind=StepKind.RECOVERY,
        title=_("Recovery call: %(customer)s") % {"customer": customer},
        instructions=quality_texts.recovery_instructions(
            customer, [quality_texts.complaint_summary(complaint) for complaint in open_complaints]
        ),
        title_code=quality_texts.RECOVERY_TITLE,
        instructions_code=quality_texts.RECOVERY_INSTRUCTIONS,
        due_date=calendar.add_working_days(local_today, RECOVERY_WITHIN_WORKING_DAYS),
        assignee=managers[0] if managers else None,
        assignee_role=AssigneeRole.MANAGER,
    )
    score_row.recovery_followup = followup
    score_row.save(update_fields=["recovery_followup"])
    top_signals = quality_texts.reason_signals(score_row.reasons[:3])
    for manager in managers:
        with translation.override(manager.language):
            core.notify(
                recipient=manager,
                kind="dissonance_alert",
                subject=_("%(customer)s is at risk (dissonance %(score)d)")
                % {"customer": customer, "score": score_row.score},
                body="; ".join(
                    quality_texts.reason_text(reason, top_signals)
                    for reason in score_row.reasons[:3]
                ),
                link=customer.get_absolute_url(),
                dedupe_key=f"dissonance-alert:{score_row.pk}:{followup.pk}:{manager.pk}",
            )


@transaction.atomic
def move_customer_records(*, survivor, duplicate):
    """Two records of one customer are merged: complaints and dissonance signals move to the
    survivor, whose score is then recomputed from all of them (the duplicate's own score goes)."""
    Complaint.objects.filter(customer=duplicate).update(customer=survivor)
    DissonanceSignal.objects.filter(customer=duplicate).update(customer=survivor)
    # Purchase scores follow their purchases (already moved); the customer score is rebuilt.
    DissonanceScore.objects.filter(customer=duplicate, purchase__isnull=False).update(
        customer=survivor
    )
    DissonanceScore.objects.filter(customer=duplicate).delete()
    rescore_customer(customer=survivor)


def recompute_scores(*, now=None, batch=TICK_BATCH):
    """Nightly: let old signals decay. Only customers with a score above zero can change."""
    now = now or timezone.now()
    customer_ids = list(
        DissonanceScore.objects.filter(purchase__isnull=True, score__gt=0).values_list(
            "customer_id", flat=True
        )
    )
    for start in range(0, len(customer_ids), batch):
        for customer in Customer.objects.filter(pk__in=customer_ids[start : start + batch]):
            rescore_customer(customer=customer, now=now)
    return len(customer_ids)


# --- receivers' services: signals from follow-ups and surveys ----------------------------------


def signal_from_followup(*, followup, outcome):
    """A follow-up that ended with a concern, or a buyer repeatedly not reached."""
    weights = scoring.weights()
    if outcome == FollowUp.Outcome.CONCERN:
        kind, summary = (
            Kind.FOLLOWUP_CONCERN,
            _("Concern in %(title)s: %(concern)s")
            % {
                "title": followup.title,
                "concern": followup.concern,
            },
        )
        key = f"concern:{followup.pk}"
    elif outcome == FollowUp.Outcome.NOT_REACHED and followup.attempts >= 2:
        kind = Kind.NOT_REACHED
        summary = ngettext(
            "Not reached %(count)d time: %(title)s",
            "Not reached %(count)d times: %(title)s",
            followup.attempts,
        ) % {"count": followup.attempts, "title": followup.title}
        key = f"not-reached:{followup.pk}"
    else:
        return None
    return record_signal(
        customer=followup.customer,
        purchase=followup.purchase,
        branch=followup.branch,
        kind=kind,
        weight=weights[kind],
        occurred_at=timezone.now(),
        summary=summary,
        # The attempts as they were then: later calls do not change what this signal says.
        summary_params={"count": followup.attempts} if kind == Kind.NOT_REACHED else None,
        source_key=key,
        followup=followup,
    )


def signal_from_missed_followup(*, followup):
    return record_signal(
        customer=followup.customer,
        purchase=followup.purchase,
        branch=followup.branch,
        kind=Kind.MISSED_FOLLOWUP,
        weight=scoring.weights()[Kind.MISSED_FOLLOWUP],
        occurred_at=followup.missed_at or timezone.now(),
        summary=_("Follow-up never made: %(title)s") % {"title": followup.title},
        source_key=f"missed:{followup.pk}",
        followup=followup,
    )


def signal_from_survey(*, response):
    if not response.is_low:
        return None
    invitation = response.invitation
    return record_signal(
        customer=invitation.customer,
        purchase=invitation.purchase,
        branch=invitation.branch,
        kind=Kind.LOW_SURVEY,
        weight=scoring.weights()[Kind.LOW_SURVEY],
        occurred_at=response.created_at,
        summary=_(
            "Low survey answer: NPS %(nps)d, purchase %(purchase)d/5, handover %(handover)d/5"
        )
        % {
            "nps": response.nps,
            "purchase": response.satisfaction_purchase,
            "handover": response.satisfaction_handover,
        },
        source_key=f"survey:{response.pk}",
        survey_response=response,
    )
