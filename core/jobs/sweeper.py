"""The sweeper: every minute (beat), finish what a lost message or a dead worker left behind.

Core steps, on the job table:

- **leases**: a running job whose lease ran out belongs to a worker that died; it waits again
  (or fails, after its last attempt). Rows locked by a live atomic run are skipped.
- **dispatch**: waiting jobs that are due and were not published recently (the publish failed,
  Redis lost the message, a backoff ended) are published again, round-robin by workspace.
- **bulk**: bulk slots held by messages that never started are given back; the fair
  dispatcher fills the free slots.

Apps add steps for their own records with :func:`sweep_step` (billing: events received but
not processed; onboarding: signups stuck waiting; tenants: pooled schemas whose creation
died). Each step returns what it found and fixed; the report is stored for the ops console,
and the run is the worker's heartbeat (``/readyz``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from core.jobs.dispatch import bulk_dispatch, bulk_stale_release, jobs_publish
from core.jobs.models import Heartbeat, Job, JobStatus, SweepReport
from core.jobs.registry import handlers_autodiscover

logger = logging.getLogger(__name__)

#: The heartbeat the sweeper writes; ``/readyz`` wants it recent.
WORKER_HEARTBEAT = "worker"
#: At most this many jobs are touched by one step of one sweep.
SWEEP_BATCH = 1000


@dataclass(frozen=True)
class Finding:
    step: str
    found: int
    fixed: int
    detail: str = ""

    def as_dict(self) -> dict[str, object]:
        return {"step": self.step, "found": self.found, "fixed": self.fixed, "detail": self.detail}


SweepStep = Callable[[], Finding]
_STEPS: dict[str, SweepStep] = {}


def sweep_step(name: str) -> Callable[[SweepStep], SweepStep]:
    """Register an app's sweep step (a function returning a :class:`Finding`)."""

    def register(func: SweepStep) -> SweepStep:
        _STEPS[name] = func
        return func

    return register


def leases_reclaim() -> Finding:
    """Running jobs whose lease ran out: wait again, or fail after the last attempt."""
    now = timezone.now()
    with transaction.atomic():
        expired = list(
            Job.objects.select_for_update(skip_locked=True)
            .filter(status=JobStatus.RUNNING, lease_expires_at__lt=now)
            .order_by("lease_expires_at")[:SWEEP_BATCH]
        )
        failed = [job.pk for job in expired if job.attempts >= job.max_attempts]
        retried = [job.pk for job in expired if job.attempts < job.max_attempts]
        message = "The worker running it stopped (lease expired)."
        Job.objects.filter(pk__in=failed).update(
            status=JobStatus.FAILED, finished_at=now, lease_expires_at=None, last_error=message
        )
        Job.objects.filter(pk__in=retried).update(
            status=JobStatus.PENDING,
            available_at=now,
            dispatched_at=None,
            lease_expires_at=None,
            last_error=message,
        )
    detail = f"{len(retried)} waiting again, {len(failed)} failed" if expired else ""
    return Finding("jobs.leases", len(expired), len(expired), detail)


_DUE_SQL = """
SELECT id FROM (
    SELECT id, workspace,
           row_number() OVER (PARTITION BY workspace ORDER BY available_at, id) AS turn
    FROM core_job
    WHERE status = 'pending' AND queue <> 'bulk' AND available_at <= %(now)s
      AND (dispatched_at IS NULL OR dispatched_at < %(redispatch_before)s)
) AS due
ORDER BY turn, id
LIMIT %(limit)s
"""


def pending_redispatch() -> Finding:
    """Publish due jobs that are not in the broker, fairly: one per workspace per round."""
    before = timezone.now() - timedelta(seconds=settings.JOB_REDISPATCH_SECONDS)
    with connection.cursor() as cursor:
        cursor.execute(
            _DUE_SQL,
            {"redispatch_before": before, "limit": SWEEP_BATCH, "now": timezone.now()},
        )
        ids = [row[0] for row in cursor.fetchall()]
    jobs = Job.objects.filter(pk__in=ids).order_by("id")
    sent = jobs_publish(jobs) if ids else 0
    detail = f"{len(ids) - sent} left for the next sweep (broker away)" if sent < len(ids) else ""
    return Finding("jobs.dispatch", len(ids), sent, detail)


def bulk_redispatch() -> Finding:
    """Free the bulk slots of messages that never started, then fill free slots fairly."""
    released = bulk_stale_release(older_than=timedelta(seconds=settings.JOB_REDISPATCH_SECONDS))
    published = bulk_dispatch()
    return Finding("jobs.bulk", released, published)


def jobs_trim() -> Finding:
    """Forget finished jobs and old reports after their retention (failed jobs are kept)."""
    now = timezone.now()
    done = Job.objects.filter(
        status=JobStatus.DONE,
        finished_at__lt=now - timedelta(days=settings.JOB_DONE_RETENTION_DAYS),
    )[:SWEEP_BATCH]
    deleted, _ = Job.objects.filter(pk__in=list(done.values_list("pk", flat=True))).delete()
    SweepReport.objects.filter(started_at__lt=now - timedelta(days=1)).delete()
    return Finding("jobs.trim", deleted, deleted)


CORE_STEPS: list[tuple[str, SweepStep]] = [
    ("jobs.leases", leases_reclaim),
]


def heartbeat(name: str = WORKER_HEARTBEAT) -> None:
    Heartbeat.objects.update_or_create(name=name, defaults={"beat_at": timezone.now()})


def sweep() -> SweepReport:
    """Run every step once; a failing step is reported and the others still run.

    App steps run before the publishing steps, so work they enqueue goes out in this sweep.
    """
    handlers_autodiscover()
    report = SweepReport.objects.create()
    steps: list[tuple[str, SweepStep]] = [
        *CORE_STEPS,
        *sorted(_STEPS.items()),
        ("jobs.dispatch", pending_redispatch),
        ("jobs.bulk", bulk_redispatch),
        ("jobs.trim", jobs_trim),
    ]
    findings = []
    for name, step in steps:
        try:
            finding = step()
        except Exception as error:
            logger.exception("Sweep step %s failed", name)
            finding = Finding(name, 0, 0, f"error: {type(error).__name__}: {error}"[:300])
        findings.append(finding.as_dict())
    report.findings = findings
    report.finished_at = timezone.now()
    report.save(update_fields=["findings", "finished_at"])
    heartbeat()
    if report.found:
        logger.info(
            "Sweep: %s",
            "; ".join(
                f"{f['step']} found {f['found']} fixed {f['fixed']}" for f in findings if f["found"]
            ),
        )
    return report
