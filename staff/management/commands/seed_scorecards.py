"""Demo mystery-shop scorecards, one per scenario, and one open assignment for the demo shopper.

    manage.py load_demo_data      # the demo logins (shopper, manager, sales, quality, ...)
    manage.py seed_scorecards

Idempotent: a scenario that already has a template of the demo name is left alone, and the demo
assignment is made once. Templates go through `create_template` and the assignment through
`create_assignment` (the shopper is notified), like any other. Refuses to run with DEBUG off, like
load_demo_data: these are demo data, not a production catalogue.
"""

from datetime import datetime, time, timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from aftersales.models import User
from aftersales.roles import Role
from staff.mystery import services
from staff.mystery.models import Criterion, MysteryShopAssignment, Scenario, ScorecardTemplate
from staff.mystery.selectors import version_criteria

YES_NO = Criterion.Kind.YES_NO
SCALE = Criterion.Kind.SCALE
MINUTES = Criterion.Kind.MINUTES
OBSERVATION = Criterion.Kind.OBSERVATION


def criterion(text, kind=YES_NO, weight=1, guidance="", target=None, critical=False):
    return {
        "text": text,
        "kind": kind,
        "weight": weight,
        "guidance": guidance,
        "target_minutes": target,
        "is_critical": critical,
    }


GREETING = criterion(
    "Greeted within two minutes",
    MINUTES,
    weight=2,
    target=2,
    guidance="Minutes from entering (or the first ring) until someone welcomed you.",
)
NEEDS = criterion(
    "Needs analysis",
    SCALE,
    weight=3,
    guidance="Did they ask how you drive, what you need, your budget? 5: thorough questions.",
)
KNOWLEDGE = criterion(
    "Product knowledge",
    SCALE,
    weight=2,
    guidance="Correct, confident answers to your questions without looking everything up.",
)
NEXT_STEP = criterion(
    "Clear next step agreed",
    weight=2,
    guidance="A date, an offer, a call-back: you knew what happens next.",
)
FAREWELL = criterion("Friendly farewell", guidance="Thanked you and said goodbye by name.")
OBSERVATION_FIELD = criterion(
    "What stood out",
    OBSERVATION,
    guidance="Anything worth telling the team, good or bad, in your own words.",
)

DEMO_TEMPLATES = [
    (
        "Showroom visit",
        Scenario.SHOWROOM_VISIT,
        {
            "Welcome": [GREETING, criterion("Introduced themselves by name")],
            "Consultation": [
                NEEDS,
                KNOWLEDGE,
                criterion("Test drive offered", weight=2),
                NEXT_STEP,
            ],
            "Farewell": [
                FAREWELL,
                criterion(
                    "Follow-up promise kept",
                    weight=2,
                    guidance="They called or wrote when they said they would.",
                ),
                OBSERVATION_FIELD,
            ],
        },
    ),
    (
        "Phone enquiry",
        Scenario.PHONE_ENQUIRY,
        {
            "The call": [
                criterion(
                    "Answered within two minutes",
                    MINUTES,
                    weight=2,
                    target=2,
                    guidance="Minutes from the first ring (or the queue) to a person.",
                ),
                criterion("Name of the dealership and own name given"),
                NEEDS,
                KNOWLEDGE,
            ],
            "Outcome": [
                criterion("Test drive or visit offered", weight=2),
                NEXT_STEP,
                criterion("Follow-up promise kept", weight=2),
                FAREWELL,
                OBSERVATION_FIELD,
            ],
        },
    ),
    (
        "Service appointment",
        Scenario.SERVICE_APPOINTMENT,
        {
            "Drop-off": [
                criterion(
                    "Punctuality of the appointment",
                    MINUTES,
                    weight=3,
                    target=5,
                    guidance="Minutes you waited after the agreed time until someone took you.",
                ),
                GREETING,
                criterion("Work and price explained before starting", weight=2),
            ],
            "Pick-up": [
                criterion("Car ready at the promised time", weight=2),
                criterion("Invoice explained line by line"),
                criterion("Follow-up promise kept", weight=2),
                FAREWELL,
                OBSERVATION_FIELD,
            ],
        },
    ),
    (
        "Vehicle handover",
        Scenario.VEHICLE_HANDOVER,
        {
            "Arrival": [
                criterion(
                    "Punctuality of the appointment",
                    MINUTES,
                    weight=2,
                    target=5,
                    guidance="Minutes you waited after the agreed handover time.",
                ),
                criterion("Car clean and prepared", weight=2),
            ],
            "Handover": [
                criterion(
                    "Handover explained every function",
                    weight=4,
                    critical=True,
                    guidance="Lights, assistance systems, infotainment, charging or fuel, app: "
                    "nothing you had to find out alone.",
                ),
                criterion("Documents and keys explained", weight=2),
                criterion("Questions answered patiently", SCALE, weight=2),
            ],
            "Farewell": [
                criterion("Clear next step agreed", guidance="First service, a call in a week."),
                FAREWELL,
                OBSERVATION_FIELD,
            ],
        },
    ),
    (
        "Complaint call",
        Scenario.COMPLAINT_CALL,
        {
            "Listening": [
                criterion("Answered within two minutes", MINUTES, weight=2, target=2),
                criterion(
                    "Let you finish and summarised the complaint",
                    weight=3,
                    critical=True,
                ),
                criterion("Empathy shown", SCALE, weight=2),
            ],
            "Resolution": [
                NEXT_STEP,
                criterion("Follow-up promise kept", weight=3),
                FAREWELL,
                OBSERVATION_FIELD,
            ],
        },
    ),
    (
        "E-mail enquiry",
        Scenario.EMAIL_ENQUIRY,
        {
            "Answer": [
                criterion(
                    "Answered within one working day",
                    weight=3,
                    guidance="Count working days from sending your e-mail.",
                ),
                criterion("Personal answer, not a form letter", weight=2),
                KNOWLEDGE,
                criterion("Test drive offered", weight=2),
            ],
            "Next steps": [
                NEXT_STEP,
                criterion("Follow-up promise kept", weight=2),
                OBSERVATION_FIELD,
            ],
        },
    ),
]

DEMO_BRANCH_CODE = "MUC"


class Command(BaseCommand):
    help = "Create demo mystery-shop scorecards and an assignment (development only; idempotent)."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("Demo data is for development only; refusing to run with DEBUG off.")
        with transaction.atomic():
            created = self._templates()
            users = self._demo_users()
            assignment = self._assignment(**users) if users else None
            accepted = self._past_results(**users) if users else 0
        self.stdout.write(
            self.style.SUCCESS(
                f"Scorecards: {created} created, {len(DEMO_TEMPLATES) - created} existed."
                + (" Demo assignment created." if assignment else "")
                + (f" {accepted} past results accepted." if accepted else "")
            )
        )

    def _templates(self):
        created = 0
        for name, scenario, sections in DEMO_TEMPLATES:
            if ScorecardTemplate.objects.filter(name=name, scenario=scenario).exists():
                continue
            services.create_template(
                by=None,
                name=name,
                scenario=scenario,
                description="Demo scorecard.",
                sections=[
                    {"title": title, "criteria": criteria} for title, criteria in sections.items()
                ],
            )
            created += 1
        return created

    def _demo_users(self):
        """load_demo_data's shopper, quality manager, salesperson and manager, or None when one
        is missing."""
        users = {
            "shopper": User.objects.filter(
                username="shopper", groups__name=Role.MYSTERY_SHOPPER
            ).first(),
            "quality": User.objects.filter(username="quality", groups__name=Role.QUALITY).first(),
            "sales": User.objects.filter(username="sales").first(),
            "manager": User.objects.filter(username="manager").first(),
        }
        return None if None in users.values() else users

    def _past_results(self, *, shopper, quality, sales, **_others):
        """Accepted showroom visits and phone enquiries of the past months, so that the demo
        salesperson's scorecard has a mystery-shop trend. Made once: skipped when the shopper
        already has assignments of these scorecards at that branch."""
        branch = sales.branches.order_by("pk").first()
        templates = list(
            ScorecardTemplate.objects.filter(
                scenario__in=[Scenario.SHOWROOM_VISIT, Scenario.PHONE_ENQUIRY]
            ).order_by("scenario")
        )
        if branch is None or not templates:
            return 0
        if MysteryShopAssignment.objects.filter(
            shopper=shopper, branch=branch, template__in=templates
        ).exists():
            return 0
        today = timezone.localdate()
        # Months ago, and how many criteria the salesperson missed on that visit.
        for number, (months_ago, missed) in enumerate([(5, 3), (4, 2), (3, 2), (2, 1), (1, 0)]):
            template = templates[number % len(templates)]
            visit_day = today - timedelta(days=30 * months_ago)
            assignment = services.create_assignment(
                by=quality,
                template=template,
                shopper=shopper,
                branch=branch,
                # A window cannot end in the past; the visit happened early in it.
                window_start=visit_day - timedelta(days=3),
                window_end=today,
                employee=sales,
            )
            criteria = version_criteria(assignment.version)
            answers = {}
            for index, item in enumerate(criteria):
                good = index >= missed
                answers[item.pk] = {
                    Criterion.Kind.YES_NO: {"met": good},
                    Criterion.Kind.SCALE: {"rating": 5 if good else 2},
                    Criterion.Kind.MINUTES: {"minutes": 1 if good else 4},
                    Criterion.Kind.OBSERVATION: {"note": "Friendly, took time to listen."},
                }[item.kind]
            result = services.save_result(
                assignment=assignment,
                by=shopper,
                visited_at=timezone.make_aware(datetime.combine(visit_day, time(10, 30))),
                served_by=sales,
                answers=answers,
            )
            services.submit_result(result=result, by=shopper)
            services.accept_result(result=result, by=quality)
        return number + 1

    def _assignment(self, *, shopper, quality, sales, manager):
        """One open vehicle-handover visit for the demo shopper at the demo manager's branch,
        observing the demo salesperson, sent by the demo quality manager."""
        branch = (
            manager.branches.filter(code=DEMO_BRANCH_CODE).first()
            or manager.branches.filter(members=sales).first()
        )
        template = ScorecardTemplate.objects.filter(
            scenario=Scenario.VEHICLE_HANDOVER, name="Vehicle handover"
        ).first()
        if branch is None or template is None:
            return None
        if MysteryShopAssignment.objects.filter(
            shopper=shopper, template=template, branch=branch
        ).exists():
            return None
        today = timezone.localdate()
        return services.create_assignment(
            by=quality,
            template=template,
            shopper=shopper,
            branch=branch,
            window_start=today,
            window_end=today + timedelta(days=14),
            employee=sales if sales.branches.filter(pk=branch.pk).exists() else None,
            instructions="Pose as the buyer collecting a new car; ask about every function.",
        )
