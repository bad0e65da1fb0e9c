"""Bulk handlers that fill every slot (``fills_bulk``: an import's parallel chunks): they take
both slots of an otherwise idle queue, and another workspace's job takes the next one."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django_tenants.utils import schema_context

from core.jobs import dispatch
from core.jobs.models import Job, JobStatus
from tests.conftest import Workspace


@override_settings(JOB_BULK_CONCURRENCY=2, JOB_BULK_WORKSPACE_CONCURRENCY=None)
def test_jobs_that_fill_the_bulk_queue_take_every_slot_while_no_one_else_waits(
    alpha: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One workspace's plain bulk jobs get one slot of two; its filling jobs (an import's
    parallel chunks) get both."""
    from tests.core.job_handlers import bulk_filling_job, bulk_work_job

    monkeypatch.setattr(dispatch, "_publish", lambda job, countdown=0: True)
    with schema_context(alpha.schema):
        for _ in range(3):
            bulk_work_job.enqueue(seconds=0)
    assert dispatch.bulk_dispatch() == 1
    Job.objects.all().delete()
    with schema_context(alpha.schema):
        for _ in range(3):
            bulk_filling_job.enqueue(seconds=0)
    assert dispatch.bulk_dispatch() == 2


@override_settings(JOB_BULK_CONCURRENCY=2, JOB_BULK_WORKSPACE_CONCURRENCY=None)
def test_another_workspace_takes_the_next_slot_a_filling_job_frees(
    alpha: Workspace, beta: Workspace, published: list[int]
) -> None:
    """Alpha's chunks hold both slots; beta's job, queued after, goes before alpha's next."""
    from tests.core.job_handlers import bulk_filling_job, bulk_work_job

    with schema_context(alpha.schema):
        chunks = [bulk_filling_job.enqueue(seconds=0) for _ in range(5)]
    dispatch.bulk_dispatch()
    with schema_context(beta.schema):
        beta_job = bulk_work_job.enqueue(seconds=0)
    assert dispatch.bulk_dispatch() == 0  # both slots are alpha's
    Job.objects.filter(pk=published[0]).update(status=JobStatus.DONE)
    assert dispatch.bulk_dispatch() == 1
    assert published[-1] == beta_job.pk
    assert chunks[2].pk not in published
