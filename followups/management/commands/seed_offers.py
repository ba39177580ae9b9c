"""The demo offer rules, one or more for every demo category, and a first generation run:

    manage.py seed_offers

The seasonal tyre pair (winter 1 October – 15 November, summer 15 March – 30 April) for new and
used cars, the inspection by the maintenance schedule, the extended warranty before the warranty
ends, accident cover after a car purchase, a savings plan after a financing contract, declined
brake work, and one rule each for tyre, accessory, insurance and workshop buyers. The products
the demo catalogue lacks for them (accident cover, extended warranty, savings plan) are added.

Through the services (customers.services.save_product, followups.offers.services.save_offer_rule)
as the demo administrator; a rule or product that exists (by name or SKU) is kept, so running it
again creates nothing. Run after seed_demo and seed_service_history (the rules read the car
categories, schedules and declined work); the generation then finds today's offers within the
contact policy.
"""

from decimal import Decimal

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from aftersales.seeding import demo_administrator, fill_missing_translations
from customers import services as customer_services
from customers.models import Product, ProductCategory
from followups.models import ContactChannel, OfferRule
from followups.offers import generation
from followups.offers import services as offer_services

PHONE, EMAIL, LETTER = ContactChannel.PHONE, ContactChannel.EMAIL, ContactChannel.LETTER

# category code: [(sku, name, list price)] of what only the offers sell.
OFFER_PRODUCTS = {
    "insurance": [
        ("IN-UNFALL", "Personal accident cover, 1 year", "120.00"),
        ("IN-WARRANTY-24", "Extended warranty, 24 months", "790.00"),
    ],
    "financing": [("FI-SAVINGS", "Savings plan (opening, first deposit free)", "0.00")],
}

WINTER = {
    "season_start_month": 10,
    "season_start_day": 1,
    "season_end_month": 11,
    "season_end_day": 15,
}
SUMMER = {
    "season_start_month": 3,
    "season_start_day": 15,
    "season_end_month": 4,
    "season_end_day": 30,
}
BUYERS = {"new-cars": "new-car buyers", "used-cars": "used-car buyers"}


def _tyres(season, sku, label, category):
    return {
        "name": f"{label} tyres for {BUYERS[category]}",
        "category": category,
        "min_age_days": 60,
        "not_bought": (sku, 8),
        **season,
        "product": sku,
        "channels": [EMAIL, PHONE],
        "priority": 80,
        "script": (
            f"{label} is coming: offer the {label.lower()} tyre set with fitting, "
            "and storage of the other set."
        ),
    }


def _inspection(category):
    return {
        "name": f"Inspection due ({BUYERS[category]})",
        "category": category,
        "maintenance_due_days": 30,
        "maintenance_due_km": 1500,
        "product": "SV-INSPECTION",
        "channels": [PHONE, EMAIL],
        "priority": 70,
        "valid_days": 30,
        "script": "The car's next service is due: offer an appointment this month.",
    }


RULES = [
    _tyres(WINTER, "TY-WINTER-16", "Winter", "new-cars"),
    _tyres(WINTER, "TY-WINTER-16", "Winter", "used-cars"),
    _tyres(SUMMER, "TY-SUMMER-16", "Summer", "new-cars"),
    _tyres(SUMMER, "TY-SUMMER-16", "Summer", "used-cars"),
    _inspection("new-cars"),
    _inspection("used-cars"),
    {
        "name": "Extended warranty before the warranty ends",
        "category": "new-cars",
        "warranty_end_days": 60,
        "product": "IN-WARRANTY-24",
        "channels": [LETTER, EMAIL, PHONE],
        "priority": 60,
        "script": "The factory warranty ends soon: two more years of cover for a fixed price.",
    },
    {
        "name": "Accident cover after a car purchase",
        "category": "new-cars",
        "min_age_days": 14,
        "max_age_days": 120,
        "not_bought": ("IN-UNFALL", 12),
        "product": "IN-UNFALL",
        "channels": [EMAIL, LETTER],
        "priority": 50,
        "script": "Personal accident cover for driver and passengers, from 10 € a month.",
    },
    {
        "name": "Savings plan after a financing contract",
        "category": "financing",
        "min_age_days": 30,
        "max_age_days": 365,
        "not_bought": ("FI-SAVINGS", 24),
        "product": "FI-SAVINGS",
        "channels": [EMAIL, LETTER],
        "priority": 40,
        "script": "Save for the next car while this one is paid off: a savings plan from 25 €.",
    },
    {
        "name": "Declined brake work",
        "category": "new-cars",
        "declined_work_days": 14,
        "product": "SV-BRAKES-FRONT",
        "channels": [PHONE, EMAIL],
        "priority": 90,
        "valid_days": 30,
        "script": "The brakes were worn at the last visit: it is about safety, offer a slot soon.",
    },
    {
        "name": "Declined brake work (used-car buyers)",
        "category": "used-cars",
        "declined_work_days": 14,
        "product": "SV-BRAKES-FRONT",
        "channels": [PHONE, EMAIL],
        "priority": 90,
        "valid_days": 30,
        "script": "The brakes were worn at the last visit: it is about safety, offer a slot soon.",
    },
    {
        "name": "Tyre change at the start of winter",
        "category": "tyres",
        "min_age_days": 150,
        "not_bought": ("TY-CHANGE", 4),
        **WINTER,
        "product": "TY-CHANGE",
        "channels": [EMAIL, PHONE],
        "priority": 60,
        "script": "Time to change to the winter set: offer a fitting appointment.",
    },
    {
        "name": "Bike carrier for the summer",
        "category": "accessories",
        "min_age_days": 30,
        "not_bought": ("AC-BIKERACK", 24),
        "season_start_month": 4,
        "season_start_day": 1,
        "season_end_month": 6,
        "season_end_day": 15,
        "product": "AC-BIKERACK",
        "channels": [EMAIL],
        "priority": 30,
        "script": "For the holidays: the bike carrier for the tow bar.",
    },
    {
        "name": "GAP insurance for insured car owners",
        "category": "insurance",
        "min_age_days": 30,
        "max_age_days": 365,
        "not_bought": ("IN-GAP", 24),
        "product": "IN-GAP",
        "channels": [EMAIL, LETTER],
        "priority": 35,
        "script": "Covers the gap between the insurance payout and the loan after a total loss.",
    },
    {
        "name": "Air-conditioning service before the summer",
        "category": "services",
        "min_age_days": 90,
        "not_bought": ("SV-AIRCON", 10),
        "season_start_month": 4,
        "season_start_day": 15,
        "season_end_month": 6,
        "season_end_day": 15,
        "product": "SV-AIRCON",
        "channels": [EMAIL, PHONE],
        "priority": 40,
        "script": "Before the heat: air-conditioning check and disinfection.",
    },
]


# The German of every rule's name and script and of the products above.
GERMAN = {
    "Winter tyres for new-car buyers": "Winterreifen für Neuwagenkäufer",
    "Winter tyres for used-car buyers": "Winterreifen für Gebrauchtwagenkäufer",
    "Summer tyres for new-car buyers": "Sommerreifen für Neuwagenkäufer",
    "Summer tyres for used-car buyers": "Sommerreifen für Gebrauchtwagenkäufer",
    "Winter is coming: offer the winter tyre set with fitting, and storage of the other set.": (
        "Der Winter kommt: Bieten Sie den Winterreifen-Satz mit Montage und die Einlagerung der "
        "anderen Reifen an."
    ),
    "Summer is coming: offer the summer tyre set with fitting, and storage of the other set.": (
        "Der Sommer kommt: Bieten Sie den Sommerreifen-Satz mit Montage und die Einlagerung der "
        "anderen Reifen an."
    ),
    "Inspection due (new-car buyers)": "Inspektion fällig (Neuwagenkäufer)",
    "Inspection due (used-car buyers)": "Inspektion fällig (Gebrauchtwagenkäufer)",
    "The car's next service is due: offer an appointment this month.": (
        "Der nächste Service ist fällig: Bieten Sie einen Termin in diesem Monat an."
    ),
    "Extended warranty before the warranty ends": "Anschlussgarantie vor dem Garantieende",
    "The factory warranty ends soon: two more years of cover for a fixed price.": (
        "Die Herstellergarantie endet bald: zwei weitere Jahre Schutz zum Festpreis."
    ),
    "Accident cover after a car purchase": "Unfallversicherung nach dem Autokauf",
    "Personal accident cover for driver and passengers, from 10 € a month.": (
        "Unfallschutz für Fahrer und Mitfahrer, ab 10 € im Monat."
    ),
    "Savings plan after a financing contract": "Sparplan nach einem Finanzierungsvertrag",
    "Save for the next car while this one is paid off: a savings plan from 25 €.": (
        "Schon für das nächste Auto sparen, während dieses abbezahlt wird: ein Sparplan ab 25 €."
    ),
    "Declined brake work": "Abgelehnte Bremsenreparatur",
    "Declined brake work (used-car buyers)": "Abgelehnte Bremsenreparatur (Gebrauchtwagenkäufer)",
    "The brakes were worn at the last visit: it is about safety, offer a slot soon.": (
        "Die Bremsen waren beim letzten Besuch verschlissen: Es geht um Sicherheit, bieten Sie "
        "bald einen Termin an."
    ),
    "Tyre change at the start of winter": "Reifenwechsel zum Winterbeginn",
    "Time to change to the winter set: offer a fitting appointment.": (
        "Zeit für die Winterreifen: Bieten Sie einen Montagetermin an."
    ),
    "Bike carrier for the summer": "Fahrradträger für den Sommer",
    "For the holidays: the bike carrier for the tow bar.": (
        "Für den Urlaub: der Fahrradträger für die Anhängerkupplung."
    ),
    "GAP insurance for insured car owners": "GAP-Versicherung für versicherte Fahrzeughalter",
    "Covers the gap between the insurance payout and the loan after a total loss.": (
        "Deckt nach einem Totalschaden die Lücke zwischen Versicherungsleistung und Kredit."
    ),
    "Air-conditioning service before the summer": "Klimaservice vor dem Sommer",
    "Before the heat: air-conditioning check and disinfection.": (
        "Vor der Hitze: Klimaanlagen-Check und Desinfektion."
    ),
    "Personal accident cover, 1 year": "Unfallversicherung, 1 Jahr",
    "Extended warranty, 24 months": "Anschlussgarantie, 24 Monate",
    "Savings plan (opening, first deposit free)": "Sparplan (Eröffnung, erste Einzahlung frei)",
}


class Command(BaseCommand):
    help = "Demo offer rules for every demo category (idempotent), then a generation run."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-generation", action="store_true", help="Only the rules, no offers yet."
        )

    def handle(self, *args, no_generation, **options):
        by = demo_administrator()
        if by is None:
            raise CommandError("No administrator: run load_demo_data first.")
        with transaction.atomic():
            categories = {category.code: category for category in ProductCategory.objects.all()}
            if not {rule["category"] for rule in RULES} <= set(categories):
                raise CommandError("The demo catalogue is missing: run seed_demo first.")
            products = self._products(by, categories)
            self._complete_translations(products)
            existing = set(OfferRule.objects.values_list("name_en", flat=True))
            created = 0
            for rule in RULES:
                if rule["name"] in existing:
                    continue
                offer_services.save_offer_rule(by=by, data=self._fields(rule, categories, products))
                created += 1
        self.stdout.write(self.style.SUCCESS(f"Offer rules: {created} created."))
        if not no_generation:
            runs = generation.generate_offers()
            suggested = sum(run.suggested for run in runs)
            held_back = sum(run.held_back for run in runs)
            self.stdout.write(f"Offers found today: {suggested} suggested, {held_back} held back.")

    def _products(self, by, categories):
        products = {product.sku: product for product in Product.objects.all()}
        for code, items in OFFER_PRODUCTS.items():
            for sku, name, price in items:
                if sku not in products:
                    products[sku] = customer_services.save_product(
                        by=by,
                        name_en=name,
                        name_de=GERMAN[name],
                        sku=sku,
                        category=categories[code],
                        list_price=Decimal(price),
                    )
        return products

    def _complete_translations(self, products):
        """Rules and products seeded before they had two languages get the German."""
        english = [rule["name"] for rule in RULES]
        rules = OfferRule.objects.filter(name_en__in=english)
        fill_missing_translations(
            rules,
            "name_en",
            {
                rule["name"]: {
                    "name_de": GERMAN[rule["name"]],
                    "script_en": rule.get("script", ""),
                    "script_de": GERMAN.get(rule.get("script", ""), ""),
                }
                for rule in RULES
            },
        )
        fill_missing_translations(
            Product.objects.filter(pk__in=[product.pk for product in products.values()]),
            "sku",
            {
                sku: {"name_en": name, "name_de": GERMAN[name]}
                for items in OFFER_PRODUCTS.values()
                for sku, name, _price in items
            },
        )

    def _fields(self, rule, categories, products):
        fields = dict(rule)
        fields["name_en"] = fields.pop("name")
        fields["name_de"] = GERMAN[fields["name_en"]]
        if "script" in fields:
            fields["script_en"] = fields.pop("script")
            fields["script_de"] = GERMAN[fields["script_en"]]
        fields["category"] = categories[rule["category"]]
        fields["product"] = products[rule["product"]]
        if "not_bought" in fields:
            sku, months = fields.pop("not_bought")
            fields["not_bought_product"], fields["not_bought_months"] = products[sku], months
        return fields
