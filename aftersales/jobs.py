"""Background jobs: long work run by a Celery worker and tracked in :class:`aftersales.models.Job`.

* :func:`start_job` creates the row (queued) and enqueues the task after commit; the task gets
  only the job's id and reads everything else from the row (the DB is the source of truth).
* :func:`claim` is the task's first step: it moves a queued job to running (one attempt more)
  and refuses a job that is done, failed, or running with a fresh heartbeat, so a redelivered
  or doubled message (acks_late) never runs a job twice.
* A job whose worker died stays 'running' with an old heartbeat; :func:`requeue_stale_jobs`
  (beat, every minute) queues it again, with the task its row names. Work that is
  all-or-nothing simply runs again from the start.
* :class:`Progress` writes rows done and the heartbeat over a connection of its own, in
  autocommit, and beats from a thread of its own while the work reports nothing (the import's
  write step runs for minutes without a row count; without the beat it would look dead and run
  a second time). Why not the ORM connection: the import writes inside one transaction, and nothing
  it writes is visible to the polling page before it commits. Why not the cache: the default
  cache is per process (locmem) in development and tests, and the job row is what the page reads
  anyway; a second PostgreSQL connection keeps one source of truth.
"""

import threading
import time
from datetime import timedelta
from pathlib import Path

import psycopg
from django.conf import settings
from django.db import connection, models, transaction
from django.utils import timezone

from aftersales.celery import enqueue_on_commit
from aftersales.models import Job

# A running job whose heartbeat is older than this is taken for dead.
STALE_AFTER = timedelta(minutes=2)
# Progress is written at most this often (seconds).
PROGRESS_EVERY = 0.5
TASK_PARAM = "task"
# The heartbeat of a job at work, whatever it reports (seconds; well inside STALE_AFTER).
HEARTBEAT_EVERY = 20


def start_job(*, kind, task_name, by, params, rows_total=0, branch=None):
    job = Job.objects.create(
        kind=kind,
        # The task is kept with the job, so the requeue tick knows what to run again.
        params={**params, TASK_PARAM: task_name},
        rows_total=rows_total,
        started_by=by,
        branch=branch,
    )
    enqueue_on_commit(task_name, args=[job.pk])
    return job


def claim(job_id, *, now=None):
    """The job, now running, or None when it must not run (finished, or alive elsewhere)."""
    now = now or timezone.now()
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.state in (Job.DONE, Job.FAILED):
            return None
        if job.state == Job.RUNNING and job.heartbeat_at and job.heartbeat_at > now - STALE_AFTER:
            return None
        job.state = Job.RUNNING
        job.attempts += 1
        job.rows_done = 0
        job.started_at = job.started_at or now
        job.heartbeat_at = now
        job.save(update_fields=["state", "attempts", "rows_done", "started_at", "heartbeat_at"])
    return job


def finish(job, *, result):
    """Mark the job done; call it inside the transaction whose commit completes the work."""
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        state=Job.DONE,
        result=result,
        rows_done=job.rows_total,
        rows_total=job.rows_total,
        finished_at=now,
        heartbeat_at=now,
        error="",
    )


def fail(job, *, error, result=None):
    now = timezone.now()
    Job.objects.filter(pk=job.pk).update(
        state=Job.FAILED, error=str(error)[:2000], result=result, finished_at=now, heartbeat_at=now
    )


def requeue_stale_jobs(*, now=None):
    """Publish again the jobs whose worker died (running, old heartbeat) or whose message was
    lost (queued for long), each to the task its row names. Returns how many."""
    now = now or timezone.now()
    cutoff = now - STALE_AFTER
    stale = list(
        Job.objects.filter(params__has_key=TASK_PARAM)
        .filter(
            models.Q(state=Job.RUNNING, heartbeat_at__lt=cutoff)
            | models.Q(state=Job.QUEUED, created_at__lt=cutoff)
        )
        .values_list("pk", "params")
    )
    for pk, params in stale:
        enqueue_on_commit(params[TASK_PARAM], args=[pk])
    return len(stale)


def language_of(user):
    """The language a job works and reports in: its starter's."""
    return (user.language if user is not None else "") or settings.LANGUAGE_CODE


def own_job(user, pk):
    """The user's own job, or None: nobody else's job (nor its file) opens for them."""
    return Job.objects.filter(pk=pk, started_by=user).first()


def output_path(job):
    """Where a job writes the file it makes (an export): private storage, by the job's id."""
    return Path(settings.PRIVATE_MEDIA_ROOT) / "jobs" / f"{job.pk}.csv"


class Progress:
    """Callable `progress(rows_done)` writing to the job row over its own autocommit connection,
    with a heartbeat every HEARTBEAT_EVERY seconds until :meth:`close`.

    `total`, when given, is the job's row count, counted by the worker (the page that starts
    a job does not read the file)."""

    def __init__(self, job, *, total=None):
        self.job = job
        self.last = 0.0
        self.conn = None
        # The beat thread and the caller share the connection; psycopg's is not for two at once.
        self.lock = threading.Lock()
        self.stopped = threading.Event()
        if total is not None:
            job.rows_total = total
            self._write(0, total)
        self.beat = threading.Thread(target=self._beat, name=f"job-{job.pk}-heartbeat", daemon=True)
        self.beat.start()

    def _connect(self):
        if self.conn is None:
            params = connection.get_connection_params()
            params.pop("cursor_factory", None)
            params.pop("context", None)
            self.conn = psycopg.connect(**params, autocommit=True)
        return self.conn

    def _execute(self, sql, args):
        with self.lock:
            self._connect().execute(sql, args)

    def _write(self, done, total=None):
        sql = "UPDATE aftersales_job SET rows_done = %s, heartbeat_at = now()"
        args = [done]
        if total is not None:
            sql += ", rows_total = %s"
            args.append(total)
        self._execute(sql + " WHERE id = %s", [*args, self.job.pk])

    def _beat(self):
        while not self.stopped.wait(HEARTBEAT_EVERY):
            try:
                self._execute(
                    "UPDATE aftersales_job SET heartbeat_at = now() WHERE id = %s AND state = %s",
                    [self.job.pk, Job.RUNNING],
                )
            except psycopg.Error:
                # The database is away for a moment: the next beat tries again, and a job
                # whose beats stay away long enough is taken for dead and run again.
                with self.lock:
                    if self.conn is not None:
                        self.conn.close()
                    self.conn = None

    def __call__(self, done):
        clock = time.monotonic()
        if clock - self.last >= PROGRESS_EVERY:
            self.last = clock
            self._write(min(done, self.job.rows_total or done))

    def close(self):
        self.stopped.set()
        self.beat.join()
        with self.lock:
            if self.conn is not None:
                self.conn.close()
                self.conn = None
