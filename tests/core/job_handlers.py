"""Job handlers used only by the tests (imported by test modules and by worker subprocesses
with ``--include tests.core.job_handlers``)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from core.jobs.models import JobQueue
from core.jobs.registry import job_handler
from core.jobs.services import current_job
from tenants.connection import current_schema_name


@job_handler("tests.tag_create", queue=JobQueue.INTERACTIVE, tenant=True, max_attempts=3)
def tag_create_job(*, name: str, fail_times: int = 0) -> str:
    """Create a tag in the job's workspace; fail the first ``fail_times`` attempts after
    writing (so a rollback is visible)."""
    from crm.models import Tag

    Tag.objects.create(name=name)
    job = current_job()
    if job is not None and job.attempt <= fail_times:
        raise RuntimeError(f"failing attempt {job.attempt} on purpose")
    return current_schema_name()


@job_handler("tests.schema_record", queue=JobQueue.INTERACTIVE, tenant=True)
def schema_record_job(*, marker: str) -> str:
    """Record which schema the job ran in, as a tag named after it."""
    from crm.models import Tag

    Tag.objects.create(name=f"{marker}:{current_schema_name()}")
    return current_schema_name()


@job_handler("tests.platform_noop", queue=JobQueue.DEFAULT)
def platform_noop_job(*, note: str = "") -> str:
    return note


@job_handler("tests.always_fails", queue=JobQueue.DEFAULT, max_attempts=2)
def always_fails_job(*, reason: str) -> None:
    raise ValueError(reason)


@job_handler("tests.slow_tag", queue=JobQueue.INTERACTIVE, tenant=True, timeout=5)
def slow_tag_job(*, name: str, started_file: str) -> str:
    """First attempt: write the tag, say so in ``started_file``, then hang until killed.
    Later attempts complete at once."""
    from crm.models import Tag

    Tag.objects.create(name=name)
    job = current_job()
    if job is not None and job.attempt == 1:
        Path(started_file).write_text(str(os.getpid()))
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:  # the test kills the worker meanwhile
            time.sleep(0.05)
    return "done"


@job_handler("tests.bulk_work", queue=JobQueue.BULK, tenant=True)
def bulk_work_job(*, seconds: float) -> None:
    """A bulk job of a workspace that takes ``seconds`` (work stands in for an import)."""
    time.sleep(seconds)


@job_handler("tests.bulk_filling", queue=JobQueue.BULK, tenant=True, fills_bulk=True)
def bulk_filling_job(*, seconds: float) -> None:
    """A short bulk job allowed every slot (stands in for an import's parallel chunks)."""
    time.sleep(seconds)
