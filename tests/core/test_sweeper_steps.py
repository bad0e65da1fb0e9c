"""The sweeper finishes what was left behind: a stuck signup, a received but unqueued event,
an orphaned pool schema; ops see failed jobs and retry them; readiness; periodic work."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone
from django_tenants.utils import schema_context, schema_exists

from billing.models import WebhookEvent, WebhookEventStatus
from billing.tasks import received_events_sweep
from core.jobs.models import Heartbeat, Job, JobStatus
from core.jobs.sweeper import heartbeat
from onboarding.provisioning import SignupRequest, signup_start
from onboarding.signups.models import Signup, SignupStatus
from onboarding.tasks import stuck_signups_sweep
from tenants.models import OpsAction, OpsAuditEntry, Tenant, TenantStatus
from tenants.periodic import periodic_workspaces
from tenants.pool import pool_orphans_clean
from tenants.services import generate_schema_name
from tests.billing.conftest import make_subscription
from tests.conftest import Workspace, after_commit
from tests.core.job_handlers import always_fails_job

pytestmark = pytest.mark.django_db


def _age(model: Any, pk: int, field: str, seconds: int = 120) -> None:
    model.objects.filter(pk=pk).update(**{field: timezone.now() - timedelta(seconds=seconds)})


def test_sweeper_provisions_a_signup_whose_job_was_lost() -> None:
    signup = signup_start(
        SignupRequest("Stuck Co", "stuck-co", "Sam", "sam@stuck.example", "a-long-passphrase")
    )
    Job.objects.filter(handler="onboarding.signup_provision").delete()  # lost with Redis
    _age(Signup, signup.pk, "created_at")
    with after_commit():
        finding = stuck_signups_sweep()
    signup.refresh_from_db()
    assert (finding.found, finding.fixed) == (1, 1)
    assert signup.status == SignupStatus.READY
    assert Tenant.objects.get(pk=signup.tenant_id).status == TenantStatus.ACTIVE
    assert [m.to for m in mail.outbox] == [["sam@stuck.example"]]  # welcome, once


def test_sweeper_leaves_a_signup_whose_job_is_waiting() -> None:
    signup = signup_start(
        SignupRequest("Busy Co", "busy-co", "Bo", "bo@busy.example", "a-long-passphrase")
    )
    _age(Signup, signup.pk, "created_at")
    assert stuck_signups_sweep().found == 0


def test_sweeper_processes_an_event_received_but_never_queued(alpha: Workspace) -> None:
    event = WebhookEvent.objects.create(
        event_id="evt_orphan", event_type="charge.refunded", gateway="sandbox", payload={}
    )
    _age(WebhookEvent, event.pk, "received_at")
    with after_commit():
        finding = received_events_sweep()
    event.refresh_from_db()
    assert (finding.found, event.status) == (1, WebhookEventStatus.IGNORED)
    assert Job.objects.get(handler="billing.webhook_event_process").status == JobStatus.DONE


def test_a_fresh_received_event_is_not_swept_yet(db: None) -> None:
    WebhookEvent.objects.create(
        event_id="evt_new", event_type="charge.refunded", gateway="sandbox", payload={}
    )
    assert received_events_sweep().found == 0


def test_pool_row_whose_creation_died_is_removed() -> None:
    """A pool schema whose worker was killed mid-clone never stays "provisioning"."""
    orphan = Tenant.objects.create(
        schema_name=generate_schema_name(), name="", status=TenantStatus.PROVISIONING
    )
    _age(Tenant, orphan.pk, "updated_at", seconds=3600)
    assert pool_orphans_clean(older_than_seconds=60) == (1, 1)
    assert not Tenant.objects.filter(pk=orphan.pk).exists()
    assert not schema_exists(orphan.schema_name)


def test_recent_pool_row_is_left_to_its_refill() -> None:
    Tenant.objects.create(
        schema_name=generate_schema_name(), name="", status=TenantStatus.PROVISIONING
    )
    assert pool_orphans_clean(older_than_seconds=60) == (0, 0)


# --- Ops console ---------------------------------------------------------------------------------


def _failed_job(workspace: Workspace) -> Job:
    with schema_context(workspace.schema):
        job = always_fails_job.enqueue(reason="smtp refused")
    Job.objects.filter(pk=job.pk).update(
        status=JobStatus.FAILED, attempts=2, last_error="ValueError: smtp refused",
        finished_at=timezone.now(),
    )  # fmt: skip
    return job


def test_ops_lists_failed_jobs_with_workspace_task_arguments_and_error(
    alpha: Workspace, ops_client: Client
) -> None:
    _failed_job(alpha)
    page = ops_client.get("/ops/jobs/").content.decode()
    assert "Alpha Ltd" in page
    assert "tests.always_fails" in page
    assert "reason=smtp refused" in page
    assert "ValueError: smtp refused" in page


def test_ops_home_counts_failed_jobs_and_queue_depths(alpha: Workspace, ops_client: Client) -> None:
    _failed_job(alpha)
    with schema_context(alpha.schema):
        always_fails_job.enqueue(reason="waiting")
    page = ops_client.get("/ops/").content.decode()
    assert 'data-testid="failed-jobs">1<' in page
    assert 'data-testid="waiting-jobs">1<' in page
    assert "Default: 1" in page


def test_ops_retry_runs_the_job_again_and_is_audited(alpha: Workspace, ops_client: Client) -> None:
    job = _failed_job(alpha)
    with after_commit():
        response = ops_client.post(f"/ops/jobs/{job.pk}/retry/")
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.attempts == 1  # ran again from the start (and failed once more)
    entry = OpsAuditEntry.objects.get(action=OpsAction.JOB_RETRY)
    assert entry.tenant_id == alpha.tenant.pk
    assert "tests.always_fails" in entry.reason


def test_ops_shows_what_the_sweeper_found(ops_client: Client) -> None:
    WebhookEvent.objects.create(
        event_id="evt_swept", event_type="charge.refunded", gateway="sandbox", payload={}
    )
    WebhookEvent.objects.filter(event_id="evt_swept").update(
        received_at=timezone.now() - timedelta(minutes=5)
    )
    from core.jobs.sweeper import sweep

    sweep()
    page = ops_client.get("/ops/jobs/").content.decode()
    assert "billing.received_events" in page


# --- Readiness ------------------------------------------------------------------------------------


def test_readiness_is_ok_with_database_redis_and_a_recent_worker() -> None:
    heartbeat()
    response = Client(HTTP_HOST="localhost").get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["redis"] == "ok"


def test_readiness_fails_without_a_recent_worker_heartbeat(alpha: Workspace) -> None:
    Heartbeat.objects.update_or_create(
        name="worker", defaults={"beat_at": timezone.now() - timedelta(minutes=10)}
    )
    response = Client(HTTP_HOST=alpha.host).get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"].startswith("failing")


@override_settings(
    CACHES={
        "default": {
            "BACKEND": "core.cache.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
)
def test_readiness_fails_while_redis_is_away() -> None:
    heartbeat()
    response = Client(HTTP_HOST="localhost").get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"]["redis"].startswith("failing")


# --- Periodic work ------------------------------------------------------------------------------


def test_periodic_work_goes_only_to_active_workspaces(alpha: Workspace, beta: Workspace) -> None:
    """Pooled, template, provisioning, suspended and closed workspaces get none; read-only ones
    get none of the work that writes."""
    for status in (TenantStatus.POOLED, TenantStatus.SUSPENDED, TenantStatus.CLOSED):
        Tenant.objects.create(schema_name=generate_schema_name(), name=str(status), status=status)
    make_subscription(beta.tenant, trial_ends_at=timezone.now() - timedelta(days=1))
    writes = periodic_workspaces(writes=True)
    reads = periodic_workspaces(writes=False)
    assert alpha.schema in writes
    assert beta.schema not in writes
    assert {alpha.schema, beta.schema} <= set(reads)
    statuses = set(Tenant.objects.filter(schema_name__in=reads).values_list("status", flat=True))
    assert statuses == {TenantStatus.ACTIVE}


def test_periodic_dispatch_spreads_one_job_per_workspace_once(alpha: Workspace) -> None:
    from tenants.periodic import periodic_dispatch

    first = periodic_dispatch(handler="users.sessions_clear_expired", writes=False)
    again = periodic_dispatch(handler="users.sessions_clear_expired", writes=False)
    jobs = Job.objects.filter(handler="users.sessions_clear_expired")
    assert first == jobs.count() >= 1
    assert again == 0 or jobs.count() == first  # the second tick adds nothing
    assert jobs.filter(schema_name=alpha.schema).count() == 1
    assert all(job.available_at >= job.created_at for job in jobs)
