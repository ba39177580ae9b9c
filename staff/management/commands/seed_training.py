"""Demo data for the people pages: a course catalogue for the five topics, the courses each role
must hold, training records for the demo users (one expiring within 30 days, one expired, one
missing), about twenty appointments of the demo branch's sales and service people in the past
weeks (some late, one no-show) with the demo customers, and one open coaching action.

    manage.py load_demo_data
    manage.py seed_demo          (customers, optional: without them no appointments are made)
    manage.py seed_training

Idempotent: courses are found by title, records and the coaching action are made only where
none exist, appointments only when the branch has none. Refuses to run with DEBUG off.
"""

import random
from datetime import datetime, time, timedelta

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from aftersales.models import Branch, User
from aftersales.roles import Role
from aftersales.seeding import fill_missing_translations
from customers.models import Customer
from staff.people import services
from staff.people.models import (
    Appointment,
    CoachingAction,
    Course,
    RequiredCourse,
    StaffPolicy,
    TrainingRecord,
)

SEED = 20260610
BRANCH = "MUC"
Topic = Course.Topic

# title, topic, validity in months (None: never expires), roles that must hold it, description
COURSES = [
    (
        "The first two minutes: greeting and needs analysis",
        Topic.CUSTOMER_ORIENTATION,
        24,
        [Role.SALES, Role.SERVICE, Role.MANAGER],
        "Greet within two minutes, ask before you show, listen for what the customer values.",
    ),
    (
        "Handling complaints calmly",
        Topic.COMPLAINT_HANDLING,
        24,
        [Role.SALES, Role.SERVICE, Role.MANAGER],
        "Take the customer's words seriously, agree a next step, keep the promise.",
    ),
    (
        "Product update: the new model year",
        Topic.PRODUCT,
        12,
        [Role.SALES],
        "What changed, what the customer notices first, how to answer the usual questions.",
    ),
    (
        "Explaining every function at handover",
        Topic.HANDOVER,
        36,
        [Role.SALES, Role.SERVICE],
        "A handover checklist that leaves no button unexplained; the follow-up promise.",
    ),
    (
        "Writing clear e-mails",
        Topic.COMMUNICATION,
        None,
        [Role.MANAGER],
        "Short, friendly, one request per message.",
    ),
]

# The German of every course's title and description.
GERMAN = {
    "The first two minutes: greeting and needs analysis": (
        "Die ersten zwei Minuten: Begrüßung und Bedarfsanalyse"
    ),
    "Greet within two minutes, ask before you show, listen for what the customer values.": (
        "Innerhalb von zwei Minuten begrüßen, erst fragen, dann zeigen, und heraushören, was dem "
        "Kunden wichtig ist."
    ),
    "Handling complaints calmly": "Reklamationen gelassen bearbeiten",
    "Take the customer's words seriously, agree a next step, keep the promise.": (
        "Die Worte des Kunden ernst nehmen, den nächsten Schritt vereinbaren, das Versprechen "
        "halten."
    ),
    "Product update: the new model year": "Produkt-Update: der neue Modelljahrgang",
    "What changed, what the customer notices first, how to answer the usual questions.": (
        "Was sich geändert hat, was dem Kunden zuerst auffällt und wie man die üblichen Fragen "
        "beantwortet."
    ),
    "Explaining every function at handover": "Jede Funktion bei der Übergabe erklären",
    "A handover checklist that leaves no button unexplained; the follow-up promise.": (
        "Eine Übergabe-Checkliste, die keinen Knopf unerklärt lässt; das Nachbetreuungsversprechen."
    ),
    "Writing clear e-mails": "Klare E-Mails schreiben",
    "Short, friendly, one request per message.": "Kurz, freundlich, ein Anliegen pro Nachricht.",
}

# username: {course title: days until expiry (negative: expired), or None: missing}
RECORDS = {
    "sales": {
        COURSES[0][0]: 400,
        COURSES[1][0]: None,  # missing
        COURSES[2][0]: 20,  # expiring within 30 days
        COURSES[3][0]: 600,
    },
    "service": {
        COURSES[0][0]: 300,
        COURSES[1][0]: -15,  # expired
        COURSES[3][0]: 500,
    },
    "manager": {
        COURSES[0][0]: 200,
        COURSES[1][0]: 250,
        COURSES[4][0]: 0,
    },
}


class Command(BaseCommand):
    help = "Demo courses, training records, appointments and coaching (development only)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo data is for development only; refusing to run with DEBUG off.")
        branch = Branch.objects.filter(code=BRANCH).first()
        admin = User.objects.filter(username="admin").first()
        if branch is None or admin is None:
            raise CommandError("Run `manage.py load_demo_data` first.")
        with transaction.atomic():
            courses = self._courses(admin)
            StaffPolicy.objects.get_or_create(branch=branch)
            records = self._records(admin, courses)
        appointments = self._appointments(branch)
        coaching = self._coaching(branch, courses)
        self.stdout.write(
            self.style.SUCCESS(
                f"Training demo: {len(courses)} courses; new: training records {records}, "
                f"appointments {appointments}, coaching actions {coaching}."
            )
        )

    def _courses(self, admin):
        courses = {}
        fill_missing_translations(
            Course.objects.all(),
            "title_en",
            {
                title: {
                    "title_de": GERMAN[title],
                    "description_en": description,
                    "description_de": GERMAN[description],
                }
                for title, _topic, _months, _roles, description in COURSES
            },
        )
        for title, topic, months, roles, description in COURSES:
            course = Course.objects.filter(title_en__iexact=title).first()
            if course is None:
                course = services.create_course(
                    by=admin,
                    title_en=title,
                    title_de=GERMAN[title],
                    topic=topic,
                    validity_months=months,
                    description_en=description,
                    description_de=GERMAN[description],
                    required_roles=roles,
                )
            else:
                for role in roles:
                    RequiredCourse.objects.get_or_create(course=course, role=role)
            courses[title] = course
        return courses

    def _records(self, admin, courses):
        today = timezone.localdate()
        made = 0
        for username, plan in RECORDS.items():
            employee = User.objects.filter(username=username).first()
            if employee is None:
                continue
            for title, days_left in plan.items():
                course = courses[title]
                if days_left is None:
                    continue
                if TrainingRecord.objects.filter(employee=employee, course=course).exists():
                    continue
                expires = today + timedelta(days=days_left)
                completed = (
                    expires - relativedelta(months=course.validity_months)
                    if course.validity_months
                    else today - timedelta(days=90)
                )
                services.record_training(
                    by=admin,
                    employee=employee,
                    course=course,
                    completed_on=completed,
                    result=TrainingRecord.Result.PASSED,
                    notes="Demo record",
                )
                made += 1
        return made

    def _appointments(self, branch):
        if Appointment.objects.filter(branch=branch).exists():
            return 0
        people = list(
            User.objects.filter(
                username__in=["sales", "service"], branches=branch, is_active=True
            ).order_by("username")
        )
        customers = list(Customer.objects.filter(branch=branch).active().order_by("pk")[:20])
        if not people or not customers:
            self.stdout.write("No demo customers (run `manage.py seed_demo`): no appointments.")
            return 0
        rng = random.Random(SEED)  # noqa: S311 (demo data, not security)
        kinds = list(Appointment.Kind)
        today = timezone.localdate()
        rows = []
        for index in range(20):
            employee = people[index % len(people)]
            customer = customers[index % len(customers)]
            day = today - timedelta(days=1 + index)
            agreed = datetime.combine(day, time(9 + index % 8, (index % 2) * 30), branch.zone)
            started, outcome = None, Appointment.Outcome.HELD
            if index == 7:
                outcome = Appointment.Outcome.NO_SHOW
            elif index in (3, 11, 16):
                started = agreed + timedelta(minutes=rng.randint(8, 25))  # late
            else:
                started = agreed + timedelta(minutes=rng.randint(-3, 4))
            rows.append(
                Appointment(
                    branch=branch,
                    employee=employee,
                    customer=customer,
                    kind=(
                        Appointment.Kind.SERVICE_DROP_OFF
                        if employee.username == "service"
                        else kinds[index % len(kinds)]
                    ),
                    agreed_at=agreed,
                    started_at=started,
                    outcome=outcome,
                    notes="Demo appointment",
                )
            )
        # Two still ahead, for the "Started now" button.
        for offset, employee in enumerate(people[:2]):
            rows.append(
                Appointment(
                    branch=branch,
                    employee=employee,
                    customer=customers[offset % len(customers)],
                    kind=Appointment.Kind.HANDOVER,
                    agreed_at=timezone.now() + timedelta(hours=2 + offset),
                    notes="Demo appointment",
                )
            )
        for row in rows:
            row.full_clean()
        Appointment.objects.bulk_create(rows)
        return len(rows)

    def _coaching(self, branch, courses):
        employee = User.objects.filter(username="sales").first()
        manager = User.objects.filter(username="manager").first()
        if employee is None or manager is None:
            return 0
        if CoachingAction.objects.filter(
            employee=employee, source=CoachingAction.Source.MANUAL
        ).exists():
            return 0
        services.create_coaching_action(
            by=manager,
            employee=employee,
            branch=branch,
            goal="Every handover customer hears the follow-up promise and gets a date for it.",
            measures="Role play on Monday; shadow the service desk for a morning.",
            course=courses[COURSES[3][0]],
            due_on=timezone.localdate() + timedelta(days=10),
            coach=manager,
        )
        return 1
