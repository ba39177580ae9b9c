"""Time a purchase import of a generated, realistic DMS export.

Everything it creates (a throwaway branch, products, salespeople, the imported customers and
purchases) is rolled back at the end, so it can run against a development database. It refuses
to run with DEBUG off (a production database) unless --force is given.
"""

import random
import tempfile
import time
import uuid
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from aftersales.models import Branch, Job
from customers.importing import COLUMNS, ImportRejected, background, import_purchases
from customers.importing.results import ImportResult, ImportSummary
from customers.importing.uploads import discard_upload, store_upload
from customers.models import InvolvementLevel, Product, ProductCategory

FEMALE_NAMES = (
    "Anna", "Birgit", "Claudia", "Doris", "Elke", "Franziska", "Gisela", "Heike", "Ingrid",
    "Jana", "Julia", "Karin", "Lena", "Maria", "Martina", "Monika", "Nicole", "Petra", "Sabine",
    "Susanne", "Ursula", "Yvonne",
)  # fmt: skip
MALE_NAMES = (
    "Andreas", "Bernd", "Christian", "Daniel", "Erik", "Felix", "Georg", "Hans", "Jan", "Jörg",
    "Jürgen", "Klaus", "Lukas", "Markus", "Michael", "Niklas", "Oliver", "Ralf", "Sebastian",
    "Stefan", "Thomas", "Tobias", "Uwe", "Werner",
)  # fmt: skip
LAST_NAMES = (
    "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker", "Schulz",
    "Hoffmann", "Schäfer", "Koch", "Bauer", "Richter", "Klein", "Wolf", "Schröder", "Neumann",
    "Schwarz", "Zimmermann", "Braun", "Krüger", "Hofmann", "Hartmann", "Lange", "Schmitt",
    "Werner", "Schmitz", "Krause", "Meier", "Lehmann", "Schmid", "Schulze", "Maier", "Köhler",
    "Herrmann", "König", "Walter", "Mayer", "Huber", "Kaiser", "Fuchs", "Peters", "Lang",
    "Scholz", "Möller", "Weiß", "Jung", "Hahn", "Vogel",
)  # fmt: skip
STREETS = (
    "Hauptstraße", "Schulstraße", "Gartenstraße", "Bahnhofstraße", "Dorfstraße", "Bergstraße",
    "Birkenweg", "Lindenstraße", "Kirchstraße", "Waldstraße", "Ringstraße", "Am Markt",
)  # fmt: skip
CITIES = (
    ("80331", "München"),
    ("10115", "Berlin"),
    ("20095", "Hamburg"),
    ("50667", "Köln"),
    ("60311", "Frankfurt am Main"),
    ("70173", "Stuttgart"),
    ("40213", "Düsseldorf"),
    ("04109", "Leipzig"),
    ("90402", "Nürnberg"),
    ("01067", "Dresden"),
)
COMPANIES = ("Autohaus", "Logistik", "Bau", "Elektro", "Pflegedienst", "Immobilien")
VIN_ALPHABET = "ABCDEFGHJKLMNPRSTUVWXYZ0123456789"  # no I, O, Q in a VIN
ANSWERS = ("ja", "nein", "", "")


class Command(BaseCommand):
    help = (
        "Generate a realistic DMS purchase export with --rows rows, import it inside a "
        "transaction that is rolled back, and print the time taken."
    )

    def add_arguments(self, parser):
        parser.add_argument("--rows", type=int, default=100_000, help="Data rows (default 100000).")
        parser.add_argument("--seed", type=int, default=1, help="Random seed (default 1).")
        parser.add_argument("--keep", type=Path, help="Also write the generated CSV to this file.")
        parser.add_argument(
            "--job",
            action="store_true",
            help="Import through the background job (customers.importing.background), in this "
            "process; the job row and the upload are rolled back and removed as well.",
        )
        parser.add_argument(
            "--force", action="store_true", help="Run even though DEBUG is off (production)."
        )

    def handle(self, *args, rows, seed, keep, force, job=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production. Use --force to benchmark anyway."
            )
        if rows < 1:
            raise CommandError("--rows must be 1 or more.")
        # Not cryptography: reproducible test data.
        generator = random.Random(seed)  # noqa: S311
        tag = uuid.uuid4().hex[:8].upper()
        with tempfile.TemporaryDirectory() as directory:
            path = Path(directory) / "purchases.csv"
            started = time.perf_counter()
            self._write_csv(path, rows, tag, generator)
            generated = time.perf_counter() - started
            if keep:
                keep.write_bytes(path.read_bytes())
            data = path.read_bytes()
        self.stdout.write(f"Generated {rows} rows ({len(data) / 1e6:.1f} MB) in {generated:.1f} s.")

        with transaction.atomic():
            self._create_catalogue(tag)
            started = time.perf_counter()
            try:
                result = self._through_job(data) if job else import_purchases(data=data, by=None)
            except ImportRejected as rejected:
                for error in rejected.result.errors[:20]:
                    self.stderr.write(str(error))
                raise CommandError(rejected.message) from rejected
            elapsed = time.perf_counter() - started
            # The foreign keys are checked at commit, which the rollback never reaches: what a
            # real import's commit adds is timed apart, so the figure stays comparable.
            started = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            checks = time.perf_counter() - started
            transaction.set_rollback(True)

        summary = result.summary
        self.stdout.write(
            f"Imported and rolled back: {summary.customers_created} customers, "
            f"{summary.purchases_created} purchases, {summary.lines_created} lines, "
            f"{summary.consents_recorded} consent records."
        )
        timings = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in result.timings.items())
        self.stdout.write(
            self.style.SUCCESS(
                f"rows={rows} seconds={elapsed:.2f} rows/second={rows / elapsed:.0f} ({timings})"
            )
        )
        self.stdout.write(f"The commit's deferred constraint checks would add {checks:.1f} s.")

    def _through_job(self, data):
        """Run the confirmation job's body here; its progress connection sees no job row (it is
        not committed), so the figure leaves out only those small updates."""
        token = store_upload(data)
        try:
            job = background.start_confirmation(token=token, by=None)
            state = background.run_import_job(job.pk)
            job.refresh_from_db()
        finally:
            discard_upload(token)
        if state != Job.DONE:
            raise CommandError(f"The job ended {state}: {job.error}")
        return ImportResult(
            summary=ImportSummary(**job.result["summary"]),
            applied=True,
            timings=dict(job.result["timings"]),
        )

    def _create_catalogue(self, tag):
        """A throwaway branch, categories, products and salespeople named after `tag`."""
        Branch.objects.create(name=f"Benchmark {tag}", code=f"BENCH-{tag}")
        car = ProductCategory.objects.create(
            name=f"Cars {tag}",
            code=f"bench-cars-{tag.lower()}",
            involvement=InvolvementLevel.HIGH,
            default_warranty_months=36,
        )
        extras = ProductCategory.objects.create(
            name=f"Accessories {tag}",
            code=f"bench-extras-{tag.lower()}",
            involvement=InvolvementLevel.LOW,
            default_warranty_months=24,
        )
        Product.objects.bulk_create(
            [
                Product(name=f"Car {n}", category=car, sku=f"CAR-{tag}-{n}", list_price=Decimal(p))
                for n, p in enumerate(("21990", "28450", "35900", "47500", "62900"))
            ]
            + [
                Product(
                    name=f"Extra {n}", category=extras, sku=f"EXT-{tag}-{n}", list_price=Decimal(p)
                )
                for n, p in enumerate(("89.90", "249", "799", "1290", "39.50", "560"))
            ]
        )
        get_user_model().objects.bulk_create(
            get_user_model()(username=f"bench-{tag.lower()}-{n}", first_name="Bench")
            for n in range(8)
        )

    def _write_csv(self, path, rows, tag, generator):
        """German DMS style: `;`, DD.MM.YYYY, decimal comma; ~1.3 lines per purchase and about
        one customer in five buying again."""
        today = timezone.localdate()
        customers = []
        written = 0
        purchase_number = 0
        with path.open("w", encoding="utf-8", newline="") as out:
            out.write(";".join(COLUMNS) + "\n")
            while written < rows:
                purchase_number += 1
                if customers and generator.random() < 0.2:
                    customer = generator.choice(customers)
                else:
                    customer = self._customer(len(customers) + 1, tag, generator)
                    customers.append(customer)
                size = generator.choices((1, 2, 3), weights=(75, 20, 5))[0]
                size = min(size, rows - written)
                purchase_date = today - timedelta(days=generator.randint(1, 3 * 365))
                handover = purchase_date + timedelta(days=generator.randint(0, 60))
                purchase = {
                    "purchase_ref": f"A{tag}{purchase_number:08d}",
                    "branch_code": f"BENCH-{tag}",
                    "salesperson": f"bench-{tag.lower()}-{generator.randrange(8)}",
                    "purchase_date": purchase_date.strftime("%d.%m.%Y"),
                    "handover_date": handover.strftime("%d.%m.%Y") if handover <= today else "",
                    "identifier": "".join(generator.choices(VIN_ALPHABET, k=17)),
                    "warranty_end": "",
                    "notes": "Inzahlungnahme" if generator.random() < 0.05 else "",
                }
                for line in range(size):
                    if line == 0:
                        sku, price = f"CAR-{tag}-{generator.randrange(5)}", ""
                    else:
                        sku = f"EXT-{tag}-{generator.randrange(6)}"
                        price = f"{generator.randint(20, 1500)},{generator.randrange(100):02d}"
                    values = customer | purchase
                    values |= {"product_sku": sku, "quantity": "1", "unit_price": price}
                    out.write(";".join(values.get(column, "") for column in COLUMNS) + "\n")
                    written += 1

    def _customer(self, number, tag, generator):
        salutation, names = generator.choice((("Frau", FEMALE_NAMES), ("Herr", MALE_NAMES)))
        first, last = generator.choice(names), generator.choice(LAST_NAMES)
        postcode, city = generator.choice(CITIES)
        company = generator.random() < 0.1
        mail_name = f"{first}.{last}".lower().replace("ü", "ue").replace("ö", "oe")
        mail_name = mail_name.replace("ä", "ae").replace("ß", "ss")
        return {
            "customer_ref": f"K{tag}{number:07d}",
            "customer_kind": "company" if company else "person",
            "company_name": f"{last} {generator.choice(COMPANIES)} GmbH" if company else "",
            "salutation": salutation,
            "first_name": first,
            "last_name": last,
            "email": f"{mail_name}{number}@example.de",
            "phone": f"0{generator.randint(30, 999)} {generator.randint(100000, 9999999)}",
            "mobile": f"01{generator.randint(51, 79)} {generator.randint(1000000, 99999999)}",
            "street": f"{generator.choice(STREETS)} {generator.randint(1, 120)}",
            "postcode": postcode,
            "city": city,
            "country": "DE",
            "language": "de",
            "consent_email": generator.choice(ANSWERS),
            "consent_phone": generator.choice(ANSWERS),
            "consent_sms": "",
            "consent_letter": generator.choice(ANSWERS),
        }
