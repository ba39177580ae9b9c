"""`manage.py seed_training`: demo courses, records in every compliance state, appointments
and a coaching action; idempotent; refused with DEBUG off."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from aftersales.models import User
from staff.models import Appointment, CoachingAction, Course, TrainingRecord
from staff.people.figures import ComplianceState, training_compliance
from tests.customers.factories import CustomerFactory


@pytest.fixture
def demo(db, settings):
    settings.DEBUG = True
    call_command("load_demo_data", verbosity=0)


def test_seed_is_idempotent_and_covers_every_state(demo, settings):
    muc = User.objects.get(username="sales").branches.get()
    for _ in range(5):
        CustomerFactory(branch=muc)
    call_command("seed_training", verbosity=0)
    counts = (
        Course.objects.count(),
        TrainingRecord.objects.count(),
        Appointment.objects.count(),
        CoachingAction.objects.count(),
    )
    call_command("seed_training", verbosity=0)
    assert counts == (
        Course.objects.count(),
        TrainingRecord.objects.count(),
        Appointment.objects.count(),
        CoachingAction.objects.count(),
    )
    assert counts[0] == 5 and counts[2] == 22 and counts[3] == 1
    sales, service = User.objects.get(username="sales"), User.objects.get(username="service")
    states = training_compliance([sales, service])
    assert states[sales.pk].missing == 1 and states[sales.pk].expiring == 1
    assert states[service.pk].expired == 1
    assert Appointment.objects.filter(outcome=Appointment.Outcome.NO_SHOW).count() == 1
    assert ComplianceState.VALID in {item.state for item in states[sales.pk].items}


def test_refused_with_debug_off(demo, settings):
    settings.DEBUG = False
    with pytest.raises(CommandError):
        call_command("seed_training")
