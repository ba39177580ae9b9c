"""Training compliance per person against hand-computed data: valid, expiring within 30 days
(the boundary), expired, missing; courses required by any of the person's roles; courses held
without being required; failed and superseded records not counting; constant query count."""

from datetime import date, timedelta

import pytest

from staff.models import TrainingRecord
from staff.people.figures import ComplianceState, training_compliance
from tests.aftersales.factories import UserFactory
from tests.staff.factories import CourseFactory, RequiredCourseFactory, TrainingRecordFactory

TODAY = date(2026, 6, 10)
State = ComplianceState


def record(employee, course, expires_on, **kwargs):
    return TrainingRecordFactory(
        employee=employee,
        course=course,
        completed_on=date(2025, 1, 1),
        expires_on=expires_on,
        **kwargs,
    )


@pytest.fixture
def courses(db):
    names = ["Complaints", "Handover", "Product", "Service desk", "Talking", "Extra"]
    return {name: CourseFactory(title=name) for name in names}


def states(compliance):
    return {item.title: (item.state, item.required) for item in compliance.items}


def test_states_and_boundaries(courses, owner, manager):
    for name in ["Complaints", "Handover", "Product", "Talking"]:
        RequiredCourseFactory(course=courses[name], role="sales")
    RequiredCourseFactory(course=courses["Service desk"], role="manager")
    record(owner, courses["Complaints"], TODAY + timedelta(days=31))  # valid
    record(owner, courses["Handover"], TODAY + timedelta(days=30))  # expiring: the boundary
    record(owner, courses["Product"], TODAY - timedelta(days=1))  # expired
    # Talking: missing. Extra: held, not required. An expiry of today is still expiring.
    record(owner, courses["Extra"], TODAY)

    result = training_compliance([owner, manager], today=TODAY)

    assert states(result[owner.pk]) == {
        "Complaints": (State.VALID, True),
        "Handover": (State.EXPIRING, True),
        "Product": (State.EXPIRED, True),
        "Talking": (State.MISSING, True),
        "Extra": (State.EXPIRING, False),
    }
    compliance = result[owner.pk]
    assert (compliance.valid, compliance.expiring, compliance.expired, compliance.missing) == (
        1,
        2,
        1,
        1,
    )
    assert not compliance.is_compliant
    assert [item.title for item in compliance.items][-1] == "Extra"  # required ones first
    assert states(result[manager.pk]) == {"Service desk": (State.MISSING, True)}


def test_no_expiry_is_valid_and_expiring_still_compliant(courses, owner):
    RequiredCourseFactory(course=courses["Talking"], role="sales")
    RequiredCourseFactory(course=courses["Handover"], role="sales")
    record(owner, courses["Talking"], None)
    current = record(owner, courses["Handover"], TODAY + timedelta(days=2))

    compliance = training_compliance([owner.pk], today=TODAY)[owner.pk]

    assert compliance.is_compliant
    handover = next(item for item in compliance.items if item.title == "Handover")
    assert handover.record_id == current.pk
    assert handover.expires_on == TODAY + timedelta(days=2)


def test_failed_and_superseded_records_do_not_count(courses, owner):
    RequiredCourseFactory(course=courses["Talking"], role="sales")
    record(owner, courses["Talking"], TODAY + timedelta(days=400), is_current=False)
    record(owner, courses["Talking"], None, result=TrainingRecord.Result.FAILED, is_current=False)

    compliance = training_compliance([owner], today=TODAY)[owner.pk]

    assert states(compliance) == {"Talking": (State.MISSING, True)}
    assert not compliance.is_compliant


def test_a_course_required_by_two_of_the_persons_roles_is_listed_once(courses, north):
    both = UserFactory(roles=["sales", "service"], branches=[north])
    RequiredCourseFactory(course=courses["Talking"], role="sales")
    RequiredCourseFactory(course=courses["Talking"], role="service")
    assert len(training_compliance([both], today=TODAY)[both.pk].items) == 1


def test_inactive_courses_are_not_required(courses, owner):
    courses["Talking"].is_active = False
    courses["Talking"].save()
    RequiredCourseFactory(course=courses["Talking"], role="sales")
    assert training_compliance([owner], today=TODAY)[owner.pk].items == ()


@pytest.mark.parametrize("people", [1, 8])
def test_constant_queries(courses, north, people, django_assert_num_queries):
    RequiredCourseFactory(course=courses["Talking"], role="sales")
    RequiredCourseFactory(course=courses["Product"], role="service")
    staff = [UserFactory(roles=["sales", "service"], branches=[north]) for _ in range(people)]
    for person in staff:
        record(person, courses["Talking"], TODAY)
    # The people's roles, the required courses of those roles, their current records.
    with django_assert_num_queries(3):
        result = training_compliance(staff, today=TODAY)
    assert all(result[person.pk].expiring == 1 for person in staff)
    assert all(result[person.pk].missing == 1 for person in staff)
