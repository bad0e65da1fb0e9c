"""Celery tasks of core: the one task that runs any job, the sweeper and the bulk dispatcher.

Also :func:`enqueue_on_commit` for fire-and-forget Celery tasks whose loss does not matter
(everything that must happen is a job, see :mod:`core.jobs`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from celery import shared_task
from django.db import connection, transaction


def current_schema() -> str:
    """The schema the default connection points at (django-tenants sets it per request)."""
    return str(getattr(connection, "schema_name", "public"))


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Send ``task`` once the current transaction commits, in the current schema.

    The schema is captured now, not at commit time, so the task runs for the workspace that
    asked for it (tenant-schemas-celery reads it from the headers). Only for work whose loss
    does not matter: a broker that is away is logged, never an error for the caller (a
    request must not fail because Redis is down). Work that must happen is a job.
    """
    headers = {"_schema_name": current_schema()}
    send: Callable[[], Any] = lambda: task.apply_async(args, kwargs, headers=headers)  # noqa: E731 -- a deferred call is clearest as a lambda
    transaction.on_commit(send, robust=True)


@shared_task(name="core.job_run", ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def job_run_task(job_id: int) -> str:
    """Run one recorded job (idempotent: a done or live-running job is left alone)."""
    from core.jobs.services import job_run

    return job_run(job_id=job_id)


@shared_task(name="core.jobs_sweep", ignore_result=True, acks_late=True)
def jobs_sweep_task() -> dict[str, int]:
    """Every minute: re-dispatch, reclaim, finish what was left behind (core.jobs.sweeper)."""
    from core.jobs.sweeper import sweep

    report = sweep()
    return {"found": report.found, "fixed": report.fixed}


@shared_task(name="core.jobs_bulk_dispatch", ignore_result=True)
def jobs_bulk_dispatch_task() -> int:
    """Fill free bulk slots fairly by workspace."""
    from core.jobs.dispatch import bulk_dispatch

    return bulk_dispatch()
