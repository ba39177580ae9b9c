"""The scorecard benchmark command runs, reports its figures and leaves nothing behind."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from aftersales.models import Branch
from customers.models import Customer


def test_benchmark_reports_and_rolls_back(db, settings):
    settings.DEBUG = True
    out = StringIO()

    call_command(
        "benchmark_scorecards", employees=2, per_employee=4, requests=2, warmup=0, stdout=out
    )

    report = out.getvalue()
    assert "branch scorecard" in report
    assert "median=" in report
    assert "p95=" in report
    assert "rolled back" in report
    assert not Branch.objects.filter(code__startswith="BENCH").exists()
    assert not Customer.objects.exists()


def test_benchmark_refuses_production_without_force(db, settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("benchmark_scorecards", employees=1, requests=1)
