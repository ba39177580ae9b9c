"""Training: the course catalogue (who may edit, required roles), recording training (expiry by
calendar months, a newer record replaces the current one, a failed one never counts, certificate
checks and private download), the compliance overview, one person's page and "My training"."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from aftersales.errors import DomainError
from staff.models import Course, RequiredCourse, TrainingRecord
from staff.people import services
from tests.aftersales.factories import UserFactory
from tests.staff.factories import CourseFactory, RequiredCourseFactory, TrainingRecordFactory

PDF = b"%PDF-1.4\n%test certificate\n"


def pdf(name="certificate.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def course(db):
    return CourseFactory(title="Handover basics", validity_months=12)


# --- services ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2026, 11, 15), 3, date(2027, 2, 15)),
        (date(2026, 6, 10), 24, date(2028, 6, 10)),
    ],
)
def test_expiry_counts_calendar_months(manager, owner, day, months, expected):
    record = services.record_training(
        by=manager,
        employee=owner,
        course=CourseFactory(validity_months=months),
        completed_on=day,
        result="passed",
    )
    assert record.expires_on == expected


def test_record_sets_expiry_and_replaces_the_current_one(manager, owner, course):
    first = services.record_training(
        by=manager, employee=owner, course=course, completed_on=date(2025, 3, 31), result="passed"
    )
    assert first.expires_on == date(2026, 3, 31) and first.is_current
    second = services.record_training(
        by=manager, employee=owner, course=course, completed_on=date(2026, 3, 1), result="passed"
    )
    first.refresh_from_db()
    assert not first.is_current and second.is_current
    assert second.recorded_by == manager


def test_failed_and_older_records_stay_history(manager, owner, course):
    current = services.record_training(
        by=manager, employee=owner, course=course, completed_on=date(2026, 1, 5), result="passed"
    )
    failed = services.record_training(
        by=manager, employee=owner, course=course, completed_on=date(2026, 2, 5), result="failed"
    )
    older = services.record_training(
        by=manager, employee=owner, course=course, completed_on=date(2025, 2, 5), result="attended"
    )
    current.refresh_from_db()
    assert current.is_current and not failed.is_current and not older.is_current


def test_only_managers_of_the_persons_branch_record(manager, owner, outsider, colleague, course):
    with pytest.raises(DomainError):
        services.record_training(
            by=colleague,
            employee=owner,
            course=course,
            completed_on=date(2026, 1, 1),
            result="passed",
        )
    with pytest.raises(DomainError) as error:
        services.record_training(
            by=manager,
            employee=outsider,
            course=course,
            completed_on=date(2026, 1, 1),
            result="passed",
        )
    assert error.value.field == "employee"


def test_completion_in_the_future_is_refused(manager, owner, course):
    with pytest.raises(DomainError) as error:
        services.record_training(
            by=manager,
            employee=owner,
            course=course,
            completed_on=timezone.localdate() + timedelta(days=1),
            result="passed",
        )
    assert error.value.field == "completed_on"


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("certificate.exe", PDF),
        ("certificate.pdf", b"MZ\x90\x00 not a pdf"),
        ("certificate.pdf", b"%PDF" + b"0" * (10 * 1024 * 1024)),
    ],
)
def test_certificates_must_be_small_pdf_jpeg_or_png(manager, owner, course, name, content):
    with pytest.raises(DomainError) as error:
        services.record_training(
            by=manager,
            employee=owner,
            course=course,
            completed_on=date(2026, 1, 1),
            result="passed",
            certificate=pdf(name, content),
        )
    assert error.value.field == "certificate"


def test_courses_are_edited_by_quality_and_admins_only(quality_manager, manager):
    course = services.create_course(
        by=quality_manager,
        title="Complaint handling",
        topic=Course.Topic.COMPLAINT_HANDLING,
        validity_months=24,
        required_roles=["sales", "service"],
    )
    assert set(course.required_for.values_list("role", flat=True)) == {"sales", "service"}
    services.update_course(
        course=course,
        by=quality_manager,
        title="Complaint handling",
        topic=Course.Topic.COMPLAINT_HANDLING,
        validity_months=24,
        required_roles=["manager"],
    )
    assert list(RequiredCourse.objects.values_list("role", flat=True)) == ["manager"]
    with pytest.raises(DomainError):
        services.create_course(by=manager, title="Other", topic="product")
    with pytest.raises(DomainError) as error:
        services.create_course(by=quality_manager, title="COMPLAINT handling", topic="product")
    assert error.value.field == "title"


# --- pages ---------------------------------------------------------------------------------------


def test_course_pages(login, quality_manager, owner):
    client = login(quality_manager)
    response = client.post(
        reverse("staff:course-create"),
        {
            "title_en": "Product news 2026",
            "topic": "product",
            "validity_months": "12",
            "is_active": "on",
            "required_roles": ["sales"],
        },
    )
    course = Course.objects.get()
    assert response.status_code == 302 and response.url == course.get_absolute_url()
    assert client.get(reverse("staff:course-update", args=[course.pk])).status_code == 200
    sales = login(owner)
    assert sales.get(reverse("staff:course-list")).status_code == 200
    assert sales.get(course.get_absolute_url()).status_code == 200
    assert sales.get(reverse("staff:course-create")).status_code == 403
    assert sales.get(reverse("staff:course-update", args=[course.pk])).status_code == 403


def test_course_form_errors(login, quality_manager):
    response = login(quality_manager).post(
        reverse("staff:course-create"), {"title_en": "", "topic": "product", "validity_months": "0"}
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"title_en", "validity_months"}


def test_record_page_with_certificate(login, manager, owner, course):
    response = login(manager).post(
        reverse("staff:training-record-create"),
        {
            "employee": owner.pk,
            "course": course.pk,
            "completed_on": "2026-01-10",
            "result": "passed",
            "certificate": pdf(),
        },
    )
    record = TrainingRecord.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("staff:training-employee", args=[owner.pk])
    assert record.certificate.name.startswith(f"certificates/{owner.pk}/")


def download(client, url):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.status_code == 200 else b""
    response.close()  # ends the request (and the test's connection): the last step of a test
    return response, body


@pytest.mark.parametrize(
    ("persona", "status"),
    [("manager", 200), ("owner", 200), ("colleague", 404), ("outsider", 404), ("shopper", 403)],
)
def test_certificates_only_for_those_who_see_the_record(
    request, login, manager, owner, course, persona, status
):
    record = services.record_training(
        by=manager,
        employee=owner,
        course=course,
        completed_on=date(2026, 1, 10),
        result="passed",
        certificate=pdf(),
    )
    url = reverse("staff:training-certificate", args=[record.pk])
    response, body = download(login(request.getfixturevalue(persona)), url)
    assert response.status_code == status
    if status == 200:
        assert body == PDF and response["Content-Type"] == "application/pdf"
        assert response["Content-Security-Policy"] == "sandbox"
        assert response["Cache-Control"] == "private, no-store"


def test_record_page_refuses_people_of_other_branches(login, manager, outsider, course):
    response = login(manager).post(
        reverse("staff:training-record-create"),
        {
            "employee": outsider.pk,
            "course": course.pk,
            "completed_on": "2026-01-10",
            "result": "passed",
        },
    )
    assert response.status_code == 200 and "employee" in response.context["form"].errors


def test_compliance_overview_filters_and_sorts(login, manager, owner, colleague, course):
    RequiredCourseFactory(course=course, role="sales")
    TrainingRecordFactory(
        employee=owner, course=course, expires_on=timezone.localdate() - timedelta(days=1)
    )
    client = login(manager)
    rows = client.get(reverse("staff:training-compliance")).context["page"]
    assert {person for person, _ in rows} >= {owner, colleague, manager}
    expired = client.get(reverse("staff:training-compliance"), {"state": "expired"})
    assert [person for person, _ in expired.context["page"]] == [owner]
    missing = client.get(reverse("staff:training-compliance"), {"sort": "missing"})
    assert next(person for person, _ in missing.context["page"]) == colleague


@pytest.mark.parametrize(
    ("persona", "status"),
    [("owner", 403), ("manager", 200), ("quality_manager", 200), ("shopper", 403)],
)
def test_compliance_overview_access(request, login, persona, status):
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("staff:training-compliance")).status_code == status


@pytest.mark.parametrize(
    ("persona", "status"),
    [("owner", 200), ("colleague", 404), ("outsider", 404), ("manager", 200), ("shopper", 403)],
)
def test_one_persons_training_page(request, login, owner, persona, status):
    client = login(request.getfixturevalue(persona))
    assert client.get(reverse("staff:training-employee", args=[owner.pk])).status_code == status


def test_my_training_shows_state_and_history(login, owner, course):
    RequiredCourseFactory(course=course, role="sales")
    TrainingRecordFactory(
        employee=owner, course=course, expires_on=timezone.localdate() + timedelta(days=10)
    )
    response = login(owner).get(reverse("staff:my-training"))
    assert response.context["compliance"].expiring == 1
    assert "Handover basics" in response.content.decode()


@pytest.mark.parametrize("people", [2, 12])
def test_compliance_queries(login, manager, north, course, people, django_assert_num_queries):
    RequiredCourseFactory(course=course, role="sales")
    for _ in range(people):
        TrainingRecordFactory(
            employee=UserFactory(roles=["sales"], branches=[north]), course=course
        )
    client = login(manager)
    client.get(reverse("staff:training-compliance"))
    # Session, the user with their permissions, roles and branch ids; the people and
    # their branches (prefetch); compliance: roles, required courses, current records; unread
    # notifications (navigation); the branch and course choices of the filter.
    with django_assert_num_queries(10):
        response = client.get(reverse("staff:training-compliance"))
    assert len(response.context["page"]) == people + 1  # and the manager


def test_record_detail_and_form_render(login, manager, owner, course):
    record = TrainingRecordFactory(employee=owner, course=course)
    client = login(manager)
    assert client.get(record.get_absolute_url()).status_code == 200
    form = client.get(reverse("staff:training-record-create"), {"employee": owner.pk})
    assert form.status_code == 200 and form.context["form"].initial["employee"] == str(owner.pk)
    assert client.get(reverse("staff:training-employee", args=[manager.pk])).status_code == 200
