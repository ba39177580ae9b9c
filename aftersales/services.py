import logging
import smtplib
import threading
import time
from contextlib import contextmanager, suppress
from datetime import timedelta
from email.utils import format_datetime

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.mail import EmailMessage, get_connection
from django.db import (
    DatabaseError,
    IntegrityError,
    InterfaceError,
    OperationalError,
    connection,
    connections,
    transaction,
)
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from aftersales.celery import enqueue_on_commit
from aftersales.errors import DomainError, validated_save
from aftersales.models import Branch, Notification, OutgoingEmail, User
from aftersales.roles import BRANCH_ROLES, Role

logger = logging.getLogger(__name__)

EMAIL_MAX_ATTEMPTS = 5
# A claim holds this long. The sender renews it every LEASE_RENEWAL while it talks to the mail
# server, so only the claim of a worker that died runs out; the tick (every 20 s) then takes it
# over: an e-mail whose worker was killed is at most about a minute late.
CLAIM_LEASE = timedelta(seconds=30)
LEASE_RENEWAL = CLAIM_LEASE / 3
# An e-mail the mail server accepted must be marked sent, or it goes out again: through a
# database restart, the update is retried (on a fresh connection) for this long.
MARK_SENT_RETRY_SECONDS = 20
DELIVER_TASK = "aftersales.tasks.deliver_email"

BRANCH_FIELDS = (
    "name",
    "code",
    "street",
    "postcode",
    "city",
    "country",
    "time_zone",
    "holiday_region",
    "is_active",
)


@transaction.atomic
def create_branch(*, by, **fields):
    _require_administrator(by)
    branch = Branch(**{name: value for name, value in fields.items() if name in BRANCH_FIELDS})
    return validated_save(branch)


@transaction.atomic
def update_branch(*, branch, by, **fields):
    _require_administrator(by)
    for name, value in fields.items():
        if name in BRANCH_FIELDS:
            setattr(branch, name, value)
    return validated_save(branch)


def _require_administrator(user):
    if not user.is_administrator:
        raise DomainError(_("Only administrators may manage branches and users."))


def _check_roles_and_branches(roles, branches):
    roles = set(roles)
    if not roles:
        raise DomainError(_("Give the user at least one role."), field="roles")
    if roles & BRANCH_ROLES and not branches:
        raise DomainError(
            _("Sales, service, manager and quality staff must work in at least one branch."),
            field="branches",
        )


@transaction.atomic
def create_user(
    *,
    by,
    username,
    password,
    roles,
    branches,
    first_name="",
    last_name="",
    email="",
    phone="",
    language="en",
):
    _require_administrator(by)
    _check_roles_and_branches(roles, branches)
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("This username is already taken."), field="username")
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        phone=phone,
        language=language,
    )
    user.set_password(password)
    _apply_roles(user, roles)
    validated_save(user)
    user.branches.set(branches)
    user.groups.set(Group.objects.filter(name__in=roles))
    return user


@transaction.atomic
def update_user(
    *,
    user,
    by,
    roles,
    branches,
    first_name,
    last_name,
    email,
    phone="",
    language="en",
    is_active=True,
):
    _require_administrator(by)
    _check_roles_and_branches(roles, branches)
    if user == by and not is_active:
        raise DomainError(_("You cannot deactivate your own account."), field="is_active")
    if user == by and Role.ADMIN not in roles and not by.is_superuser:
        raise DomainError(_("You cannot take the administrator role from yourself."), field="roles")
    user.first_name, user.last_name, user.email, user.phone = first_name, last_name, email, phone
    user.language = language
    user.is_active = is_active
    _apply_roles(user, roles)
    validated_save(user)
    user.branches.set(branches)
    user.groups.set(Group.objects.filter(name__in=roles))
    return user


@transaction.atomic
def set_user_language(*, user, language):
    """The language a person chose for themselves: their notifications and e-mails are written
    in it."""
    if language not in dict(settings.LANGUAGES):
        raise DomainError(_("Choose one of the offered languages."), field="language")
    user.language = language
    user.save(update_fields=["language"])
    return user


def _apply_roles(user, roles):
    # Administrators use the Django admin as well; nobody else gets into it.
    user.is_staff = Role.ADMIN in set(roles) or user.is_superuser


def queue_email(*, to, subject, body, dedupe_key=None):
    """Put one e-mail into the outbox, inside the caller's transaction; it is sent after commit.

    Returns None when an e-mail with the same dedupe_key exists already (a job that runs twice
    sends once). If the enqueued message is lost, the delivery tick finds the row anyway.
    """
    try:
        with transaction.atomic():
            email = OutgoingEmail.objects.create(
                to_address=to, subject=subject[:200], body=body, dedupe_key=dedupe_key
            )
    except IntegrityError:
        if dedupe_key and OutgoingEmail.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise
    # By name, so that services never import the tasks module that imports them. A broker that
    # cannot be reached costs the caller at most ON_COMMIT_PUBLISH_TIMEOUT; the tick delivers.
    enqueue_on_commit(DELIVER_TASK, args=[email.pk])
    return email


def notify(*, recipient, kind, subject, body="", link="", dedupe_key=None, email=True):
    """Write one in-app notification, and its e-mail if the recipient has an address.

    Write subject and body in the recipient's language (`translation.override(recipient.language)`).
    Returns None when one with the same dedupe_key exists already.
    """
    try:
        with transaction.atomic():
            notification = Notification.objects.create(
                recipient=recipient,
                kind=kind,
                subject=subject[:200],
                body=body,
                link=link,
                dedupe_key=dedupe_key,
            )
    except IntegrityError:
        if dedupe_key and Notification.objects.filter(dedupe_key=dedupe_key).exists():
            return None
        raise
    if email and recipient.email:
        notification.email = queue_email(
            to=recipient.email,
            subject=notification.subject,
            body=_email_text(body, link),
            dedupe_key=f"notification:{notification.pk}",
        )
        notification.save(update_fields=["email"])
    return notification


def _email_text(body, link):
    if not link:
        return body
    return f"{body}\n\n{settings.SITE_URL.rstrip('/')}{link}"


def deliver_email(*, email_id):
    """Send one outbox e-mail. Returns True when this call sent it.

    The attempt is recorded before the SMTP conversation: a conditional update claims the row
    (pending → sending, attempts + 1, a lease), so a retried, duplicated or re-scanned task does
    nothing while another holds it. The row is marked sent right after the mail server accepted
    the message, on the same database connection with nothing in between (the SMTP connection is
    closed afterwards). Every attempt carries the row's Message-ID.

    So an e-mail is sent at most once per claim, and a second time only when its sender died (or
    its database went away for longer than MARK_SENT_RETRY_SECONDS) between the server's
    acceptance and that update, or when the acceptance itself was lost on the way: then the
    claim's lease runs out, the tick sends it again, and the repeat has the same Message-ID, by
    which mail servers and clients recognise it.
    """
    now = timezone.now()
    claimed = OutgoingEmail.objects.filter(pk=email_id, state=OutgoingEmail.State.PENDING).update(
        state=OutgoingEmail.State.SENDING,
        claimed_at=now,
        lease_until=now + CLAIM_LEASE,
        attempts=F("attempts") + 1,
    )
    if claimed != 1:
        return False
    email = OutgoingEmail.objects.get(pk=email_id)
    if email.attempts > 1:
        logger.info(
            "E-mail %s: attempt %s, with the Message-ID of the first, %s.",
            email_id,
            email.attempts,
            email.message_id,
        )
    backend = get_connection(fail_silently=False)
    with _renewed_lease(email_id):
        try:
            message = _email_message(email)
            backend.open()
            accepted = backend.send_messages([message])
            if accepted != 1:
                raise smtplib.SMTPRecipientsRefused({email.to_address: (550, b"not accepted")})
        except (smtplib.SMTPException, OSError, ValueError) as error:
            _close_quietly(backend)
            _attempt_failed(email, error)
            return False
        _mark_sent(email_id)
    _close_quietly(backend)
    return True


def _email_message(email):
    """The e-mail as every attempt sends it: same Message-ID, and the date the row was written
    (so that a resend is the same message, not a newer one)."""
    return EmailMessage(
        subject=email.subject,
        body=email.body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[email.to_address],
        headers={"Message-ID": email.message_id, "Date": format_datetime(email.created_at)},
    )


def _mark_sent(email_id):
    deadline = time.monotonic() + MARK_SENT_RETRY_SECONDS
    while True:
        try:
            OutgoingEmail.objects.filter(pk=email_id).update(
                state=OutgoingEmail.State.SENT, sent_at=timezone.now(), lease_until=None, error=""
            )
            return
        except (OperationalError, InterfaceError) as error:
            if connection.in_atomic_block or time.monotonic() >= deadline:
                raise
            logger.warning("E-mail %s sent, but not yet marked so (%s); retrying.", email_id, error)
            connection.close()
            time.sleep(0.5)


def _attempt_failed(email, error):
    gave_up = email.attempts >= EMAIL_MAX_ATTEMPTS
    OutgoingEmail.objects.filter(pk=email.pk, state=OutgoingEmail.State.SENDING).update(
        state=OutgoingEmail.State.FAILED if gave_up else OutgoingEmail.State.PENDING,
        lease_until=None,
        error=str(error)[:1000],
    )
    logger.warning("E-mail %s failed (attempt %s): %s", email.pk, email.attempts, error)


def _close_quietly(backend):
    # After the server accepted (or refused) the message, a QUIT that fails changes nothing.
    with suppress(smtplib.SMTPException, OSError):
        backend.close()


@contextmanager
def _renewed_lease(email_id):
    """Renew the claim's lease from a thread of its own while the body runs (the SMTP
    conversation blocks this one). The thread touches the database only when the conversation
    outlasts LEASE_RENEWAL, and then on a connection of its own, which it closes."""
    done = threading.Event()

    def renew():
        try:
            while not done.wait(LEASE_RENEWAL.total_seconds()):
                try:
                    OutgoingEmail.objects.filter(
                        pk=email_id, state=OutgoingEmail.State.SENDING
                    ).update(lease_until=timezone.now() + CLAIM_LEASE)
                except DatabaseError as error:
                    logger.warning("E-mail %s: lease not renewed (%s).", email_id, error)
                    connection.close()
        finally:
            connections.close_all()

    renewer = threading.Thread(target=renew, name=f"lease-email-{email_id}", daemon=True)
    renewer.start()
    try:
        yield
    finally:
        done.set()
        renewer.join(timeout=5)


def deliver_pending_emails(*, limit=200):
    """The safety net behind on-commit delivery: send whatever is still pending, including the
    claims whose lease ran out (their worker died mid-delivery). Returns the number sent."""
    now = timezone.now()
    with transaction.atomic():
        due_ids = list(
            OutgoingEmail.objects.select_for_update(skip_locked=True)
            .filter(
                Q(state=OutgoingEmail.State.PENDING)
                | Q(state=OutgoingEmail.State.SENDING, lease_until__lt=now)
                # Claimed by a worker still running the code from before leases (an upgrade).
                | Q(
                    state=OutgoingEmail.State.SENDING,
                    lease_until__isnull=True,
                    claimed_at__lt=now - CLAIM_LEASE,
                )
            )
            .order_by("created_at")
            .values_list("pk", flat=True)[:limit]
        )
        taken_over = list(
            OutgoingEmail.objects.filter(pk__in=due_ids, state=OutgoingEmail.State.SENDING)
            .values_list("pk", flat=True)
            .order_by("pk")
        )
        if taken_over:
            logger.warning(
                "Taking over e-mails whose sender died: %s (each may have reached its recipient "
                "already; a resend has the same Message-ID).",
                taken_over,
            )
            OutgoingEmail.objects.filter(pk__in=taken_over).update(
                state=OutgoingEmail.State.PENDING, lease_until=None
            )
    return sum(deliver_email(email_id=pk) for pk in due_ids)


def mark_notification_read(*, notification, by):
    if notification.recipient_id != by.pk:
        raise DomainError(_("This notification is not yours."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_notifications_read(*, by):
    return Notification.objects.filter(recipient=by, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- uploads ------------------------------------------------------------------------------------

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
# What the upload fields accept: photos from phones and cameras, PDF scans, plain text notes.
PHOTO_TYPES = frozenset({"image/jpeg", "image/png", "image/heic", "image/heif", "image/webp"})
PDF_TYPES = frozenset({"application/pdf"})
TEXT_TYPES = frozenset({"text/plain"})


def check_upload_size(upload, *, field):
    if upload.size > MAX_UPLOAD_BYTES:
        raise DomainError(_("%(name)s is larger than 10 MB.") % {"name": upload.name}, field=field)


def upload_content_type(upload, *, allowed_types, field, not_allowed):
    """The declared content type of an upload that is small enough and of an allowed type;
    otherwise a DomainError on `field` (`not_allowed` names the file with %(name)s)."""
    check_upload_size(upload, field=field)
    content_type = getattr(upload, "content_type", "") or ""
    if content_type not in allowed_types:
        raise DomainError(not_allowed % {"name": upload.name}, field=field)
    return content_type


def store_upload(model, upload, *, allowed_types, field, not_allowed, **owner):
    """Check an upload (size, type) and keep it as a row of an attachment model with the fields
    `file`, `name`, `content_type` and `size`; `owner` fills the model's other fields (the
    complaint, result or audit it belongs to, who uploaded it)."""
    content_type = upload_content_type(
        upload, allowed_types=allowed_types, field=field, not_allowed=not_allowed
    )
    return model.objects.create(
        file=upload,
        name=upload.name[:200],
        content_type=content_type,
        size=upload.size,
        **owner,
    )
