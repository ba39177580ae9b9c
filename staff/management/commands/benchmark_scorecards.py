"""Time the branch scorecard at a data size made for the purpose.

    manage.py benchmark_scorecards --employees 40 --requests 20

Inside one transaction that is rolled back at the end (nothing stays behind), it bulk-inserts a
branch with a manager and `--employees` salespeople, each with a year of work: accepted
mystery-shop results, appointments, follow-ups, complaints, survey answers, training records and
coaching actions (`--per-employee` scales the rows). Then it renders the branch scorecard through
Django's test client as the manager, `--requests` times after a warm-up, and prints the median
and 95th percentile and the number of queries per request. It also times one employee's
scorecard. Refuses to run with DEBUG off (a production database) unless --force is given.
"""

import random
import statistics
import time
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from aftersales.benchmarks import benchmark_client, percentile
from aftersales.models import Branch, User
from aftersales.roles import Role
from customers.models import Customer, Purchase
from followups.models import (
    AssigneeRole,
    ContactChannel,
    FollowUp,
    Purpose,
    StepKind,
    SurveyInvitation,
    SurveyResponse,
)
from quality.models import Complaint, ComplaintCategory
from staff.models import (
    Appointment,
    CoachingAction,
    Course,
    MysteryShopAssignment,
    MysteryShopResult,
    RequiredCourse,
    Scenario,
    ScorecardTemplate,
    ScorecardVersion,
    TrainingRecord,
)

SEED = 20260601
BATCH = 2000


class Rollback(Exception):
    """Raised at the end to undo everything the benchmark made."""


class Command(BaseCommand):
    help = "Time the branch scorecard (median, 95th percentile, queries) on bulk-made data."

    def add_arguments(self, parser):
        parser.add_argument("--employees", type=int, default=40, help="Salespeople in the branch.")
        parser.add_argument(
            "--per-employee",
            type=int,
            default=50,
            help="Appointments and follow-ups per employee (results, complaints, surveys scale).",
        )
        parser.add_argument("--requests", type=int, default=20, help="Measured requests.")
        parser.add_argument("--warmup", type=int, default=3, help="Requests before measuring.")
        parser.add_argument(
            "--slowest", type=int, default=0, help="Show this many slowest queries of a request."
        )
        parser.add_argument(
            "--force", action="store_true", help="Run even though DEBUG is off (production)."
        )

    def handle(self, *args, employees, per_employee, requests, warmup, slowest, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production. Use --force to benchmark anyway."
            )
        if employees < 1 or per_employee < 1 or requests < 1 or warmup < 0:
            raise CommandError("--employees, --per-employee and --requests must be 1 or more.")
        try:
            with transaction.atomic():
                self._run(employees, per_employee, requests, warmup, slowest)
                raise Rollback
        except Rollback:
            self.stdout.write("The benchmark's data has been rolled back.")

    def _run(self, employees, per_employee, requests, warmup, slowest):
        started = time.perf_counter()
        branch, manager, people, counts = self._make_data(employees, per_employee)
        self.stdout.write(
            f"Made in {time.perf_counter() - started:.1f} s: 1 branch, {employees} employees, "
            + ", ".join(f"{count:,} {name}" for name, count in counts.items())
            + "."
        )
        client = benchmark_client()
        client.force_login(manager)
        for label, url in [
            ("branch scorecard", reverse("staff:branch-scorecard", args=[branch.pk])),
            ("employee scorecard", reverse("staff:employee-scorecard", args=[people[0].pk])),
        ]:
            timings, queries, last = self._measure(client, url, requests, warmup)
            median, p95 = statistics.median(timings), percentile(timings, 0.95)
            verdict = self.style.SUCCESS if p95 < 300 else self.style.WARNING
            self.stdout.write(
                verdict(
                    f"{label} {url}: {requests} requests after {warmup} warm-up; "
                    f"median={median:.0f} ms p95={p95:.0f} ms "
                    f"queries={'/'.join(str(count) for count in sorted(set(queries)))}"
                )
            )
            for query in sorted(last, key=lambda query: -float(query["time"]))[:slowest]:
                self.stdout.write(f"  {float(query['time']) * 1000:6.0f} ms  {query['sql'][:300]}")

    def _measure(self, client, url, requests, warmup):
        timings, query_counts, last = [], [], []
        for number in range(warmup + requests):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url, secure=True)
                elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise CommandError(f"{url} answered {response.status_code}.")
            if number >= warmup:
                timings.append(elapsed)
                query_counts.append(len(queries))
                last = queries.captured_queries
        return timings, query_counts, last

    # --- the data --------------------------------------------------------------------------------

    def _make_data(self, employees, per_employee):
        rng = random.Random(SEED)  # noqa: S311
        now = timezone.now()
        today = timezone.localdate()
        code = f"BENCH{rng.randrange(10**6):06d}"
        branch = Branch.objects.create(name=f"Benchmark {code}", code=code, city="Berlin")
        groups = {group.name: group for group in Group.objects.filter(name__in=Role.values)}
        manager = User.objects.create(username=f"{code.lower()}-manager", first_name="Bench")
        manager.groups.add(groups[Role.MANAGER])
        manager.branches.add(branch)
        shopper = User.objects.create(username=f"{code.lower()}-shopper")
        people = User.objects.bulk_create(
            User(username=f"{code.lower()}-{number}", first_name="Sales", last_name=f"{number:04d}")
            for number in range(employees)
        )
        User.groups.through.objects.bulk_create(
            User.groups.through(user_id=person.pk, group_id=groups[Role.SALES].pk)
            for person in people
        )
        User.branches.through.objects.bulk_create(
            User.branches.through(user_id=person.pk, branch_id=branch.pk) for person in people
        )

        customers = Customer.objects.bulk_create(
            (
                Customer(branch=branch, first_name="Customer", last_name=str(number))
                for number in range(employees * per_employee)
            ),
            batch_size=BATCH,
        )
        sellers = [people[number % employees] for number in range(len(customers))]
        purchases = Purchase.objects.bulk_create(
            (
                Purchase(
                    customer=customer,
                    branch=branch,
                    salesperson=seller,
                    purchase_date=today - timedelta(days=rng.randrange(365)),
                )
                for customer, seller in zip(customers, sellers, strict=True)
            ),
            batch_size=BATCH,
        )

        def moment():
            return now - timedelta(minutes=rng.randrange(60 * 24 * 360))

        appointments = []
        followups = []
        Outcome = Appointment.Outcome
        for purchase, seller in zip(purchases, sellers, strict=True):
            agreed = moment()
            outcome = rng.choice([Outcome.HELD] * 3 + [Outcome.NO_SHOW, Outcome.SCHEDULED])
            appointments.append(
                Appointment(
                    branch=branch,
                    employee=seller,
                    customer=purchase.customer,
                    kind=Appointment.Kind.HANDOVER,
                    agreed_at=agreed,
                    outcome=outcome,
                    started_at=agreed + timedelta(minutes=rng.randrange(-5, 20))
                    if outcome == Outcome.HELD
                    else None,
                )
            )
            due = timezone.localdate(moment())
            status = rng.choice([FollowUp.Status.DONE] * 3 + [FollowUp.Status.MISSED])
            followups.append(
                FollowUp(
                    purchase=purchase,
                    customer=purchase.customer,
                    branch=branch,
                    kind=StepKind.CHECK_IN,
                    channel=ContactChannel.PHONE,
                    purpose=Purpose.CARE,
                    title="Check-in",
                    assignee_role=AssigneeRole.SALESPERSON,
                    assignee=seller,
                    planned_date=due,
                    due_date=due,
                    status=status,
                    completed_at=now if status == FollowUp.Status.DONE else None,
                )
            )
        Appointment.objects.bulk_create(appointments, batch_size=BATCH)
        FollowUp.objects.bulk_create(followups, batch_size=BATCH)

        invitations = SurveyInvitation.objects.bulk_create(
            (
                SurveyInvitation(
                    customer=purchase.customer,
                    purchase=purchase,
                    branch=branch,
                    sent_at=now - timedelta(days=30),
                    expires_at=now,
                    answered_at=now - timedelta(days=20),
                )
                for purchase in purchases[::3]
            ),
            batch_size=BATCH,
        )
        SurveyResponse.objects.bulk_create(
            (
                SurveyResponse(
                    invitation=invitation,
                    nps=rng.randrange(11),
                    satisfaction_purchase=rng.randint(1, 5),
                    satisfaction_handover=rng.randint(1, 5),
                )
                for invitation in invitations
            ),
            batch_size=BATCH,
        )

        categories = list(ComplaintCategory.objects.filter(is_active=True)[:10]) or [
            ComplaintCategory.objects.create(name="Benchmark", code=f"{code.lower()}-complaint")
        ]
        complaints = []
        for purchase, seller in list(zip(purchases, sellers, strict=True))[::5]:
            received = moment()
            complaints.append(
                Complaint(
                    customer=purchase.customer,
                    purchase=purchase,
                    branch=branch,
                    responsible_salesperson=seller,
                    channel=Complaint.Channel.PHONE,
                    received_at=received,
                    category=rng.choice(categories),
                    description="Benchmark complaint.",
                    acknowledge_due_at=received + timedelta(hours=8),
                    resolve_due_at=received + timedelta(days=5),
                    status=rng.choice(list(Complaint.Status.values)),
                )
            )
        Complaint.objects.bulk_create(complaints, batch_size=BATCH)

        template = ScorecardTemplate.objects.create(
            name=f"Benchmark {code}", scenario=Scenario.SHOWROOM_VISIT
        )
        version = ScorecardVersion.objects.create(template=template, number=1)
        results_per_person = max(per_employee // 4, 1)
        assignments = MysteryShopAssignment.objects.bulk_create(
            (
                MysteryShopAssignment(
                    template=template,
                    version=version,
                    shopper=shopper,
                    branch=branch,
                    employee=person,
                    window_start=today - timedelta(days=365),
                    window_end=today,
                )
                for person in people
                for _number in range(results_per_person)
            ),
            batch_size=BATCH,
        )
        MysteryShopResult.objects.bulk_create(
            (
                MysteryShopResult(
                    assignment=assignment,
                    status=MysteryShopResult.Status.ACCEPTED,
                    served_by=assignment.employee,
                    visited_at=moment(),
                    score=Decimal(rng.randrange(400, 1001)) / 10,
                    submitted_at=now,
                    accepted_at=now,
                )
                for assignment in assignments
            ),
            batch_size=BATCH,
        )

        courses = [
            Course.objects.create(
                title=f"Benchmark {code} {number}", topic="product", validity_months=12
            )
            for number in range(4)
        ]
        RequiredCourse.objects.bulk_create(
            RequiredCourse(course=course, role=Role.SALES) for course in courses
        )
        records = TrainingRecord.objects.bulk_create(
            (
                TrainingRecord(
                    employee=person,
                    course=course,
                    completed_on=today - timedelta(days=rng.randrange(400)),
                    expires_on=today + timedelta(days=rng.randrange(-60, 300)),
                )
                for person in people
                for course in courses[: rng.randint(2, 4)]
            ),
            batch_size=BATCH,
        )
        coaching = CoachingAction.objects.bulk_create(
            (
                CoachingAction(
                    employee=person,
                    branch=branch,
                    coach=manager,
                    source=CoachingAction.Source.MANUAL,
                    goal="Benchmark goal.",
                    due_on=today + timedelta(days=rng.randrange(-20, 30)),
                    status=rng.choice(list(CoachingAction.Status.values)),
                )
                for person in people
                for _number in range(3)
            ),
            batch_size=BATCH,
        )
        counts = {
            "customers and purchases": len(purchases),
            "appointments": len(appointments),
            "follow-ups": len(followups),
            "survey answers": len(invitations),
            "complaints": len(complaints),
            "mystery-shop results": len(assignments),
            "training records": len(records),
            "coaching actions": len(coaching),
        }
        return branch, manager, people, counts
