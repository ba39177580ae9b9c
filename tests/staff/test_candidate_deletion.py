"""Data protection: candidates who were not hired are deleted with their assessments
CANDIDATE_RETENTION_MONTHS after the decision, by a daily Celery job; hired and open candidates
stay. Time travel decides in the past and runs the job "today"."""

import logging
from datetime import UTC, datetime

import pytest
import time_machine
from dateutil.relativedelta import relativedelta
from django.conf import settings as django_settings

from staff import tasks
from staff.hiring import services
from staff.models import Candidate, CandidateAssessment, CompetencyRating
from tests.staff.factories import CandidateFactory
from tests.staff.hiring_helpers import assess

Status = Candidate.Status
NOW = datetime(2025, 9, 15, 10, 0, tzinfo=UTC)


@pytest.fixture
def decided(manager, north):
    """decided(ago, status): a candidate of North, assessed, decided `ago` before NOW."""

    def _decided(ago, status=Status.REJECTED, **names):
        candidate = CandidateFactory(branch=north, **names)
        with time_machine.travel(NOW - ago, tick=False):
            assess(candidate, manager, 3, 3, 3, 3, 3)
            return services.decide(candidate=candidate, status=status, reason="Reason", by=manager)

    return _decided


def run(**kwargs):
    with time_machine.travel(NOW, tick=False):
        return services.delete_expired_candidates(**kwargs)


def test_the_retention_period_decides_who_is_deleted(decided, manager, north):
    expired = decided(relativedelta(months=6, days=1))
    withdrawn = decided(relativedelta(months=7), status=Status.WITHDRAWN)
    recent = decided(relativedelta(months=5))
    almost = decided(relativedelta(months=6) - relativedelta(days=1))
    hired = decided(relativedelta(years=3), status=Status.HIRED)
    still_open = CandidateFactory(branch=north)
    with time_machine.travel(NOW - relativedelta(years=2), tick=False):
        assess(still_open, manager, 2, 2, 2, 2, 2)

    assert run() == 2

    assert set(Candidate.objects.all()) == {recent, almost, hired, still_open}
    gone = [expired.pk, withdrawn.pk]
    assert not CandidateAssessment.objects.filter(candidate__in=gone).exists()
    assert not CompetencyRating.objects.filter(assessment__candidate__in=gone).exists()
    assert CandidateAssessment.objects.count() == 4
    assert CompetencyRating.objects.count() == 20


def test_the_day_the_period_ends_is_the_day_of_deletion(decided):
    decided(relativedelta(months=6))
    assert run() == 1


def test_running_twice_deletes_nothing_more(decided):
    decided(relativedelta(months=8))
    kept = decided(relativedelta(months=1))
    assert run() == 1
    assert run() == 0
    assert list(Candidate.objects.all()) == [kept]


def test_a_hired_candidate_stays_forever(decided):
    hired = decided(relativedelta(years=10), status=Status.HIRED)
    with time_machine.travel(NOW + relativedelta(years=30), tick=False):
        assert services.delete_expired_candidates() == 0
    assert Candidate.objects.get() == hired


def test_a_shorter_setting_deletes_sooner(settings, decided):
    settings.CANDIDATE_RETENTION_MONTHS = 3
    short = decided(relativedelta(months=3, days=1))
    kept = decided(relativedelta(months=2))
    assert short.delete_after == (NOW - relativedelta(months=3, days=1)).date() + relativedelta(
        months=3
    )
    assert run() == 1
    assert list(Candidate.objects.all()) == [kept]


def test_batches_delete_everything_due(decided):
    for _ in range(5):
        decided(relativedelta(months=9))
    assert run(batch_size=2) == 5
    assert not Candidate.objects.exists()
    assert not CompetencyRating.objects.exists()


def test_the_log_has_the_number_and_no_personal_data(decided, caplog):
    decided(relativedelta(months=9), first_name="Waltraud", last_name="Eberhardinger")
    with caplog.at_level(logging.INFO, logger="staff.hiring.services"):
        run()
    assert "Deleted 1 candidates past their retention period." in caplog.text
    assert "Waltraud" not in caplog.text
    assert "Eberhardinger" not in caplog.text


def test_the_celery_task_runs_the_deletion_and_beat_runs_it_daily(decided):
    decided(relativedelta(months=9))
    with time_machine.travel(NOW, tick=False):
        assert tasks.delete_expired_candidates.apply().get() == 1
    assert tasks.delete_expired_candidates.acks_late
    entry = django_settings.CELERY_BEAT_SCHEDULE["candidate-deletion"]
    assert entry["task"] == "staff.tasks.delete_expired_candidates"
    assert entry["schedule"].hour == {3}
    assert entry["schedule"].minute == {15}
