"""Demo mystery-shop scorecards, one per scenario, and one open assignment for the demo shopper.

    manage.py load_demo_data      # the demo logins (shopper, manager, sales, quality, ...)
    manage.py seed_scorecards

Idempotent: a scenario that already has a template of the demo name is left alone (but gets the
German it lacks, when it was seeded before the scorecards had two languages), and the demo
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
from aftersales.seeding import fill_missing_translations
from staff.mystery import services
from staff.mystery.models import (
    Criterion,
    MysteryShopAssignment,
    Scenario,
    ScorecardSection,
    ScorecardTemplate,
)
from staff.mystery.selectors import version_criteria

YES_NO = Criterion.Kind.YES_NO
SCALE = Criterion.Kind.SCALE
MINUTES = Criterion.Kind.MINUTES
OBSERVATION = Criterion.Kind.OBSERVATION


DESCRIPTION = "Demo scorecard."

# The German of every name, section, criterion and guidance below.
GERMAN = {
    "Showroom visit": "Showroom-Besuch",
    "Phone enquiry": "Telefonische Anfrage",
    "Service appointment": "Servicetermin",
    "Vehicle handover": "Fahrzeugübergabe",
    "Complaint call": "Reklamationsanruf",
    "E-mail enquiry": "Anfrage per E-Mail",
    DESCRIPTION: "Demo-Bewertungsbogen.",
    "Welcome": "Empfang",
    "Consultation": "Beratung",
    "Farewell": "Verabschiedung",
    "The call": "Das Gespräch",
    "Outcome": "Ergebnis",
    "Drop-off": "Fahrzeugannahme",
    "Pick-up": "Abholung",
    "Arrival": "Ankunft",
    "Handover": "Übergabe",
    "Listening": "Zuhören",
    "Resolution": "Lösung",
    "Answer": "Antwort",
    "Next steps": "Nächste Schritte",
    "Greeted within two minutes": "Begrüßung innerhalb von zwei Minuten",
    "Minutes from entering (or the first ring) until someone welcomed you.": (
        "Minuten vom Betreten (oder vom ersten Klingeln) bis zur Begrüßung."
    ),
    "Needs analysis": "Bedarfsanalyse",
    "Did they ask how you drive, what you need, your budget? 5: thorough questions.": (
        "Wurden Sie gefragt, wie Sie fahren, was Sie brauchen und welches Budget Sie haben? "
        "5: gründliche Fragen."
    ),
    "Product knowledge": "Produktkenntnis",
    "Correct, confident answers to your questions without looking everything up.": (
        "Richtige, sichere Antworten auf Ihre Fragen, ohne alles nachschlagen zu müssen."
    ),
    "Clear next step agreed": "Klarer nächster Schritt vereinbart",
    "A date, an offer, a call-back: you knew what happens next.": (
        "Ein Termin, ein Angebot, ein Rückruf: Sie wussten, wie es weitergeht."
    ),
    "Friendly farewell": "Freundliche Verabschiedung",
    "Thanked you and said goodbye by name.": (
        "Hat sich bedankt und Sie mit Ihrem Namen verabschiedet."
    ),
    "What stood out": "Was aufgefallen ist",
    "Anything worth telling the team, good or bad, in your own words.": (
        "Alles, was das Team wissen sollte, ob gut oder schlecht, in Ihren eigenen Worten."
    ),
    "Introduced themselves by name": "Hat sich mit Namen vorgestellt",
    "Test drive offered": "Probefahrt angeboten",
    "Follow-up promise kept": "Zugesagte Rückmeldung eingehalten",
    "They called or wrote when they said they would.": (
        "Anruf oder Nachricht kam zum zugesagten Zeitpunkt."
    ),
    "Answered within two minutes": "Innerhalb von zwei Minuten angenommen",
    "Minutes from the first ring (or the queue) to a person.": (
        "Minuten vom ersten Klingeln (oder aus der Warteschleife), bis sich ein Mensch meldet."
    ),
    "Name of the dealership and own name given": "Name des Autohauses und eigener Name genannt",
    "Test drive or visit offered": "Probefahrt oder Besuch angeboten",
    "Punctuality of the appointment": "Pünktlichkeit des Termins",
    "Minutes you waited after the agreed time until someone took you.": (
        "Wartezeit nach der vereinbarten Uhrzeit in Minuten, bis sich jemand um Sie gekümmert hat."
    ),
    "Work and price explained before starting": "Arbeiten und Preis vor Beginn erklärt",
    "Car ready at the promised time": "Fahrzeug zur zugesagten Zeit fertig",
    "Invoice explained line by line": "Rechnung Posten für Posten erklärt",
    "Minutes you waited after the agreed handover time.": (
        "Wartezeit nach dem vereinbarten Übergabetermin in Minuten."
    ),
    "Car clean and prepared": "Fahrzeug sauber und vorbereitet",
    "Handover explained every function": "Bei der Übergabe jede Funktion erklärt",
    "Lights, assistance systems, infotainment, charging or fuel, app: nothing you had to find "
    "out alone.": (
        "Licht, Assistenzsysteme, Infotainment, Laden oder Tanken, App: nichts, was Sie allein "
        "herausfinden mussten."
    ),
    "Documents and keys explained": "Unterlagen und Schlüssel erklärt",
    "Questions answered patiently": "Fragen geduldig beantwortet",
    "First service, a call in a week.": "Erste Inspektion, ein Anruf in einer Woche.",
    "Let you finish and summarised the complaint": (
        "Ausreden lassen und die Reklamation zusammengefasst"
    ),
    "Empathy shown": "Verständnis gezeigt",
    "Answered within one working day": "Innerhalb eines Arbeitstags beantwortet",
    "Count working days from sending your e-mail.": (
        "Gezählt werden die Arbeitstage ab dem Versand Ihrer E-Mail."
    ),
    "Personal answer, not a form letter": "Persönliche Antwort, kein Serienbrief",
}


def in_both(field, english):
    """The columns of one text: {"text_en": ..., "text_de": ...}."""
    return {f"{field}_en": english, f"{field}_de": GERMAN[english] if english else ""}


def criterion(text, kind=YES_NO, weight=1, guidance="", target=None, critical=False):
    return {
        **in_both("text", text),
        "kind": kind,
        "weight": weight,
        **in_both("guidance", guidance),
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
        self._complete_german()
        created = 0
        for name, scenario, sections in DEMO_TEMPLATES:
            if ScorecardTemplate.objects.filter(name_en=name, scenario=scenario).exists():
                continue
            services.create_template(
                by=None,
                **in_both("name", name),
                scenario=scenario,
                **in_both("description", DESCRIPTION),
                sections=[
                    {**in_both("title", title), "criteria": criteria}
                    for title, criteria in sections.items()
                ],
            )
            created += 1
        return created

    def _complete_german(self):
        """The demo scorecards seeded in English only get their German; a filled-in German
        (a dealer's own wording) stays."""
        names = [name for name, _scenario, _sections in DEMO_TEMPLATES]
        templates = ScorecardTemplate.objects.filter(name_en__in=names)
        fill_missing_translations(
            templates,
            "name_en",
            {
                name: {"name_de": GERMAN[name], "description_de": GERMAN[DESCRIPTION]}
                for name in names
            },
        )
        fill_missing_translations(
            ScorecardSection.objects.filter(version__template__in=templates),
            "title_en",
            {
                title: {"title_de": GERMAN[title]}
                for _name, _scenario, sections in DEMO_TEMPLATES
                for title in sections
            },
        )
        criteria = [
            item
            for _name, _scenario, sections in DEMO_TEMPLATES
            for items in sections.values()
            for item in items
        ]
        shown = Criterion.objects.filter(section__version__template__in=templates)
        for field in ("text", "guidance"):
            fill_missing_translations(
                shown,
                f"{field}_en",
                {
                    item[f"{field}_en"]: {f"{field}_de": item[f"{field}_de"]}
                    for item in criteria
                    if item[f"{field}_en"]
                },
            )

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
            scenario=Scenario.VEHICLE_HANDOVER, name_en="Vehicle handover"
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
