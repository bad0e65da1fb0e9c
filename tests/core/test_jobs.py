"""Jobs: recorded with the caller's transaction, run once in their workspace, retried, swept."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django_tenants.utils import schema_context

from core.jobs import dispatch
from core.jobs.models import Job, JobQueue, JobStatus, SweepReport
from core.jobs.services import MissingTenantError, job_retry, job_run
from core.jobs.sweeper import leases_reclaim, pending_redispatch, sweep
from crm.models import Tag
from tests.conftest import Workspace, after_commit
from tests.core.job_handlers import (
    always_fails_job,
    platform_noop_job,
    schema_record_job,
    tag_create_job,
)


def _tags(workspace: Workspace) -> list[str]:
    with schema_context(workspace.schema):
        return sorted(Tag.objects.values_list("name", flat=True))


def test_a_job_commits_or_rolls_back_with_the_state_that_needs_it(in_alpha: Workspace) -> None:
    """A job enqueued in a transaction that rolls back never exists."""

    def failing_work() -> None:
        with transaction.atomic():
            tag_create_job.enqueue(name="never")
            raise RuntimeError("the caller's work failed")

    with pytest.raises(RuntimeError):
        failing_work()
    assert not Job.objects.filter(handler="tests.tag_create").exists()


def test_a_job_runs_after_commit_in_the_enqueuing_workspace(in_alpha: Workspace) -> None:
    with after_commit():
        job = tag_create_job.enqueue(name="hello")
    job.refresh_from_db()
    assert (job.status, job.attempts, job.schema_name) == (JobStatus.DONE, 1, in_alpha.schema)
    assert _tags(in_alpha) == ["hello"]


def test_tenant_job_cannot_be_enqueued_without_a_workspace(db: None) -> None:
    with pytest.raises(MissingTenantError):
        tag_create_job.enqueue(name="nowhere")


def test_tenant_job_without_a_workspace_fails_closed_and_never_touches_public(
    db: None,
) -> None:
    """A tenant job whose row names no workspace fails at once, without running."""
    job = Job.objects.create(
        queue=JobQueue.INTERACTIVE, handler="tests.tag_create", schema_name="public",
        kwargs={"name": "leak"}, max_attempts=3,
    )  # fmt: skip
    assert job_run(job_id=job.pk) == "failed"
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.FAILED, 1)
    assert "MissingTenantError" in job.last_error


def test_a_job_of_alpha_runs_in_alpha_even_when_called_from_beta(
    alpha: Workspace, beta: Workspace
) -> None:
    """Isolation: the schema comes from the job row, never from where the runner stands."""
    with schema_context(alpha.schema):
        job = schema_record_job.enqueue(marker="iso")
    with schema_context(beta.schema):
        job_run(job_id=job.pk)
    assert _tags(alpha) == [f"iso:{alpha.schema}"]
    assert _tags(beta) == []


def test_a_done_job_is_never_run_again(in_alpha: Workspace) -> None:
    with after_commit():
        job = tag_create_job.enqueue(name="once")
    assert job_run(job_id=job.pk) == "skipped"
    assert _tags(in_alpha) == ["once"]


def test_a_running_job_with_a_live_lease_is_left_alone(in_alpha: Workspace) -> None:
    job = tag_create_job.enqueue(name="busy")
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, attempts=1, lease_expires_at=timezone.now() + timedelta(minutes=1)
    )
    assert job_run(job_id=job.pk) == "skipped"
    assert _tags(in_alpha) == []


def test_a_failed_attempt_rolls_back_its_writes_and_retries_later(in_alpha: Workspace) -> None:
    job = tag_create_job.enqueue(name="flaky", fail_times=1)
    assert job_run(job_id=job.pk) == "retry"
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.PENDING, 1)
    assert job.available_at > timezone.now()
    assert "failing attempt 1" in job.last_error
    assert _tags(in_alpha) == []  # the first attempt's tag was rolled back
    Job.objects.filter(pk=job.pk).update(available_at=timezone.now())
    assert job_run(job_id=job.pk) == "done"
    assert _tags(in_alpha) == ["flaky"]


def test_a_job_fails_for_good_after_its_last_attempt(db: None) -> None:
    job = always_fails_job.enqueue(reason="broken")
    job_run(job_id=job.pk)
    Job.objects.filter(pk=job.pk).update(available_at=timezone.now())
    assert job_run(job_id=job.pk) == "failed"
    job.refresh_from_db()
    assert (job.status, job.attempts) == (JobStatus.FAILED, 2)
    assert job.finished_at is not None
    assert "ValueError: broken" in job.last_error


def test_enqueuing_a_waiting_key_again_returns_the_waiting_job(db: None) -> None:
    first = platform_noop_job.enqueue(dedupe_key="same-work")
    second = platform_noop_job.enqueue(dedupe_key="same-work")
    assert first.pk == second.pk
    assert Job.objects.filter(dedupe_key="same-work").count() == 1


def test_retry_runs_a_failed_job_from_its_first_attempt(db: None) -> None:
    job = always_fails_job.enqueue(reason="again")
    Job.objects.filter(pk=job.pk).update(status=JobStatus.FAILED, attempts=2)
    with after_commit():
        job_retry(job=job)
    job.refresh_from_db()
    assert job.attempts == 1  # it ran again (and failed once more)
    assert job.status == JobStatus.PENDING


# --- Sweeper ------------------------------------------------------------------------------------


def test_sweeper_takes_back_a_job_whose_worker_died(in_alpha: Workspace) -> None:
    job = tag_create_job.enqueue(name="orphan")
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, attempts=1, lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    finding = leases_reclaim()
    job.refresh_from_db()
    assert (finding.found, job.status) == (1, JobStatus.PENDING)
    assert "lease expired" in job.last_error


def test_sweeper_fails_a_dead_job_after_its_last_attempt(in_alpha: Workspace) -> None:
    job = tag_create_job.enqueue(name="poison")
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.RUNNING, attempts=3, lease_expires_at=timezone.now() - timedelta(seconds=1)
    )
    leases_reclaim()
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED


@override_settings(JOB_REDISPATCH_SECONDS=0)
def test_sweeper_dispatches_a_job_whose_message_was_lost(in_alpha: Workspace) -> None:
    """A job recorded while the broker was away (never dispatched) runs at the next sweep."""
    job = tag_create_job.enqueue(name="lost")  # its after-commit dispatch never happens here
    finding = pending_redispatch()
    job.refresh_from_db()
    assert (finding.found, finding.fixed) == (1, 1)
    assert job.status == JobStatus.DONE
    assert _tags(in_alpha) == ["lost"]


def test_sweep_records_its_findings_and_the_worker_heartbeat(db: None) -> None:
    report = sweep()
    assert SweepReport.objects.get(pk=report.pk).finished_at is not None
    steps = {finding["step"] for finding in report.findings}
    assert {"jobs.leases", "jobs.dispatch", "billing.received_events", "onboarding.signups"} <= (
        steps
    )


# --- Bulk fairness (the dispatcher's choice, without a worker) ---------------------------------


@override_settings(JOB_BULK_CONCURRENCY=3, JOB_BULK_WORKSPACE_CONCURRENCY=2)
def test_bulk_slots_go_round_robin_by_workspace(
    alpha: Workspace, beta: Workspace, published: list[int]
) -> None:
    """With 10 of alpha's jobs queued first, beta's single job still gets a slot at once."""
    from tests.core.job_handlers import bulk_work_job

    with schema_context(alpha.schema):
        alpha_jobs = [bulk_work_job.enqueue(seconds=0) for _ in range(10)]
    with schema_context(beta.schema):
        beta_job = bulk_work_job.enqueue(seconds=0)
    dispatch.bulk_dispatch()
    assert beta_job.pk in published
    assert len(published) == 3
    assert len([pk for pk in published if pk in {job.pk for job in alpha_jobs}]) == 2
    assert dispatch.bulk_dispatch() == 0  # every slot is taken until a job finishes


def test_a_bulk_job_due_soon_wakes_the_dispatcher_when_due(
    in_alpha: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A short delay is honoured by a wake-up with that countdown (not the next sweep); a
    long one is left to the sweeper; neither job takes a slot while it waits."""
    from core.tasks import jobs_bulk_dispatch_task
    from tests.core.job_handlers import bulk_work_job

    countdowns: list[float] = []
    monkeypatch.setattr(
        jobs_bulk_dispatch_task,
        "apply_async",
        lambda **options: countdowns.append(options["countdown"]),
    )
    with after_commit():
        soon = bulk_work_job.enqueue(seconds=0, delay_seconds=3)
        bulk_work_job.enqueue(seconds=0, delay_seconds=600)
    assert len(countdowns) == 1
    assert 3 <= countdowns[0] <= 3.1
    soon.refresh_from_db()
    assert soon.dispatched_at is None
