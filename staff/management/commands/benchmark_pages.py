"""Time every list page, dashboard, scorecard and API list as each role, and print one table:

    manage.py benchmark_pages                     # the demo data as it is
    manage.py benchmark_pages --customers 1000000 # first top the customers up to a million
    manage.py benchmark_pages --rate 100 --url http://127.0.0.1:8000 --duration 30
    manage.py benchmark_pages --only scorecard    # the pages whose name says "scorecard"

Each page is rendered through Django's test client for the role's demo login (middleware, views,
queries and templates; no network), `--warmup` times and then `--requests` times; the table has
p50, p95 and max in ms, the queries of a request and the bytes of the answer. A page a role may
not see is left out for it.

`--customers N` first adds synthetic car buyers (customers.management.synthetic: one INSERT …
SELECT per table, external references BENCH-…) until the database holds N customers, the
follow-ups of a year of use with the survey invitations and answers of its survey steps
(followups.management.synthetic) and complaints with their signals in the demo's proportion
(quality.management.synthetic), kept for later runs; audits and staff data come from
`seed_demo` and the other seed commands (they follow branches and months, not customers).

`--rate R` measures throughput instead: the API lists (customers, follow-ups, complaints,
dissonance customers) are asked over HTTP at `--url` (the app under gunicorn, as in compose) at
R requests a second in all, open loop (a request is sent on time whether or not earlier ones have
been answered) for `--duration` seconds, with a token of the role's login, over kept-alive
connections as an integrator's HTTP client keeps them; it prints the rate reached, the answers
that were not 200 and p50/p95/max per endpoint.

Nothing is written but the logins' sessions and, for --rate, one API token, removed at the end.
It refuses to run with DEBUG off (production) unless given --force.
"""

import http.client
import statistics
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aftersales.benchmarks import benchmark_client, percentile
from aftersales.signin import services as signin
from customers.management import synthetic
from customers.models import Customer
from followups.management import synthetic as followups_synthetic
from quality.management import synthetic as quality_synthetic

# (role's demo login, page name, URL name, query string); the scorecards get their ids below.
PAGES = [
    ("sales", "follow-up inbox", "followups:inbox", ""),
    ("sales", "customer list", "customers:customer-list", ""),
    ("sales", "my scorecard", "staff:my-scorecard", ""),
    ("manager", "customer list", "customers:customer-list", ""),
    ("manager", "customer list by last purchase", "customers:customer-list", "sort=-last_purchase"),
    ("manager", "purchase list", "customers:purchase-list", ""),
    ("manager", "offer list", "followups:offer-list", ""),
    ("manager", "offer figures", "followups:offer-figures", ""),
    ("manager", "dissonance dashboard", "quality:dashboard", ""),
    ("manager", "dissonance customers", "quality:dashboard-customers", ""),
    ("manager", "branch scorecard", "staff:branch-scorecard", ""),
    ("manager", "employee scorecard", "staff:employee-scorecard", ""),
    ("manager", "appointment list", "staff:appointment-list", ""),
    ("service", "complaint list", "quality:complaint-list", ""),
    ("quality", "quality dashboard", "quality:qm-dashboard", ""),
    ("quality", "finding list", "quality:finding-list", ""),
    ("quality", "corrective actions", "quality:action-list", ""),
    ("quality", "mystery-shop results", "staff:result-list", ""),
    ("manager", "GET /api/customers/", "api-customer-list", ""),
    ("manager", "GET /api/purchases/", "api-purchase-list", ""),
    ("manager", "GET /api/followups/", "api-followup-list", ""),
    ("manager", "GET /api/complaints/", "api-complaint-list", ""),
    ("manager", "GET /api/dissonance/customers/", "api-dissonance-customer-list", ""),
    ("manager", "GET /api/offers/", "api-offer-list", ""),
]
THROUGHPUT_LISTS = [
    "api-customer-list",
    "api-followup-list",
    "api-complaint-list",
    "api-dissonance-customer-list",
]
# The device name of the --rate run's API token.
DEVICE_NAME = "benchmark_pages"


class Command(BaseCommand):
    help = "Time every list page, dashboard, scorecard and API list as each role (one table)."

    def add_arguments(self, parser):
        parser.add_argument("--customers", type=int, default=0, help="Top customers up to N.")
        parser.add_argument("--requests", type=int, default=30, help="Measured requests a page.")
        parser.add_argument("--warmup", type=int, default=3, help="Requests before measuring.")
        parser.add_argument("--rate", type=int, default=0, help="API requests a second (HTTP).")
        parser.add_argument("--duration", type=int, default=30, help="Seconds of the --rate run.")
        parser.add_argument("--url", default="http://127.0.0.1:8000", help="The app, for --rate.")
        parser.add_argument("--user", default="manager", help="The login of the --rate run.")
        parser.add_argument(
            "--only", default="", help="Only the pages whose name contains this text."
        )
        parser.add_argument(
            "--force", action="store_true", help="Run even though DEBUG is off (production)."
        )

    def handle(
        self, *args, customers, requests, warmup, rate, duration, url, user, force, only, **_
    ):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production. Use --force to benchmark anyway."
            )
        if requests < 1 or warmup < 0 or rate < 0 or duration < 1:
            raise CommandError("--requests, --duration must be 1 or more; --warmup, --rate 0+.")
        if customers:
            self._top_up(customers)
        self.stdout.write(f"Data: {Customer.objects.count():,} customers.")
        if rate:
            if not url.startswith(("http://", "https://")):
                raise CommandError("--url must start with http:// or https://.")
            self._throughput(self._login(user), rate, duration, url.rstrip("/"))
        else:
            self._pages(requests, warmup, only)

    def _login(self, username):
        person = get_user_model().objects.filter(username=username, is_active=True).first()
        if person is None:
            raise CommandError(f"No active user {username!r}: run `manage.py seed_demo` first.")
        return person

    def _top_up(self, target):
        missing = target - Customer.objects.count()
        if missing <= 0:
            return
        started = time.perf_counter()
        since = Customer.objects.aggregate(last=Max("pk"))["last"] or 0
        written, visits = synthetic.add_car_buyers(missing)
        complaints, signals = quality_synthetic.add_complaints(since_customer_id=since)
        followups = followups_synthetic.add_followups(since_customer_id=since)
        invitations, answers = followups_synthetic.add_surveys(since_customer_id=since)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        self.stdout.write(
            f"Added {written:,} synthetic car buyers ({visits:,} workshop visits), "
            f"{followups:,} follow-ups, {invitations:,} survey invitations ({answers:,} answered), "
            f"{complaints:,} complaints and {signals:,} signals in "
            f"{time.perf_counter() - started:.0f} s."
        )

    # --- pages, through the test client ---

    def _pages(self, requests, warmup, only=""):
        self.stdout.write(
            f"{'role':<8} {'page':<32} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} "
            f"{'queries':>7} {'bytes':>9}"
        )
        clients = {}
        try:
            for role, page, url_name, query in PAGES:
                if only not in page:
                    continue
                person = self._login(role)
                url = self._url(person, url_name, query)
                if url is None:
                    continue
                client = clients.get(role)
                if client is None:
                    client = clients[role] = benchmark_client()
                    client.force_login(person)
                row = self._measure(client, url, requests, warmup)
                if row is None:
                    continue  # not for this role
                p50, p95, slowest, queries, size = row
                self.stdout.write(
                    f"{role:<8} {page:<32} {p50:>7.0f} {p95:>7.0f} {slowest:>7.0f} "
                    f"{queries:>7} {size:>9,}"
                )
        finally:
            for client in clients.values():
                client.logout()

    def _url(self, person, url_name, query):
        if url_name == "staff:branch-scorecard":
            branch = person.branches.order_by("pk").first()
            if branch is None:
                return None
            path = reverse(url_name, args=[branch.pk])
        elif url_name == "staff:employee-scorecard":
            seller = get_user_model().objects.filter(username="sales").first()
            if seller is None:
                return None
            path = reverse(url_name, args=[seller.pk])
        else:
            path = reverse(url_name)
        return f"{path}?{query}" if query else path

    def _measure(self, client, url, requests, warmup):
        timings, counts, size = [], [], 0
        for number in range(warmup + requests):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url, secure=True)
                body = (
                    b"".join(response.streaming_content) if response.streaming else response.content
                )
                elapsed = (time.perf_counter() - started) * 1000
            if response.status_code in (403, 404):
                return None
            if response.status_code != 200:
                raise CommandError(f"{url} answered {response.status_code}.")
            if number >= warmup:
                timings.append(elapsed)
                counts.append(len(queries))
                size = len(body)
        queries = "/".join(str(count) for count in sorted(set(counts)))
        return (
            statistics.median(timings),
            percentile(timings, 0.95),
            max(timings),
            queries,
            size,
        )

    # --- throughput, over HTTP ---

    def _throughput(self, person, rate, duration, base_url):
        token, key = signin.issue_token(user=person, name=DEVICE_NAME)
        paths = [reverse(name) for name in THROUGHPUT_LISTS]
        results = {path: [] for path in paths}
        failures = []
        lock = threading.Lock()

        target = urllib.parse.urlsplit(base_url)
        connection_class = (
            http.client.HTTPSConnection if target.scheme == "https" else http.client.HTTPConnection
        )
        opened = threading.local()  # each sending thread keeps its connection alive
        every_connection = []

        def send(path):
            if getattr(opened, "connection", None) is None:
                opened.connection = connection_class(target.netloc, timeout=30)
                with lock:
                    every_connection.append(opened.connection)
            opened.connection.request(
                "GET", target.path + path, headers={"Authorization": f"Token {key}"}
            )
            with opened.connection.getresponse() as answer:
                answer.read()
                return answer.status

        def ask(path):
            started = time.perf_counter()
            try:
                try:
                    status = send(path)
                except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                    # The server closed the kept-alive connection: once more on a new one.
                    opened.connection.close()
                    opened.connection = None
                    status = send(path)
            except (OSError, http.client.HTTPException) as error:
                if getattr(opened, "connection", None) is not None:
                    opened.connection.close()
                    opened.connection = None
                status = type(error).__name__
            elapsed = (time.perf_counter() - started) * 1000
            with lock:
                if status == 200:
                    results[path].append(elapsed)
                else:
                    failures.append(f"{path}: {status}")

        total = rate * duration
        started = time.perf_counter()
        try:
            with ThreadPoolExecutor(max_workers=min(4 * rate, 400)) as pool:
                for number in range(total):
                    due = started + number / rate
                    pause = due - time.perf_counter()
                    if pause > 0:
                        time.sleep(pause)
                    pool.submit(ask, paths[number % len(paths)])
            elapsed = time.perf_counter() - started
        finally:
            for kept_alive in every_connection:
                kept_alive.close()
            token.delete()
        answered = sum(len(timings) for timings in results.values())
        self.stdout.write(
            f"{total:,} requests at {rate}/s for {duration} s as {person.username}: "
            f"{answered / elapsed:.1f} answered with 200 a second, {len(failures)} failed."
        )
        for path, timings in results.items():
            if timings:
                self.stdout.write(
                    f"  {path:<32} p50 {statistics.median(timings):>5.0f} ms  "
                    f"p95 {percentile(timings, 0.95):>5.0f} ms  max {max(timings):>5.0f} ms"
                )
        for failure in failures[:10]:
            self.stdout.write(self.style.WARNING(f"  {failure}"))
