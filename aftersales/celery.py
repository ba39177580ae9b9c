"""The Celery app, the database-connection care of its workers, and the quick on-commit enqueue.

- Workers keep their database connection between tasks (CELERY_DB_REUSE_MAX in the settings,
  ~30 ms saved per task). Around every task the connections that broke (a database restart) or
  outlived CONN_MAX_AGE are closed, and CONN_HEALTH_CHECKS makes the first query of the next task
  check the connection; so a PostgreSQL restart costs the tasks that ran during it, not the next
  few hundred.
- `enqueue_on_commit` is how services hand work to Celery after their transaction commits: one
  attempt to reach the broker within ON_COMMIT_PUBLISH_TIMEOUT, no retries, and a few seconds of
  not trying after a failure. The database row it is about is committed already and the periodic
  tick finds it, so a broker outage delays that work by one tick but never slows down the
  request (or the task) that saved it.
"""

import logging
import os
import threading
import time
from functools import partial

from celery import Celery, current_app
from celery.signals import task_postrun, task_prerun

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aftersales.settings")

app = Celery("aftersales")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)

# After a failed publish, the next ones in this process do not try for this long (each would
# only wait for the same unreachable broker); the tick delivers meanwhile.
PUBLISH_PAUSE_SECONDS = 5.0


# --- database connections of the workers ------------------------------------------------------


def close_broken_connections(task=None):
    """Close this thread's database connections that are unusable or obsolete; keep the others.

    Skipped for eager tasks and inside a transaction (a test's, or a caller's), where closing the
    connection would break the transaction instead of healing anything."""
    if task is not None and getattr(task.request, "is_eager", False):
        return
    from django.db import connections

    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()
            # The health check CONN_HEALTH_CHECKS would run lazily may fall inside the task's
            # first transaction, where closing a dead connection fails the task instead of
            # healing it: run it now, outside any transaction (one cheap round trip).
            connection.close_if_health_check_failed()


@task_prerun.connect(dispatch_uid="aftersales.heal_connections_before_task")
def _heal_connections_before_task(task=None, **kwargs):
    close_broken_connections(task)


@task_postrun.connect(dispatch_uid="aftersales.heal_connections_after_task")
def _heal_connections_after_task(task=None, **kwargs):
    close_broken_connections(task)


# --- quick publishing after commit -------------------------------------------------------------


class _Publisher(threading.local):
    """Per thread: one broker connection for quick publishing, kept between publishes."""

    key = None
    connection = None


_publisher = _Publisher()
_paused_until = {}
_paused_lock = threading.Lock()


def _publish_timeout():
    from django.conf import settings

    return settings.ON_COMMIT_PUBLISH_TIMEOUT


def _quick_connection(celery_app, key):
    if _publisher.key != key or _publisher.connection is None:
        close_quick_connection()
        timeout = _publish_timeout()
        connection = celery_app.connection_for_write(
            transport_options={
                # One connection attempt (kombu and redis-py retry otherwise, ~0.7 s in all)...
                "max_retries": 0,
                "connect_retries_timeout": timeout,
                # ...that neither a refused nor a hanging connect nor a broker that stopped
                # answering can hold up for longer than the timeout.
                "socket_connect_timeout": timeout,
                "socket_timeout": timeout,
                "retry_on_timeout": False,
            },
        )
        # Celery prefers broker_connection_timeout (4 s) to an argument; set it afterwards.
        connection.connect_timeout = timeout
        _publisher.key, _publisher.connection = key, connection
    return _publisher.connection


def close_quick_connection():
    """Close this thread's quick-publish connection (it is reopened on the next publish)."""
    connection, _publisher.key, _publisher.connection = _publisher.connection, None, None
    if connection is not None:
        try:
            connection.release()
        except Exception:  # a connection that broke cannot be closed politely
            logger.debug("Closing the quick-publish connection failed.", exc_info=True)


def resume_publishing():
    """Forget earlier failures: the next publish tries the broker at once (tests use this)."""
    with _paused_lock:
        _paused_until.clear()


def publish_quickly(task_name, args=(), kwargs=None):
    """Send one task message to the current app's broker, or give up within the publish timeout.

    Returns True when the broker took the message, False when it was not reachable (logged; the
    caller relies on a periodic tick to find the work in the database)."""
    celery_app = current_app._get_current_object()
    url = celery_app.conf.broker_write_url or celery_app.conf.broker_url
    key = (id(celery_app), url, os.getpid())
    with _paused_lock:
        paused = _paused_until.get(key, 0.0) > time.monotonic()
    if paused:
        logger.info("Broker unreachable a moment ago; %s is left to the periodic tick.", task_name)
        return False
    try:
        celery_app.send_task(
            task_name,
            args=list(args),
            kwargs=kwargs or {},
            connection=_quick_connection(celery_app, key),
            retry=False,
        )
    except Exception as error:  # noqa: BLE001 (whatever the broker did, the tick delivers)
        close_quick_connection()
        with _paused_lock:
            _paused_until[key] = time.monotonic() + PUBLISH_PAUSE_SECONDS
        logger.warning(
            "Could not enqueue %s (%s); the periodic tick will pick it up.", task_name, error
        )
        return False
    return True


def enqueue_on_commit(task_name, *, args=(), kwargs=None):
    """After the current transaction commits, publish `task_name` quickly (publish_quickly).

    For work whose state is in the database and that a periodic tick would find anyway: the
    message only makes it happen sooner."""
    from django.db import transaction

    transaction.on_commit(partial(publish_quickly, task_name, args, kwargs), robust=True)


def _forget_after_fork():
    # A forked child (a prefork pool process, a gunicorn worker) must not share the parent's
    # socket: it opens its own connection on its first publish.
    global _paused_lock
    _publisher.key = _publisher.connection = None
    _paused_lock = threading.Lock()
    _paused_until.clear()


os.register_at_fork(after_in_child=_forget_after_fork)
