"""Thin tasks around the import runner: each loads an import by id and calls one service.

An import task runs in its workspace's schema (``TenantTask``) and works for a bounded time
before handing the rest to a new task, so one large import never holds a worker for long
and other workspaces' work gets its turn. Tasks are idempotent: chunks already done are
never done again, and a second task handed the same import waits on its lock and finds
nothing left to do.
"""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from tenants.tasks import TenantTask


def _again(task: object, batch_id: int) -> None:
    from tenants.connection import current_schema_name

    task.apply_async((batch_id,), headers={"_schema_name": current_schema_name()})  # type: ignore[attr-defined]


@shared_task(name="imports.read", base=TenantTask, autoretry_for=(OperationalError,), max_retries=3)
def import_read_task(batch_id: int) -> bool:
    """Read an import's file into chunks (row limit checked first), then start importing."""
    from onboarding.imports.services import import_read

    ready = import_read(batch_id)
    if ready:
        _again(import_run_task, batch_id)
    return ready


@shared_task(name="imports.run", base=TenantTask, autoretry_for=(OperationalError,), max_retries=3)
def import_run_task(batch_id: int) -> bool:
    """Import chunks for a while; queue the rest as a new task."""
    from onboarding.imports.services import TASK_SECONDS, import_run

    more = import_run(batch_id, seconds=TASK_SECONDS)
    if more:
        _again(import_run_task, batch_id)
    return more


@shared_task(name="imports.undo", base=TenantTask, autoretry_for=(OperationalError,), max_retries=3)
def import_undo_task(batch_id: int) -> bool:
    """Undo an import a page at a time; queue the rest as a new task."""
    import time

    from onboarding.imports.services import TASK_SECONDS
    from onboarding.imports.undo import import_undo_step

    started = time.monotonic()
    while import_undo_step(batch_id):
        if time.monotonic() - started >= TASK_SECONDS:
            _again(import_undo_task, batch_id)
            return True
    return False


@shared_task(name="imports.resume", base=TenantTask)
def imports_resume_task() -> int:
    """Hand this workspace's stalled imports (their worker died) to a new worker."""
    from onboarding.imports.services import stalled_imports

    tasks = {"read": import_read_task, "run": import_run_task, "undo": import_undo_task}
    stalled = stalled_imports()
    for batch_id, step in stalled:
        _again(tasks[step], batch_id)
    return len(stalled)


@shared_task(name="imports.resume_stalled")
def imports_resume_stalled_task() -> int:
    """Every minute: ask each workspace with an unfinished import to resume stalled ones."""
    from django_tenants.utils import schema_context

    from onboarding.imports.models import ImportBatch, ImportStatus
    from tenants.models import TenantStatus
    from tenants.selectors import customer_tenants

    active = [ImportStatus.QUEUED, ImportStatus.READING, ImportStatus.RUNNING, ImportStatus.UNDOING]
    asked = 0
    schemas = (
        customer_tenants().filter(status=TenantStatus.ACTIVE).values_list("schema_name", flat=True)
    )
    for schema in schemas:
        with schema_context(schema):
            if ImportBatch.objects.filter(status__in=active).exists():
                imports_resume_task.apply_async(headers={"_schema_name": schema})
                asked += 1
    return asked
