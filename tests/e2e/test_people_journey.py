"""Journey: a salesperson starts an appointment with "Started now"; her manager records a
training for her and sees her compliance change from missing to valid; then he completes her
coaching action with an outcome.

The salesperson of North (alice) has a handover agreed two minutes ago. The course "Handover
basics" is required for sales and she has no record of it, so she is not compliant.
"""

from datetime import timedelta

from django.utils import timezone
from playwright.sync_api import Page, expect

from staff.models import Appointment, CoachingAction, TrainingRecord
from tests.customers.factories import CustomerFactory
from tests.e2e.helpers import E2E, field, log_in, log_out
from tests.staff.factories import (
    AppointmentFactory,
    CoachingActionFactory,
    CourseFactory,
    RequiredCourseFactory,
)

pytestmark = E2E


def test_appointment_started_training_recorded_and_coaching_completed(
    page: Page, owner, manager, north
):
    customer = CustomerFactory(branch=north, first_name="Jonas", last_name="Hartmann")
    appointment = AppointmentFactory(
        customer=customer, employee=owner, agreed_at=timezone.now() - timedelta(minutes=2)
    )
    course = CourseFactory(title="Handover basics", validity_months=24)
    RequiredCourseFactory(course=course, role="sales")
    action = CoachingActionFactory(
        branch=north, employee=owner, coach=manager, goal="Explain every function at handover."
    )

    # The salesperson opens her appointments and presses "Started now".
    log_in(page, owner)
    page.goto("/appointments/")
    expect(page.get_by_role("heading", name="Appointments", level=1)).to_be_visible()
    page.wait_for_load_state("load")  # htmx is a deferred script
    row = page.get_by_role("row").filter(has_text="Jonas Hartmann")
    row.get_by_role("button", name="Started now").click()
    expect(row.get_by_role("status")).to_have_text("Started now: the appointment was held.")
    expect(row).to_contain_text("held · on time")
    expect(row.get_by_role("button", name="Started now")).to_have_count(0)
    appointment.refresh_from_db()
    assert appointment.outcome == Appointment.Outcome.HELD
    log_out(page, owner)

    # Her manager records the training and sees her compliance change.
    log_in(page, manager)
    page.goto(f"/training/people/{owner.pk}/")
    summary = page.locator("#compliance-summary")
    expect(summary).to_contain_text("Not compliant")
    courses = page.get_by_role("region", name="Courses")
    expect(courses.get_by_role("row").filter(has_text="Handover basics")).to_contain_text("missing")
    page.get_by_role("link", name="Record a training").click()
    expect(field(page, "Employee")).to_have_value(str(owner.pk))
    field(page, "Course").select_option(label="Handover basics")
    field(page, "Completed on").fill(str(timezone.localdate() - timedelta(days=3)))
    field(page, "Result").select_option(label="passed")
    page.get_by_role("button", name="Record training").click()
    expect(page).to_have_url(f"/training/people/{owner.pk}/")
    expect(page.get_by_role("status")).to_contain_text("Training “Handover basics” recorded")
    expect(summary).to_contain_text("Compliant")
    expect(summary).not_to_contain_text("Not compliant")
    expect(courses.get_by_role("row").filter(has_text="Handover basics")).to_contain_text("valid")
    assert TrainingRecord.objects.get(employee=owner).is_current

    # He opens her coaching action and completes it with an outcome.
    page.goto("/coaching/")
    page.get_by_role("link", name="Explain every function at handover.").click()
    expect(page).to_have_url(action.get_absolute_url())
    field(page, "Outcome").fill("Walked two customers through every function; both happy.")
    page.get_by_role("button", name="Complete with this outcome").click()
    expect(page.get_by_role("status")).to_contain_text("Coaching action completed.")
    expect(page.get_by_role("heading", level=1)).to_contain_text("done")
    action.refresh_from_db()
    assert action.status == CoachingAction.Status.DONE
    assert action.outcome.startswith("Walked two customers")
