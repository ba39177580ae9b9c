"""Real Celery worker processes for the reliability tests, on a Redis database of their own.

- `reserved_broker` picks a Redis database that no other run of these tests uses at the same time
  (a lock key in the configured database), so that flushing it touches nobody else's messages.
- `enqueuing_to` makes a Celery app on that database the current one, so that both the test's
  `task.apply_async(queue=...)` and the outbox's on-commit `current_app.send_task(...)` put their
  messages there.
- `Worker` runs `celery -A aftersales worker` as a process group of its own against the test
  database, and can stop it politely or kill it (SIGKILL) at once.
- `Mailbox` reads what django's file e-mail backend wrote, one entry per message the workers sent.
"""

import email
import email.policy
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from contextlib import contextmanager, suppress
from pathlib import Path
from urllib.parse import quote, urlencode, urlsplit, urlunsplit

import environ
import redis
from celery import Celery
from kombu import pools
from kombu.utils.collections import eqhash

from aftersales.celery import app as main_app
from aftersales.celery import close_quick_connection

BASE_DIR = Path(__file__).resolve().parent.parent.parent
# The Redis databases these tests may take for themselves (never the configured one).
CANDIDATE_DBS = range(15, 7, -1)
LOCK_KEY = "aftersales:reliability-tests:db{number}"
# The lock outlives a test run that died without releasing it, but not by much.
LOCK_SECONDS = 600
# kombu's Redis transport keeps messages a worker has taken but not yet acknowledged here.
UNACKED_KEY = "unacked"
# A worker left behind by a test process that died hard stops on its own after this long.
WORKER_LIFETIME_SECONDS = 300
MAIL_SEPARATOR = b"\n" + b"-" * 79 + b"\n"


def wait_until(condition, *, timeout, interval=0.05, beat=None, beat_every=2.0):
    """Poll `condition` until it holds or `timeout` seconds pass; call `beat` (the periodic
    ticks that Celery beat would send) every `beat_every` seconds meanwhile."""
    deadline = time.monotonic() + timeout
    next_beat = time.monotonic() + beat_every
    while time.monotonic() < deadline:
        if condition():
            return True
        if beat is not None and time.monotonic() >= next_beat:
            beat()
            next_beat = time.monotonic() + beat_every
        time.sleep(interval)
    return condition()


def redis_url_with_db(url, number):
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{number}"))


def _db_of(url):
    path = urlsplit(url).path.strip("/")
    return int(path) if path.isdigit() else 0


class Broker:
    """A Redis database reserved for one test."""

    def __init__(self, url):
        self.url = url
        self.client = redis.Redis.from_url(url)

    def flush(self):
        self.client.flushdb()

    def queue_length(self, queue):
        return self.client.llen(queue)

    def unacked(self):
        """Delivery tags of the messages workers have taken and not yet acknowledged."""
        return {tag.decode() for tag in self.client.hkeys(UNACKED_KEY)}

    def is_idle(self, queues, *, ignore_unacked=frozenset()):
        """No message waits in `queues` and none is in the hands of a live worker: with
        acks_late a message is acknowledged only after its task returned, and whatever that task
        enqueued (an on-commit delivery) is in Redis before that."""
        waiting = sum(self.queue_length(queue) for queue in queues)
        return waiting == 0 and not (self.unacked() - set(ignore_unacked))

    def close(self):
        self.client.close()


def redis_reachable(url):
    try:
        with redis.Redis.from_url(url, socket_connect_timeout=2) as client:
            return bool(client.ping())
    except redis.RedisError:
        return False


@contextmanager
def reserved_broker(base_url):
    """Yield a `Broker` on a Redis database of its own, emptied before and after the test."""
    token = uuid.uuid4().hex
    with redis.Redis.from_url(base_url) as locks:
        for number in CANDIDATE_DBS:
            key = LOCK_KEY.format(number=number)
            if number != _db_of(base_url) and locks.set(key, token, nx=True, ex=LOCK_SECONDS):
                break
        else:
            raise RuntimeError("Every Redis database for the reliability tests is in use.")
        broker = Broker(redis_url_with_db(base_url, number))
        try:
            broker.flush()
            yield broker
        finally:
            broker.flush()
            broker.close()
            if locks.get(key) == token.encode():
                locks.delete(key)


@contextmanager
def enqueuing_to(broker_url):
    """Make a Celery app on `broker_url` current for the test process: `task.apply_async()` and
    the outbox's `current_app.send_task()` publish there instead of on the configured broker."""
    producer_app = Celery("aftersales-reliability-tests", set_as_current=False)
    producer_app.config_from_object("django.conf:settings", namespace="CELERY")
    producer_app.conf.broker_url = broker_url
    producer_app.set_current()
    try:
        yield producer_app
    finally:
        main_app.set_current()
        # The outbox's on-commit enqueues keep a connection of their own to the current broker.
        close_quick_connection()
        # kombu shares pools between apps by broker URL: close and forget this one's, so that
        # the next test's producer on the same database starts with fresh connections.
        with producer_app.connection_for_write() as key:
            for group in (pools.producers, pools.connections):
                if eqhash(key) in group:
                    group[key].force_close_all()
                    del group[key]
        producer_app.close()


def database_url(settings_dict):
    """A DATABASE_URL for the database described by `settings_dict` (the test database), in
    the form aftersales.settings reads with django-environ."""
    options = {name: value for name, value in settings_dict.get("OPTIONS", {}).items() if value}
    host = settings_dict["HOST"] or ""
    if host.startswith("/"):
        # A Unix socket folder: django-environ takes it as ?host=, like scripts/dev.py writes it.
        options["host"], host = host, ""
    user = quote(settings_dict["USER"] or "", safe="")
    password = settings_dict["PASSWORD"] or ""
    credentials = f"{user}:{quote(password, safe='')}" if password else user
    netloc = f"{credentials}@{host}" if credentials else host
    if settings_dict["PORT"]:
        netloc += f":{settings_dict['PORT']}"
    url = urlunsplit(
        ("postgres", netloc, "/" + quote(settings_dict["NAME"]), urlencode(options), "")
    )

    def described(config):
        host = config["HOST"] or config.get("OPTIONS", {}).get("host", "")
        return [config["NAME"], host, config["USER"], str(config["PORT"] or "")]

    if described(environ.Env.db_url_config(url)) != described(settings_dict):
        raise ValueError(f"The workers' DATABASE_URL would name another database: {url}")
    return url


def file_email_url(folder):
    """EMAIL_URL for django's file backend. django-environ drops the first slash of the path
    (filemail:///tmp/mail means tmp/mail, relative), so an absolute folder needs four."""
    url = f"filemail:///{folder}"
    written_to = environ.Env.email_url_config(url)["EMAIL_FILE_PATH"]
    if Path(written_to) != Path(folder):
        raise ValueError(f"{url} would write to {written_to}, not {folder}")
    return url


class Worker:
    """`celery -A aftersales worker` in a process group of its own."""

    def __init__(self, name, *, queues, env, log_dir, concurrency=2):
        self.name = f"{name}-{uuid.uuid4().hex[:6]}"
        self.queues = queues
        self.env = env
        self.concurrency = concurrency
        self.log_path = Path(log_dir) / f"{self.name}.log"
        self.process = None

    def start(self):
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "aftersales",
            "worker",
            "--pool=prefork",
            f"--concurrency={self.concurrency}",
            "--queues",
            ",".join(self.queues),
            "--hostname",
            f"{self.name}@%h",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "--loglevel=INFO",
        ]
        lifetime = shutil.which("timeout")
        if lifetime:
            command = [lifetime, "--kill-after=10", str(WORKER_LIFETIME_SECONDS), *command]
        with open(self.log_path, "wb") as log:
            self.process = subprocess.Popen(  # noqa: S603 (our own fixed command)
                command,
                cwd=BASE_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return self

    def log(self, last=4000):
        try:
            return self.log_path.read_text(errors="replace")[-last:]
        except FileNotFoundError:
            return ""

    def wait_ready(self, timeout=30):
        ready = wait_until(
            lambda: " ready." in self.log(last=100_000) or self.has_exited(),
            timeout=timeout,
            interval=0.1,
        )
        if not ready or self.has_exited():
            raise RuntimeError(f"Worker {self.name} did not start:\n{self.log()}")
        return self

    def kill(self):
        """SIGKILL the whole group (main process and pool children) at once, like `kill -9`
        of a container: nothing gets to clean up, acknowledge or roll back politely."""
        self.signal_group(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self, grace=3):
        stop_workers([self], grace=grace)

    def has_exited(self):
        """Whether the group leader ended, without reaping it: while it is not reaped, its id
        (the group's id) cannot pass to another process, so signalling the group stays safe."""
        if self.process.returncode is not None:
            return True
        flags = os.WEXITED | os.WNOHANG | os.WNOWAIT
        return os.waitid(os.P_PID, self.process.pid, flags) is not None

    def signal_group(self, signum):
        if self.process.returncode is None:
            with suppress(ProcessLookupError, PermissionError):
                os.killpg(self.process.pid, signum)


def stop_workers(workers, grace=3):
    """Ask every worker for a warm shutdown at once, then kill whatever is left of each group
    (a pool child can outlive its main process)."""
    running = [w for w in workers if w.process is not None and w.process.returncode is None]
    for worker in running:
        worker.signal_group(signal.SIGTERM)
    deadline = time.monotonic() + grace
    for worker in running:
        wait_until(worker.has_exited, timeout=max(0, deadline - time.monotonic()), interval=0.05)
    for worker in running:
        worker.signal_group(signal.SIGKILL)
        worker.process.wait(timeout=10)


class Mailbox:
    """What django's file e-mail backend wrote into one folder (one entry per sent message)."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)

    def messages(self):
        return [
            (str(message["To"]), str(message["Subject"]), message.get_content().strip())
            for message in self._parsed()
        ]

    def _parsed(self):
        for path in sorted(self.folder.glob("*.log")):
            for chunk in path.read_bytes().split(MAIL_SEPARATOR):
                if chunk.strip():
                    yield email.message_from_bytes(chunk, policy=email.policy.default)

    def message_ids(self):
        """Counter of (subject, Message-ID) over every message written."""
        return Counter((str(m["Subject"]), str(m["Message-ID"])) for m in self._parsed())

    def count(self):
        return len(self.messages())

    def counter(self):
        return Counter(self.messages())
