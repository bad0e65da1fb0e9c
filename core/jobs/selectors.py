"""Reads about background work for the ops console and the readiness check."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Min, QuerySet
from django.utils import timezone

from core.jobs.models import Heartbeat, Job, JobQueue, JobStatus, SweepReport


@dataclass(frozen=True)
class QueueDepth:
    queue: str
    label: str
    waiting: int
    running: int
    failed: int
    #: How long the oldest due job of this queue has been waiting, or ``None``.
    oldest_wait: timedelta | None


@dataclass(frozen=True)
class JobsOverview:
    queues: list[QueueDepth]
    failed: int
    waiting: int
    oldest_wait: timedelta | None
    last_sweep: SweepReport | None
    heartbeat_at: datetime | None


def failed_jobs() -> QuerySet[Job]:
    return Job.objects.filter(status=JobStatus.FAILED).order_by("-finished_at", "-id")


def jobs_overview(*, now: datetime | None = None) -> JobsOverview:
    """Queue depths (from the job table, the record), failures and the sweeper's last run."""
    now = now or timezone.now()
    counts = {
        (row["queue"], row["status"]): row["n"]
        for row in Job.objects.filter(
            status__in=[JobStatus.PENDING, JobStatus.RUNNING, JobStatus.FAILED]
        )
        .values("queue", "status")
        .annotate(n=Count("id"))
    }
    oldest = {
        row["queue"]: row["oldest"]
        for row in Job.objects.filter(status=JobStatus.PENDING, available_at__lte=now)
        .values("queue")
        .annotate(oldest=Min("available_at"))
    }
    queues = [
        QueueDepth(
            queue=str(queue),
            label=str(label),
            waiting=counts.get((queue, JobStatus.PENDING), 0),
            running=counts.get((queue, JobStatus.RUNNING), 0),
            failed=counts.get((queue, JobStatus.FAILED), 0),
            oldest_wait=now - oldest[queue] if queue in oldest else None,
        )
        for queue, label in JobQueue.choices
    ]
    waits = [depth.oldest_wait for depth in queues if depth.oldest_wait is not None]
    heartbeat = Heartbeat.objects.filter(name="worker").first()
    return JobsOverview(
        queues=queues,
        failed=sum(depth.failed for depth in queues),
        waiting=sum(depth.waiting for depth in queues),
        oldest_wait=max(waits) if waits else None,
        last_sweep=SweepReport.objects.filter(finished_at__isnull=False).first(),
        heartbeat_at=heartbeat.beat_at if heartbeat else None,
    )


def recent_sweeps_with_findings(limit: int = 10) -> list[SweepReport]:
    """The latest sweeps that found something to do."""
    reports = SweepReport.objects.filter(finished_at__isnull=False)[:200]
    return [report for report in reports if report.found][:limit]
