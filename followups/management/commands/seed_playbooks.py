from datetime import timedelta
from itertools import islice

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from customers.models import InvolvementLevel, ProductCategory, Purchase
from followups import services
from followups.models import (
    AssigneeRole,
    ContactChannel,
    Playbook,
    PlaybookStep,
    Purpose,
    StepKind,
)
from followups.public_holidays import fill_public_holidays

HANDOVER, WARRANTY_END = PlaybookStep.Anchor.HANDOVER, PlaybookStep.Anchor.WARRANTY_END
SALES, SERVICE, MANAGER = AssigneeRole.SALESPERSON, AssigneeRole.SERVICE, AssigneeRole.MANAGER
PHONE, EMAIL, LETTER = ContactChannel.PHONE, ContactChannel.EMAIL, ContactChannel.LETTER
CARE, COMMERCIAL = Purpose.CARE, Purpose.COMMERCIAL

# Purchases planned per transaction: the planner's lookups are per batch, its memory per row.
PLAN_BATCH = 5000
HIGH_INVOLVEMENT_CHECK_IN = (
    "Ask specifically: Any noises (wind, fan, rattle, creak)? Does every function work as "
    "expected? Did the handover answer all questions, or is anything unclear? Listen for doubt: "
    "a subjective complaint counts as much as a defect."
)

# (anchor, offset days, kind, channel, who, purpose, title, instructions)
PLAYBOOKS = {
    "new-cars": (
        "New cars",
        [
            (
                HANDOVER,
                1,
                StepKind.THANK_YOU,
                PHONE,
                SALES,
                CARE,
                "Thank-you call",
                "Thank the customer personally for the trust and ask how the first day went.",
            ),
            (
                HANDOVER,
                7,
                StepKind.CHECK_IN,
                PHONE,
                SALES,
                CARE,
                "Check-in after a week",
                HIGH_INVOLVEMENT_CHECK_IN,
            ),
            (
                HANDOVER,
                30,
                StepKind.CHECK_IN,
                PHONE,
                SALES,
                CARE,
                "Check-in after a month",
                HIGH_INVOLVEMENT_CHECK_IN,
            ),
            (HANDOVER, 45, StepKind.SURVEY, EMAIL, SALES, CARE, "Satisfaction survey", ""),
            (
                HANDOVER,
                90,
                StepKind.CHECK_IN,
                PHONE,
                SALES,
                CARE,
                "Check-in after three months",
                "Ask about everyday use and whether anything still bothers the customer.",
            ),
            (
                HANDOVER,
                335,
                StepKind.SERVICE_REMINDER,
                PHONE,
                SERVICE,
                CARE,
                "First inspection reminder",
                "Offer an appointment for the first inspection; mention tyre change if seasonal.",
            ),
            (
                WARRANTY_END,
                -60,
                StepKind.WARRANTY_END,
                LETTER,
                SERVICE,
                CARE,
                "Warranty ends in 60 days",
                "Offer a warranty check and explain the extended warranty options.",
            ),
            (
                HANDOVER,
                365,
                StepKind.ANNIVERSARY,
                PHONE,
                SALES,
                CARE,
                "First anniversary",
                "Congratulate on one year with the car; ask for a recommendation.",
            ),
        ],
    ),
    "used-cars": (
        "Used cars",
        [
            (
                HANDOVER,
                2,
                StepKind.THANK_YOU,
                PHONE,
                SALES,
                CARE,
                "Thank-you call",
                "Thank the customer and ask how the first days went.",
            ),
            (
                HANDOVER,
                14,
                StepKind.CHECK_IN,
                PHONE,
                SALES,
                CARE,
                "Check-in after two weeks",
                HIGH_INVOLVEMENT_CHECK_IN,
            ),
            (HANDOVER, 45, StepKind.SURVEY, EMAIL, SALES, CARE, "Satisfaction survey", ""),
            (
                WARRANTY_END,
                -30,
                StepKind.WARRANTY_END,
                LETTER,
                SERVICE,
                CARE,
                "Warranty ends in 30 days",
                "Offer a warranty check before it ends.",
            ),
        ],
    ),
    "tyres": (
        "Tyres",
        [
            (HANDOVER, 14, StepKind.SURVEY, EMAIL, SERVICE, CARE, "Satisfaction survey", ""),
            (
                HANDOVER,
                180,
                StepKind.SERVICE_REMINDER,
                LETTER,
                SERVICE,
                COMMERCIAL,
                "Seasonal tyre change",
                "Offer the seasonal tyre change and storage.",
            ),
        ],
    ),
    "services": (
        "Inspection & maintenance",
        [
            (
                HANDOVER,
                3,
                StepKind.CHECK_IN,
                PHONE,
                SERVICE,
                CARE,
                "Was everything in order?",
                "Ask whether the car runs well after the service and the invoice was clear.",
            )
        ],
    ),
    "insurance": (
        "Insurance",
        [
            (
                HANDOVER,
                3,
                StepKind.THANK_YOU,
                PHONE,
                SALES,
                CARE,
                "Welcome call",
                "Confirm the policy documents arrived and explain how to report a claim.",
            ),
            (
                HANDOVER,
                330,
                StepKind.CUSTOM,
                PHONE,
                SALES,
                CARE,
                "Annual policy review",
                "Review cover against the customer's situation before renewal.",
            ),
        ],
    ),
    "financing": (
        "Financing",
        [
            (
                HANDOVER,
                7,
                StepKind.CHECK_IN,
                PHONE,
                SALES,
                CARE,
                "First instalment check",
                "Check the first instalment went through and the customer understood the plan.",
            ),
            (
                HANDOVER,
                365,
                StepKind.CUSTOM,
                PHONE,
                SALES,
                CARE,
                "Yearly financing review",
                "Ask whether the plan still fits; mention early repayment options.",
            ),
        ],
    ),
}

# Generic plans for categories without their own playbook, by involvement level.
FALLBACKS = {
    InvolvementLevel.HIGH: (
        "High involvement (fallback)",
        [
            (
                HANDOVER,
                1,
                StepKind.THANK_YOU,
                PHONE,
                SALES,
                CARE,
                "Thank-you call",
                "Thank the customer personally and ask how the first day went.",
            ),
            (
                HANDOVER,
                7,
                StepKind.CHECK_IN,
                PHONE,
                SALES,
                CARE,
                "Check-in after a week",
                "Ask whether everything works as expected and whether any question is still open.",
            ),
            (HANDOVER, 30, StepKind.SURVEY, EMAIL, SALES, CARE, "Satisfaction survey", ""),
            (
                HANDOVER,
                90,
                StepKind.CHECK_IN,
                PHONE,
                SALES,
                CARE,
                "Check-in after three months",
                "Ask about everyday use and whether anything still bothers the customer.",
            ),
        ],
    ),
    InvolvementLevel.MEDIUM: (
        "Medium involvement (fallback)",
        [
            (
                HANDOVER,
                2,
                StepKind.THANK_YOU,
                PHONE,
                SALES,
                CARE,
                "Thank-you call",
                "Thank the customer and ask whether the product meets their expectations.",
            ),
            (HANDOVER, 21, StepKind.SURVEY, EMAIL, SALES, CARE, "Satisfaction survey", ""),
        ],
    ),
    InvolvementLevel.LOW: (
        "Low involvement (fallback)",
        [(HANDOVER, 14, StepKind.SURVEY, EMAIL, SERVICE, CARE, "Satisfaction survey", "")],
    ),
}


class Command(BaseCommand):
    help = (
        "Create the demo playbooks and import the branches' public holidays (idempotent; needs "
        "seed_demo's catalogue)."
    )

    def handle(self, *args, **options):
        # The branches' public holidays from the `holidays` package, from last year (the demo
        # history) to the year after next (warranty-end reminders); a sync, so it runs every time
        # and changes nothing once done.
        this_year = timezone.localdate().year
        holidays = fill_public_holidays(years=range(this_year - 1, this_year + 3))
        self.stdout.write(f"{holidays} public holidays added.")
        if Playbook.objects.exists():
            self.stdout.write("Playbooks exist already; nothing to do.")
            return
        categories = {category.code: category for category in ProductCategory.objects.all()}
        with transaction.atomic():
            for code, (name, steps) in PLAYBOOKS.items():
                if code in categories:
                    self._create(name, steps, category=categories[code])
            for level, (name, steps) in FALLBACKS.items():
                self._create(name, steps, involvement=level)
        # The demo purchases were logged before their playbooks existed: plan them now, in
        # batches through the bulk planner (one purchase at a time managed 50 a second). No
        # purchase can have a playbook's follow-up yet, so each batch is COPYed.
        recent = (
            Purchase.objects.filter(handover_date__gte=timezone.localdate() - timedelta(days=400))
            .select_related("branch", "main_category", "salesperson")
            .order_by("pk")
        )
        planned = 0
        purchases = recent.iterator(chunk_size=PLAN_BATCH)
        while batch := list(islice(purchases, PLAN_BATCH)):
            planned += services.plan_followups_for_many(purchases=batch, new_purchases=True)
        self.stdout.write(
            self.style.SUCCESS(f"Demo playbooks created; {planned} follow-ups planned.")
        )

    def _create(self, name, steps, **target):
        playbook = Playbook.objects.create(name=name, **target)
        PlaybookStep.objects.bulk_create(
            PlaybookStep(
                playbook=playbook,
                anchor=anchor,
                offset_days=offset,
                kind=kind,
                channel=channel,
                assignee_role=who,
                purpose=purpose,
                title=title,
                instructions=instructions,
            )
            for anchor, offset, kind, channel, who, purpose, title, instructions in steps
        )
