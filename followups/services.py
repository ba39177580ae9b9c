import logging
from collections import defaultdict
from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from aftersales import services as core
from aftersales.access import require_branch, sees_all_branches, works_in
from aftersales.bulk import insert_objects
from aftersales.errors import DomainError
from aftersales.models import Branch
from aftersales.roles import Role
from aftersales.translated import translated
from followups.calendar import WorkingCalendar, local_now, policy_for
from followups.models import (
    AssigneeRole,
    ContactEvent,
    FollowUp,
    Playbook,
    PlaybookStep,
    Purpose,
    SurveyInvitation,
)
from followups.signals import followup_completed, followup_missed

logger = logging.getLogger(__name__)

# Ticks handle at most this many rows per transaction, so locks stay short.
TICK_BATCH = 1000
DIGEST_LIST_LIMIT = 15


def _playbooks_for(categories):
    """{category id: playbook with its steps prefetched}, in two queries for any number."""
    categories = {category.pk: category for category in categories}
    own = {
        playbook.category_id: playbook
        for playbook in Playbook.objects.filter(
            category__in=categories, is_active=True
        ).prefetch_related("steps")
    }
    levels = {category.involvement for pk, category in categories.items() if pk not in own}
    fallbacks = {
        playbook.involvement: playbook
        for playbook in Playbook.objects.filter(
            category__isnull=True, involvement__in=levels, is_active=True
        ).prefetch_related("steps")
    }
    return {
        pk: own.get(pk) or fallbacks.get(category.involvement)
        for pk, category in categories.items()
        if own.get(pk) or fallbacks.get(category.involvement)
    }


def _anchor_date(step, purchase):
    if step.anchor == PlaybookStep.Anchor.WARRANTY_END:
        return purchase.warranty_end
    return purchase.handover_date


def _branch_staff(branch):
    """{role: [user, ...]} of the branch's active staff, in one query."""
    staff = defaultdict(list)
    users = (
        get_user_model()
        .objects.filter(
            is_active=True, branches=branch, groups__name__in=[Role.MANAGER, Role.SERVICE]
        )
        .prefetch_related("groups")
        .order_by("pk")
        .distinct()
    )
    for user in users:
        for role in user.role_names:
            staff[role].append(user)
    return staff


def _assignee(role, salesperson, staff):
    managers = staff.get(Role.MANAGER, [])
    manager = managers[0] if managers else None
    if role == AssigneeRole.SALESPERSON and salesperson is not None and salesperson.is_active:
        return salesperson
    if role == AssigneeRole.SERVICE and staff.get(Role.SERVICE):
        return staff[Role.SERVICE][0]
    # The manager covers for a missing salesperson or service team.
    return manager


def plan_followups(*, purchase):
    """Create the purchase's follow-ups from its playbook; safe to call any number of times.

    Nothing is planned before the handover (the care starts then). Steps whose date lies so far
    in the past that they would already count as missed (an imported old purchase) are skipped.
    """
    return plan_followups_for_many(purchases=[purchase])


@transaction.atomic
def plan_followups_for_many(*, purchases, new_purchases=False):
    """plan_followups for a batch (a CSV import): playbooks, policies, staff and calendars are
    looked up once per category and branch, and the follow-ups inserted in bulk.

    `new_purchases` (just created, so nothing planned yet) lets a large batch be written with
    PostgreSQL COPY instead of INSERT ... ON CONFLICT, several times faster."""
    purchases = [p for p in purchases if not p.is_cancelled and p.handover_date is not None]
    categories = {p.main_category_id: p.main_category for p in purchases if p.main_category_id}
    playbooks = _playbooks_for(categories.values()) if categories else {}
    purchases = [p for p in purchases if p.main_category_id in playbooks]
    if not purchases:
        return 0
    today = timezone.localdate()
    branches = {purchase.branch_id: purchase.branch for purchase in purchases}
    policies = {pk: policy_for(branch) for pk, branch in branches.items()}
    planned_by_branch = defaultdict(list)
    for purchase in purchases:
        oldest_useful = today - timedelta(days=policies[purchase.branch_id].missed_after_days)
        for step in playbooks[purchase.main_category_id].steps.all():
            anchor = _anchor_date(step, purchase)
            if anchor is None:
                continue
            day = anchor + timedelta(days=step.offset_days)
            if day >= oldest_useful:
                planned_by_branch[purchase.branch_id].append((purchase, step, day))
    salespeople = get_user_model().objects.in_bulk(
        {purchase.salesperson_id for purchase in purchases if purchase.salesperson_id}
    )
    rows = []
    for branch_id, planned in planned_by_branch.items():
        branch = branches[branch_id]
        days = [day for _purchase, _step, day in planned]
        calendar = WorkingCalendar(branch, min(days), max(days))
        staff = _branch_staff(branch)
        rows.extend(
            FollowUp(
                purchase=purchase,
                customer_id=purchase.customer_id,
                branch=branch,
                step=step,
                kind=step.kind,
                channel=step.channel,
                purpose=step.purpose,
                title_de=step.title_de,
                title_en=step.title_en,
                instructions_de=step.instructions_de,
                instructions_en=step.instructions_en,
                assignee_role=step.assignee_role,
                assignee=_assignee(
                    step.assignee_role, salespeople.get(purchase.salesperson_id), staff
                ),
                planned_date=day,
                due_date=calendar.on_or_after(day),
            )
            for purchase, step, day in planned
        )
    if new_purchases:
        insert_objects(FollowUp, rows, now=timezone.now())
        return len(rows)
    # The partial unique constraint (purchase, step) makes a repeated signal a no-op.
    created = FollowUp.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    return len(created)


@transaction.atomic
def move_followups(*, purchase):
    """After a new handover date (or warranty end): move the open planned follow-ups and plan
    the steps that had no date before."""
    if purchase.is_cancelled:
        return 0
    open_followups = list(
        FollowUp.objects.select_for_update()
        .filter(purchase=purchase, status=FollowUp.Status.OPEN, step__isnull=False)
        .select_related("step")
    )
    moved = []
    if purchase.handover_date is not None:
        days = []
        for followup in open_followups:
            anchor = _anchor_date(followup.step, purchase)
            if anchor is not None:
                days.append((followup, anchor + timedelta(days=followup.step.offset_days)))
        if days:
            calendar = WorkingCalendar(
                purchase.branch, min(day for _f, day in days), max(day for _f, day in days)
            )
            for followup, day in days:
                followup.planned_date, followup.due_date = day, calendar.on_or_after(day)
                moved.append(followup)
            FollowUp.objects.bulk_update(moved, ["planned_date", "due_date", "updated_at"])
    plan_followups(purchase=purchase)
    return len(moved)


@transaction.atomic
def cancel_followups(*, purchase):
    return FollowUp.objects.filter(purchase=purchase, status=FollowUp.Status.OPEN).update(
        status=FollowUp.Status.CANCELLED, updated_at=timezone.now()
    )


@transaction.atomic
def move_customer_records(*, survivor, duplicate):
    """Two records of one customer are merged: their follow-ups, contacts (which the contact
    policy counts) and survey invitations now belong to the survivor."""
    for model in (FollowUp, ContactEvent, SurveyInvitation):
        model.objects.filter(customer=duplicate).update(customer=survivor)


def _require_branch(user, branch_id):
    require_branch(
        user, branch_id, message=_("This follow-up belongs to a branch you do not work in.")
    )


def _locked_open(followup):
    followup = FollowUp.objects.select_for_update().select_related("branch").get(pk=followup.pk)
    if followup.status != FollowUp.Status.OPEN:
        raise DomainError(
            _("This follow-up is already %(status)s.") % {"status": followup.get_status_display()}
        )
    return followup


@transaction.atomic
def complete_followup(*, followup, by, outcome, satisfaction=None, notes="", concern=""):
    """Record how a contact went. "Not reached" tries again later, up to the branch's limit."""
    followup = _locked_open(followup)
    _require_branch(by, followup.branch_id)
    if outcome not in FollowUp.Outcome.values or outcome == FollowUp.Outcome.SENT:
        raise DomainError(_("Choose how the contact went."), field="outcome")
    if outcome == FollowUp.Outcome.CONCERN and not concern.strip():
        raise DomainError(_("Describe the customer's concern."), field="concern")
    if satisfaction is not None and not 1 <= satisfaction <= 5:
        raise DomainError(_("Satisfaction is from 1 to 5."), field="satisfaction")
    now = timezone.now()
    policy = policy_for(followup.branch)
    followup.attempts += 1
    followup.notes = "\n".join(part for part in (followup.notes, notes.strip()) if part)
    if outcome == FollowUp.Outcome.NOT_REACHED and followup.attempts < policy.max_attempts:
        today = timezone.localdate()
        calendar = WorkingCalendar(followup.branch, today, today + timedelta(days=31))
        followup.due_date = calendar.add_working_days(today, policy.retry_after_days)
        followup.outcome = outcome
        followup.save()
    elif outcome == FollowUp.Outcome.NOT_REACHED:
        followup.status = FollowUp.Status.MISSED
        followup.outcome = outcome
        followup.missed_at = now
        followup.save()
        followup_missed.send(sender=FollowUp, followup=followup)
    else:
        followup.status = FollowUp.Status.DONE
        followup.outcome = outcome
        followup.satisfaction = satisfaction
        followup.concern = concern.strip()
        followup.completed_at = now
        followup.completed_by = by
        followup.save()
        ContactEvent.objects.create(
            customer_id=followup.customer_id,
            purpose=followup.purpose,
            channel=followup.channel,
            happened_at=now,
            followup=followup,
            by=by,
        )
    followup_completed.send(sender=FollowUp, followup=followup, outcome=outcome, by=by)
    return followup


def can_hand_over(user, followup):
    """The assignee hands their own follow-up over; the branch's managers (and administrators)
    any of the branch's. No query beyond the user's cached roles and branches."""
    if followup.assignee_id is not None and followup.assignee_id == user.pk:
        return True
    leads = sees_all_branches(user) or user.has_role(Role.MANAGER)
    return leads and works_in(user, followup.branch_id)


@transaction.atomic
def reassign_followup(*, followup, to, by):
    followup = _locked_open(followup)
    _require_branch(by, followup.branch_id)
    if not can_hand_over(by, followup):
        raise DomainError(
            _("Only the person it is assigned to or a manager of the branch may hand it over.")
        )
    if not (to.is_active and to.branches.filter(pk=followup.branch_id).exists()):
        raise DomainError(_("Choose someone who works in this branch."), field="assignee")
    followup.assignee = to
    followup.save(update_fields=["assignee", "updated_at"])
    if to != by:
        with translation.override(to.language):
            core.notify(
                recipient=to,
                kind="followup_assigned",
                subject=_("Follow-up assigned to you: %(title)s") % {"title": followup.heading},
                body=_("%(by)s handed you this follow-up, due %(due)s.")
                % {"by": by, "due": date_format(followup.due_date, "SHORT_DATE_FORMAT")},
                link=followup.get_absolute_url(),
            )
    return followup


@transaction.atomic
def snooze_followup(*, followup, by, until, reason):
    followup = _locked_open(followup)
    _require_branch(by, followup.branch_id)
    if not reason.strip():
        raise DomainError(_("Say why the follow-up is put off."), field="reason")
    if until <= timezone.localdate():
        raise DomainError(_("Choose a day in the future."), field="until")
    calendar = WorkingCalendar(followup.branch, until, until + timedelta(days=31))
    followup.due_date = calendar.on_or_after(until)
    followup.snooze_reason = reason.strip()
    followup.save(update_fields=["due_date", "snooze_reason", "updated_at"])
    return followup


@transaction.atomic
def schedule_followup(
    *,
    customer,
    branch,
    kind,
    title,
    due_date,
    assignee,
    purchase=None,
    instructions="",
    purpose=Purpose.CARE,
    channel="phone",
    assignee_role=AssigneeRole.MANAGER,
    title_code="",
    instructions_code="",
    text_params=None,
):
    """A follow-up outside any playbook (a recovery call, a manual reminder). A generated title
    and instructions come as codes (aftersales.texts), written out when read; `title` and
    `instructions` are then their words as of now, kept as the fallback."""
    calendar = WorkingCalendar(branch, due_date, due_date + timedelta(days=31))
    followup = FollowUp(
        customer=customer,
        purchase=purchase,
        branch=branch,
        kind=kind,
        channel=channel,
        purpose=purpose,
        title=title,
        instructions=instructions,
        title_code=title_code,
        instructions_code=instructions_code,
        text_params=text_params or {},
        assignee_role=assignee_role,
        assignee=assignee,
        planned_date=due_date,
        due_date=calendar.on_or_after(due_date),
    )
    followup.full_clean()
    followup.save()
    if assignee is not None:
        _notify_assigned(assignee, [followup])
    return followup


def _notify_assigned(assignee, followups):
    """One notification for the follow-ups just given to the assignee, however many."""
    first = min(followups, key=lambda followup: (followup.due_date, followup.pk))
    with translation.override(assignee.language):
        due = date_format(first.due_date, "SHORT_DATE_FORMAT")
        if len(followups) == 1:
            subject = _("New follow-up: %(title)s") % {"title": first.heading}
            body = _("Due %(due)s for %(customer)s.") % {"due": due, "customer": first.customer}
            link = first.get_absolute_url()
        else:
            subject = ngettext(
                "%(count)d new follow-up: %(title)s",
                "%(count)d new follow-ups: %(title)s",
                len(followups),
            ) % {"count": len(followups), "title": first.heading}
            body = _("The first is due %(due)s.") % {"due": due}
            link = reverse("followups:inbox")
        core.notify(
            recipient=assignee, kind="followup_assigned", subject=subject, body=body, link=link
        )


@transaction.atomic
def schedule_followups_for_many(*, followups, now=None):
    """schedule_followup for many unsaved follow-ups outside any playbook (a campaign's calls):
    each due on the first working day of its branch from its planned date, written by COPY, and
    one notification per assignee instead of one per follow-up. The caller has checked the
    values (no full_clean runs) and the contact policy. Queries: a few per branch and assignee,
    however many follow-ups."""
    by_branch = defaultdict(list)
    for followup in followups:
        by_branch[followup.branch_id].append(followup)
    for branch_followups in by_branch.values():
        days = [followup.planned_date for followup in branch_followups]
        calendar = WorkingCalendar(
            branch_followups[0].branch, min(days), max(days) + timedelta(days=31)
        )
        for followup in branch_followups:
            followup.due_date = calendar.on_or_after(followup.planned_date)
    insert_objects(FollowUp, followups, now=now or timezone.now())
    by_assignee = defaultdict(list)
    for followup in followups:
        if followup.assignee is not None:
            by_assignee[followup.assignee].append(followup)
    for assignee, assigned in by_assignee.items():
        _notify_assigned(assignee, assigned)
    return followups


def _branches_with_local_dates(now):
    return [(branch, local_now(branch, now)) for branch in Branch.objects.filter(is_active=True)]


def send_daily_digests(*, now=None):
    """Once a day, after the branch's digest time, every assignee with follow-ups due today or
    overdue gets one digest. The dedupe key (user, local date) makes a second tick a no-op."""
    now = now or timezone.now()
    due_by_assignee = defaultdict(list)
    for branch, local in _branches_with_local_dates(now):
        if local.time() < policy_for(branch).digest_time:
            continue
        followups = (
            FollowUp.objects.filter(
                branch=branch,
                status=FollowUp.Status.OPEN,
                due_date__lte=local.date(),
                assignee__isnull=False,
            )
            .select_related("assignee", "customer")
            .order_by("due_date", "pk")
        )
        for followup in followups:
            due_by_assignee[(followup.assignee, local.date())].append(followup)
    sent = 0
    for (assignee, day), followups in due_by_assignee.items():
        with transaction.atomic(), translation.override(assignee.language):
            overdue = sum(followup.due_date < day for followup in followups)
            lines = [
                f"- {date_format(followup.due_date, 'SHORT_DATE_FORMAT')} {followup.heading}: "
                f"{followup.customer}"
                for followup in followups[:DIGEST_LIST_LIMIT]
            ]
            if len(followups) > DIGEST_LIST_LIMIT:
                lines.append(
                    _("… and %(count)d more") % {"count": len(followups) - DIGEST_LIST_LIMIT}
                )
            notification = core.notify(
                recipient=assignee,
                kind="followup_digest",
                subject=ngettext(
                    "%(count)d follow-up for today (%(overdue)d overdue)",
                    "%(count)d follow-ups for today (%(overdue)d overdue)",
                    len(followups),
                )
                % {"count": len(followups), "overdue": overdue},
                body="\n".join(lines),
                link=reverse("followups:inbox"),
                dedupe_key=f"followup-digest:{assignee.pk}:{day.isoformat()}",
            )
            sent += notification is not None
    return sent


def escalate_overdue_followups(*, now=None):
    """Tell the branch managers about follow-ups overdue longer than the branch allows, once per
    follow-up: rows are claimed with SKIP LOCKED and marked in the same transaction."""
    now = now or timezone.now()
    escalated = 0
    for branch, local in _branches_with_local_dates(now):
        cutoff = local.date() - timedelta(days=policy_for(branch).escalate_after_days)
        while True:
            with transaction.atomic():
                claimed = list(
                    FollowUp.objects.select_for_update(skip_locked=True, of=("self",))
                    .filter(
                        branch=branch,
                        status=FollowUp.Status.OPEN,
                        due_date__lt=cutoff,
                        escalated_at__isnull=True,
                    )
                    .select_related("customer", "assignee")
                    .order_by("due_date", "pk")[:TICK_BATCH]
                )
                if not claimed:
                    break
                FollowUp.objects.filter(pk__in=[followup.pk for followup in claimed]).update(
                    escalated_at=now
                )
                _notify_managers_of_escalation(branch, claimed)
                escalated += len(claimed)
    return escalated


def _escalation_recipients(branch):
    """The branch managers; the administrators when a branch has none, so nothing goes unsaid."""
    users = get_user_model().objects.filter(is_active=True)
    managers = list(users.filter(branches=branch, groups__name=Role.MANAGER))
    return managers or list(users.filter(groups__name=Role.ADMIN).distinct())


def _notify_managers_of_escalation(branch, followups):
    for manager in _escalation_recipients(branch):
        with translation.override(manager.language):
            lines = [
                f"- {date_format(followup.due_date, 'SHORT_DATE_FORMAT')} {followup.heading}: "
                f"{followup.customer}"
                f" ({followup.assignee or _('unassigned')})"
                for followup in followups[:DIGEST_LIST_LIMIT]
            ]
            core.notify(
                recipient=manager,
                kind="followup_escalation",
                subject=ngettext(
                    "%(count)d follow-up overdue in %(branch)s",
                    "%(count)d follow-ups overdue in %(branch)s",
                    len(followups),
                )
                % {"count": len(followups), "branch": branch},
                body="\n".join(lines),
                link=reverse("followups:team") + f"?branch={branch.pk}&overdue=1",
            )


def mark_missed_followups(*, now=None):
    """Follow-ups still open past the branch's deadline become missed, and say so."""
    now = now or timezone.now()
    missed = 0
    for branch, local in _branches_with_local_dates(now):
        cutoff = local.date() - timedelta(days=policy_for(branch).missed_after_days)
        while True:
            with transaction.atomic():
                claimed = list(
                    FollowUp.objects.select_for_update(skip_locked=True)
                    .filter(branch=branch, status=FollowUp.Status.OPEN, due_date__lt=cutoff)
                    .order_by("due_date", "pk")[:TICK_BATCH]
                )
                if not claimed:
                    break
                for followup in claimed:
                    followup.status = FollowUp.Status.MISSED
                    followup.missed_at = now
                FollowUp.objects.bulk_update(claimed, ["status", "missed_at"])
                for followup in claimed:
                    followup_missed.send(sender=FollowUp, followup=followup)
                missed += len(claimed)
    return missed


# A bare translatable field ("name") is the writer's language; its columns ("name_de") follow.
PLAYBOOK_FIELDS = ("name", *translated("name"), "category", "involvement", "is_active")
STEP_FIELDS = (
    "anchor",
    "offset_days",
    "kind",
    "channel",
    "assignee_role",
    "purpose",
    "title",
    "instructions",
    *translated("title", "instructions"),
)


def _domain_error(error, *, field=None, prefix=""):
    """The first message of a ValidationError as a DomainError naming the field it is about."""
    if hasattr(error, "error_dict"):
        name, errors = next(iter(error.error_dict.items()))
        message = errors[0].messages[0]
        field = field or (None if name == NON_FIELD_ERRORS else name)
    else:
        message = error.messages[0]
    return DomainError(f"{prefix}{message}", field=field)


@transaction.atomic
def save_playbook(*, by, playbook=None, data, steps):
    """Create a playbook (playbook=None) or change one, with its complete list of steps.

    `data` holds the playbook's fields; `steps` is the list of steps it has afterwards, each a
    dict of the step fields plus "pk" for a step that exists already. Existing steps missing from
    the list are deleted (their follow-ups stay, without the link to the step).
    """
    if not by.has_perm("followups.change_playbook") or (
        playbook is None and not by.has_perm("followups.add_playbook")
    ):
        raise DomainError(_("Only administrators edit playbooks."))
    if not steps:
        raise DomainError(_("A playbook needs at least one step."), field="steps")
    if playbook is None:
        playbook = Playbook()
    else:
        playbook = Playbook.objects.select_for_update().get(pk=playbook.pk)
    for name in PLAYBOOK_FIELDS:
        if name in data:
            setattr(playbook, name, data[name])
    try:
        playbook.full_clean()
    except ValidationError as error:
        raise _domain_error(error) from error
    playbook.save()

    existing = {step.pk: step for step in playbook.steps.all()}
    kept = []
    for number, values in enumerate(steps, start=1):
        pk = values.get("pk")
        if pk is not None and pk not in existing:
            raise DomainError(_("A step does not belong to this playbook."), field="steps")
        step = existing[pk] if pk is not None else PlaybookStep(playbook=playbook)
        for name in STEP_FIELDS:
            if name in values:
                setattr(step, name, values[name])
        try:
            step.full_clean()
        except ValidationError as error:
            prefix = _("Step %(number)d: ") % {"number": number}
            raise _domain_error(error, field="steps", prefix=prefix) from error
        kept.append(step)
    PlaybookStep.objects.filter(playbook=playbook).exclude(
        pk__in=[step.pk for step in kept if step.pk is not None]
    ).delete()
    for step in kept:
        step.save()
    return playbook
