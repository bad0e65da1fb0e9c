"""Task plumbing: tenant tasks run in their workspace's schema or not at all."""

from __future__ import annotations

from typing import Any

from celery import shared_task
from django_tenants.utils import get_public_schema_name
from tenant_schemas_celery.task import TenantTask as SchemaSwitchingTask

from tenants.connection import current_schema_name


class MissingTenantError(RuntimeError):
    """A tenant task was run without a workspace; it must never touch the public schema."""


class TenantTask(SchemaSwitchingTask):
    """Base for tasks that work on one workspace's data.

    The enqueuing schema travels in the message headers; tenant-schemas-celery switches the
    worker's connection to it before the task body runs. Without one the task raises
    :class:`MissingTenantError` instead of falling back to the public schema.
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


@shared_task(name="tenants.pool_refill")
def pool_refill_task() -> int:
    """Add one ready schema to the pool and, while it is still short, queue the next one.

    One schema per task keeps each task short, so other work (and the worker's shutdown)
    never waits behind a long refill.
    """
    from tenants.pool import pool_refill

    added = pool_refill(limit=1)
    if added:
        pool_refill_task.delay()
    return added


@shared_task(name="tenants.closed_workspaces_purge")
def closed_workspaces_purge_task() -> list[str]:
    """Drop schemas of workspaces whose retention period after closing is over."""
    from tenants.ops import closed_workspaces_purge

    return closed_workspaces_purge()


@shared_task(name="tenants.workspace_lookup_email")
def workspace_lookup_email_task(email: str) -> int:
    """Email someone the workspaces their address belongs to (the page never says)."""
    from tenants.lookup import workspace_lookup_email_send

    return workspace_lookup_email_send(email=email)
