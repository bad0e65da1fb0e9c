"""Import jobs: thin handlers around the import runner, recorded in PostgreSQL (core/jobs).

Each runs in its workspace's schema on the bulk queue (fair by workspace) and works for a
bounded time before recording the next step as a new job, so one large import never holds a
worker for long and other workspaces get their turn. A worker killed mid-step leaves its job
running under a lease; the sweeper hands it out again and the step carries on where the
committed chunks end (chunks already done are never done again). An import whose job fails
for good is marked failed with the reason, never left "running".
"""

from __future__ import annotations

import time
from collections.abc import Callable

from core.jobs.models import JobQueue
from core.jobs.registry import JobHandler, job_handler
from core.jobs.services import current_job

#: A step's time limit: its work slice plus one chunk's worst case.
STEP_TIMEOUT = 300


def _step(batch_id: int, work: Callable[[], bool], again: JobHandler) -> bool:
    """Run ``work``; record ``again`` if more remains. On a last failed attempt the import
    is marked failed so its owner sees why."""
    from onboarding.imports.services import import_fail

    try:
        more = work()
    except Exception as error:
        job = current_job()
        if job is not None and job.is_last_attempt:
            import_fail(batch_id, error)
        raise
    if more:
        again.enqueue(batch_id=batch_id, dedupe_key=f"{again.name}:{batch_id}")
    return more


@job_handler("imports.read", queue=JobQueue.BULK, tenant=True, atomic=False, timeout=STEP_TIMEOUT)
def import_read_job(*, batch_id: int) -> bool:
    """Read an import's file into chunks (row limit checked first), then start importing."""
    from onboarding.imports.services import import_read, import_runs_in_jobs

    def work() -> bool:
        # A parallel import's chunks were recorded as jobs of their own with the read.
        return import_read(batch_id) and not import_runs_in_jobs(batch_id)

    return _step(batch_id, work, import_run_job)


@job_handler("imports.run", queue=JobQueue.BULK, tenant=True, atomic=False, timeout=STEP_TIMEOUT)
def import_run_job(*, batch_id: int) -> bool:
    """Import chunks for a while; record the rest as a new job."""
    from onboarding.imports.services import TASK_SECONDS, import_run

    return _step(batch_id, lambda: import_run(batch_id, seconds=TASK_SECONDS), import_run_job)


@job_handler(
    "imports.chunk",
    queue=JobQueue.BULK,
    tenant=True,
    atomic=False,
    timeout=STEP_TIMEOUT,
    fills_bulk=True,
)
def import_chunk_job(*, batch_id: int, index: int) -> None:
    """Import one chunk of a parallel contact import (the import's chunks are independent
    and may run at the same time: they may take every bulk slot while no other workspace
    waits); the last one to finish ends the import."""
    from onboarding.imports.services import import_chunk_run

    def work() -> bool:
        import_chunk_run(batch_id, index)
        return False  # the next chunks have their own jobs

    _step(batch_id, work, import_chunk_job)


@job_handler("imports.undo", queue=JobQueue.BULK, tenant=True, atomic=False, timeout=STEP_TIMEOUT)
def import_undo_job(*, batch_id: int) -> bool:
    """Undo an import a page at a time for a while; record the rest as a new job."""
    from onboarding.imports.services import TASK_SECONDS
    from onboarding.imports.undo import import_undo_step

    def work() -> bool:
        started = time.monotonic()
        while import_undo_step(batch_id):
            if time.monotonic() - started >= TASK_SECONDS:
                return True
        return False

    return _step(batch_id, work, import_undo_job)
