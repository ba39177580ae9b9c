"""The people API: /api/appointments/ (+ start, no-show, cancel), /api/trainings/,
/api/training-records/, /api/coaching-actions/ (+ complete, cancel); same services, same
scoping, filters and pagination."""

from datetime import timedelta

import pytest
from django.utils import timezone

from staff.models import Appointment, CoachingAction, Course, TrainingRecord
from tests.customers.factories import CustomerFactory
from tests.staff.factories import (
    AppointmentFactory,
    CoachingActionFactory,
    CourseFactory,
    TrainingRecordFactory,
)


@pytest.fixture
def customer(north):
    return CustomerFactory(branch=north)


@pytest.fixture
def past(customer, owner):
    return AppointmentFactory(
        customer=customer, employee=owner, agreed_at=timezone.now() - timedelta(minutes=30)
    )


def test_schedule_and_start_through_the_api(client_for, owner, customer):
    client = client_for(owner)
    response = client.post(
        "/api/appointments/",
        {"customer": customer.pk, "kind": "handover", "agreed_at": timezone.now().isoformat()},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["employee"] == owner.pk
    pk = response.json()["id"]
    started = client.post(f"/api/appointments/{pk}/start/")
    assert started.status_code == 200 and started.json()["outcome"] == "held"
    again = client.post(f"/api/appointments/{pk}/start/")
    assert again.status_code == 400 and "already started" in again.json()["detail"]


def test_no_show_cancel_and_patch(client_for, manager, past, customer, owner):
    client = client_for(manager)
    assert client.post(f"/api/appointments/{past.pk}/no-show/").json()["outcome"] == "no_show"
    later = AppointmentFactory(customer=customer, employee=owner)
    patched = client.patch(
        f"/api/appointments/{later.pk}/", {"notes": "Bring the spare key"}, format="json"
    )
    assert patched.status_code == 200 and patched.json()["notes"] == "Bring the spare key"
    cancelled = client.post(f"/api/appointments/{later.pk}/cancel/", {"reason": "ill"})
    assert cancelled.json()["outcome"] == "cancelled"


def test_appointment_scoping_and_filters(client_for, past, outsider, manager, customer, owner):
    AppointmentFactory(
        customer=customer,
        employee=owner,
        agreed_at=timezone.now() - timedelta(hours=2),
        started_at=timezone.now() - timedelta(hours=1),
        outcome=Appointment.Outcome.HELD,
    )
    assert client_for(outsider).get("/api/appointments/").json()["count"] == 0
    assert client_for(outsider).post(f"/api/appointments/{past.pk}/start/").status_code == 404
    client = client_for(manager)
    assert client.get("/api/appointments/").json()["count"] == 2
    late = client.get("/api/appointments/", {"late": "true"}).json()
    assert late["count"] == 1 and late["results"][0]["is_late"] is True
    assert client.get("/api/appointments/", {"outcome": "scheduled"}).json()["count"] == 1


def test_a_colleague_cannot_start_anothers_appointment(client_for, colleague, past):
    # Refused as on the page, before the body is read: the colleague sees it, may not change it.
    response = client_for(colleague).post(f"/api/appointments/{past.pk}/start/")
    assert response.status_code == 403
    assert response.json() == {"detail": "You can only change your own appointments."}
    past.refresh_from_db()
    assert past.started_at is None


def test_a_customer_of_another_branch_does_not_exist(client_for, outsider, customer):
    response = client_for(outsider).post(
        "/api/appointments/",
        {"customer": customer.pk, "kind": "handover", "agreed_at": timezone.now().isoformat()},
        format="json",
    )
    assert response.status_code == 400 and "customer" in response.json()


@pytest.mark.parametrize(
    "url",
    ["/api/appointments/", "/api/trainings/", "/api/training-records/", "/api/coaching-actions/"],
)
def test_shoppers_are_refused_everywhere(client_for, shopper, url):
    assert client_for(shopper).get(url).status_code == 403


def test_course_catalogue(client_for, quality_manager, owner):
    created = client_for(quality_manager).post(
        "/api/trainings/",
        {
            "title": "Handover",
            "topic": "handover",
            "validity_months": 12,
            "required_roles": ["sales"],
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert created.json()["required_roles"] == ["sales"]
    course = Course.objects.get()
    duplicate = client_for(quality_manager).post(
        "/api/trainings/", {"title": "HANDOVER", "topic": "handover"}, format="json"
    )
    assert duplicate.status_code == 400 and "title" in duplicate.json()
    sales = client_for(owner)
    assert sales.get("/api/trainings/").json()["count"] == 1
    assert (
        sales.patch(f"/api/trainings/{course.pk}/", {"title": "x"}, format="json").status_code
        == 403
    )


def test_training_records(client_for, manager, owner, colleague, outsider):
    course = CourseFactory(validity_months=12)
    response = client_for(manager).post(
        "/api/training-records/",
        {"employee": owner.pk, "course": course.pk, "completed_on": "2026-01-31"},
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["expires_on"] == "2027-01-31"
    TrainingRecordFactory(employee=colleague)
    assert client_for(owner).get("/api/training-records/").json()["count"] == 1
    assert client_for(manager).get("/api/training-records/").json()["count"] == 2
    assert client_for(outsider).get("/api/training-records/").json()["count"] == 0
    assert (
        client_for(owner)
        .post(
            "/api/training-records/",
            {"employee": owner.pk, "course": course.pk, "completed_on": "2026-01-31"},
            format="json",
        )
        .status_code
        == 403
    )
    filtered = client_for(manager).get("/api/training-records/", {"employee": colleague.pk})
    assert filtered.json()["count"] == 1
    assert TrainingRecord.objects.count() == 2


def test_coaching_actions(client_for, manager, owner, outsider, north):
    client = client_for(manager)
    created = client.post(
        "/api/coaching-actions/",
        {"employee": owner.pk, "goal": "Greet", "due_on": str(timezone.localdate())},
        format="json",
    )
    assert created.status_code == 201, created.json()
    pk = created.json()["id"]
    assert created.json()["branch"] == north.pk
    patched = client.patch(f"/api/coaching-actions/{pk}/", {"status": "in_progress"}, format="json")
    assert patched.json()["status"] == "in_progress"
    assert client.post(f"/api/coaching-actions/{pk}/complete/", {"outcome": ""}).status_code == 400
    done = client.post(f"/api/coaching-actions/{pk}/complete/", {"outcome": "Better"})
    assert done.json()["status"] == "done"
    assert client_for(owner).get("/api/coaching-actions/").json()["count"] == 1
    assert client_for(owner).post(f"/api/coaching-actions/{pk}/cancel/").status_code == 403
    assert client_for(outsider).get(f"/api/coaching-actions/{pk}/").status_code == 404


def test_the_coach_is_a_manager_or_quality_manager_of_the_branch(
    client_for, manager, owner, colleague, quality_manager
):
    client = client_for(manager)
    data = {"employee": owner.pk, "goal": "Greet", "due_on": str(timezone.localdate())}
    created = client.post("/api/coaching-actions/", {**data, "coach": quality_manager.pk})
    assert created.status_code == 201, created.json()
    assert created.json()["coach"] == quality_manager.pk
    refused = client.post("/api/coaching-actions/", {**data, "coach": colleague.pk})
    assert refused.status_code == 400 and "coach" in refused.json()


def test_coaching_filters(client_for, manager, owner, north):
    CoachingActionFactory(branch=north, employee=owner, due_on=timezone.localdate() - timedelta(1))
    CoachingActionFactory(branch=north, employee=owner, status=CoachingAction.Status.DONE)
    client = client_for(manager)
    assert client.get("/api/coaching-actions/", {"overdue": "true"}).json()["count"] == 1
    assert client.get("/api/coaching-actions/", {"status": "done"}).json()["count"] == 1
