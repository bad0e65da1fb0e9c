"""Enqueue, run, retry: the life of a job.

- :func:`job_enqueue` writes the row in the caller's transaction; the message goes to the
  broker after commit (a failed publish leaves the job pending for the sweeper).
- :func:`job_run` is what the one Celery task does with a job id. It is idempotent: a done
  job, a failed one, or one running under a live lease is left alone, so duplicate messages
  cost nothing. It claims the job (``running``, one more attempt, a lease) in its own
  commit, then runs the handler in the job's schema. For ``atomic`` handlers the handler's
  writes and "done" commit together, so a worker killed mid-job leaves nothing half-done and
  the job runs again, to completion, exactly once.
- A failure rolls the handler's writes back and records the error; the job waits with an
  exponential backoff and ends ``failed`` after ``max_attempts`` (ops can retry it).
"""

from __future__ import annotations

import contextlib
import logging
import random
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_tenants.utils import get_public_schema_name, get_tenant_model, schema_context

from core.jobs.dispatch import (
    bulk_dispatch,
    bulk_wake_on_commit,
    jobs_dispatch_on_commit,
    jobs_publish,
    lease_seconds,
)
from core.jobs.models import Job, JobQueue, JobStatus
from core.jobs.registry import JobHandler, UnknownJobHandlerError, handler_get

logger = logging.getLogger(__name__)


class MissingTenantError(RuntimeError):
    """A tenant job without a workspace: it must never run in the public schema."""


#: Errors that retrying cannot fix: the job fails at once.
PERMANENT_ERRORS: tuple[type[BaseException], ...] = (MissingTenantError, UnknownJobHandlerError)


@dataclass(frozen=True)
class JobContext:
    """The job a handler is running for (see :func:`current_job`)."""

    job_id: int
    attempt: int
    max_attempts: int

    @property
    def is_last_attempt(self) -> bool:
        return self.attempt >= self.max_attempts


_current_job: ContextVar[JobContext | None] = ContextVar("current_job", default=None)


def current_job() -> JobContext | None:
    """The job being run, or ``None`` when the handler was called directly."""
    return _current_job.get()


def _connection_schema() -> str:
    return str(getattr(connection, "schema_name", get_public_schema_name()))


# --- Enqueue -------------------------------------------------------------------------------------


def job_enqueue(
    handler: JobHandler | str,
    *,
    dedupe_key: str = "",
    delay_seconds: float = 0,
    workspace: str | None = None,
    **kwargs: Any,
) -> Job:
    """Record a job in the caller's transaction and dispatch it once that commits.

    A tenant handler runs in the schema the connection points at now; enqueued from the
    public schema it is refused (:class:`MissingTenantError`) rather than run there. With a
    ``dedupe_key`` that already has a waiting job, that job is returned (and dispatched
    again) instead of a second one.
    """
    spec = handler if isinstance(handler, JobHandler) else handler_get(handler)
    schema = _connection_schema()
    public = get_public_schema_name()
    if spec.tenant and schema == public:
        raise MissingTenantError(f"Job {spec.name} needs a workspace but was enqueued in public.")
    if workspace is None:
        workspace = schema if schema != public else ""
    job = Job(
        queue=spec.queue,
        handler=spec.name,
        schema_name=schema if spec.tenant else public,
        workspace=workspace,
        kwargs=kwargs,
        dedupe_key=dedupe_key,
        max_attempts=spec.max_attempts,
        available_at=timezone.now() + timedelta(seconds=delay_seconds),
    )
    try:
        with transaction.atomic():
            job.save()
    except IntegrityError:
        if not dedupe_key:
            raise
        existing = Job.objects.filter(dedupe_key=dedupe_key, status=JobStatus.PENDING).first()
        if existing is None:  # it started meanwhile: record a fresh one
            return job_enqueue(
                spec,
                dedupe_key=dedupe_key,
                delay_seconds=delay_seconds,
                workspace=workspace,
                **kwargs,
            )
        job = existing
    if delay_seconds <= 0:
        jobs_dispatch_on_commit([job.pk], bulk=job.queue == JobQueue.BULK)
    elif job.queue == JobQueue.BULK and delay_seconds <= COUNTDOWN_MAX_SECONDS:
        bulk_wake_on_commit(delay_seconds)
    return job


# --- Run -----------------------------------------------------------------------------------------


def _claim(job_id: int) -> Job | None:
    """Take the job for this worker (its own commit): one more attempt and a lease."""
    now = timezone.now()
    runnable = Q(status=JobStatus.PENDING, available_at__lte=now) | Q(
        status=JobStatus.RUNNING, lease_expires_at__lt=now
    )
    job = Job.objects.filter(pk=job_id).filter(runnable).first()
    if job is None:
        return None
    try:
        timeout = handler_get(job.handler).timeout
    except UnknownJobHandlerError:
        timeout = 60
    with transaction.atomic():
        claimed = (
            Job.objects.filter(pk=job_id, attempts=job.attempts)
            .filter(runnable)
            .update(
                status=JobStatus.RUNNING,
                attempts=job.attempts + 1,
                started_at=now,
                lease_expires_at=now + timedelta(seconds=lease_seconds(timeout)),
            )
        )
    if not claimed:  # another worker took it first
        return None
    job.refresh_from_db()
    return job


def _mark_done(job: Job) -> bool:
    """Record success, only if this run still holds the job (same attempt, still running)."""
    return bool(
        Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts).update(
            status=JobStatus.DONE,
            finished_at=timezone.now(),
            lease_expires_at=None,
            last_error="",
        )
    )


class _SupersededError(Exception):
    """The lease ran out and another run took the job; this run's writes are rolled back."""


@contextlib.contextmanager
def _job_schema(spec: JobHandler, job: Job) -> Iterator[None]:
    """Run in the job's schema: a tenant job only in an existing workspace schema."""
    public = get_public_schema_name()
    if not spec.tenant:
        with schema_context(public):
            yield
        return
    if not job.schema_name or job.schema_name == public:
        raise MissingTenantError(f"Job {job.handler} needs a workspace but has none.")
    if not get_tenant_model().objects.filter(schema_name=job.schema_name).exists():
        raise MissingTenantError(f"Job {job.handler}: workspace {job.schema_name} is gone.")
    with schema_context(job.schema_name):
        yield


def job_run(*, job_id: int) -> str:
    """Run job ``job_id`` once if it is due and nobody else runs it; returns what happened."""
    job = _claim(job_id)
    if job is None:
        return "skipped"
    token = _current_job.set(JobContext(job.pk, job.attempts, job.max_attempts))
    outcome = "done"
    try:
        spec = handler_get(job.handler)
        with _job_schema(spec, job):
            if spec.atomic:
                with transaction.atomic():
                    # The row lock also tells the sweeper this run is alive (SKIP LOCKED).
                    held = (
                        Job.objects.select_for_update()
                        .filter(pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts)
                        .exists()
                    )
                    if not held:
                        raise _SupersededError
                    spec.func(**job.kwargs)
                    _mark_done(job)
            else:
                spec.func(**job.kwargs)
                _mark_done(job)
    except _SupersededError:
        outcome = "superseded"
    except Exception as error:
        outcome = job_failure_record(job=job, error=error)
    finally:
        _current_job.reset(token)
    if job.queue == JobQueue.BULK:
        bulk_dispatch()
    return outcome


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff with jitter: base × 2^(attempt-1), capped, ±20 %."""
    base = float(settings.JOB_BACKOFF_BASE_SECONDS)
    delay = min(float(settings.JOB_BACKOFF_MAX_SECONDS), base * 2 ** max(0, attempt - 1))
    return delay * random.uniform(0.8, 1.2)  # noqa: S311 -- jitter, not a secret


#: Retries due within this many seconds are published with a countdown; later ones are
#: dispatched by the sweeper once due (long countdowns would sit unacked in a worker).
COUNTDOWN_MAX_SECONDS = 60


def job_failure_record(*, job: Job, error: BaseException) -> str:
    """Record a failed run: wait and retry with backoff, or fail for good."""
    message = f"{type(error).__name__}: {error}"[:4000]
    permanent = isinstance(error, PERMANENT_ERRORS)
    final = permanent or job.attempts >= job.max_attempts
    log = logger.error if final else logger.warning
    log("Job %s (%s) attempt %s failed: %s", job.pk, job.handler, job.attempts, message)
    now = timezone.now()
    current = Job.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts)
    try:
        if final:
            current.update(
                status=JobStatus.FAILED, finished_at=now, lease_expires_at=None, last_error=message
            )
            return "failed"
        delay = backoff_seconds(job.attempts)
        updated = current.update(
            status=JobStatus.PENDING,
            available_at=now + timedelta(seconds=delay),
            dispatched_at=None,
            lease_expires_at=None,
            last_error=message,
        )
    except Exception:  # the database itself is away: the lease runs out, the sweeper retries
        logger.exception("Could not record the failure of job %s", job.pk)
        return "retry"
    if updated and job.queue != JobQueue.BULK and delay <= COUNTDOWN_MAX_SECONDS:
        jobs_publish(Job.objects.filter(pk=job.pk, status=JobStatus.PENDING), countdown=delay)
    return "retry"


# --- Retry (ops) -------------------------------------------------------------------------------


@transaction.atomic
def job_retry(*, job: Job) -> Job:
    """Run a failed job again from its first attempt (the ops console's Retry)."""
    job = Job.objects.select_for_update().get(pk=job.pk)
    if job.status != JobStatus.FAILED:
        raise ValueError("Only a failed job can be retried.")
    if (
        job.dedupe_key
        and Job.objects.filter(dedupe_key=job.dedupe_key, status=JobStatus.PENDING).exists()
    ):
        raise ValueError("The same work is already waiting to run.")
    job.status = JobStatus.PENDING
    job.attempts = 0
    job.available_at = timezone.now()
    job.dispatched_at = None
    job.finished_at = None
    job.save(update_fields=["status", "attempts", "available_at", "dispatched_at", "finished_at"])
    jobs_dispatch_on_commit([job.pk], bulk=job.queue == JobQueue.BULK)
    return job


def live_job_exists(*, dedupe_key: str) -> bool:
    """Whether a job with this key is waiting or running."""
    return Job.objects.filter(
        dedupe_key=dedupe_key, status__in=[JobStatus.PENDING, JobStatus.RUNNING]
    ).exists()
