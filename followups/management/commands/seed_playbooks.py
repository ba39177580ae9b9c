from datetime import timedelta
from itertools import islice

from django.core.management.base import BaseCommand
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from customers.models import InvolvementLevel, ProductCategory, Purchase
from followups import services
from followups.models import (
    AssigneeRole,
    ContactChannel,
    FollowUp,
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


# The German of every name, title and instruction above: the demo is complete in both languages.
GERMAN = {
    "New cars": "Neuwagen",
    "Used cars": "Gebrauchtwagen",
    "Tyres": "Reifen",
    "Inspection & maintenance": "Inspektion & Wartung",
    "Insurance": "Versicherungen",
    "Financing": "Finanzierung",
    "High involvement (fallback)": "Hohes Involvement (Rückfallplan)",
    "Medium involvement (fallback)": "Mittleres Involvement (Rückfallplan)",
    "Low involvement (fallback)": "Geringes Involvement (Rückfallplan)",
    "Thank-you call": "Dankesanruf",
    "Check-in after a week": "Nachfrage nach einer Woche",
    "Check-in after two weeks": "Nachfrage nach zwei Wochen",
    "Check-in after a month": "Nachfrage nach einem Monat",
    "Check-in after three months": "Nachfrage nach drei Monaten",
    "Satisfaction survey": "Zufriedenheitsumfrage",
    "First inspection reminder": "Erinnerung an die erste Inspektion",
    "Warranty ends in 60 days": "Garantie endet in 60 Tagen",
    "Warranty ends in 30 days": "Garantie endet in 30 Tagen",
    "First anniversary": "Erster Jahrestag",
    "Seasonal tyre change": "Saisonaler Reifenwechsel",
    "Was everything in order?": "War alles in Ordnung?",
    "Welcome call": "Begrüßungsanruf",
    "Annual policy review": "Jährliche Vertragsprüfung",
    "First instalment check": "Prüfung der ersten Rate",
    "Yearly financing review": "Jährliche Finanzierungsprüfung",
    HIGH_INVOLVEMENT_CHECK_IN: (
        "Fragen Sie gezielt: Gibt es Geräusche (Wind, Lüfter, Klappern, Knarzen)? Funktioniert "
        "alles wie erwartet? Hat die Übergabe alle Fragen beantwortet, oder ist noch etwas "
        "unklar? Achten Sie auf Zweifel: Eine subjektive Beanstandung zählt so viel wie ein "
        "Defekt."
    ),
    "Thank the customer personally for the trust and ask how the first day went.": (
        "Bedanken Sie sich persönlich für das Vertrauen und fragen Sie, wie der erste Tag war."
    ),
    "Thank the customer personally and ask how the first day went.": (
        "Bedanken Sie sich persönlich und fragen Sie, wie der erste Tag war."
    ),
    "Thank the customer and ask how the first days went.": (
        "Bedanken Sie sich und fragen Sie, wie die ersten Tage waren."
    ),
    "Thank the customer and ask whether the product meets their expectations.": (
        "Bedanken Sie sich und fragen Sie, ob das Produkt die Erwartungen erfüllt."
    ),
    "Ask about everyday use and whether anything still bothers the customer.": (
        "Fragen Sie nach dem Alltag mit dem Fahrzeug und ob den Kunden noch etwas stört."
    ),
    "Offer an appointment for the first inspection; mention tyre change if seasonal.": (
        "Bieten Sie einen Termin für die erste Inspektion an; erwähnen Sie je nach Saison den "
        "Reifenwechsel."
    ),
    "Offer a warranty check and explain the extended warranty options.": (
        "Bieten Sie einen Garantie-Check an und erklären Sie die Möglichkeiten der "
        "Anschlussgarantie."
    ),
    "Congratulate on one year with the car; ask for a recommendation.": (
        "Gratulieren Sie zu einem Jahr mit dem Fahrzeug und bitten Sie um eine Weiterempfehlung."
    ),
    "Offer a warranty check before it ends.": (
        "Bieten Sie vor dem Ende der Garantie einen Garantie-Check an."
    ),
    "Offer the seasonal tyre change and storage.": (
        "Bieten Sie den saisonalen Reifenwechsel und die Einlagerung an."
    ),
    "Ask whether the car runs well after the service and the invoice was clear.": (
        "Fragen Sie, ob das Fahrzeug nach dem Service gut läuft und die Rechnung verständlich war."
    ),
    "Confirm the policy documents arrived and explain how to report a claim.": (
        "Vergewissern Sie sich, dass die Vertragsunterlagen angekommen sind, und erklären Sie, "
        "wie ein Schaden gemeldet wird."
    ),
    "Review cover against the customer's situation before renewal.": (
        "Prüfen Sie vor der Verlängerung, ob der Versicherungsschutz noch zur Lebenslage passt."
    ),
    "Check the first instalment went through and the customer understood the plan.": (
        "Prüfen Sie, ob die erste Rate eingegangen ist und der Kunde den Plan verstanden hat."
    ),
    "Ask whether the plan still fits; mention early repayment options.": (
        "Fragen Sie, ob der Plan noch passt; erwähnen Sie die Möglichkeit der Sondertilgung."
    ),
    "Ask whether everything works as expected and whether any question is still open.": (
        "Fragen Sie, ob alles wie erwartet funktioniert und ob noch eine Frage offen ist."
    ),
}


def in_both_languages(field, english):
    """{field_en, field_de} of a shipped text (empty stays empty)."""
    return {f"{field}_en": english, f"{field}_de": GERMAN[english] if english else ""}


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
            completed = self._complete_translations()
            self.stdout.write(f"Playbooks exist already; {completed} German texts added.")
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
        playbook = Playbook.objects.create(**in_both_languages("name", name), **target)
        PlaybookStep.objects.bulk_create(
            PlaybookStep(
                playbook=playbook,
                anchor=anchor,
                offset_days=offset,
                kind=kind,
                channel=channel,
                assignee_role=who,
                purpose=purpose,
                **in_both_languages("title", title),
                **in_both_languages("instructions", instructions),
            )
            for anchor, offset, kind, channel, who, purpose, title, instructions in steps
        )

    def _complete_translations(self):
        """Playbooks, steps and their planned follow-ups seeded before the texts had two
        languages get the German ones; a text someone has since reworded is left alone."""
        completed = 0
        for english, german in GERMAN.items():
            for model, field in (
                (Playbook, "name"),
                (PlaybookStep, "title"),
                (PlaybookStep, "instructions"),
                (FollowUp, "title"),
                (FollowUp, "instructions"),
            ):
                column = model._meta.get_field(f"{field}_de")
                if column.max_length and len(german) > column.max_length:
                    continue  # an instruction's German is no title
                blank = Q(**{f"{field}_de": ""}) | Q(**{f"{field}_de__isnull": True})
                completed += model.objects.filter(blank, **{f"{field}_en": english}).update(
                    **{f"{field}_de": german}
                )
        return completed
