"""Writes of quality audits: templates (versioned on the shared checklist), the plan, carrying an
audit out (save and resume, photos), submitting (scores and findings), signing off (locked),
the invoice and communication samples, findings, corrective actions (complete, verify, reopen),
root causes of complaints, and the reminder tick.

Versioning (quality.checklists.versioning): an audit keeps the version it was planned or started
with; editing a template whose current version an audit uses makes a new version.
"""

import random
from datetime import datetime, time, timedelta
from decimal import Decimal, InvalidOperation

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from aftersales import services as core
from aftersales.access import require_branch, require_perm, works_in
from aftersales.errors import DomainError, validated_save
from aftersales.models import OutgoingEmail
from aftersales.roles import Role
from aftersales.translated import columns_from, in_reading_order, set_texts
from customers.models import Customer
from followups.models import ContactEvent
from quality.audits.models import (
    DEFAULT_PASS_THRESHOLD,
    INVOICE_ERROR_FIELDS,
    REMINDER_DAYS_BEFORE,
    ActionStatus,
    Area,
    Audit,
    AuditAnswer,
    AuditItem,
    AuditPhoto,
    AuditSection,
    AuditStatus,
    AuditTemplate,
    AuditTemplateVersion,
    CommunicationSample,
    CorrectiveAction,
    Finding,
    FindingSeverity,
    InvoiceSample,
)
from quality.checklists import scoring, versioning
from quality.models import Complaint

Kind = AuditItem.Kind
TICK_BATCH = 200
ITEM_FIELDS = (
    *versioning.ITEM_TEXTS,
    "kind",
    "weight",
    "target_value",
    "unit",
    "higher_is_better",
    "is_critical",
)
MAX_COMMUNICATION_SAMPLE = 100
# The template's translatable fields (quality/translation.py).
TEMPLATE_TEXTS = ("name", "description")


def _users_with_role(role, branch_id):
    return list(
        get_user_model()
        .objects.filter(is_active=True, groups__name=role, branches=branch_id)
        .order_by("pk")
    )


def _notify(recipients, *, kind, key, subject, body, link):
    """One notification per recipient, in their language, once (the dedupe key)."""
    for recipient in {user.pk: user for user in recipients}.values():
        with translation.override(recipient.language):
            core.notify(
                recipient=recipient,
                kind=kind,
                subject=subject(),
                body=body(),
                link=link,
                dedupe_key=f"{key}:{recipient.pk}",
            )


# --- templates ------------------------------------------------------------------------------------


def _decimal(raw, field="sections"):
    if raw in (None, ""):
        return None
    try:
        return Decimal(str(raw))
    except InvalidOperation as error:
        raise DomainError(
            _("“%(value)s” is not a number.") % {"value": raw}, field=field
        ) from error


def structure_from(sections):
    """[{"title": ..., "items": [{"text", "kind", "weight", ...}]}] (forms, API, seeds) as the
    plain structure of quality.checklists.versioning, normalised: a target only for measured
    items, observations never critical. A text comes in its language columns ("title_de",
    "text_en") or bare ("text": the writer's language)."""
    structure = []
    for section in sections:
        items = []
        for raw in section.get("items", ()):
            kind = raw.get("kind") or Kind.YES_NO
            measured = kind == Kind.MEASURED
            items.append(
                {
                    **columns_from(raw, "text"),
                    "kind": kind,
                    "weight": raw.get("weight") if raw.get("weight") is not None else 1,
                    **columns_from(raw, "guidance"),
                    "target_value": _decimal(raw.get("target_value")) if measured else None,
                    "unit": (raw.get("unit") or "").strip() if measured else "",
                    "higher_is_better": bool(raw.get("higher_is_better")) and measured,
                    "is_critical": bool(raw.get("is_critical")) and kind != Kind.OBSERVATION,
                }
            )
        structure.append((columns_from(section, "title"), tuple(items)))
    return tuple(structure)


def _check_structure(structure):
    if not any(items for _title, items in structure):
        raise DomainError(_("An audit template needs at least one item."), field="sections")
    for titles, items in structure:
        if not titles["title_en"]:
            raise DomainError(_("Give every section a title in English."), field="sections")
        if not items:
            raise DomainError(
                _("The section “%(title)s” has no items.")
                % {"title": in_reading_order(titles, "title")},
                field="sections",
            )
        for item in items:
            if not item["text_en"]:
                raise DomainError(_("Every item needs its text in English."), field="sections")
            if item["kind"] not in Kind.values:
                raise DomainError(_("Choose a type for every item."), field="sections")
            if item["kind"] == Kind.MEASURED and not (item["target_value"] or 0) > 0:
                raise DomainError(
                    _("“%(text)s” is measured: give its target.")
                    % {"text": in_reading_order(item, "text")},
                    field="sections",
                )
    if not any(
        item["kind"] != Kind.OBSERVATION and item["weight"] > 0
        for _title, items in structure
        for item in items
    ):
        raise DomainError(
            _("An audit template needs at least one scored item (not only observations)."),
            field="sections",
        )


def _check_threshold(pass_threshold):
    if pass_threshold is None or not 0 <= pass_threshold <= 100:
        raise DomainError(
            _("The pass threshold is a percentage from 0 to 100."), field="pass_threshold"
        )


def _clean_item(item):
    try:
        item.full_clean(exclude=["section"])
    except ValidationError as error:
        raise DomainError(
            _("“%(text)s”: %(problem)s") % {"text": item.text, "problem": " ".join(error.messages)},
            field="sections",
        ) from error


def _write(version, structure):
    versioning.write_structure(
        version, structure, section_model=AuditSection, item_model=AuditItem, clean=_clean_item
    )


@transaction.atomic
def create_template(
    *,
    by,
    area,
    sections,
    name=None,
    description=None,
    pass_threshold=DEFAULT_PASS_THRESHOLD,
    **texts,
):
    """`name` and `description` are in the writer's language; `texts` holds the columns of either
    language ("name_de", "description_en"), as the side-by-side form sends them."""
    require_perm(by, "quality.add_audittemplate", _("You may not create audit templates."))
    if area not in Area.values:
        raise DomainError(_("Choose the business area."), field="area")
    structure = structure_from(sections)
    _check_structure(structure)
    _check_threshold(pass_threshold)
    template = AuditTemplate(area=area)
    set_texts(template, {"name": name, "description": description, **texts}, fields=TEMPLATE_TEXTS)
    template = validated_save(template)
    version = AuditTemplateVersion.objects.create(
        template=template, number=1, pass_threshold=pass_threshold, created_by=by
    )
    _write(version, structure)
    return template


@transaction.atomic
def update_template(
    *, template, by, sections, name=None, description=None, pass_threshold=None, **texts
):
    """Change a template: its items and threshold go into a new version when an audit uses the
    current one, so no audit changes; an unused current version is changed in place."""
    require_perm(by, "quality.change_audittemplate", _("You may not change audit templates."))
    template = AuditTemplate.objects.select_for_update().get(pk=template.pk)
    current = template.current_version()
    if pass_threshold is None:
        pass_threshold = current.pass_threshold if current else DEFAULT_PASS_THRESHOLD
    structure = structure_from(sections)
    _check_structure(structure)
    _check_threshold(pass_threshold)
    set_texts(template, {"name": name, "description": description, **texts}, fields=TEMPLATE_TEXTS)
    validated_save(template)
    if (
        current is not None
        and current.pass_threshold == pass_threshold
        and versioning.version_structure(current, items="items", fields=ITEM_FIELDS) == structure
    ):
        return template
    version = versioning.version_to_write(
        template,
        in_use=lambda version: version.audits.exists(),
        new_version=lambda number: AuditTemplateVersion(
            template=template, number=number, pass_threshold=pass_threshold, created_by=by
        ),
    )
    if version.pass_threshold != pass_threshold:
        version.pass_threshold = pass_threshold
        version.save(update_fields=["pass_threshold"])
    _write(version, structure)
    return template


def template_structure(version):
    """A version's structure as the input of create/update_template (forms, API)."""
    return [
        {**titles, "items": [dict(item) for item in items]}
        for titles, items in versioning.version_structure(
            version, items="items", fields=ITEM_FIELDS
        )
    ]


# --- the plan -----------------------------------------------------------------------------------


def _check_auditor(auditor, branch):
    if auditor is None:
        return
    if not (auditor.is_active and auditor.has_role(Role.QUALITY, Role.ADMIN)):
        raise DomainError(_("The auditor must be a quality manager."), field="auditor")
    if not works_in(auditor, branch.pk):
        raise DomainError(_("The auditor does not work in this branch."), field="auditor")


@transaction.atomic
def plan_audit(*, by, branch, template, due_on, auditor=None):
    """Put an audit of the template's area at the branch into the plan, due on a date."""
    require_perm(by, "quality.add_audit", _("You may not plan audits."))
    if by is not None:
        require_branch(by, branch.pk, field="branch")
    if not template.is_active:
        raise DomainError(_("This template is not active."), field="template")
    version = template.current_version()
    if version is None:
        raise DomainError(_("This template has no items yet."), field="template")
    _check_auditor(auditor, branch)
    return validated_save(
        Audit(
            branch=branch,
            template=template,
            version=version,
            area=template.area,
            due_on=due_on,
            auditor=auditor,
            created_by=by,
        ),
        validate_constraints=False,
    )


@transaction.atomic
def reschedule_audit(*, audit, by, due_on, auditor=None):
    require_perm(by, "quality.change_audit", _("You may not change the plan."))
    audit = _locked_audit(audit, by)
    if not audit.is_editable:
        raise DomainError(_("This audit is no longer open."))
    _check_auditor(auditor, audit.branch)
    audit.due_on, audit.auditor = due_on, auditor
    audit.reminder_sent_at = audit.due_notice_sent_at = None
    audit.save()
    return audit


@transaction.atomic
def cancel_audit(*, audit, by):
    require_perm(by, "quality.change_audit", _("You may not change the plan."))
    audit = _locked_audit(audit, by)
    if not audit.is_editable:
        raise DomainError(_("This audit is no longer open."))
    audit.status = AuditStatus.CANCELLED
    audit.save(update_fields=["status", "updated_at"])
    return audit


# --- carrying an audit out -----------------------------------------------------------------------


def _locked_audit(audit, by):
    audit = (
        Audit.objects.select_for_update(of=("self",))
        .select_related("branch", "template", "version")
        .get(pk=audit.pk)
    )
    if by is not None:
        require_branch(by, audit.branch_id)
    return audit


def _require_auditor(user):
    require_perm(user, "quality.change_audit", _("Only quality managers carry out audits."))


def version_items(version_id):
    return list(
        AuditItem.objects.filter(section__version_id=version_id)
        .select_related("section")
        .order_by("section__position", "section_id", "position", "pk")
    )


def _parse_answer(item, raw):
    """The stored values of one answer from the form's or the API's entries."""
    not_applicable = bool(raw.get("not_applicable")) and not item.is_critical
    values = {"met": None, "rating": None, "value": None}
    if not not_applicable:
        if item.kind == Kind.YES_NO:
            met = raw.get("met")
            if isinstance(met, str):
                met = {"yes": True, "true": True, "no": False, "false": False}.get(met.lower())
            values["met"] = met
        elif item.kind == Kind.SCALE:
            rating = raw.get("rating")
            if rating not in (None, ""):
                rating = int(rating)
                if not 1 <= rating <= 5:
                    raise DomainError(_("A score is 1 to 5."), field=f"item_{item.pk}")
                values["rating"] = rating
        elif item.kind == Kind.MEASURED:
            values["value"] = _decimal(raw.get("value"), field=f"item_{item.pk}")
    return {
        **values,
        "not_applicable": not_applicable,
        "note": (raw.get("note") or "").strip(),
    }


@transaction.atomic
def save_audit(*, audit, by, answers=None, notes=None, photos=None):
    """Save what the auditor entered so far (they can resume later): `answers` maps item id to
    {"met", "rating", "value", "not_applicable", "note"}, `photos` item id (or None) to uploads.
    The first save starts the audit; an audit still without answers moves to the template's
    current version."""
    _require_auditor(by)
    audit = _locked_audit(audit, by)
    if not audit.is_editable:
        raise DomainError(_("This audit was submitted and can no longer be changed."))
    if audit.status == AuditStatus.PLANNED:
        current = audit.template.current_version()
        if current and current.pk != audit.version_id and not audit.answers.exists():
            audit.version = current
        audit.status = AuditStatus.IN_PROGRESS
        audit.started_at = timezone.now()
        audit.auditor = audit.auditor or by
    if notes is not None:
        audit.notes = notes.strip()
    audit.save()
    items = {item.pk: item for item in version_items(audit.version_id)}
    for item_id, raw in (answers or {}).items():
        item = items.get(int(item_id))
        if item is None:
            raise DomainError(_("This item is not part of the audit."), field="answers")
        AuditAnswer.objects.update_or_create(
            audit=audit, item=item, defaults=_parse_answer(item, raw)
        )
    for item_id, uploads in (photos or {}).items():
        item = items.get(int(item_id)) if item_id is not None else None
        for upload in uploads:
            add_photo(audit=audit, item=item, upload=upload, by=by)
    return audit


def add_photo(*, audit, item, upload, by):
    return core.store_upload(
        AuditPhoto,
        upload,
        allowed_types=core.PHOTO_TYPES,
        field="photos",
        not_allowed=_("%(name)s is not a photo."),
        audit=audit,
        item=item,
        uploaded_by=by,
    )


class AuditIncomplete(DomainError):
    """Submitting needs an answer for every scored item: `errors` maps "item_<id>" to a message."""

    def __init__(self, errors):
        super().__init__(_("Answer every item (or mark it not applicable) before you submit."))
        self.errors = errors


def _missing(items, answers):
    errors = {}
    for item in items:
        if not item.is_scored:
            continue
        answer = answers.get(item.pk)
        given = answer is not None and (
            answer.not_applicable
            or {Kind.YES_NO: answer.met, Kind.SCALE: answer.rating, Kind.MEASURED: answer.value}[
                item.kind
            ]
            is not None
        )
        if not given:
            errors[f"item_{item.pk}"] = _("Answer this item.")
    return errors


def _finding_severity(item, points):
    if item.is_critical:
        return FindingSeverity.CRITICAL
    return FindingSeverity.MAJOR if points == 0 else FindingSeverity.MINOR


@transaction.atomic
def submit_audit(*, audit, by):
    """Score the audit on its version, make a finding of every failed item, and hand it to the
    quality manager for sign-off."""
    _require_auditor(by)
    audit = _locked_audit(audit, by)
    if not audit.is_editable:
        raise DomainError(_("This audit was submitted already."))
    items = version_items(audit.version_id)
    answers = {answer.item_id: answer for answer in audit.answers.all()}
    errors = _missing(items, answers)
    if errors:
        raise AuditIncomplete(errors)
    scores = scoring.score(items, answers)
    for item_id, points in scores.points.items():
        answer = answers.get(item_id)
        if answer is not None and answer.points != points:
            answer.points = points
            answer.save(update_fields=["points"])
    sections = AuditSection.objects.filter(version=audit.version_id).order_by("position", "pk")
    audit.score = scores.overall
    audit.section_scores = scoring.section_scores(sections, scores)
    audit.critical_failed = scores.critical_failed
    audit.passed = (
        scores.overall is not None
        and scores.overall >= audit.version.pass_threshold
        and not scores.critical_failed
    )
    audit.status = AuditStatus.SUBMITTED
    audit.submitted_at = timezone.now()
    audit.submitted_by = by
    audit.save()
    for item in items:
        points = scores.points.get(item.pk)
        if not scoring.failed(item, points):
            continue
        answer = answers[item.pk]
        Finding.objects.get_or_create(
            audit=audit,
            item=item,
            defaults={
                "branch_id": audit.branch_id,
                "area": audit.area,
                "severity": _finding_severity(item, points),
                "title_de": item.text_de,
                "title_en": item.text_en,
                "description": answer.note,
                "evidence": _evidence(item, answer),
                "created_by": by,
            },
        )
    return audit


def _evidence(item, answer):
    if item.kind == Kind.MEASURED:
        return _("Measured %(value)s %(unit)s against a target of %(target)s.") % {
            "value": answer.value,
            "unit": item.unit,
            "target": item.target_value,
        }
    if item.kind == Kind.SCALE:
        return _("Scored %(rating)d of 5.") % {"rating": answer.rating}
    return _("Failed.")


@transaction.atomic
def sign_off_audit(*, audit, by, note=""):
    """The quality manager's sign-off: the audit is locked afterwards."""
    require_perm(by, "quality.sign_off_audit", _("Only quality managers sign off audits."))
    audit = _locked_audit(audit, by)
    if audit.status != AuditStatus.SUBMITTED:
        raise DomainError(_("Only a submitted audit can be signed off."))
    audit.status = AuditStatus.SIGNED_OFF
    audit.signed_off_at = timezone.now()
    audit.signed_off_by = by
    if note.strip():
        audit.notes = "\n\n".join(part for part in (audit.notes, note.strip()) if part)
    audit.save()
    return audit


# --- samples ------------------------------------------------------------------------------------


def _sampling(audit, by, area):
    _require_auditor(by)
    audit = _locked_audit(audit, by)
    if audit.area != area:
        raise DomainError(_("This audit does not take samples of this kind."))
    if not audit.is_editable:
        raise DomainError(_("This audit was submitted and can no longer be changed."))
    return audit


@transaction.atomic
def add_invoice_sample(
    *,
    audit,
    by,
    number,
    invoice_date,
    amount,
    clarity,
    errors=(),
    purchase=None,
    note="",
):
    """Record one sampled invoice with the errors found (InvoiceErrorKind values)."""
    audit = _sampling(audit, by, Area.INVOICING)
    if purchase is not None and purchase.branch_id != audit.branch_id:
        raise DomainError(_("This purchase belongs to another branch."), field="purchase")
    unknown = set(errors) - set(INVOICE_ERROR_FIELDS)
    if unknown:
        raise DomainError(_("Unknown error type."), field="errors")
    number = (number or "").strip()
    if InvoiceSample.objects.filter(audit=audit, number=number).exists():
        raise DomainError(_("This invoice is in the sample already."), field="number")
    sample = InvoiceSample(
        audit=audit,
        number=number,
        invoice_date=invoice_date,
        amount=amount,
        purchase=purchase,
        clarity=clarity,
        note=note.strip(),
        **{name: kind in set(errors) for kind, name in INVOICE_ERROR_FIELDS.items()},
    )
    _start(audit, by)
    return validated_save(sample, validate_constraints=False)


def _start(audit, by):
    if audit.status == AuditStatus.PLANNED:
        audit.status = AuditStatus.IN_PROGRESS
        audit.started_at = timezone.now()
        audit.auditor = audit.auditor or by
        audit.save()


@transaction.atomic
def remove_invoice_sample(*, sample, by):
    _sampling(sample.audit, by, Area.INVOICING)
    sample.delete()


def communication_candidates(audit, *, start, end):
    """What the system sent to the branch's customers in [start, end] (local dates): the
    e-mails of the outbox that went to a customer (not staff notifications) and the logged
    contacts; never anything of an erased customer. Each as (source, id)."""
    zone = audit.branch.zone
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    customers = Customer.objects.filter(branch=audit.branch_id, erased_at__isnull=True)
    emails = (
        OutgoingEmail.objects.filter(
            created_at__gte=since,
            created_at__lt=until,
            notification__isnull=True,
            to_address__in=customers.exclude(email="").values("email"),
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    contacts = (
        ContactEvent.objects.filter(
            happened_at__gte=since, happened_at__lt=until, customer__in=customers
        )
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    return [("email", pk) for pk in emails] + [("contact", pk) for pk in contacts]


@transaction.atomic
def draw_communication_sample(*, audit, by, start, end, size, seed=None):
    """Draw `size` of the e-mails and contacts sent to the branch's customers in the period at
    random (the same seed draws the same sample) for the auditor to rate; returns the new
    samples. Drawing again adds to the sample what it does not have yet."""
    audit = _sampling(audit, by, Area.COMMUNICATION)
    if end < start:
        raise DomainError(_("The period ends before it starts."), field="end")
    if not 1 <= size <= MAX_COMMUNICATION_SAMPLE:
        raise DomainError(
            _("Draw 1 to %(max)d at a time.") % {"max": MAX_COMMUNICATION_SAMPLE}, field="size"
        )
    taken = set(
        audit.communication_samples.filter(email__isnull=False).values_list("email_id", flat=True)
    )
    taken_contacts = set(
        audit.communication_samples.filter(contact__isnull=False).values_list(
            "contact_id", flat=True
        )
    )
    candidates = [
        (source, pk)
        for source, pk in communication_candidates(audit, start=start, end=end)
        if pk not in (taken if source == "email" else taken_contacts)
    ]
    drawn = random.Random(seed).sample(candidates, min(size, len(candidates)))  # noqa: S311
    email_ids = [pk for source, pk in drawn if source == "email"]
    contact_ids = [pk for source, pk in drawn if source == "contact"]
    emails = {email.pk: email for email in OutgoingEmail.objects.filter(pk__in=email_ids)}
    customers_by_email = {
        customer.email: customer
        for customer in Customer.objects.filter(
            branch=audit.branch_id,
            erased_at__isnull=True,
            email__in={email.to_address for email in emails.values()},
        ).order_by("-pk")
    }
    contacts = {
        contact.pk: contact
        for contact in ContactEvent.objects.filter(pk__in=contact_ids).select_related("customer")
    }
    rows = []
    for source, pk in drawn:
        if source == "email":
            email = emails[pk]
            rows.append(
                CommunicationSample(
                    audit=audit,
                    source=CommunicationSample.Source.EMAIL,
                    email=email,
                    customer=customers_by_email[email.to_address],
                    sent_at=email.sent_at or email.created_at,
                    summary=email.subject[:200],
                )
            )
        else:
            contact = contacts[pk]
            rows.append(
                CommunicationSample(
                    audit=audit,
                    source=CommunicationSample.Source.CONTACT,
                    contact=contact,
                    customer=contact.customer,
                    sent_at=contact.happened_at,
                    summary=(
                        f"{contact.get_purpose_display()}, {contact.get_channel_display()}"
                        + (f": {contact.note}" if contact.note else "")
                    )[:200],
                )
            )
    _start(audit, by)
    return CommunicationSample.objects.bulk_create(rows)


@transaction.atomic
def rate_communication_sample(*, sample, by, correctness, clarity, tone, timeliness, note=""):
    _sampling(sample.audit, by, Area.COMMUNICATION)
    ratings = {
        "correctness": correctness,
        "clarity": clarity,
        "tone": tone,
        "timeliness": timeliness,
    }
    for name, value in ratings.items():
        if value is None or not 1 <= int(value) <= 5:
            raise DomainError(_("Rate from 1 to 5."), field=name)
        setattr(sample, name, int(value))
    sample.note = note.strip()
    sample.save()
    return sample


# --- findings and corrective actions -------------------------------------------------------------


@transaction.atomic
def record_finding(
    *,
    by,
    branch,
    area,
    title,
    severity=FindingSeverity.MAJOR,
    description="",
    evidence="",
    audit=None,
):
    require_perm(by, "quality.add_finding", _("You may not record findings."))
    require_branch(by, branch.pk, field="branch")
    if audit is not None and audit.branch_id != branch.pk:
        raise DomainError(_("This audit was at another branch."), field="audit")
    if not title.strip():
        raise DomainError(_("Say what was found."), field="title")
    return validated_save(
        Finding(
            audit=audit,
            branch=branch,
            area=area,
            severity=severity,
            title=title.strip(),
            description=description.strip(),
            evidence=evidence.strip(),
            created_by=by,
        ),
        validate_constraints=False,
    )


def _locked_action(action):
    return (
        CorrectiveAction.objects.select_for_update(of=("self",))
        .select_related("finding", "finding__branch", "owner")
        .get(pk=action.pk)
    )


def _action_link(action):
    return action.get_absolute_url()


@transaction.atomic
def add_corrective_action(*, finding, by, owner, description, due_on):
    """Give a finding a corrective action: who does what by when. The owner is told."""
    require_perm(
        by, "quality.add_correctiveaction", _("Only quality managers assign corrective actions.")
    )
    require_branch(by, finding.branch_id)
    if not finding.is_open:
        raise DomainError(_("This finding is closed."))
    if not description.strip():
        raise DomainError(_("Say what is to be done."), field="description")
    if not (owner.is_active and works_in(owner, finding.branch_id)):
        raise DomainError(_("Choose an owner who works in this branch."), field="owner")
    if due_on < timezone.localdate():
        raise DomainError(_("The due date is in the past."), field="due_on")
    action = CorrectiveAction.objects.create(
        finding=finding, owner=owner, description=description.strip(), due_on=due_on, created_by=by
    )
    _notify(
        [owner],
        kind="corrective_action_assigned",
        key=f"action-assigned:{action.pk}",
        subject=lambda: _("Corrective action for you: %(finding)s") % {"finding": finding},
        body=lambda: (
            _("Due %(date)s: %(what)s")
            % {"date": date_format(due_on, "SHORT_DATE_FORMAT"), "what": action.description}
        ),
        link=_action_link(action),
    )
    return action


def may_complete(user, action):
    return action.owner_id == user.pk or (
        user.has_perm("quality.verify_correctiveaction")
        and works_in(user, action.finding.branch_id)
    )


@transaction.atomic
def complete_action(*, action, by, note):
    """The owner says it is done, with the evidence; the quality managers verify it."""
    action = _locked_action(action)
    if not may_complete(by, action):
        raise DomainError(_("Only the action's owner can complete it."))
    if action.status != ActionStatus.OPEN:
        raise DomainError(_("This action is not open."))
    if not note.strip():
        raise DomainError(_("Describe what was done (the evidence)."), field="note")
    action.status = ActionStatus.COMPLETED
    action.completion_note = note.strip()
    action.completed_at = timezone.now()
    action.save()
    _notify(
        _users_with_role(Role.QUALITY, action.finding.branch_id),
        kind="corrective_action_completed",
        key=f"action-completed:{action.pk}:{action.reopened_count}",
        subject=lambda: _("To verify: %(action)s") % {"action": action},
        body=lambda: (
            _("%(owner)s completed it: %(note)s")
            % {"owner": action.owner, "note": action.completion_note}
        ),
        link=_action_link(action),
    )
    return action


def _require_verifier(by, action):
    require_perm(
        by, "quality.verify_correctiveaction", _("Only quality managers verify corrective actions.")
    )
    require_branch(by, action.finding.branch_id)


@transaction.atomic
def verify_action(*, action, by, note=""):
    """The quality manager confirms it worked; a finding whose actions are all verified closes."""
    action = _locked_action(action)
    _require_verifier(by, action)
    if action.status != ActionStatus.COMPLETED:
        raise DomainError(_("Only a completed action can be verified."))
    action.status = ActionStatus.VERIFIED
    action.verified_at = timezone.now()
    action.verified_by = by
    action.verification_note = note.strip()
    action.save()
    finding = Finding.objects.select_for_update().get(pk=action.finding_id)
    if not finding.actions.exclude(status=ActionStatus.VERIFIED).exists():
        finding.status = Finding.Status.CLOSED
        finding.closed_at = timezone.now()
        finding.save(update_fields=["status", "closed_at"])
    return action


@transaction.atomic
def reopen_action(*, action, by, note, due_on=None):
    """Verification failed: back to the owner, with the reason and perhaps a new due date; the
    reminders start again."""
    action = _locked_action(action)
    _require_verifier(by, action)
    if action.status == ActionStatus.OPEN:
        raise DomainError(_("This action is open already."))
    if not note.strip():
        raise DomainError(_("Say why it is reopened."), field="note")
    if due_on is not None and due_on < timezone.localdate():
        raise DomainError(_("The due date is in the past."), field="due_on")
    action.status = ActionStatus.OPEN
    action.verification_note = note.strip()
    action.verified_at = None
    action.verified_by = None
    action.completed_at = None
    action.reopened_count += 1
    action.due_on = due_on or action.due_on
    action.reminder_sent_at = action.due_notice_sent_at = action.escalated_at = None
    action.save()
    Finding.objects.filter(pk=action.finding_id).update(status=Finding.Status.OPEN, closed_at=None)
    _notify(
        [action.owner],
        kind="corrective_action_reopened",
        key=f"action-reopened:{action.pk}:{action.reopened_count}",
        subject=lambda: _("Corrective action reopened: %(action)s") % {"action": action},
        body=lambda: note.strip(),
        link=_action_link(action),
    )
    return action


@transaction.atomic
def link_root_cause(*, complaint, finding, by):
    """Name a finding as the root cause of a complaint (None removes the link)."""
    require_perm(by, "quality.change_finding", _("Only quality managers link root causes."))
    require_branch(by, complaint.branch_id)
    if finding is not None:
        require_branch(by, finding.branch_id)
    Complaint.objects.filter(pk=complaint.pk).update(root_cause=finding)
    complaint.root_cause = finding
    return complaint


# --- the reminder tick ---------------------------------------------------------------------------


def _action_batch(condition, marker):
    return list(
        CorrectiveAction.objects.filter(condition, status=ActionStatus.OPEN, **{marker: None})
        .select_for_update(of=("self",), skip_locked=True)
        .select_related("owner", "finding", "finding__branch")
        .order_by("due_on", "pk")[:TICK_BATCH]
    )


def _managers_by_branch(branch_ids):
    """The managers of the batch's branches, in one query."""
    managers = {}
    users = (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.MANAGER, branches__in=set(branch_ids))
        .annotate(branch_id=F("branches"))
        .order_by("pk")
    )
    for user in users:
        managers.setdefault(user.branch_id, []).append(user)
    return managers


def _reminder_texts(action, stage):
    """(subject, body) of a reminder, in the active language."""
    date = date_format(action.due_on, "SHORT_DATE_FORMAT")
    if stage == "escalation":
        return (
            _("Overdue corrective action: %(action)s") % {"action": action},
            _("%(owner)s was to complete it by %(date)s.") % {"owner": action.owner, "date": date},
        )
    if stage == "reminder":
        return _("Corrective action due on %(date)s") % {"date": date}, action.description
    return _("Corrective action due today"), action.description


REMINDER_MARKERS = {
    "escalation": "escalated_at",
    "due": "due_notice_sent_at",
    "reminder": "reminder_sent_at",
}


def _remind(action, *, stage, now, managers):
    if stage == "escalation":
        recipients = managers.get(action.finding.branch_id, []) or [action.owner]
    else:
        recipients = [action.owner]
    _notify(
        recipients,
        kind=f"corrective_action_{stage}",
        key=f"action-{stage}:{action.pk}:{action.reopened_count}",
        subject=lambda: _reminder_texts(action, stage)[0],
        body=lambda: _reminder_texts(action, stage)[1],
        link=_action_link(action),
    )
    setattr(action, REMINDER_MARKERS[stage], now)
    if stage == "due":
        # The day's notice makes the earlier reminder pointless.
        action.reminder_sent_at = action.reminder_sent_at or now
    action.save(update_fields=["reminder_sent_at", "due_notice_sent_at", "escalated_at"])


def send_action_reminders(*, now=None):
    """Remind each open corrective action's owner REMINDER_DAYS_BEFORE days before and on its due
    date, and escalate it to the branch's managers once it is overdue; each once per round (the
    marker is set in the transaction that writes the notifications, rows are claimed with SKIP
    LOCKED, the notifications carry dedupe keys). Returns how many went out."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    stages = [
        ("escalation", Q(due_on__lt=today), "escalated_at"),
        ("due", Q(due_on__lte=today), "due_notice_sent_at"),
        (
            "reminder",
            Q(due_on__gt=today, due_on__lte=today + timedelta(days=REMINDER_DAYS_BEFORE)),
            "reminder_sent_at",
        ),
    ]
    sent = 0
    for stage, condition, marker in stages:
        while True:
            with transaction.atomic():
                batch = _action_batch(condition, marker)
                managers = (
                    _managers_by_branch(action.finding.branch_id for action in batch)
                    if stage == "escalation" and batch
                    else {}
                )
                for action in batch:
                    _remind(action, stage=stage, now=now, managers=managers)
            sent += len(batch)
            if len(batch) < TICK_BATCH:
                break
    return sent


def send_audit_reminders(*, now=None):
    """Remind the auditor (the branch's quality managers when none is set) of a planned audit
    REMINDER_DAYS_BEFORE days before and on its due date; each once."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    sent = 0
    stages = [
        ("due", Q(due_on__lte=today), "due_notice_sent_at"),
        (
            "reminder",
            Q(due_on__gt=today, due_on__lte=today + timedelta(days=REMINDER_DAYS_BEFORE)),
            "reminder_sent_at",
        ),
    ]
    for stage, condition, marker in stages:
        while True:
            with transaction.atomic():
                batch = list(
                    Audit.objects.open()
                    .filter(condition, **{marker: None})
                    .select_for_update(of=("self",), skip_locked=True)
                    .select_related("auditor", "branch", "template")
                    .order_by("due_on", "pk")[:TICK_BATCH]
                )
                for audit in batch:
                    date = date_format(audit.due_on, "SHORT_DATE_FORMAT")
                    recipients = [audit.auditor] if audit.auditor_id else []
                    recipients = recipients or _users_with_role(Role.QUALITY, audit.branch_id)
                    _notify(
                        recipients,
                        kind=f"audit_{stage}",
                        key=f"audit-{stage}:{audit.pk}:{audit.due_on.isoformat()}",
                        subject=lambda audit=audit, date=date: (
                            _("Audit due on %(date)s: %(audit)s") % {"date": date, "audit": audit}
                        ),
                        body=lambda audit=audit: audit.template.name,
                        link=audit.get_absolute_url(),
                    )
                    setattr(audit, marker, now)
                    if stage == "due":
                        audit.reminder_sent_at = audit.reminder_sent_at or now
                    audit.save(update_fields=["reminder_sent_at", "due_notice_sent_at"])
            sent += len(batch)
            if len(batch) < TICK_BATCH:
                break
    return sent
