from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from aftersales import services
from aftersales.errors import DomainError
from aftersales.models import Notification, OutgoingEmail
from tests.aftersales.factories import NotificationFactory


def test_notify_writes_one_row_per_dedupe_key(owner):
    first = services.notify(recipient=owner, kind="digest", subject="Today", dedupe_key="d:1")
    second = services.notify(recipient=owner, kind="digest", subject="Today", dedupe_key="d:1")
    assert first is not None
    assert second is None
    assert Notification.objects.filter(recipient=owner).count() == 1


def test_notify_without_email_address_is_in_app_only(owner):
    owner.email = ""
    owner.save()
    notification = services.notify(recipient=owner, kind="info", subject="Hello")
    assert notification.email is None
    assert services.deliver_pending_emails() == 0
    assert mail.outbox == []


def test_delivery_sends_once_however_often_it_runs(owner):
    notification = services.notify(recipient=owner, kind="info", subject="Hello", body="Body")
    assert services.deliver_email(email_id=notification.email_id) is True
    assert services.deliver_email(email_id=notification.email_id) is False
    assert services.deliver_pending_emails() == 0
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [owner.email]
    notification.email.refresh_from_db()
    assert notification.email.state == OutgoingEmail.State.SENT
    assert notification.email.sent_at is not None


def test_queue_email_once_per_dedupe_key(db):
    first = services.queue_email(to="a@example.com", subject="S", body="B", dedupe_key="k")
    second = services.queue_email(to="a@example.com", subject="S", body="B", dedupe_key="k")
    assert first is not None
    assert second is None
    assert services.deliver_pending_emails() == 1


def test_email_links_are_absolute(owner, settings):
    settings.SITE_URL = "https://crm.example.com"
    notification = services.notify(recipient=owner, kind="info", subject="S", link="/branches/")
    services.deliver_email(email_id=notification.email_id)
    assert "https://crm.example.com/branches/" in mail.outbox[0].body


def test_a_failed_send_stays_pending_and_is_retried(owner, settings):
    notification = services.notify(recipient=owner, kind="info", subject="Hello")
    # An SMTP server nobody listens on: the send fails like a real outage.
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    assert services.deliver_email(email_id=notification.email_id) is False
    email = OutgoingEmail.objects.get(pk=notification.email_id)
    assert email.state == OutgoingEmail.State.PENDING
    assert email.error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert services.deliver_pending_emails() == 1
    assert len(mail.outbox) == 1


def test_a_send_that_keeps_failing_gives_up(owner, settings):
    notification = services.notify(recipient=owner, kind="info", subject="Hello")
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", 9, 2
    for _attempt in range(services.EMAIL_MAX_ATTEMPTS):
        services.deliver_pending_emails()
    assert OutgoingEmail.objects.get(pk=notification.email_id).state == OutgoingEmail.State.FAILED


def test_the_tick_takes_over_a_dead_workers_stale_claim(db):
    stale = OutgoingEmail.objects.create(
        to_address="a@example.com",
        subject="Stale",
        body="",
        state=OutgoingEmail.State.SENDING,
        claimed_at=timezone.now() - timedelta(hours=1),
    )
    fresh_claim = OutgoingEmail.objects.create(
        to_address="b@example.com",
        subject="Fresh",
        body="",
        state=OutgoingEmail.State.SENDING,
        claimed_at=timezone.now(),
    )
    assert services.deliver_pending_emails() == 1
    stale.refresh_from_db()
    fresh_claim.refresh_from_db()
    assert stale.state == OutgoingEmail.State.SENT
    assert fresh_claim.state == OutgoingEmail.State.SENDING


def test_marking_someone_elses_notification_is_refused(owner, colleague):
    notification = NotificationFactory(recipient=colleague)
    with pytest.raises(DomainError):
        services.mark_notification_read(notification=notification, by=owner)


def test_notification_pages(login, owner, colleague):
    mine = NotificationFactory(recipient=owner, subject="For Alice")
    NotificationFactory(recipient=colleague, subject="For Bob")
    client = login(owner)
    page = client.get(reverse("notification-list")).content.decode()
    assert "For Alice" in page
    assert "For Bob" not in page
    response = client.post(reverse("notification-read", args=[mine.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Mark as read" not in response.content.decode()
    mine.refresh_from_db()
    assert mine.is_read


def test_colleague_cannot_read_my_notification(login, owner, colleague):
    mine = NotificationFactory(recipient=owner)
    assert login(colleague).post(reverse("notification-read", args=[mine.pk])).status_code == 404
    mine.refresh_from_db()
    assert not mine.is_read


def test_mark_all_read(login, owner):
    NotificationFactory.create_batch(3, recipient=owner)
    response = login(owner).post(reverse("notification-read-all"), follow=True)
    assert "3 notifications marked as read." in response.content.decode()
    assert not Notification.objects.filter(recipient=owner, read_at=None).exists()


def test_notification_list_query_count(login, owner, django_assert_max_num_queries):
    NotificationFactory.create_batch(30, recipient=owner)
    client = login(owner)
    # session, user, page count, unread count (navigation), user and group permissions and
    # role groups (navigation), the page of notifications
    with django_assert_max_num_queries(8):
        response = client.get(reverse("notification-list"))
    assert len(response.context["page"]) == 25
