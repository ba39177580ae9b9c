"""Time the daily offer generation over the database's customers:

    manage.py seed_demo && manage.py seed_service_history && manage.py seed_offers --no-generation
    manage.py benchmark_offers --seed 1000000 --at 2026-10-13T10:00

`--seed N` first adds N synthetic car buyers (external reference BENCH-…; e-mail consent for
six in ten, a car of the demo catalogue handed over in the last four years, a workshop visit
with an odometer reading for three in ten) with one INSERT … SELECT per table, kept for the
next runs (`seed_demo --customers N` writes richer data, but through Python, far slower).

Every active rule is run on its own (the season decides whether it is on at `--at`; 13 October
has the winter rules on, the heaviest day), then all rules again to show that a second run finds
nothing. Each rule's time, its suggested and held-back offers, and the total are printed with
the time extrapolated linearly to 1,000,000 customers. Everything runs in a transaction that is
rolled back, so the command can be repeated on the same data; it refuses to run with DEBUG off
(production) unless given --force.
"""

import time
from datetime import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from customers.management import synthetic
from customers.models import Customer
from followups.models import OfferRule
from followups.offers import generation

MILLION = 1_000_000


class Rollback(Exception):
    """Leaves the measured transaction without keeping its offers."""


class Command(BaseCommand):
    help = "Time the offer generation over the database's customers (rolled back)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--at",
            default="",
            help="When the generation runs (ISO, default now), e.g. 2026-10-13T10:00.",
        )
        parser.add_argument(
            "--seed", type=int, default=0, help="First add this many synthetic car buyers."
        )
        parser.add_argument("--keep", action="store_true", help="Keep the offers (no rollback).")
        parser.add_argument(
            "--force", action="store_true", help="Run even though DEBUG is off (production)."
        )

    def handle(self, *args, at, seed, keep, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production. Use --force to benchmark anyway."
            )
        now = self._moment(at)
        if seed:
            started = time.monotonic()
            synthetic.add_car_buyers(seed, today=timezone.localdate(now))
            self.stdout.write(f"{seed:,} car buyers added in {time.monotonic() - started:.1f} s.")
        customers = Customer.objects.count()
        rules = list(OfferRule.objects.filter(is_active=True).select_related("category"))
        if not customers or not rules:
            raise CommandError("No customers or no rules: run seed_demo and seed_offers first.")
        self.stdout.write(
            f"{customers:,} customers, {len(rules)} active rules, "
            f"generation at {now:%Y-%m-%d %H:%M}"
        )
        try:
            with transaction.atomic():
                total = self._first_run(rules, now)
                started = time.monotonic()
                again = generation.generate_offers(now=now)
                second = time.monotonic() - started
                self._report(customers, total, second, again)
                if not keep:
                    raise Rollback
        except Rollback:
            self.stdout.write("Rolled back: the offers were not kept.")

    def _moment(self, at):
        if not at:
            return timezone.now()
        try:
            moment = datetime.fromisoformat(at)
        except ValueError as error:
            raise CommandError(f"--at {at!r} is no ISO date and time.") from error
        return timezone.make_aware(moment) if timezone.is_naive(moment) else moment

    def _first_run(self, rules, now):
        total = 0.0
        for rule in rules:
            started = time.monotonic()
            (run,) = generation.generate_offers(now=now, rules=[rule])
            seconds = time.monotonic() - started
            total += seconds
            self.stdout.write(
                f"  {seconds:7.2f} s  {run.suggested:>8,} suggested  {run.held_back:>8,} held "
                f"back  {rule.name}"
            )
        return total

    def _report(self, customers, total, second, again):
        found = sum(run.suggested + run.held_back for run in again)
        self.stdout.write(
            self.style.SUCCESS(
                f"First run: {total:.1f} s for {customers:,} customers "
                f"(about {total * MILLION / customers / 60:.1f} min for 1,000,000, linearly). "
                f"Second run: {second:.1f} s, {found} new offers."
            )
        )
