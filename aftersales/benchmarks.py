"""Helpers the benchmark commands share: the nearest-rank percentile and a command that times
one page through Django's test client for a real user."""

import math
import statistics
import time
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse


def benchmark_client():
    """A test client that the settings' ALLOWED_HOSTS let in (ask it with secure=True), in a
    process started as the web server starts (aftersales.wsgi: the URLconf loaded, the start-up
    heap frozen out of the garbage collector), so that the timings are the server's."""
    import_module("aftersales.wsgi")
    hosts = [host for host in settings.ALLOWED_HOSTS if host and "*" not in host]
    return Client(
        SERVER_NAME=hosts[0].lstrip(".") if hosts else "localhost", raise_request_exception=True
    )


def percentile(values, share):
    """The nearest-rank percentile (share 0–1) of the values."""
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)), 1) - 1]


class PageBenchmarkCommand(BaseCommand):
    """Render a page repeatedly (middleware, views, queries, templates) and print the median
    and 95th percentile time and the number of queries per request. A subclass names the page
    (`url_name`), who may see it (`permission`), whom to log in as by default, the target p95,
    and what data it describes (`describe_data`).

    Nothing is written but the session of the forced login, which is deleted at the end. It
    refuses to run with DEBUG off (a production database) unless --force is given."""

    page_name = ""
    url_name = ""
    permission = ""
    default_user = "manager"
    target_p95_ms = 150

    def describe_data(self):
        raise NotImplementedError

    def add_arguments(self, parser):
        parser.add_argument("--requests", type=int, default=30, help="Measured requests.")
        parser.add_argument("--warmup", type=int, default=3, help="Requests before measuring.")
        parser.add_argument("--user", default=self.default_user, help="Username to log in as.")
        parser.add_argument("--path", default="", help="Page to measure (default: the page).")
        parser.add_argument("--query", default="", help='Query string, e.g. "branch=1".')
        parser.add_argument(
            "--force", action="store_true", help="Run even though DEBUG is off (production)."
        )

    def handle(self, *args, requests, warmup, user, path, query, force, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "DEBUG is off: this looks like production. Use --force to benchmark anyway."
            )
        if requests < 1 or warmup < 0:
            raise CommandError("--requests must be 1 or more and --warmup 0 or more.")
        person = get_user_model().objects.filter(username=user, is_active=True).first()
        if person is None:
            raise CommandError(f"No active user {user!r}: run `manage.py load_demo_data` first.")
        if not person.has_perm(self.permission):
            raise CommandError(f"{user} may not see the {self.page_name}.")
        url = (path or reverse(self.url_name)) + (f"?{query}" if query else "")
        self.stdout.write(f"Data: {self.describe_data()}")
        client = benchmark_client()
        client.force_login(person)
        try:
            timings, query_counts = self._measure(client, url, requests, warmup)
        finally:
            client.logout()
        median = statistics.median(timings)
        p95 = percentile(timings, 0.95)
        counts = sorted(set(query_counts))
        self.stdout.write(
            f"{url} as {user}: {requests} requests after {warmup} warm-up; "
            f"min {min(timings):.0f} ms, max {max(timings):.0f} ms"
        )
        verdict = self.style.SUCCESS if p95 <= self.target_p95_ms else self.style.WARNING
        self.stdout.write(
            verdict(
                f"median={median:.0f} ms p95={p95:.0f} ms "
                f"queries={'/'.join(str(count) for count in counts)}"
            )
        )

    def _measure(self, client, url, requests, warmup):
        timings, query_counts = [], []
        for number in range(warmup + requests):
            with CaptureQueriesContext(connection) as queries:
                started = time.perf_counter()
                response = client.get(url, secure=True)
                if response.streaming:
                    b"".join(response.streaming_content)
                elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise CommandError(f"{url} answered {response.status_code}.")
            if number >= warmup:
                timings.append(elapsed)
                query_counts.append(len(queries))
        return timings, query_counts
