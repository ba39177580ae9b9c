"""Time the cross-selling figures page (aftersales.benchmarks.PageBenchmarkCommand).

manage.py benchmark_offer_figures --requests 30 --user manager
manage.py benchmark_offer_figures --query "start=2026-01-01&end=2026-03-31"
manage.py benchmark_offer_figures --offers-per-year 3000000

The page reads the roll-ups only (followups.offers.figures), so what it costs depends on their
rows, not on the offers themselves. --offers-per-year writes, for the year up to today, the
roll-up rows that many offers would leave (every branch, rule and active salesperson of the
branch, every day, each event and hold reason) inside a transaction that is rolled back after
measuring: the database is left as it was.
"""

from django.db import connection, transaction

from aftersales.benchmarks import PageBenchmarkCommand
from customers.models import Customer
from followups.models import ImpulseRollup, Offer, OfferRollup, RetentionRollup

# Of 100 offers a rule finds: how they go (the shares the synthetic roll-ups use).
EVENT_SHARES = {
    ("held_back", "no_consent"): 20,
    ("held_back", "cap_reached"): 6,
    ("held_back", "open_complaint"): 3,
    ("held_back", "high_dissonance"): 1,
    ("suggested", ""): 70,
    ("presented", ""): 45,
    ("accepted", ""): 12,
    ("declined", ""): 25,
    ("expired", ""): 33,
}

SYNTHETIC_ROLLUPS = """
    INSERT INTO followups_offerrollup (day, branch_id, rule_id, salesperson_id, event, reason,
        offers, value, decision_days)
    SELECT day::date, staff.branch_id, rule.id, staff.user_id, share.event, share.reason,
        greatest(round(%(per_cell)s * share.percent / 100.0), 1),
        CASE WHEN share.event = 'accepted' THEN 480 * round(%(per_cell)s * share.percent / 100.0)
            ELSE 0 END,
        CASE WHEN share.event IN ('accepted', 'declined', 'expired')
            THEN 9 * round(%(per_cell)s * share.percent / 100.0) ELSE 0 END
    FROM generate_series(CURRENT_DATE - 364, CURRENT_DATE, interval '1 day') AS day
    CROSS JOIN followups_offerrule rule
    CROSS JOIN (SELECT DISTINCT ub.branch_id, ub.user_id FROM aftersales_user_branches ub
                JOIN aftersales_user u ON u.id = ub.user_id AND u.is_active) staff
    CROSS JOIN (SELECT * FROM unnest(%(events)s::text[], %(reasons)s::text[], %(percents)s::int[])
                AS s(event, reason, percent)) share
    ON CONFLICT DO NOTHING
"""


class Command(PageBenchmarkCommand):
    help = (
        "Render the cross-selling figures page repeatedly through Django's test client and "
        "print the median and 95th percentile time and the number of queries."
    )
    page_name = "offer figures"
    url_name = "followups:offer-figures"
    permission = "followups.view_offer_figures"
    default_user = "manager"
    target_p95_ms = 150

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--offers-per-year",
            type=int,
            default=0,
            help="Measure on the roll-ups that many offers a year would leave (rolled back).",
        )

    def handle(self, *args, offers_per_year, **options):
        if not offers_per_year:
            return super().handle(*args, **options)
        with transaction.atomic():
            self._synthetic_rollups(offers_per_year)
            super().handle(*args, **options)
            transaction.set_rollback(True)
        return None

    def _synthetic_rollups(self, offers_per_year):
        with connection.cursor() as cursor:
            cursor.execute(
                """SELECT count(*) FROM followups_offerrule, (SELECT DISTINCT ub.branch_id,
                    ub.user_id FROM aftersales_user_branches ub JOIN aftersales_user u
                    ON u.id = ub.user_id AND u.is_active) staff"""
            )
            cells = cursor.fetchone()[0] * 365
            if not cells:
                return
            # Offers found per rule, salesperson and day; the events' shares of them.
            per_cell = offers_per_year / cells
            cursor.execute(
                SYNTHETIC_ROLLUPS,
                {
                    "per_cell": per_cell,
                    "events": [event for event, _reason in EVENT_SHARES],
                    "reasons": [reason for _event, reason in EVENT_SHARES],
                    "percents": list(EVENT_SHARES.values()),
                },
            )
            rows = cursor.rowcount
            # As autovacuum would after the nightly rebuild: the planner knows the new rows.
            # (The monthly roll-ups were filled by the daily rows' trigger as they were written.)
            cursor.execute("ANALYZE followups_offerrollup, followups_offermonthrollup")
            self.stdout.write(
                f"Synthetic roll-ups of {offers_per_year:,} offers a year: {rows:,} "
                f"rows ({per_cell:.2f} offers per rule, salesperson and day), rolled back after."
            )

    def describe_data(self):
        return (
            f"{Customer.objects.count():,} customers, {Offer.objects.count():,} offers, "
            f"{OfferRollup.objects.count():,} offer roll-up rows, "
            f"{ImpulseRollup.objects.count():,} impulse and "
            f"{RetentionRollup.objects.count():,} retention roll-up rows."
        )
