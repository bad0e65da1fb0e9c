"""Real faults on real components: a private Redis stopped and started, a worker process
SIGKILLed mid-job, and fairness on the bulk queue with a real worker.

Bounds stated and checked here (short leases via settings; production figures in the README):
after Redis returns, everything recorded during the outage completes, exactly once, within one
sweep (the test runs the sweep as beat would, then allows 60 s); after a worker is killed, its
job completes within its lease plus one sweep of the restarted worker.
"""

from __future__ import annotations

import os
import signal
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core import mail
from django.db import connection
from django.test import Client, override_settings
from django_tenants.utils import schema_context

from billing.models import (
    BillingAccount,
    BillingNotice,
    Plan,
    SandboxCheckoutSession,
    SandboxCustomer,
    SandboxInvoice,
    SandboxSubscription,
    Subscription,
    SubscriptionStatus,
    WebhookEvent,
    WebhookEventStatus,
)
from billing.services import checkout_start
from core.jobs.models import Heartbeat, Job, JobStatus, SweepReport
from core.jobs.sweeper import sweep
from crm.models import Tag
from onboarding.signups.models import Signup, SignupStatus
from tenants.global_cache import global_cache
from tenants.models import Domain, OpsAuditEntry, Tenant
from tenants.services import schema_drop
from tests.billing.conftest import event, post_event
from tests.core.job_handlers import bulk_work_job, slow_tag_job
from tests.fault_harness import PrivateRedis, celery_broker, wait_for, worker_subprocess

pytestmark = pytest.mark.worker

FAULT_SETTINGS = {"JOB_REDISPATCH_SECONDS": 0, "JOB_STUCK_AFTER_SECONDS": 0}


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    redis = PrivateRedis(tmp_path / "redis")
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


#: Public tables a committed fault test writes to; only rows it created are removed.
WRITTEN = (
    WebhookEvent, BillingNotice, Subscription, SandboxInvoice, SandboxSubscription,
    SandboxCheckoutSession, BillingAccount, SandboxCustomer, Job, SweepReport,
)  # fmt: skip


def _high_water() -> dict[type, int]:
    """The highest id of each table before the test, so it can tell its own rows."""
    return {model: model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
            for model in WRITTEN}  # fmt: skip


def _clean_committed(before: dict[type, int], tenants: list[Tenant]) -> None:
    """Remove what the committed test wrote, so other tests see the database as it was."""
    for model in WRITTEN:
        model.objects.filter(pk__gt=before[model]).delete()
    Heartbeat.objects.all().delete()
    for tenant in tenants:
        Signup.objects.filter(tenant=tenant).delete()
        OpsAuditEntry.objects.filter(tenant=tenant).delete()
        Domain.objects.filter(tenant=tenant).delete()
        schema_drop(tenant.schema_name)
        tenant.delete()
    mail.outbox.clear()


@override_settings(**FAULT_SETTINGS)
def test_redis_down_during_webhook_checkout_and_signup_then_all_complete_once(
    committed: None, private_redis: PrivateRedis
) -> None:
    """Broker and cache are the private Redis, stopped while the three happen."""
    alpha = Tenant.objects.get(slug="alpha")
    created: list[Tenant] = []
    before = _high_water()
    caches = {"default": {**settings.CACHES["default"], "LOCATION": private_redis.url(9)}}
    try:
        with override_settings(CACHES=caches), celery_broker(private_redis.url(10)) as app:
            global_cache.cache_clear()
            # A checkout session of alpha (its customer linked by Rapport), before the outage.
            session_url = checkout_start(
                tenant=alpha,
                plan=Plan.objects.get(slug="growth"),
                interval="month",
                customer_email="pay@alpha.example",
                success_url="http://alpha.localhost:8000/billing/?checkout=success",
                cancel_url="http://alpha.localhost:8000/billing/",
            )
            private_redis.stop()  # --- Redis is away ---
            public = Client(HTTP_HOST="localhost")
            started = time.monotonic()
            webhook = post_event(public, event("charge.refunded", {"id": "ch_x"}, "evt_outage"))
            webhook_seconds = time.monotonic() - started
            paid = public.post(
                "/billing/sandbox/checkout/" + session_url.rstrip("/").rsplit("/", 1)[1] + "/",
                {"card_number": "4242424242424242"},
            )
            signup = public.post(
                "/signup/",
                {
                    "company_name": "Outage Co", "slug": "outage-co", "admin_name": "Olu",
                    "email": "olu@outage.example", "password": "a-long-passphrase",
                    "plan": "growth", "country": "DE", "language": "en",
                },
            )  # fmt: skip
            assert (webhook.status_code, paid.status_code, signup.status_code) == (200, 302, 302)
            assert webhook_seconds < 3  # answered within the provider's timeout
            created.append(Tenant.objects.get(slug="outage-co"))
            recorded = Job.objects.filter(status=JobStatus.PENDING).count()
            assert recorded >= 5  # event, 3 sandbox deliveries, signup provisioning
            private_redis.start()  # --- Redis is back (empty: nothing queued survived) ---
            with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
                started = time.monotonic()
                sweep()  # what beat runs every minute

                def settled() -> bool:
                    mine = Job.objects.filter(pk__gt=before[Job])
                    if mine.filter(status__in=[JobStatus.PENDING, JobStatus.RUNNING]).exists():
                        sweep()  # jobs recorded by jobs (events of the deliveries, e-mails)
                        return False
                    return True

                wait_for(settled, timeout=60, every=0.3, message="jobs still waiting")
                recovery_seconds = time.monotonic() - started
        assert recovery_seconds < 60
        assert not Job.objects.filter(pk__gt=before[Job], status=JobStatus.FAILED).exists()
        events = WebhookEvent.objects.filter(pk__gt=before[WebhookEvent])
        assert events.filter(event_id="evt_outage").get().status == WebhookEventStatus.IGNORED
        assert sorted(events.values_list("event_type", flat=True)) == [
            "charge.refunded", "checkout.session.completed",
            "customer.subscription.created", "invoice.paid",
        ]  # fmt: skip
        assert set(events.values_list("status", flat=True)) <= {
            WebhookEventStatus.PROCESSED,
            WebhookEventStatus.IGNORED,
        }
        subscription = Subscription.objects.get(tenant=alpha)
        assert subscription.status == SubscriptionStatus.ACTIVE
        assert SandboxSubscription.objects.filter(pk__gt=before[SandboxSubscription]).count() == 1
        receipts = BillingNotice.objects.filter(pk__gt=before[BillingNotice], kind="receipt")
        assert receipts.count() <= 1
        signup_row = Signup.objects.get(tenant=created[0])
        assert signup_row.status == SignupStatus.READY
        welcome = [m for m in mail.outbox if m.to == ["olu@outage.example"]]
        assert len(welcome) == 1  # exactly once
    finally:
        global_cache.cache_clear()
        _clean_committed(before, created)


def test_worker_killed_mid_job_completes_after_restart(
    committed: None, private_redis: PrivateRedis, tmp_path: Path
) -> None:
    """SIGKILL of the worker's main process mid-job: the job's writes roll back, and after a
    restart it runs again and completes exactly once (lease 5 s + 2 s, then the sweeper)."""
    database = str(connection.settings_dict["NAME"])
    started_file = tmp_path / "started"
    name = f"killed-{uuid.uuid4().hex[:8]}"
    env = {"JOB_LEASE_GRACE_SECONDS": "2"}
    before = _high_water()
    first = worker_subprocess(redis_url=private_redis.url(), database=database, extra_env=env)
    second = None
    try:
        with (
            override_settings(JOB_LEASE_GRACE_SECONDS=2, **FAULT_SETTINGS),
            celery_broker(private_redis.url(10)),
        ):
            alpha = Tenant.objects.get(slug="alpha")
            with schema_context(alpha.schema_name):
                job = slow_tag_job.enqueue(name=name, started_file=str(started_file))
            wait_for(started_file.exists, timeout=60, message="the first worker never started")
            os.kill(first.pid, signal.SIGKILL)
            first.wait(timeout=10)
            killed_at = time.monotonic()
            job.refresh_from_db()
            assert (job.status, job.attempts) == (JobStatus.RUNNING, 1)
            with schema_context(alpha.schema_name):
                assert not Tag.objects.filter(name=name).exists()  # rolled back
            second = worker_subprocess(
                redis_url=private_redis.url(), database=database, extra_env=env
            )

            def done() -> bool:
                sweep()  # beat's minute, compressed
                return Job.objects.get(pk=job.pk).status == JobStatus.DONE

            wait_for(done, timeout=90, every=0.5, message="the job never completed")
            recovered = time.monotonic() - killed_at
        job.refresh_from_db()
        assert job.attempts == 2
        assert recovered < 90
        with schema_context(alpha.schema_name):
            assert Tag.objects.filter(name=name).count() == 1
    finally:
        for process in (first, second):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        alpha = Tenant.objects.get(slug="alpha")
        with schema_context(alpha.schema_name):
            Tag.objects.filter(name=name).delete()
        _clean_committed(before, [])


@override_settings(JOB_BULK_CONCURRENCY=2, JOB_BULK_WORKSPACE_CONCURRENCY=1)
def test_one_workspaces_bulk_jobs_do_not_hold_back_anothers(
    committed: None, private_redis: PrivateRedis
) -> None:
    """Alpha queues 30 bulk jobs, then beta one: while beta's waits, at most
    JOB_BULK_CONCURRENCY of alpha's run, not the whole backlog (first in, first out would)."""
    alpha = Tenant.objects.get(slug="alpha")
    beta = Tenant.objects.get(slug="beta")
    before = _high_water()
    try:
        with (
            celery_broker(private_redis.url(10)) as app,
            start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
        ):
            with schema_context(alpha.schema_name):
                alpha_ids = [bulk_work_job.enqueue(seconds=0.05).pk for _ in range(30)]
            with schema_context(beta.schema_name):
                beta_id = bulk_work_job.enqueue(seconds=0.05).pk
            wait_for(
                lambda: (
                    not Job.objects.filter(
                        pk__gt=before[Job], status__in=[JobStatus.PENDING, JobStatus.RUNNING]
                    ).exists()
                ),
                timeout=60,
                message="bulk jobs still waiting",
            )
        beta_job = Job.objects.get(pk=beta_id)
        assert beta_job.finished_at is not None
        alpha_jobs = Job.objects.filter(pk__in=alpha_ids)
        ahead = alpha_jobs.filter(
            finished_at__gt=beta_job.created_at, finished_at__lt=beta_job.finished_at
        ).count()
        assert ahead <= 2, f"{ahead} of alpha's jobs ran while beta's waited"
        assert alpha_jobs.filter(finished_at__gt=beta_job.finished_at).count() >= 20
    finally:
        _clean_committed(before, [])
