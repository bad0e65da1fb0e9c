"""Background work handed over only once the database agrees it should happen."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connection, transaction


def current_schema() -> str:
    """The schema the default connection points at (django-tenants sets it per request)."""
    return str(getattr(connection, "schema_name", "public"))


def enqueue_on_commit(task: Any, *args: Any, **kwargs: Any) -> None:
    """Send ``task`` once the current transaction commits, in the current schema.

    The schema is captured now, not at commit time, so the task runs for the workspace that
    asked for it (tenant-schemas-celery reads it from the headers).
    """
    headers = {"_schema_name": current_schema()}
    send: Callable[[], Any] = lambda: task.apply_async(args, kwargs, headers=headers)  # noqa: E731 -- a deferred call is clearest as a lambda
    transaction.on_commit(send)
