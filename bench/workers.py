"""Shared workers: fairness on the bulk queue, and beat's per-workspace dispatch.

Run: ``make bench BENCH=workers`` or ``.venv/bin/python bench/workers.py [--backlog 1000]``

(a) **Fairness.** A real Celery worker consumes from Redis (one process, like one worker of
``make run``'s pool). Workspace A enqueues ``--backlog`` bulk jobs (each ``--job-ms`` of work);
then workspace B enqueues one job at a time, ``--samples`` times while A's backlog is still
queued. B's wait is from enqueue to start. The baseline is the same single job of B on an idle
queue, measured in the same run. First in, first out, B would wait for A's whole backlog
(backlog × job time); the fair dispatcher (``JOB_BULK_CONCURRENCY`` slots, at most
``JOB_BULK_WORKSPACE_CONCURRENCY`` per workspace) bounds it by the jobs already in flight.

(b) **Beat dispatch.** 1,000 active workspaces (plus pooled, suspended, closed and read-only
ones that must be skipped): time to choose the workspaces and record one periodic job each,
spread with jitter (``tenants.periodic.periodic_dispatch``), repeated.

(c) **Rule evaluation.** A workspace with ``--rule-records`` contacts and one workflow rule
(two conditions, one on a custom field, combined with OR). *Evaluation*: the rule's conditions
over every record, in process (what a dry run and a scheduled sweep do per record). *Runs*: the
scheduled sweep through the real worker (``automation.rule_sweep`` jobs of
``AUTOMATION_SWEEP_BATCH`` records each on the bulk queue), each matching record getting a
tag and a run-log row, timed from enqueue to the last run logged. The per-workspace rate
limit (``AUTOMATION_RULE_RUNS_PER_MINUTE``) is lifted for the measurement, which is of the
machinery's ceiling; in production a workspace is held to the limit.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench._harness import celery_worker, configure, drop_database, percentile

DATABASE = "rapport_bench_workers"


def _register_handler() -> object:
    from core.jobs.models import JobQueue
    from core.jobs.registry import job_handler

    @job_handler("bench.bulk_work", queue=JobQueue.BULK, tenant=True)
    def bulk_work(*, seconds: float) -> None:
        time.sleep(seconds)

    return bulk_work


def _wait_until_started(job_id: int, timeout: float = 120) -> float:
    from core.jobs.models import Job

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = Job.objects.filter(pk=job_id).values("started_at", "created_at").first()
        if job and job["started_at"]:
            return float((job["started_at"] - job["created_at"]).total_seconds())
        time.sleep(0.005)
    raise RuntimeError(f"job {job_id} did not start within {timeout} s")


def fairness(*, backlog: int, samples: int, job_seconds: float) -> dict[str, float]:
    from django.conf import settings
    from django_tenants.utils import schema_context

    from core.jobs.dispatch import bulk_limits
    from core.jobs.models import Job, JobStatus
    from tenants.services import tenant_create

    bulk_work = _register_handler()
    a = tenant_create(name="Bench A", slug="bench-a")
    b = tenant_create(name="Bench B", slug="bench-b")
    total, per_workspace = bulk_limits()
    idle: list[float] = []
    busy: list[float] = []
    with celery_worker():
        for _ in range(samples):  # baseline: B's job on an idle queue
            with schema_context(b.schema_name):
                job = bulk_work.enqueue(seconds=job_seconds)  # type: ignore[attr-defined]
            idle.append(_wait_until_started(job.pk))
        with schema_context(a.schema_name):
            for _ in range(backlog):
                bulk_work.enqueue(seconds=job_seconds)  # type: ignore[attr-defined]
        for _ in range(samples):
            with schema_context(b.schema_name):
                job = bulk_work.enqueue(seconds=job_seconds)  # type: ignore[attr-defined]
            busy.append(_wait_until_started(job.pk))
        a_left = Job.objects.filter(workspace=a.schema_name, status=JobStatus.PENDING).count()
        Job.objects.filter(status=JobStatus.PENDING).delete()  # drop A's rest; stop quickly
        deadline = time.monotonic() + 60
        while Job.objects.filter(status=JobStatus.RUNNING).exists():
            if time.monotonic() > deadline:
                break
            time.sleep(0.05)
    print(
        f"fairness: A queued {backlog} bulk jobs of {job_seconds * 1000:.0f} ms, "
        f"{a_left} still waiting when B's last sample ran; slots {total}, per workspace "
        f"{per_workspace}; worker: 1 process ({settings.CELERY_TASK_DEFAULT_QUEUE}-bulk)"
    )
    print(
        f"  B idle queue  p50={percentile(idle, 0.5) * 1000:.1f} ms "
        f"p95={percentile(idle, 0.95) * 1000:.1f} ms"
    )
    print(
        f"  B behind A    p50={percentile(busy, 0.5) * 1000:.1f} ms "
        f"p95={percentile(busy, 0.95) * 1000:.1f} ms max={max(busy) * 1000:.1f} ms"
    )
    print(f"  first in, first out B would wait ~{backlog * job_seconds:.1f} s")
    return {
        "idle_p95_ms": percentile(idle, 0.95) * 1000,
        "busy_p95_ms": percentile(busy, 0.95) * 1000,
        "fifo_s": backlog * job_seconds,
        "a_left": float(a_left),
    }


def beat_dispatch(*, workspaces: int, repeat: int) -> dict[str, float]:
    from django.utils import timezone

    from billing.models import Plan, Subscription, SubscriptionStatus
    from core.jobs.models import Job
    from tenants.models import Tenant, TenantStatus
    from tenants.periodic import periodic_dispatch
    from tenants.services import generate_schema_name

    def rows(count: int, status: str, prefix: str) -> list[Tenant]:
        return [
            Tenant(schema_name=generate_schema_name(), name=f"{prefix} {i}", status=status)
            for i in range(count)
        ]

    active = Tenant.objects.bulk_create(rows(workspaces, TenantStatus.ACTIVE, "Active"))
    for status in (TenantStatus.POOLED, TenantStatus.SUSPENDED, TenantStatus.CLOSED):
        Tenant.objects.bulk_create(rows(50, status, str(status)))
    plan = Plan.objects.order_by("sort_order").first()
    assert plan is not None
    expired = timezone.now() - timedelta(days=1)
    Subscription.objects.bulk_create(
        Subscription(
            tenant=tenant, plan=plan, status=SubscriptionStatus.TRIALING, trial_ends_at=expired
        )
        for tenant in active[:100]
    )
    eligible = (
        Tenant.objects.filter(status=TenantStatus.ACTIVE).exclude(schema_name="public").count()
        - 100
    )
    seconds: list[float] = []
    for _ in range(repeat):
        Job.objects.filter(handler="users.sessions_clear_expired").delete()
        started = time.perf_counter()
        recorded = periodic_dispatch(handler="users.sessions_clear_expired", writes=True)
        seconds.append(time.perf_counter() - started)
        assert recorded == eligible, (recorded, eligible)
    jobs = Job.objects.filter(handler="users.sessions_clear_expired")
    spread = (
        jobs.order_by("-available_at").first().available_at
        - jobs.order_by(  # type: ignore[union-attr]
            "available_at"
        )
        .first()
        .available_at
    )  # type: ignore[union-attr]
    print(
        f"beat dispatch: {recorded} jobs recorded for {workspaces} active workspaces "
        f"(100 read-only and 150 pooled/suspended/closed skipped), spread over "
        f"{spread.total_seconds():.0f} s; p50={statistics.median(seconds) * 1000:.1f} ms "
        f"max={max(seconds) * 1000:.1f} ms over {repeat} runs"
    )
    return {"dispatch_ms": statistics.median(seconds) * 1000, "jobs": float(recorded)}


def rule_throughput(*, records: int) -> dict[str, float]:
    from django.conf import settings
    from django_tenants.utils import schema_context

    from crm.automation.models import Rule, RuleRun
    from crm.automation.rules import conditions_hold, trigger_candidates
    from crm.automation.tasks import rule_sweep_job
    from crm.models import Contact, CustomFieldDefinition
    from tenants.services import tenant_create
    from tenants.users.models import User

    settings.AUTOMATION_RULE_RUNS_PER_MINUTE = 10**9
    workspace = tenant_create(name="Bench Rules", slug="bench-rules")
    cities = ["Shanghai", "Beijing", "Taipei", "Berlin", "Paris"]
    with schema_context(workspace.schema_name):
        admin = User.objects.create_user("bench@rules.example", None, role="admin")
        CustomFieldDefinition.objects.create(
            object_type="contact", key="employees", label="Employees", field_type="number"
        )
        Contact.objects.bulk_create(
            Contact(
                full_name=f"Person {i}",
                city=cities[i % len(cities)],
                owner=admin,
                custom={"employees": str(i % 500)},
            )
            for i in range(records)
        )
        rule = Rule.objects.create(
            name="Bench",
            object_type="contact",
            trigger="schedule",
            trigger_hour=0,
            match="any",
            conditions=[
                {"field": "city", "operator": "equals", "value": "shanghai"},
                {"field": "custom.employees", "operator": "gt", "value": "400"},
            ],
            actions=[{"kind": "add_tag", "tag": "bench"}],
            created_by=admin,
        )
        started = time.perf_counter()
        matched = sum(1 for record in trigger_candidates(rule) if conditions_hold(rule, record))
        evaluation = time.perf_counter() - started
        with celery_worker():
            started = time.perf_counter()
            rule_sweep_job.enqueue(rule_id=rule.pk, occasion="schedule:bench")  # type: ignore[attr-defined]
            deadline = time.monotonic() + 600
            while RuleRun.objects.filter(rule=rule).count() < matched:
                if time.monotonic() > deadline:
                    raise RuntimeError("the rule runs did not finish within 600 s")
                time.sleep(0.05)
            runs = time.perf_counter() - started
    print(
        f"rule evaluation: {records} contacts, {matched} match; conditions "
        f"{records / evaluation:.0f} records/s in process; sweep through the worker "
        f"{matched / runs:.0f} runs/s ({records / runs:.0f} records/s, {runs:.1f} s)"
    )
    return {
        "eval_per_s": records / evaluation,
        "runs_per_s": matched / runs,
        "sweep_records_per_s": records / runs,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--backlog", type=int, default=int(os.environ.get("BENCH_BACKLOG", 1000)))
    parser.add_argument("--samples", type=int, default=20)
    parser.add_argument("--job-ms", type=float, default=20.0)
    parser.add_argument("--workspaces", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--rule-records", type=int, default=5000)
    args = parser.parse_args()

    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    os.environ.setdefault("JOB_BULK_CONCURRENCY", "2")
    configure(DATABASE, redis_db=14)
    from django.core.management import call_command

    from tenants.services import public_tenant_ensure, template_ensure

    try:
        call_command("migrate_schemas", shared=True, interactive=False, verbosity=0)
        public_tenant_ensure()
        template_ensure()
        fair = fairness(backlog=args.backlog, samples=args.samples, job_seconds=args.job_ms / 1000)
        beat = beat_dispatch(workspaces=args.workspaces, repeat=args.repeat)
        rules = rule_throughput(records=args.rule_records)
        print(
            f"BENCH workers backlog={args.backlog} job_ms={args.job_ms:g} "
            f"b_wait_p95_ms={fair['busy_p95_ms']:.1f} idle_wait_p95_ms={fair['idle_p95_ms']:.1f} "
            f"fifo_wait_s={fair['fifo_s']:.1f} beat_dispatch_{args.workspaces}_ms="
            f"{beat['dispatch_ms']:.1f} rule_records={args.rule_records} "
            f"rule_eval_records_per_s={rules['eval_per_s']:.0f} "
            f"rule_sweep_records_per_s={rules['sweep_records_per_s']:.0f} "
            f"rule_runs_per_s={rules['runs_per_s']:.1f}"
        )
    finally:
        drop_database(DATABASE)


if __name__ == "__main__":
    main()
