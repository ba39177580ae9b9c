"""A real Celery worker on the configured broker (Redis in CI) delivers the outbox."""

from django.core import mail

from aftersales import services
from aftersales.models import OutgoingEmail
from aftersales.tasks import deliver_email, deliver_pending_emails
from tests.conftest import wait_until


def _sent(email_id):
    return OutgoingEmail.objects.filter(pk=email_id, state=OutgoingEmail.State.SENT).exists()


def test_worker_delivers_a_notification_after_commit(celery_worker, owner):
    notification = services.notify(recipient=owner, kind="info", subject="Worker says hello")
    assert wait_until(lambda: _sent(notification.email_id))
    assert [message.subject for message in mail.outbox] == ["Worker says hello"]


def test_delivering_the_same_notification_twice_sends_one_email(celery_worker, owner):
    notification = services.notify(recipient=owner, kind="info", subject="Only once")
    assert wait_until(lambda: _sent(notification.email_id))
    # A duplicated message (a retry, a second beat) reaches the worker again...
    deliver_email.delay(notification.email_id)
    deliver_pending_emails.delay()
    # ...and the single-process worker handles messages in order, so once a later notification
    # is sent, the duplicates have been processed.
    sentinel = services.notify(recipient=owner, kind="info", subject="Sentinel")
    assert wait_until(lambda: _sent(sentinel.email_id))
    assert [message.subject for message in mail.outbox] == ["Only once", "Sentinel"]


def test_the_tick_delivers_what_a_lost_message_left_behind(celery_worker, owner):
    # Written without enqueueing, as if Redis had lost the message.
    email = OutgoingEmail.objects.create(to_address=owner.email, subject="Lost", body="")
    deliver_pending_emails.delay()
    assert wait_until(lambda: _sent(email.pk))
    assert len(mail.outbox) == 1
