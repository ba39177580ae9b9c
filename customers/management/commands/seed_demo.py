"""Demo and performance data for the customers app: a catalogue, customers, consent, purchases.

    manage.py load_demo_data               # branches MUC and VIE and one login per role, first
    manage.py seed_demo                    # the demo catalogue and a few hundred customers
    manage.py seed_demo --customers 100000 # adds that many more, bulk-inserted, for load tests

The default run goes through the real services (create_customer, record_consent, log_purchase,
cancel_purchase), so every rule is checked and `purchase_logged` reaches the higher apps exactly
as in production. That costs a dozen queries per customer, which is fine for hundreds but not for
a hundred thousand: `--customers N` therefore writes the same kind of data with `bulk_create` in
batches. It reuses the services' pure helpers (search text, main category, warranty end, status)
so the rows look exactly like the services' rows, but sends no signals: follow-up plans and
other derived data of the higher apps are not made for bulk customers.

A fixed random seed makes every run produce the same people and purchases (relative to today).
"""

import random
import re
import time
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from aftersales.errors import DomainError
from aftersales.models import Branch, User
from aftersales.roles import Role
from aftersales.seeding import explicit_timestamps, fill_missing_translations
from customers import services
from customers.management import demo_data
from customers.models import (
    Channel,
    ConsentRecord,
    Customer,
    Product,
    ProductCategory,
    Purchase,
    PurchaseLine,
)

SEED = 20240601
DEMO_CUSTOMERS = 300
DEMO_BRANCHES = ("MUC", "VIE")
BRANCH_WEIGHTS = (55, 45)
DAYS_OF_HISTORY = 730
CENT = Decimal("0.01")
INSERT_ROWS = 1000


@dataclass
class BranchStaff:
    branch: Branch
    salespeople: list
    managers: list = field(default_factory=list)


@dataclass
class PurchasePlan:
    purchase_date: object
    handover_date: object
    identifier: str
    lines: list  # [(product, quantity, unit_price)]
    cancellation_reason: str = ""


@dataclass
class CustomerPlan:
    branch_code: str
    fields: dict
    first_date: object
    purchases: list
    consents: list  # [(channel, granted, source, recorded_at)]


def ascii_slug(value):
    """For e-mail addresses: "Müller-Lüdenscheidt" becomes "muellerluedenscheidt"."""
    value = value.lower()
    for umlaut, spelled in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("ı", "i")):
        value = value.replace(umlaut, spelled)
    value = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]", "", value)


class DemoWorld:
    """Makes up customers and their purchase histories from one random generator."""

    def __init__(self, rng, catalogue, today):
        self.rng = rng
        self.today = today
        self.products = catalogue  # category code -> [Product]
        self.by_sku = {product.sku: product for group in catalogue.values() for product in group}

    # --- people ---

    def customer(self, branch_code):
        rng = self.rng
        region = demo_data.REGIONS[branch_code]
        english = rng.random() < 0.12
        female = rng.random() < 0.5
        if english:
            first = rng.choice(demo_data.ENGLISH_FEMALE if female else demo_data.ENGLISH_MALE)
            last = rng.choice(demo_data.ENGLISH_LAST)
        else:
            first = rng.choice(demo_data.GERMAN_FEMALE if female else demo_data.GERMAN_MALE)
            last = rng.choice(demo_data.GERMAN_LAST)
        company_name = ""
        if rng.random() < 0.12:
            company_name = self._company_name(region["country"], english)
        town, postcodes, area_code, _weight = rng.choices(
            region["towns"], weights=[town[3] for town in region["towns"]]
        )[0]
        fields = {
            "kind": Customer.Kind.COMPANY if company_name else Customer.Kind.PERSON,
            "company_name": company_name,
            "salutation": ""
            if rng.random() < 0.05
            else (Customer.Salutation.MS if female else Customer.Salutation.MR),
            "first_name": first,
            "last_name": last,
            "email": self._email(first, last, company_name),
            "phone": self._landline(region, area_code) if rng.random() < 0.6 else "",
            "mobile": self._mobile(region) if rng.random() < 0.7 else "",
            "street": self._street(region),
            "postcode": rng.choice(postcodes),
            "city": town,
            "country": region["country"],
            "preferred_language": Customer.Language.ENGLISH
            if english or rng.random() < 0.03
            else Customer.Language.GERMAN,
            "preferred_channel": rng.choices(
                [Channel.PHONE, Channel.EMAIL, Channel.SMS, Channel.LETTER],
                weights=[50, 38, 7, 5],
            )[0],
        }
        if not fields["email"]:
            fields["preferred_channel"] = Channel.PHONE
        return fields

    def _company_name(self, country, english):
        rng = self.rng
        if english:
            owner = rng.choice(demo_data.ENGLISH_LAST)
            return f"{owner} {rng.choice(demo_data.ENGLISH_COMPANY_FORMS)}"
        owner = rng.choice(demo_data.GERMAN_LAST)
        trade = rng.choice(demo_data.COMPANY_TRADES)
        form = rng.choice(demo_data.COMPANY_FORMS[country])
        return f"{trade} {owner} {form}" if rng.random() < 0.5 else f"{owner} {trade} {form}"

    def _email(self, first, last, company_name):
        rng = self.rng
        if company_name:
            domain = f"{ascii_slug(company_name.rsplit(' ', 1)[0])[:30]}.example"
            local = rng.choice(["info", "office", f"{ascii_slug(first)}.{ascii_slug(last)}"])
            return f"{local}@{domain}"
        if rng.random() < 0.2:
            return ""  # older customers: phone and letter only
        first, last = ascii_slug(first), ascii_slug(last)
        local = rng.choice(
            [
                f"{first}.{last}",
                f"{first[0]}.{last}",
                f"{first}{last}{rng.randint(1, 99)}",
                f"{last}.{first}",
                f"{first}_{last}{rng.randint(60, 99)}",
            ]
        )
        return f"{local}@{rng.choice(demo_data.EMAIL_DOMAINS)}"

    def _landline(self, region, area_code):
        # Longer area codes, shorter subscriber numbers, as in the German and Austrian plans.
        digits = self._digits(min(8, 10 - len(area_code)))
        if self.rng.random() < 0.5:
            return f"0{area_code} {digits}"
        return f"{region['calling_code']} {area_code} {digits}"

    def _mobile(self, region):
        prefix = self.rng.choice(region["mobile_prefixes"])
        digits = self._digits(region["mobile_digits"])
        if self.rng.random() < 0.5:
            return f"0{prefix} {digits}"
        return f"{region['calling_code']} {prefix} {digits}"

    def _digits(self, count):
        return str(self.rng.randint(1, 9)) + "".join(
            str(self.rng.randint(0, 9)) for _ in range(count - 1)
        )

    def _street(self, region):
        number = str(self.rng.randint(1, 160))
        if self.rng.random() < 0.06:
            number += self.rng.choice("abc")
        return f"{self.rng.choice(region['streets'])} {number}"

    # --- consent ---

    def consents(self, fields, first_date, zone):
        """Asked at the first purchase for about 60 % of the customers; some withdraw later."""
        rng = self.rng
        if rng.random() > 0.6:
            return []
        asked = {Channel.PHONE: 0.55, Channel.LETTER: 0.35}
        if fields["email"]:
            asked[Channel.EMAIL] = 0.65
        if fields["mobile"] and rng.random() < 0.4:
            asked[Channel.SMS] = 0.4
        source = rng.choices(list(ConsentRecord.Source), weights=[20, 50, 25, 5])[
            0
        ]  # form, verbal, written, online
        at = self._moment(first_date, zone)
        records = []
        for channel, probability in asked.items():
            granted = rng.random() < probability
            records.append((channel, granted, source, at))
            if granted and rng.random() < 0.08:
                withdrawn = first_date + timedelta(days=rng.randint(20, 500))
                if withdrawn < self.today:
                    records.append(
                        (channel, False, ConsentRecord.Source.ONLINE, self._moment(withdrawn, zone))
                    )
        return records

    def _moment(self, day, zone):
        """A time during opening hours on that day, never in the future."""
        moment = datetime.combine(day, datetime.min.time(), tzinfo=zone) + timedelta(
            hours=self.rng.randint(8, 17), minutes=self.rng.randint(0, 59)
        )
        return min(moment, timezone.now())

    # --- purchases ---

    def first_purchase_date(self):
        return self.today - timedelta(days=self.rng.randint(0, DAYS_OF_HISTORY - 1))

    def purchases(self, first_date):
        """A believable history: a car (or a smaller first purchase), then service visits,
        tyres and accessories some months apart."""
        rng = self.rng
        kind = rng.choices(
            ["new-car", "used-car", "service", "tyres", "accessories", "insurance"],
            weights=[34, 26, 18, 13, 5, 4],
        )[0]
        plans = [self._basket(kind, first_date, vin="")]
        vin = plans[0].identifier if kind in ("new-car", "used-car") else ""
        if plans[0].cancellation_reason:
            vin = ""
        day = first_date
        for _visit in range(rng.choices([0, 1, 2, 3, 4], weights=[40, 28, 18, 9, 5])[0]):
            day += timedelta(days=rng.randint(45, 330))
            if day > self.today:
                break
            follow_on = rng.choices(
                ["service", "tyres", "accessories", "insurance"],
                weights=[50, 32, 12, 6] if vin else [40, 40, 15, 5],
            )[0]
            plans.append(self._basket(follow_on, day, vin=vin))
        return plans

    def _basket(self, kind, day, *, vin):
        rng = self.rng
        lines = []
        identifier = vin
        cancellation_reason = ""
        if kind in ("new-car", "used-car"):
            car = rng.choice(self.products["new-cars" if kind == "new-car" else "used-cars"])
            discount = Decimal(rng.choice(["0", "0", "0.02", "0.03", "0.05", "0.08"]))
            price = (car.list_price * (1 - discount) / 10).quantize(Decimal("1")) * 10
            lines.append((car, 1, price))
            if rng.random() < (0.35 if kind == "new-car" else 0.25):
                lines.append(self._line(rng.choice(self.products["financing"])))
            if rng.random() < 0.45:
                lines.append(self._line(self.by_sku["IN-KFZ-HAFTPFLICHT"]))
                if rng.random() < 0.6:
                    cover = "IN-VOLLKASKO" if kind == "new-car" else "IN-TEILKASKO"
                    lines.append(self._line(self.by_sku[cover]))
            if rng.random() < 0.25:
                for accessory in rng.sample(self.products["accessories"], rng.randint(1, 2)):
                    lines.append(self._line(accessory))
            if rng.random() < 0.3:
                lines.append(self._line(self._tyre_set(day)))
            identifier = self._vin(car)
            if kind == "new-car":
                handover = day + timedelta(days=rng.randint(14, 120))
                if handover > self.today and rng.random() < 0.4:
                    handover = None  # ordered; the factory has not given a date yet
            else:
                handover = day + timedelta(days=rng.randint(2, 21))
            if rng.random() < 0.04:
                cancellation_reason = rng.choice(demo_data.CANCELLATION_REASONS)
        elif kind == "service":
            for service in rng.sample(self.products["services"], rng.choice([1, 1, 2])):
                lines.append(self._line(service))
            handover = day
        elif kind == "tyres":
            lines.append(self._line(self._tyre_set(day)))
            lines.append(self._line(self.by_sku["TY-CHANGE"]))
            if rng.random() < 0.4:
                lines.append(self._line(self.by_sku["TY-STORAGE"]))
            handover = day
        elif kind == "accessories":
            for accessory in rng.sample(self.products["accessories"], rng.randint(1, 2)):
                lines.append(self._line(accessory))
            handover = day + timedelta(days=rng.randint(0, 7))
        else:  # insurance on its own: the contract number identifies it
            lines.append(self._line(self.by_sku["IN-KFZ-HAFTPFLICHT"]))
            if rng.random() < 0.5:
                lines.append(self._line(self.by_sku[rng.choice(["IN-VOLLKASKO", "IN-TEILKASKO"])]))
            identifier = f"VS-{day.year}-{rng.randint(100000, 999999)}"
            handover = day
        return PurchasePlan(day, handover, identifier, lines, cancellation_reason)

    def _line(self, product, quantity=1):
        return (product, quantity, product.list_price)

    def _tyre_set(self, day):
        season = "WINTER" if day.month in (9, 10, 11, 12, 1, 2) else "SUMMER"
        if self.rng.random() < 0.15:
            return self.by_sku["TY-ALLSEASON-17"]
        return self.by_sku[f"TY-{season}-{self.rng.choice(['16', '18'])}"]

    def _vin(self, car):
        make = car.name.split()[0].upper()
        prefix = demo_data.VIN_PREFIXES.get(make, "WVW")
        return prefix + "".join(self.rng.choice(demo_data.VIN_CHARACTERS) for _ in range(14))

    # --- everything about one customer ---

    def customer_plan(self, zones):
        branch_code = self.rng.choices(DEMO_BRANCHES, weights=BRANCH_WEIGHTS)[0]
        fields = self.customer(branch_code)
        first_date = self.first_purchase_date()
        return CustomerPlan(
            branch_code=branch_code,
            fields=fields,
            first_date=first_date,
            purchases=self.purchases(first_date),
            consents=self.consents(fields, first_date, zones[branch_code]),
        )


class Command(BaseCommand):
    help = (
        "Create the demo product catalogue and demo customers with consent and purchases "
        "(idempotent), or with --customers N bulk-insert N more customers for performance work. "
        "Development only; needs `manage.py load_demo_data` first."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--customers",
            type=int,
            metavar="N",
            help="Bulk-insert N customers with purchases and consent (not idempotent: each run "
            "adds N). Without it, the demo data set is created once through the services.",
        )
        parser.add_argument(
            "--batch-size", type=int, default=2000, help="Customers per bulk transaction."
        )
        parser.add_argument(
            "--seed", type=int, default=SEED, help="Random seed (same seed, same data)."
        )
        parser.add_argument(
            "--force",
            action="store_true",
            help="Run even though DEBUG is off. Never in production.",
        )

    def handle(self, *args, customers, batch_size, seed, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Demo data is for development only; refusing to run with DEBUG off "
                "(use --force to override)."
            )
        if customers is not None and customers < 1:
            raise CommandError("--customers must be 1 or more.")
        if batch_size < 1:
            raise CommandError("--batch-size must be 1 or more.")
        staff = self._staff()
        # Seeded for reproducibility, not security.
        rng = random.Random(seed)  # noqa: S311
        if customers is None:
            self._seed_demo(rng, staff)
        else:
            self._seed_bulk(rng, staff, customers, batch_size)

    # --- who acts ---

    def _staff(self):
        branches = {branch.code: branch for branch in Branch.objects.filter(code__in=DEMO_BRANCHES)}
        if set(branches) != set(DEMO_BRANCHES):
            raise CommandError(
                "The demo branches are missing: run `manage.py load_demo_data` first."
            )
        staff = {}
        for code, branch in branches.items():
            members = User.objects.filter(branches=branch, is_active=True).order_by("username")
            salespeople = list(members.filter(groups__name=Role.SALES))
            if not salespeople:
                raise CommandError(f"Branch {code} has no salesperson: run load_demo_data first.")
            managers = list(members.filter(groups__name=Role.MANAGER))
            staff[code] = BranchStaff(branch, salespeople, managers)
        return staff

    def _administrator(self):
        administrators = User.objects.filter(
            Q(is_superuser=True) | Q(groups__name=Role.ADMIN), is_active=True
        ).distinct()
        administrator = (
            administrators.filter(username="admin").first() or administrators.order_by("pk").first()
        )
        if administrator is None:
            raise CommandError("No administrator to build the catalogue: run load_demo_data first.")
        return administrator

    def _seller(self, rng, branch_staff):
        """Mostly the branch's salespeople; now and then the manager closes a deal."""
        if branch_staff.managers and rng.random() < 0.15:
            return rng.choice(branch_staff.managers)
        return rng.choice(branch_staff.salespeople)

    # --- catalogue ---

    def _catalogue(self):
        try:
            return self._ensure_catalogue()
        except DomainError as error:
            # E.g. an administrator already made a "Tyres" category under another code.
            raise CommandError(f"Cannot create the demo catalogue: {error.message}") from error

    def _ensure_catalogue(self):
        """{category code: [Product]} of the demo catalogue, created through the services when
        it is missing."""
        by = None
        fill_missing_translations(
            ProductCategory.objects.all(),
            "code",
            {
                code: {"name_en": name_en, "name_de": name_de}
                for code, name_en, name_de, *_rest in demo_data.CATEGORIES
            },
        )
        fill_missing_translations(
            Product.objects.all(),
            "sku",
            {
                sku: {"name_en": name_en, "name_de": name_de}
                for items in demo_data.PRODUCTS.values()
                for sku, name_en, name_de, _price in items
            },
        )
        categories = {category.code: category for category in ProductCategory.objects.all()}
        products = {product.sku: product for product in Product.objects.select_related("category")}
        for code, name_en, name_de, involvement, warranty_months in demo_data.CATEGORIES:
            if code not in categories:
                by = by or self._administrator()
                categories[code] = services.save_product_category(
                    by=by,
                    name_en=name_en,
                    name_de=name_de,
                    code=code,
                    involvement=involvement,
                    default_warranty_months=warranty_months,
                )
        catalogue = {}
        for code, items in demo_data.PRODUCTS.items():
            catalogue[code] = []
            for sku, name_en, name_de, price in items:
                if sku not in products:
                    by = by or self._administrator()
                    products[sku] = services.save_product(
                        by=by,
                        name_en=name_en,
                        name_de=name_de,
                        sku=sku,
                        category=categories[code],
                        list_price=Decimal(price),
                    )
                catalogue[code].append(products[sku])
        return catalogue

    # --- the demo data set, through the services ---

    def _seed_demo(self, rng, staff):
        if ProductCategory.objects.filter(code=demo_data.MARKER_CATEGORY).exists():
            # A catalogue seeded before its names had two languages gets the missing ones.
            self._catalogue()
            self.stdout.write("The demo catalogue already exists; nothing to do.")
            return
        started = time.monotonic()
        purchase_count = 0
        with transaction.atomic():
            world = DemoWorld(rng, self._catalogue(), timezone.localdate())
            zones = {code: branch_staff.branch.zone for code, branch_staff in staff.items()}
            for _number in range(DEMO_CUSTOMERS):
                plan = world.customer_plan(zones)
                purchase_count += self._create_through_services(rng, plan, staff[plan.branch_code])
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo catalogue and {DEMO_CUSTOMERS} customers with {purchase_count} purchases "
                f"created in {time.monotonic() - started:.1f} s."
            )
        )

    def _create_through_services(self, rng, plan, branch_staff):
        branch = branch_staff.branch
        owner = rng.choice(branch_staff.salespeople)
        customer = services.create_customer(
            by=owner, branch=branch, confirmed_new=True, salesperson=owner, **plan.fields
        )
        for channel, granted, source, at in plan.consents:
            services.record_consent(
                customer=customer, channel=channel, granted=granted, source=source, by=owner, at=at
            )
        for purchase_plan in plan.purchases:
            seller = self._seller(rng, branch_staff)
            purchase = services.log_purchase(
                by=seller,
                customer=customer,
                branch=branch,
                salesperson=seller,
                purchase_date=purchase_plan.purchase_date,
                handover_date=purchase_plan.handover_date,
                identifier=purchase_plan.identifier,
                lines=purchase_plan.lines,
            )
            if purchase_plan.cancellation_reason:
                services.cancel_purchase(
                    purchase=purchase, by=seller, reason=purchase_plan.cancellation_reason
                )
        return len(plan.purchases)

    # --- performance data, bulk-inserted ---

    def _seed_bulk(self, rng, staff, count, batch_size):
        started = time.monotonic()
        world = DemoWorld(rng, self._catalogue(), timezone.localdate())
        zones = {code: branch_staff.branch.zone for code, branch_staff in staff.items()}
        totals = dict.fromkeys(["customers", "purchases", "lines", "consents"], 0)
        self.stdout.write(f"Creating {count:,} customers in batches of {batch_size:,}...")
        with explicit_timestamps(Customer, Purchase):
            for start in range(0, count, batch_size):
                size = min(batch_size, count - start)
                plans = [world.customer_plan(zones) for _number in range(size)]
                with transaction.atomic():
                    for key, value in self._insert_batch(rng, plans, staff, world.today).items():
                        totals[key] += value
                self.stdout.write(
                    f"  {start + size:,} / {count:,} customers ({time.monotonic() - started:.1f} s)"
                )
        # Fresh planner statistics, so that measurements see the plans of a settled database
        # rather than those for the near-empty tables autovacuum last looked at.
        models = [Customer, Purchase, PurchaseLine, ConsentRecord]
        models += [Customer.history.model, Purchase.history.model]
        tables = ", ".join(connection.ops.quote_name(model._meta.db_table) for model in models)
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {tables}")
        self.stdout.write(
            self.style.SUCCESS(
                "Created {customers:,} customers, {purchases:,} purchases, {lines:,} purchase "
                "lines and {consents:,} consent records".format(**totals)
                + f" in {time.monotonic() - started:.1f} s."
            )
        )

    def _insert_batch(self, rng, plans, staff, today):
        customers, purchases, lines, consents = [], [], [], []
        for plan in plans:
            branch_staff = staff[plan.branch_code]
            zone = branch_staff.branch.zone
            owner = rng.choice(branch_staff.salespeople)
            created = min(
                datetime.combine(plan.first_date, datetime.min.time(), tzinfo=zone)
                + timedelta(hours=rng.randint(8, 17), minutes=rng.randint(0, 59)),
                timezone.now(),
            )
            customer = Customer(
                branch=branch_staff.branch,
                salesperson=owner,
                created_by=owner,
                created_at=created,
                updated_at=created,
                **plan.fields,
            )
            customer._history_date = created
            customer._history_user = owner
            for channel, granted, source, at in sorted(plan.consents, key=lambda c: c[3]):
                consents.append(
                    ConsentRecord(
                        customer=customer,
                        channel=channel,
                        granted=granted,
                        source=source,
                        recorded_at=at,
                        recorded_by=owner,
                    )
                )
                # Records are in time order: the last one per channel is the current state.
                setattr(customer, f"consent_{channel}", granted)
            # Newest first, in the order refresh_search_text reads them.
            identifiers = [p.identifier for p in reversed(plan.purchases) if p.identifier]
            customer.search_text = services.search_text_for(customer, identifiers)
            customers.append(customer)
            for purchase_plan in plan.purchases:
                seller = self._seller(rng, branch_staff)
                purchase = self._purchase(rng, customer, seller, purchase_plan, zone, today)
                purchases.append(purchase)
                lines.extend(
                    PurchaseLine(
                        purchase=purchase, product=product, quantity=quantity, unit_price=price
                    )
                    for product, quantity, price in purchase_plan.lines
                )
        # Statements of at most INSERT_ROWS rows stay below PostgreSQL's limit of 65,535
        # parameters should server-side binding ever be switched on.
        bulk_create_with_history(
            customers, Customer, batch_size=INSERT_ROWS, default_change_reason="seed_demo"
        )
        bulk_create_with_history(
            purchases, Purchase, batch_size=INSERT_ROWS, default_change_reason="seed_demo"
        )
        PurchaseLine.objects.bulk_create(lines, batch_size=INSERT_ROWS)
        ConsentRecord.objects.bulk_create(consents, batch_size=INSERT_ROWS)
        services.refresh_last_purchase_dates([customer.pk for customer in customers])
        return {
            "customers": len(customers),
            "purchases": len(purchases),
            "lines": len(lines),
            "consents": len(consents),
        }

    def _purchase(self, rng, customer, seller, plan, zone, today):
        products = [product for product, _quantity, _price in plan.lines]
        main_category = services.main_category_of(products)
        created = min(
            datetime.combine(plan.purchase_date, datetime.min.time(), tzinfo=zone)
            + timedelta(hours=rng.randint(8, 18), minutes=rng.randint(0, 59)),
            timezone.now(),
        )
        purchase = Purchase(
            customer=customer,
            branch=customer.branch,
            salesperson=seller,
            purchase_date=plan.purchase_date,
            handover_date=plan.handover_date,
            identifier=plan.identifier,
            warranty_end=services.default_warranty_end(main_category, plan.handover_date),
            status=services.status_for(plan.handover_date, today),
            total=sum(
                (quantity * price for _product, quantity, price in plan.lines), Decimal("0")
            ).quantize(CENT, ROUND_HALF_UP),
            main_category=main_category,
            created_by=seller,
            created_at=created,
            updated_at=created,
        )
        if plan.cancellation_reason:
            cancelled = min(created + timedelta(days=rng.randint(1, 14)), timezone.now())
            purchase.status = Purchase.Status.CANCELLED
            purchase.cancelled_at = cancelled
            purchase.cancellation_reason = plan.cancellation_reason
            purchase.updated_at = cancelled
        purchase._history_date = created
        purchase._history_user = seller
        return purchase
