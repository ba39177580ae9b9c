"""Corrective actions: assigned, completed by their owner, verified or reopened by the quality
manager (a finding closes when all its actions are verified); reminders before and on the due
date and the escalation to the branch's managers, each exactly once under repeated and concurrent
ticks (as the follow-up reminders are)."""

import threading
from datetime import datetime, time, timedelta

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from aftersales.errors import DomainError
from aftersales.models import Notification
from quality import tasks
from quality.audits import services
from quality.audits.models import ActionStatus, Finding
from tests.aftersales.factories import UserFactory
from tests.quality.audit_helpers import finding_with_action, make_template, plan

pytestmark = pytest.mark.django_db


def kinds(user=None):
    notifications = Notification.objects.all()
    if user is not None:
        notifications = notifications.filter(recipient=user)
    return sorted(notifications.values_list("kind", flat=True))


def at(day, hour=9):
    return datetime.combine(day, time(hour), tzinfo=timezone.get_current_timezone())


class TestWorkflow:
    def test_assign_complete_verify_closes_the_finding(self, north, quality_manager, colleague):
        finding, action = finding_with_action(branch=north, by=quality_manager, owner=colleague)
        assert kinds(colleague) == ["corrective_action_assigned"]
        services.complete_action(action=action, by=colleague, note="All 40 invoices checked.")
        action.refresh_from_db()
        assert action.status == ActionStatus.COMPLETED
        assert "corrective_action_completed" in kinds(quality_manager)
        services.verify_action(action=action, by=quality_manager, note="Seen.")
        action.refresh_from_db()
        finding.refresh_from_db()
        assert action.status == ActionStatus.VERIFIED
        assert action.verified_by == quality_manager
        assert finding.status == Finding.Status.CLOSED

    def test_a_finding_stays_open_while_an_action_is_unverified(
        self, north, quality_manager, colleague, owner
    ):
        finding, first = finding_with_action(branch=north, by=quality_manager, owner=colleague)
        second = services.add_corrective_action(
            finding=finding,
            by=quality_manager,
            owner=owner,
            description="Train the desk.",
            due_on=timezone.localdate() + timedelta(days=9),
        )
        services.complete_action(action=first, by=colleague, note="Done.")
        services.verify_action(action=first, by=quality_manager)
        finding.refresh_from_db()
        assert finding.is_open
        services.complete_action(action=second, by=owner, note="Trained.")
        services.verify_action(action=second, by=quality_manager)
        finding.refresh_from_db()
        assert not finding.is_open

    def test_reopen_when_verification_fails(self, north, quality_manager, colleague):
        finding, action = finding_with_action(branch=north, by=quality_manager, owner=colleague)
        services.complete_action(action=action, by=colleague, note="Done.")
        new_due = timezone.localdate() + timedelta(days=20)
        services.reopen_action(
            action=action, by=quality_manager, note="Still wrong on R-17.", due_on=new_due
        )
        action.refresh_from_db()
        assert action.status == ActionStatus.OPEN
        assert action.reopened_count == 1
        assert action.due_on == new_due
        assert action.completed_at is None
        assert "corrective_action_reopened" in kinds(colleague)
        with pytest.raises(DomainError):
            services.verify_action(action=action, by=quality_manager)
        with pytest.raises(DomainError) as no_reason:
            services.reopen_action(action=action, by=quality_manager, note=" ")
        # Open already; and a verified action can be reopened with a reason.
        assert no_reason.value.message
        services.complete_action(action=action, by=colleague, note="Now really.")
        services.verify_action(action=action, by=quality_manager)
        services.reopen_action(action=action, by=quality_manager, note="Came back.")
        finding.refresh_from_db()
        assert finding.is_open

    def test_only_the_owner_or_a_quality_manager_completes(
        self, north, quality_manager, colleague, owner, manager
    ):
        _finding, action = finding_with_action(branch=north, by=quality_manager, owner=colleague)
        for person in (owner, manager):
            with pytest.raises(DomainError):
                services.complete_action(action=action, by=person, note="Me too.")
        with pytest.raises(DomainError) as empty:
            services.complete_action(action=action, by=colleague, note="")
        assert empty.value.field == "note"
        services.complete_action(action=action, by=colleague, note="Done.")
        for person in (colleague, manager):
            with pytest.raises(DomainError):
                services.verify_action(action=action, by=person)

    def test_assigning_is_checked(self, north, south, quality_manager, colleague, outsider):
        finding, _action = finding_with_action(branch=north, by=quality_manager, owner=colleague)
        tomorrow = timezone.localdate() + timedelta(days=1)
        with pytest.raises(DomainError) as wrong_branch:
            services.add_corrective_action(
                finding=finding,
                by=quality_manager,
                owner=outsider,
                description="x",
                due_on=tomorrow,
            )
        assert wrong_branch.value.field == "owner"
        with pytest.raises(DomainError) as past:
            services.add_corrective_action(
                finding=finding,
                by=quality_manager,
                owner=colleague,
                description="x",
                due_on=tomorrow - timedelta(days=2),
            )
        assert past.value.field == "due_on"
        with pytest.raises(DomainError) as nothing:
            services.add_corrective_action(
                finding=finding,
                by=quality_manager,
                owner=colleague,
                description="",
                due_on=tomorrow,
            )
        assert nothing.value.field == "description"
        with pytest.raises(DomainError):
            services.add_corrective_action(
                finding=finding, by=colleague, owner=colleague, description="x", due_on=tomorrow
            )


@pytest.fixture
def due_action(north, quality_manager, colleague, manager):
    """An action due in 5 days, owned by the colleague; the branch's manager gets escalations."""
    _finding, action = finding_with_action(
        branch=north, by=quality_manager, owner=colleague, due_in_days=5
    )
    Notification.objects.all().delete()
    return action


class TestReminders:
    def test_reminder_due_notice_and_escalation_once_each(self, due_action, colleague, manager):
        due = due_action.due_on
        days = [due - timedelta(days=4), due - timedelta(days=3), due - timedelta(days=2), due]
        days += [due + timedelta(days=1), due + timedelta(days=2)]
        for day in days:
            for hour in (7, 13):  # two ticks a day
                with time_machine.travel(at(day, hour), tick=False):
                    services.send_action_reminders()
        assert kinds(colleague) == ["corrective_action_due", "corrective_action_reminder"]
        assert kinds(manager) == ["corrective_action_escalation"]

    def test_a_completed_action_is_not_escalated(self, due_action, colleague, manager):
        services.complete_action(action=due_action, by=colleague, note="Done early.")
        Notification.objects.all().delete()
        with time_machine.travel(at(due_action.due_on + timedelta(days=3)), tick=False):
            assert services.send_action_reminders() == 0
        assert kinds() == []

    def test_a_reopened_action_starts_a_new_round(
        self, due_action, colleague, manager, quality_manager
    ):
        with time_machine.travel(at(due_action.due_on + timedelta(days=1)), tick=False):
            services.send_action_reminders()
            services.complete_action(action=due_action, by=colleague, note="Done.")
            services.reopen_action(action=due_action, by=quality_manager, note="Not done.")
        with time_machine.travel(at(due_action.due_on + timedelta(days=2)), tick=False):
            services.send_action_reminders()
            services.send_action_reminders()
        assert kinds(manager) == ["corrective_action_escalation"] * 2

    def test_escalation_without_a_manager_goes_to_the_owner(self, due_action, colleague, manager):
        manager.groups.clear()
        with time_machine.travel(at(due_action.due_on + timedelta(days=1)), tick=False):
            tasks.send_action_reminders.apply()
        assert "corrective_action_escalation" in kinds(colleague)

    @pytest.mark.django_db(transaction=True)
    def test_concurrent_ticks_escalate_each_action_once(self, north, quality_manager, manager):
        owners = [UserFactory(roles=["service"], branches=[north]) for _number in range(3)]
        for number in range(30):
            finding_with_action(
                branch=north, by=quality_manager, owner=owners[number % 3], due_in_days=1
            )
        Notification.objects.all().delete()
        results, errors = [], []
        later = at(timezone.localdate() + timedelta(days=3))

        def tick():
            try:
                with time_machine.travel(later, tick=False):
                    results.append(services.send_action_reminders())
            except Exception as error:  # noqa: BLE001 (reported by the assertion below)
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=tick) for _number in range(3)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        # Each action: one due notice to its owner and one escalation to the manager.
        assert sum(results) == 60
        assert kinds(manager) == ["corrective_action_escalation"] * 30
        assert Notification.objects.filter(kind="corrective_action_due").count() == 30
        assert Notification.objects.count() == 60


class TestAuditReminders:
    def test_the_auditor_is_reminded_before_and_on_the_due_date_once(self, north, quality_manager):
        audit = plan(branch=north, template=make_template(), auditor=quality_manager, due_in_days=5)
        for offset in (-4, -3, -3, -1, 0, 0, 2):
            with time_machine.travel(at(audit.due_on + timedelta(days=offset)), tick=False):
                services.send_audit_reminders()
        assert kinds(quality_manager) == ["audit_due", "audit_reminder"]
