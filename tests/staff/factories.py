"""Factories for the staff app. Rows are made directly (fast, and any state a test needs);
tests of a workflow call the services instead."""

from datetime import timedelta

import factory
from django.utils import timezone

from staff.models import (
    Answer,
    Appointment,
    Candidate,
    CandidateAssessment,
    CoachingAction,
    CompetencyRating,
    Course,
    Criterion,
    MysteryShopAssignment,
    MysteryShopResult,
    RequiredCourse,
    Scenario,
    ScorecardSection,
    ScorecardTemplate,
    ScorecardVersion,
    StaffPolicy,
    TrainingRecord,
)
from tests.aftersales.factories import BranchFactory, UserFactory
from tests.customers.factories import CustomerFactory


class StaffPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffPolicy
        django_get_or_create = ("branch",)

    branch = factory.SubFactory(BranchFactory)


class ScorecardTemplateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScorecardTemplate

    name = factory.Sequence(lambda n: f"Scorecard {n}")
    scenario = Scenario.VEHICLE_HANDOVER


class ScorecardVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScorecardVersion

    template = factory.SubFactory(ScorecardTemplateFactory)
    number = factory.Sequence(lambda n: n + 1)


class ScorecardSectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScorecardSection

    version = factory.SubFactory(ScorecardVersionFactory)
    title = factory.Sequence(lambda n: f"Section {n}")
    position = factory.Sequence(lambda n: n)


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion

    section = factory.SubFactory(ScorecardSectionFactory)
    text = factory.Sequence(lambda n: f"Criterion {n}")
    kind = Criterion.Kind.YES_NO
    weight = 1
    position = factory.Sequence(lambda n: n)


def make_version(sections, *, template=None, number=1, coaching_threshold=70):
    """A scorecard version built from {"Section title": [criterion kwargs, ...]}."""
    template = template or ScorecardTemplateFactory()
    version = ScorecardVersionFactory(
        template=template, number=number, coaching_threshold=coaching_threshold
    )
    for position, (title, criteria) in enumerate(sections.items()):
        section = ScorecardSectionFactory(version=version, title=title, position=position)
        for index, criterion in enumerate(criteria):
            CriterionFactory(section=section, position=index, **criterion)
    return version


class AssignmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MysteryShopAssignment

    version = factory.SubFactory(ScorecardVersionFactory)
    template = factory.LazyAttribute(lambda assignment: assignment.version.template)
    shopper = factory.SubFactory(UserFactory, roles=["mystery_shopper"])
    branch = factory.SubFactory(BranchFactory)
    window_start = factory.LazyFunction(timezone.localdate)
    window_end = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))


class ResultFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MysteryShopResult

    assignment = factory.SubFactory(AssignmentFactory)
    visited_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=1))


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Answer

    result = factory.SubFactory(ResultFactory)
    criterion = factory.SubFactory(CriterionFactory)


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appointment

    customer = factory.SubFactory(CustomerFactory)
    branch = factory.LazyAttribute(lambda appointment: appointment.customer.branch)
    employee = factory.LazyAttribute(
        lambda row: UserFactory(roles=["sales"], branches=[row.branch])
    )
    kind = Appointment.Kind.HANDOVER
    agreed_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=1))


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    title = factory.Sequence(lambda n: f"Course {n}")
    topic = Course.Topic.CUSTOMER_ORIENTATION
    validity_months = 24


class RequiredCourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequiredCourse

    course = factory.SubFactory(CourseFactory)
    role = "sales"


class TrainingRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingRecord

    employee = factory.SubFactory(UserFactory, roles=["sales"])
    course = factory.SubFactory(CourseFactory)
    completed_on = factory.LazyFunction(lambda: timezone.localdate() - timedelta(days=30))
    result = TrainingRecord.Result.PASSED
    expires_on = factory.LazyAttribute(
        lambda record: (
            record.completed_on + timedelta(days=30 * record.course.validity_months)
            if record.course.validity_months
            else None
        )
    )


class CoachingActionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CoachingAction

    branch = factory.SubFactory(BranchFactory)
    employee = factory.LazyAttribute(
        lambda row: UserFactory(roles=["sales"], branches=[row.branch])
    )
    source = CoachingAction.Source.MANUAL
    goal = "Greet every customer within two minutes."
    due_on = factory.LazyFunction(lambda: timezone.localdate() + timedelta(days=14))


class CandidateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Candidate

    branch = factory.SubFactory(BranchFactory)
    first_name = factory.Faker("first_name", locale="de_DE")
    last_name = factory.Faker("last_name", locale="de_DE")
    role = "sales"


class CandidateAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CandidateAssessment

    candidate = factory.SubFactory(CandidateFactory)
    assessor = factory.LazyAttribute(
        lambda assessment: UserFactory(roles=["manager"], branches=[assessment.candidate.branch])
    )


class CompetencyRatingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CompetencyRating

    assessment = factory.SubFactory(CandidateAssessmentFactory)
    rating = 3
