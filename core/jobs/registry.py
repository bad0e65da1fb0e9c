"""The small registry of job handlers: plain functions with a name, a queue and limits.

An app declares its background work next to its other tasks::

    @job_handler("billing.webhook_event_process", queue=JobQueue.BILLING, max_attempts=8)
    def webhook_event_process_job(*, event_id: int) -> None: ...

and enqueues it with ``webhook_event_process_job.enqueue(event_id=row.pk)``. The worker finds
the handler by its name; handlers live in each app's ``tasks`` module, which the worker
imports at start (and :func:`handler_get` imports on a miss).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.utils.module_loading import module_has_submodule

from core.jobs.models import JobQueue

if TYPE_CHECKING:
    from core.jobs.models import Job


class UnknownJobHandlerError(LookupError):
    """A job names a handler no app registers (renamed or removed): it can never run."""


@dataclass(frozen=True)
class JobHandler:
    """A registered handler and how its jobs run.

    - ``tenant``: runs in the enqueuing workspace's schema and fails closed without one.
    - ``atomic``: the handler's writes and the job's "done" commit in one transaction, so a
      worker killed mid-job leaves nothing half-done. Handlers that must commit on their own
      (DDL, calls to other systems) set ``atomic=False`` and are idempotent instead.
    - ``timeout``: seconds before the task is interrupted; the lease is this plus a grace.
    - ``fills_bulk``: a bulk job that may take every bulk slot, beyond the per-workspace cap,
      when no other workspace's job waits (the parallel chunks of one import). Such a job must
      be short: another workspace's job takes the next slot that frees, so it waits at most
      one of them.
    """

    name: str
    func: Callable[..., object]
    queue: str
    max_attempts: int
    timeout: int
    tenant: bool
    atomic: bool
    fills_bulk: bool = False

    def __call__(self, **kwargs: Any) -> object:
        return self.func(**kwargs)

    def enqueue(
        self,
        *,
        dedupe_key: str = "",
        delay_seconds: float = 0,
        workspace: str | None = None,
        **kwargs: Any,
    ) -> Job:
        """Record a job for this handler in the caller's transaction; dispatched after commit."""
        from core.jobs.services import job_enqueue

        return job_enqueue(
            self, dedupe_key=dedupe_key, delay_seconds=delay_seconds, workspace=workspace, **kwargs
        )


_HANDLERS: dict[str, JobHandler] = {}


def job_handler(
    name: str,
    *,
    queue: str = JobQueue.DEFAULT,
    max_attempts: int = 5,
    timeout: int = 60,
    tenant: bool = False,
    atomic: bool = True,
    fills_bulk: bool = False,
) -> Callable[[Callable[..., object]], JobHandler]:
    """Register a function as the handler of jobs named ``name``."""
    if queue not in JobQueue.values:
        raise ValueError(f"Unknown job queue {queue!r}.")

    def register(func: Callable[..., object]) -> JobHandler:
        spec = JobHandler(
            name=name,
            func=func,
            queue=str(queue),
            max_attempts=max_attempts,
            timeout=timeout,
            tenant=tenant,
            atomic=atomic,
            fills_bulk=fills_bulk,
        )
        _HANDLERS[name] = spec
        return spec

    return register


def handlers_autodiscover() -> None:
    """Import every installed app's ``tasks`` module, where handlers are declared."""
    for config in apps.get_app_configs():
        if module_has_submodule(config.module, "tasks"):
            importlib.import_module(f"{config.name}.tasks")


def handler_get(name: str) -> JobHandler:
    """The handler registered as ``name``; raises :class:`UnknownJobHandlerError`."""
    if name not in _HANDLERS:
        handlers_autodiscover()
    try:
        return _HANDLERS[name]
    except KeyError:
        raise UnknownJobHandlerError(f"No job handler is registered as {name!r}.") from None


def handler_names() -> list[str]:
    return sorted(_HANDLERS)


def bulk_filling_handlers() -> list[str]:
    """Names of the bulk handlers allowed every bulk slot (see ``JobHandler.fills_bulk``)."""
    handlers_autodiscover()  # a web process may not have imported every app's tasks yet
    return sorted(name for name, spec in _HANDLERS.items() if spec.fills_bulk)
