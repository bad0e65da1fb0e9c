"""Background work of the tenancy layer: the pool, purges, "find my workspace", periodic work.

Work whose loss matters is a job (:mod:`core.jobs`): recorded in PostgreSQL with the state
that needs it and finished by the sweeper if a message is lost. Plain Celery tasks remain for
what beat triggers (each only records or sweeps) and for liveness checks.
"""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django.conf import settings
from django_tenants.utils import get_public_schema_name
from tenant_schemas_celery.task import TenantTask as SchemaSwitchingTask

from core.jobs.models import JobQueue
from core.jobs.registry import job_handler
from core.jobs.services import MissingTenantError, live_job_exists
from core.jobs.sweeper import Finding, sweep_step
from tenants.connection import current_schema_name

__all__ = ["MissingTenantError", "TenantTask"]


class TenantTask(SchemaSwitchingTask):
    """Base for Celery tasks that work on one workspace's data.

    The enqueuing schema travels in the message headers; tenant-schemas-celery switches the
    worker's connection to it before the task body runs. Without one the task raises
    :class:`MissingTenantError` instead of falling back to the public schema. (Jobs get the
    same guarantee from ``@job_handler(..., tenant=True)``.)
    """

    abstract = True

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if current_schema_name() == get_public_schema_name():
            raise MissingTenantError(
                f"Task {self.name} needs a workspace but was run in the public schema."
            )
        return super().__call__(*args, **kwargs)


@shared_task(name="tenants.ping")
def ping() -> str:
    """Liveness check for the worker, used by ``make run`` and the tests."""
    return "pong"


@shared_task(name="tenants.workspace_ping", base=TenantTask)
def workspace_ping() -> str:
    """Proves the worker runs in the enqueuing workspace: answers with its schema name."""
    return current_schema_name()


# --- The warm pool ------------------------------------------------------------------------------

POOL_REFILL_KEY = "tenants.pool_refill"


@job_handler("tenants.pool_refill", queue=JobQueue.DEFAULT, timeout=300, atomic=False)
def pool_refill_job() -> int:
    """Add one ready schema to the pool and, while it is still short, record the next refill.

    One schema per job keeps each job short, so other work (and a worker's shutdown) never
    waits behind a long refill. A worker killed mid-clone leaves a ``provisioning`` pool row
    that the sweeper finishes or removes (:func:`tenants.pool.pool_orphans_clean`).
    """
    from tenants.pool import pool_refill, pooled_count

    added = pool_refill(limit=1)
    if added and pooled_count() < settings.TENANT_POOL_SIZE:
        pool_refill_job.enqueue(dedupe_key=POOL_REFILL_KEY)
    return added


def pool_refill_enqueue() -> None:
    """Record a refill unless one is already waiting (after a signup claimed a schema)."""
    pool_refill_job.enqueue(dedupe_key=POOL_REFILL_KEY)


@sweep_step("tenants.pool")
def pool_sweep() -> Finding:
    """Pool hygiene: orphaned pool rows are finished or removed; a short pool is refilled."""
    from tenants.pool import pool_orphans_clean, pooled_count

    lease = 300 + settings.JOB_LEASE_GRACE_SECONDS
    found, fixed = pool_orphans_clean(older_than_seconds=lease)
    short = pooled_count() < settings.TENANT_POOL_SIZE
    if short and not live_job_exists(dedupe_key=POOL_REFILL_KEY):
        pool_refill_enqueue()
        fixed += 1
        found += 1
    detail = f"{found} orphaned or short, {fixed} fixed" if found else ""
    return Finding("tenants.pool", found, fixed, detail)


@sweep_step("tenants.rate_limit_counters")
def rate_limit_counters_sweep() -> Finding:
    """Forget rate-limit windows counted in the database during a cache outage once over."""
    from tenants.ratelimits import expired_counters_delete

    deleted = expired_counters_delete()
    return Finding("tenants.rate_limit_counters", deleted, deleted)


@shared_task(name="tenants.closed_workspaces_purge")
def closed_workspaces_purge_task() -> list[str]:
    """Drop schemas of workspaces whose retention period after closing is over."""
    from tenants.ops import closed_workspaces_purge

    return closed_workspaces_purge()


@job_handler("tenants.workspace_lookup_email", queue=JobQueue.INTERACTIVE, atomic=False)
def workspace_lookup_email_job(*, email: str) -> int:
    """Email someone the workspaces their address belongs to (the page never says)."""
    from tenants.lookup import workspace_lookup_email_send

    return workspace_lookup_email_send(email=email)


@shared_task(name="tenants.periodic_dispatch", ignore_result=True)
def periodic_dispatch_task(handler: str, writes: bool = True) -> int:
    """Beat: record one job of ``handler`` per active workspace, spread with jitter."""
    from tenants.periodic import periodic_dispatch

    return periodic_dispatch(handler=handler, writes=writes)
