"""Quality-audit demo data: an audit template for each of the seven business areas, a yearly
plan per branch (each area quarterly, last year and this year), the audits that are due carried
out and scored through the services (invoice samples for invoicing, findings for failed items,
corrective actions for the findings, some completed and verified, the older audits signed off,
one overdue audit per branch), the wind-noise cluster (three complaints of wind noise on one
model within 60 days) and the complaints-per-product roll-up.

    manage.py seed_audits

Idempotent: templates are made once (by English name; one seeded before the templates had two
languages gets the German it lacks), a branch with audits is left alone, the cluster
complaints are recorded once. Random choices come from a generator seeded per audit. It refuses
to run with DEBUG off (a production database) unless --force is given.
"""

import random
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone, translation

from aftersales.models import Branch
from aftersales.roles import Role
from aftersales.seeding import fill_missing_translations
from customers.models import Purchase
from quality import services as complaint_services
from quality.audits import services
from quality.audits.models import (
    Area,
    Audit,
    AuditItem,
    AuditSection,
    AuditTemplate,
    InvoiceErrorKind,
)
from quality.campaigns import services as campaign_services
from quality.models import Complaint, ComplaintCategory

SEED = 20261203
YES, SCALE, MEASURED = AuditItem.Kind.YES_NO, AuditItem.Kind.SCALE, AuditItem.Kind.MEASURED


# The German of every template name, section, item and guidance below.
GERMAN = {
    "Sales: showroom and offers": "Verkauf: Showroom und Angebote",
    "Service reception": "Serviceannahme",
    "Workshop and technical quality": "Werkstatt und technische Qualität",
    "Purchasing": "Einkauf",
    "Warehouse": "Lager",
    "Customer communication": "Kundenkommunikation",
    "Invoicing": "Rechnungsstellung",
    "Showroom": "Showroom",
    "Offers and contracts": "Angebote und Verträge",
    "Appointment and reception": "Termin und Annahme",
    "Pick-up": "Abholung",
    "Work": "Arbeiten",
    "Workplace": "Arbeitsplatz",
    "Suppliers": "Lieferanten",
    "Stock": "Bestand",
    "Letters and e-mails": "Briefe und E-Mails",
    "Phone": "Telefon",
    "Correctness": "Richtigkeit",
    "Understandable for the customer": "Verständlichkeit für die Kundschaft",
    "Vehicles clean, priced and labelled": "Fahrzeuge sauber, ausgepreist und beschildert",
    "Brochures and price lists current": "Prospekte und Preislisten aktuell",
    "Offers list every agreed extra and discount": (
        "Angebote nennen jede vereinbarte Zusatzleistung und jeden Rabatt"
    ),
    "Contract explained and signed by both": "Vertrag erklärt und von beiden Seiten unterschrieben",
    "Clarity of the offer": "Verständlichkeit des Angebots",
    "Would a customer understand it?": "Würde die Kundschaft es verstehen?",
    "Waiting time at the desk": "Wartezeit an der Annahme",
    "Full marks up to 5 minutes, none from 10.": "Volle Punktzahl bis 5 Minuten, keine ab 10.",
    "Order confirmed in writing with a price estimate": (
        "Auftrag schriftlich mit Kostenvoranschlag bestätigt"
    ),
    "Friendliness at the desk": "Freundlichkeit an der Annahme",
    "Work done explained on the invoice and in person": (
        "Durchgeführte Arbeiten auf der Rechnung und persönlich erklärt"
    ),
    "Vehicle returned clean": "Fahrzeug sauber zurückgegeben",
    "Torque and test records complete": "Drehmoment- und Prüfprotokolle vollständig",
    "Repeat repairs within 30 days": "Wiederholungsreparaturen innerhalb von 30 Tagen",
    "Final inspection signed": "Endkontrolle abgezeichnet",
    "Tools calibrated and labelled": "Werkzeuge kalibriert und gekennzeichnet",
    "Bays clean and safe": "Arbeitsplätze an den Hebebühnen sauber und sicher",
    "Approved supplier list current": "Liste der freigegebenen Lieferanten aktuell",
    "Delivery complaints followed up": "Lieferreklamationen nachverfolgt",
    "On-time deliveries": "Termingerechte Lieferungen",
    "Stock accuracy": "Bestandsgenauigkeit",
    "Parts stored by the FIFO rule": "Teile nach dem FIFO-Prinzip gelagert",
    "Hazardous goods stored by the rules": "Gefahrstoffe vorschriftsmäßig gelagert",
    "Correct salutation, name and data": "Anrede, Name und Daten korrekt",
    "Clear and friendly in tone": "Klar und freundlich im Ton",
    "Answered within one working day": "Innerhalb eines Arbeitstags beantwortet",
    "Calls answered within 20 seconds": "Anrufe innerhalb von 20 Sekunden angenommen",
    "Call-backs kept": "Rückrufe eingehalten",
    "Prices as agreed in the order": "Preise wie im Auftrag vereinbart",
    "Agreed discounts and goodwill shown": "Vereinbarte Rabatte und Kulanz ausgewiesen",
    "Customer data correct": "Kundendaten korrekt",
    "No unexplained or surprising items": "Keine unerklärten oder überraschenden Posten",
    "Clarity and tone": "Verständlichkeit und Ton",
    "Would the customer understand every line?": "Würde die Kundschaft jede Zeile verstehen?",
    "Sent within two working days of the work": (
        "Innerhalb von zwei Arbeitstagen nach der Arbeit versandt"
    ),
}


def in_both(field, english):
    """The columns of one text: {"text_en": ..., "text_de": ...}."""
    return {f"{field}_en": english, f"{field}_de": GERMAN[english] if english else ""}


def item(text, kind=YES, weight=1, critical=False, guidance="", **extra):
    return {
        **in_both("text", text),
        "kind": kind,
        "weight": weight,
        "is_critical": critical,
        **in_both("guidance", guidance),
        **extra,
    }


TEMPLATES = {
    Area.SALES: (
        "Sales: showroom and offers",
        [
            (
                "Showroom",
                [
                    item("Vehicles clean, priced and labelled", weight=2),
                    item("Brochures and price lists current"),
                ],
            ),
            (
                "Offers and contracts",
                [
                    item("Offers list every agreed extra and discount", weight=3, critical=True),
                    item("Contract explained and signed by both", weight=2),
                    item(
                        "Clarity of the offer", SCALE, 2, guidance="Would a customer understand it?"
                    ),
                ],
            ),
        ],
    ),
    Area.SERVICE_RECEPTION: (
        "Service reception",
        [
            (
                "Appointment and reception",
                [
                    item(
                        "Waiting time at the desk",
                        MEASURED,
                        2,
                        target_value=Decimal("5"),
                        unit="min",
                        guidance="Full marks up to 5 minutes, none from 10.",
                    ),
                    item(
                        "Order confirmed in writing with a price estimate", weight=3, critical=True
                    ),
                    item("Friendliness at the desk", SCALE, 2),
                ],
            ),
            (
                "Pick-up",
                [
                    item("Work done explained on the invoice and in person", weight=2),
                    item("Vehicle returned clean"),
                ],
            ),
        ],
    ),
    Area.WORKSHOP: (
        "Workshop and technical quality",
        [
            (
                "Work",
                [
                    item("Torque and test records complete", weight=2, critical=True),
                    item(
                        "Repeat repairs within 30 days",
                        MEASURED,
                        3,
                        target_value=Decimal("2"),
                        unit="%",
                    ),
                    item("Final inspection signed", weight=2),
                ],
            ),
            ("Workplace", [item("Tools calibrated and labelled"), item("Bays clean and safe")]),
        ],
    ),
    Area.PURCHASING: (
        "Purchasing",
        [
            (
                "Suppliers",
                [
                    item("Approved supplier list current", weight=2),
                    item("Delivery complaints followed up", weight=2),
                    item(
                        "On-time deliveries",
                        MEASURED,
                        2,
                        target_value=Decimal("95"),
                        unit="%",
                        higher_is_better=True,
                    ),
                ],
            ),
        ],
    ),
    Area.WAREHOUSE: (
        "Warehouse",
        [
            (
                "Stock",
                [
                    item(
                        "Stock accuracy",
                        MEASURED,
                        3,
                        target_value=Decimal("98"),
                        unit="%",
                        higher_is_better=True,
                    ),
                    item("Parts stored by the FIFO rule", weight=2),
                    item("Hazardous goods stored by the rules", weight=2, critical=True),
                ],
            ),
        ],
    ),
    Area.COMMUNICATION: (
        "Customer communication",
        [
            (
                "Letters and e-mails",
                [
                    item("Correct salutation, name and data", weight=2, critical=True),
                    item("Clear and friendly in tone", SCALE, 2),
                    item("Answered within one working day", weight=2),
                ],
            ),
            (
                "Phone",
                [item("Calls answered within 20 seconds"), item("Call-backs kept", weight=2)],
            ),
        ],
    ),
    Area.INVOICING: (
        "Invoicing",
        [
            (
                "Correctness",
                [
                    item("Prices as agreed in the order", weight=3, critical=True),
                    item("Agreed discounts and goodwill shown", weight=3),
                    item("Customer data correct"),
                ],
            ),
            (
                "Understandable for the customer",
                [
                    item("No unexplained or surprising items", weight=2),
                    item(
                        "Clarity and tone",
                        SCALE,
                        2,
                        guidance="Would the customer understand every line?",
                    ),
                    item("Sent within two working days of the work", weight=1),
                ],
            ),
        ],
    ),
}
QUARTER_ENDS = ((3, 31), (6, 30), (9, 30), (12, 31))
# A demo corrective action: "Fix: <the finding>", in the quality manager's language.
FIX = {"en": "Fix:", "de": "Beheben:"}


def answer_for(item_row, rng, good):
    if item_row.kind == YES:
        return {"met": "yes" if good or rng.random() < 0.7 else "no"}
    if item_row.kind == AuditItem.Kind.SCALE:
        return {"rating": rng.choice([4, 5]) if good else rng.choice([2, 3, 4])}
    if item_row.kind == MEASURED:
        target = item_row.target_value
        factor = Decimal("0.9") if good else Decimal(str(rng.choice([0.8, 1.2, 1.6])))
        if item_row.higher_is_better:
            factor = Decimal("1.01") if good else Decimal(str(rng.choice([0.8, 0.95, 1.0])))
        return {"value": (target * factor).quantize(Decimal("0.01"))}
    return {"note": "Seen."}


class Command(BaseCommand):
    help = "Create the quality-audit demo data (development only; idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Run even though DEBUG is off (production)."
        )

    def handle(self, *args, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError("Demo data is for development only; refusing to run with DEBUG off.")
        templates = self._templates()
        self.stdout.write(f"{len(templates)} audit templates.")
        today = timezone.localdate()
        for branch in Branch.objects.filter(is_active=True).order_by("pk"):
            if Audit.objects.filter(branch=branch).exists():
                continue
            count = self._plan_and_audit(branch, templates, today)
            self.stdout.write(f"{branch}: {count} audits planned and carried out where due.")
        self._wind_noise_cluster()
        rows = campaign_services.refresh_product_figures()
        self.stdout.write(self.style.SUCCESS(f"Audit demo data ready ({rows} product figures)."))

    def _templates(self):
        self._complete_german()
        result = {}
        for area, (name, sections) in TEMPLATES.items():
            template = AuditTemplate.objects.filter(name_en=name).first()
            if template is None:
                template = services.create_template(
                    by=None,
                    **in_both("name", name),
                    area=area,
                    sections=[
                        {**in_both("title", title), "items": items} for title, items in sections
                    ],
                )
            result[area] = template
        return result

    def _complete_german(self):
        """The demo templates seeded in English only get their German; a filled-in German (a
        dealer's own wording) stays."""
        names = [name for name, _sections in TEMPLATES.values()]
        templates = AuditTemplate.objects.filter(name_en__in=names)
        fill_missing_translations(
            templates, "name_en", {name: {"name_de": GERMAN[name]} for name in names}
        )
        fill_missing_translations(
            AuditSection.objects.filter(version__template__in=templates),
            "title_en",
            {
                title: {"title_de": GERMAN[title]}
                for _name, sections in TEMPLATES.values()
                for title, _items in sections
            },
        )
        items = [
            row
            for _name, sections in TEMPLATES.values()
            for _title, rows in sections
            for row in rows
        ]
        shown = AuditItem.objects.filter(section__version__template__in=templates)
        for field in ("text", "guidance"):
            fill_missing_translations(
                shown,
                f"{field}_en",
                {
                    row[f"{field}_en"]: {f"{field}_de": row[f"{field}_de"]}
                    for row in items
                    if row[f"{field}_en"]
                },
            )

    def _people(self, branch):
        users = get_user_model().objects.filter(is_active=True, branches=branch)
        quality = users.filter(groups__name=Role.QUALITY).order_by("pk").first()
        owners = list(
            users.filter(groups__name__in=[Role.MANAGER, Role.SERVICE, Role.SALES])
            .distinct()
            .order_by("pk")
        )
        return quality, owners

    @transaction.atomic
    def _plan_and_audit(self, branch, templates, today):
        quality, owners = self._people(branch)
        if quality is None:
            return 0
        count = 0
        overdue_left = False
        for year in (today.year - 1, today.year):
            for month, day in QUARTER_ENDS:
                due = date(year, month, day)
                for area, template in templates.items():
                    if area not in (Area.INVOICING, Area.COMMUNICATION) and month in (3, 9):
                        continue  # the other areas twice a year
                    audit = services.plan_audit(
                        by=None, branch=branch, template=template, due_on=due, auditor=quality
                    )
                    count += 1
                    if due >= today:
                        continue
                    if (
                        not overdue_left
                        and area == Area.WAREHOUSE
                        and due > today - timedelta(days=120)
                    ):
                        overdue_left = True  # one audit the plan shows as overdue
                        continue
                    self._carry_out(audit, quality, owners, today)
        return count

    def _carry_out(self, audit, quality, owners, today):
        rng = random.Random(f"{SEED}:{audit.branch_id}:{audit.area}:{audit.due_on}")  # noqa: S311
        good = rng.random() < 0.6
        items = services.version_items(audit.version_id)
        answers = {row.pk: answer_for(row, rng, good) for row in items}
        services.save_audit(audit=audit, by=quality, answers=answers)
        if audit.area == Area.INVOICING:
            for number in range(10):
                errors = [kind for kind in InvoiceErrorKind.values if rng.random() < 0.06]
                services.add_invoice_sample(
                    audit=audit,
                    by=quality,
                    number=f"R{audit.due_on:%y%m}-{audit.branch_id}{number:03d}",
                    invoice_date=audit.due_on - timedelta(days=rng.randint(1, 80)),
                    amount=Decimal(rng.randint(80, 2400)),
                    clarity=rng.choice([3, 4, 4, 5, 5]) if not errors else rng.choice([2, 3]),
                    errors=errors,
                )
        audit = services.submit_audit(audit=audit, by=quality)
        Audit.objects.filter(pk=audit.pk).update(
            submitted_at=datetime.combine(audit.due_on, time(12), tzinfo=audit.branch.zone)
        )
        old = audit.due_on < today - timedelta(days=90)
        for finding in audit.findings.all():
            if not owners:
                break
            owner = owners[rng.randrange(len(owners))]
            due = max(today, audit.due_on + timedelta(days=30)) + timedelta(
                days=rng.randint(-5, 20)
            )
            # The quality manager writes the action in their own language.
            with translation.override(quality.language):
                description = f"{FIX[quality.language]} {finding.title}"
            action = services.add_corrective_action(
                finding=finding,
                by=quality,
                owner=owner,
                description=description,
                due_on=max(due, today),
            )
            if old:
                services.complete_action(action=action, by=owner, note="Done and checked.")
                services.verify_action(action=action, by=quality, note="Seen on site.")
        if old:
            services.sign_off_audit(audit=audit, by=quality)

    def _wind_noise_cluster(self):
        wind = ComplaintCategory.objects.filter(code="noise-wind").first()
        if (
            wind is None
            or Complaint.objects.filter(
                category=wind, description__startswith="[demo cluster]"
            ).exists()
        ):
            return
        now = timezone.now()
        purchases = (
            Purchase.objects.filter(
                status=Purchase.Status.HANDED_OVER,
                customer__erased_at__isnull=True,
                branch__code="MUC",
            )
            .annotate(product_id=campaign_services.main_product("pk", "main_category_id"))
            .exclude(product_id=None)
            .select_related("customer", "branch")
            .order_by("-handover_date", "pk")[:400]
        )
        by_product = {}
        for purchase in purchases:
            by_product.setdefault(purchase.product_id, {})
            by_product[purchase.product_id].setdefault(purchase.customer_id, purchase)
        product_purchases = max(by_product.values(), key=len, default={})
        chosen = list(product_purchases.values())[:3]
        if len(chosen) < 3:
            return
        service = (
            get_user_model()
            .objects.filter(is_active=True, groups__name=Role.SERVICE, branches=chosen[0].branch)
            .first()
        )
        if service is None:
            return
        for days, purchase in zip((40, 25, 10), chosen, strict=True):
            complaint_services.record_complaint(
                by=service,
                customer=purchase.customer,
                purchase=purchase,
                category=wind,
                channel=Complaint.Channel.PHONE,
                description="[demo cluster] Whistling at the driver's door above 120 km/h.",
                received_at=now - timedelta(days=days),
            )
        alerted = campaign_services.detect_clusters()
        self.stdout.write(f"Wind-noise cluster: {len(alerted)} alerted.")
