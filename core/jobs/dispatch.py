"""Handing jobs to the broker, and the fair dispatcher of the bulk queue.

Publishing is best effort by design: the job row is the record, so a publish that fails
(Redis away) is logged and the job stays pending until the sweeper dispatches it. Publishes
from a web request use short broker timeouts (``CELERY_BROKER_CONNECTION_TIMEOUT``,
``CELERY_BROKER_TRANSPORT_OPTIONS``) and no retries, so no request hangs on a broker.

**Bulk fairness.** Bulk jobs are never published when enqueued. :func:`bulk_dispatch` keeps at
most ``JOB_BULK_CONCURRENCY`` bulk jobs in flight (dispatched or running) and at most
``JOB_BULK_WORKSPACE_CONCURRENCY`` of them per workspace, and fills free slots round-robin by
workspace: the workspace with the fewest jobs in flight goes first, then the oldest job. A
workspace with 1,000 queued jobs thus holds at most its cap of slots, and another
workspace's single job is published at once into a free slot; it waits in Redis behind at most
``JOB_BULK_CONCURRENCY - 1`` messages (see the README for the bound and the measurement).
Handlers registered with ``fills_bulk`` (short jobs: an import's parallel chunks) may take
every slot; since the workspace with the fewest jobs in flight is served first, another
workspace's job then waits for at most one of them to finish.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core.jobs.models import Job, JobQueue, JobStatus
from core.jobs.registry import bulk_filling_handlers

logger = logging.getLogger(__name__)

#: Transaction-level advisory lock serialising bulk dispatchers across processes.
BULK_DISPATCH_LOCK_ID = 7_130_101
#: Seconds added to a handler's timeout before the hard time limit and the lease end.
LEASE_GRACE_SECONDS = 30

_last_publish_warning = 0.0


def celery_queue(queue: str) -> str:
    """The Celery queue of a kind of work: the one routing table is ``JOB_QUEUES``."""
    return str(settings.JOB_QUEUES.get(queue, settings.CELERY_TASK_DEFAULT_QUEUE))


def lease_seconds(timeout: int) -> int:
    return int(timeout) + int(getattr(settings, "JOB_LEASE_GRACE_SECONDS", LEASE_GRACE_SECONDS))


def _publish(job: Job, *, countdown: float = 0) -> bool:
    """Send "run job ``job.pk``" to its queue; ``False`` (logged) when the broker is away."""
    from core.jobs.registry import UnknownJobHandlerError, handler_get
    from core.tasks import job_run_task

    try:
        timeout = handler_get(job.handler).timeout
    except UnknownJobHandlerError:
        timeout = 60
    options: dict[str, Any] = {
        "queue": celery_queue(job.queue),
        "retry": False,
        "soft_time_limit": timeout,
        "time_limit": timeout + LEASE_GRACE_SECONDS // 2,
    }
    if countdown > 0:
        options["countdown"] = countdown
    try:
        job_run_task.apply_async((job.pk,), **options)
    except Exception as error:  # any broker failure: the job stays pending for the sweeper
        global _last_publish_warning
        if time.monotonic() - _last_publish_warning > 5:
            _last_publish_warning = time.monotonic()
            logger.warning(
                "Job %s (%s) stays pending: the broker did not take it (%s: %s); the sweeper "
                "dispatches it when the broker is back.",
                job.pk,
                job.handler,
                type(error).__name__,
                error,
            )
        return False
    return True


def jobs_publish(jobs: Iterable[Job], *, countdown: float = 0) -> int:
    """Publish non-bulk ``jobs`` and record when; returns how many the broker took."""
    sent = []
    for job in jobs:
        if job.queue == JobQueue.BULK:
            continue
        if _publish(job, countdown=countdown):
            sent.append(job.pk)
    if sent:
        Job.objects.filter(pk__in=sent, status=JobStatus.PENDING).update(
            dispatched_at=timezone.now()
        )
    return len(sent)


def jobs_dispatch_on_commit(job_ids: list[int], *, bulk: bool) -> None:
    """After the current transaction commits: publish these jobs, or run the bulk dispatcher."""

    def dispatch() -> None:
        if bulk:
            bulk_dispatch()
            return
        jobs_publish(Job.objects.filter(pk__in=job_ids, status=JobStatus.PENDING))

    transaction.on_commit(dispatch)


def bulk_wake_on_commit(delay_seconds: float) -> None:
    """After commit: ask for a bulk dispatch once a bulk job recorded ``delay_seconds`` ahead
    is due, so a short delay (a campaign's throttle) is not stretched to the next sweep.

    The job keeps no slot while it waits; the wake-up is best effort (lost, the sweeper
    dispatches the job as before).
    """

    def wake() -> None:
        from core.tasks import jobs_bulk_dispatch_task

        try:
            jobs_bulk_dispatch_task.apply_async(countdown=delay_seconds + 0.05, retry=False)
        except Exception as error:  # a broker away: the sweeper dispatches the job when due
            logger.warning("Bulk wake-up not published (%s: %s).", type(error).__name__, error)

    transaction.on_commit(wake)


# --- Bulk: fair per workspace --------------------------------------------------------------------

_dispatching = threading.local()

_PICK_SQL = """
WITH in_flight AS (
    SELECT workspace, count(*) AS n
    FROM core_job
    WHERE queue = 'bulk'
      AND (status = 'running' OR (status = 'pending' AND dispatched_at IS NOT NULL))
    GROUP BY workspace
), waiting AS (
    SELECT id, workspace, handler,
           row_number() OVER (PARTITION BY workspace ORDER BY available_at, id) AS turn
    FROM core_job
    WHERE queue = 'bulk' AND status = 'pending' AND dispatched_at IS NULL
      AND available_at <= %(now)s
)
SELECT waiting.id
FROM waiting LEFT JOIN in_flight USING (workspace)
WHERE COALESCE(in_flight.n, 0) + waiting.turn <= CASE
    WHEN waiting.handler = ANY(%(filling)s) THEN %(total)s ELSE %(workspace_cap)s END
ORDER BY COALESCE(in_flight.n, 0) + waiting.turn, waiting.id
LIMIT %(free)s
"""


def bulk_limits() -> tuple[int, int]:
    """Slots in flight for the whole bulk queue, and for one workspace."""
    total = max(1, int(settings.JOB_BULK_CONCURRENCY))
    per_workspace = settings.JOB_BULK_WORKSPACE_CONCURRENCY
    if per_workspace is None:
        per_workspace = max(1, total - 1)
    return total, max(1, min(int(per_workspace), total))


def _bulk_pick() -> list[Job]:
    """Claim free bulk slots for the next jobs, round-robin by workspace (one transaction)."""
    total, per_workspace = bulk_limits()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [BULK_DISPATCH_LOCK_ID])
        in_flight = Job.objects.filter(queue=JobQueue.BULK, status=JobStatus.RUNNING).count()
        in_flight += Job.objects.filter(
            queue=JobQueue.BULK, status=JobStatus.PENDING, dispatched_at__isnull=False
        ).count()
        free = total - in_flight
        if free <= 0:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                _PICK_SQL,
                {
                    "workspace_cap": per_workspace,
                    "total": total,
                    "filling": bulk_filling_handlers(),
                    "free": free,
                    "now": timezone.now(),
                },
            )
            ids = [row[0] for row in cursor.fetchall()]
        if not ids:
            return []
        Job.objects.filter(pk__in=ids).update(dispatched_at=timezone.now())
        return list(Job.objects.filter(pk__in=ids).order_by("id"))


def bulk_dispatch() -> int:
    """Fill the free bulk slots fairly; returns how many jobs were published.

    A publish that fails gives its slot back at once (the job is picked again later). When
    tasks run eagerly (tests), a job finishing inside a dispatch asks for another round
    instead of recursing.
    """
    if getattr(_dispatching, "active", False):
        _dispatching.again = True
        return 0
    _dispatching.active = True
    published = 0
    try:
        while True:
            _dispatching.again = False
            picked = _bulk_pick()
            failed = [job.pk for job in picked if not _publish(job)]
            published += len(picked) - len(failed)
            if failed:
                Job.objects.filter(pk__in=failed, status=JobStatus.PENDING).update(
                    dispatched_at=None
                )
            if failed or not _dispatching.again:
                break
    finally:
        _dispatching.active = False
    return published


def bulk_stale_release(*, older_than: timedelta) -> int:
    """Give back the slots of bulk jobs published long ago and never started (a lost message)."""
    return Job.objects.filter(
        queue=JobQueue.BULK,
        status=JobStatus.PENDING,
        dispatched_at__lt=timezone.now() - older_than,
    ).update(dispatched_at=None)
