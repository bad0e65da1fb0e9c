"""Task plumbing: tenant tasks run in their workspace's schema or not at all."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import OperationalError, transaction
from django_tenants.utils import get_public_schema_name
from tenant_schemas_celery.task import TenantTask as SchemaSwitchingTask

from config.celery import app
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


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Send ``task`` once the current transaction commits, in the current schema.

    The schema is captured now, not at commit time, so the task runs for the workspace that
    asked for it.
    """
    headers = {"_schema_name": current_schema_name()}
    send: Callable[[], Any] = lambda: task.apply_async(args, kwargs, headers=headers)  # noqa: E731 -- a deferred call is clearest as a lambda
    transaction.on_commit(send)


@app.task(name="tenants.ping")
def ping() -> str:
    """Liveness check for the worker, used by ``make run`` and the tests."""
    return "pong"


@app.task(name="tenants.workspace_ping", base=TenantTask)
def workspace_ping() -> str:
    """Proves the worker runs in the enqueuing workspace: answers with its schema name."""
    return current_schema_name()


@app.task(name="tenants.pool_refill")
def pool_refill_task() -> int:
    """Add one ready schema to the pool and, while it is still short, queue the next one.

    One schema per task keeps each task short, so other work (and the worker's shutdown)
    never waits behind a long refill.
    """
    from tenants.provisioning import pool_refill

    added = pool_refill(limit=1)
    if added:
        pool_refill_task.delay()
    return added


@app.task(
    name="tenants.signup_provision",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def signup_provision_task(signup_id: int) -> str:
    """Build the workspace of a signup that found the pool empty."""
    from tenants.models import Signup
    from tenants.provisioning import signup_provision

    signup = Signup.objects.select_related("tenant").get(pk=signup_id)
    return str(signup_provision(signup=signup).status)


@app.task(name="tenants.closed_workspaces_purge")
def closed_workspaces_purge_task() -> list[str]:
    """Drop schemas of workspaces whose retention period after closing is over."""
    from tenants.ops import closed_workspaces_purge

    return closed_workspaces_purge()


@app.task(name="tenants.workspace_lookup_email")
def workspace_lookup_email_task(email: str) -> int:
    """Email someone the workspaces their address belongs to (the page never says)."""
    from tenants.lookup import workspace_lookup_email_send

    return workspace_lookup_email_send(email=email)
