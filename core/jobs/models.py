"""The record of background work: PostgreSQL, not the broker, says what must still happen.

A :class:`Job` row is written in the same transaction as the state that needs it (a signup, a
billing event, a payment notice), so the intent commits or rolls back with that state. The
broker only delivers "run job 42"; a lost message, a restarted Redis or a killed worker loses
nothing, because the sweeper dispatches every job that is still pending or whose lease ran
out. Rows live in the public schema (``core`` is a shared app only); a job carries the schema
it runs in.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class JobQueue(models.TextChoices):
    """Kinds of work, each with its own Celery queue and workers (routing: core/jobs/queues.py)."""

    SIGNUP = "signup", _("Signup")
    BILLING = "billing", _("Billing")
    INTERACTIVE = "interactive", _("Interactive")
    BULK = "bulk", _("Bulk")
    DEFAULT = "default", _("Default")


class JobStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


#: Statuses of a job that still has to happen.
LIVE_STATUSES = (JobStatus.PENDING, JobStatus.RUNNING)


class Job(models.Model):
    """One unit of background work that must happen, and where it stands."""

    queue = models.CharField(_("queue"), max_length=20, choices=JobQueue.choices)
    #: The registered handler (``core.jobs.registry``), e.g. ``billing.webhook_event_process``.
    handler = models.CharField(_("task"), max_length=100)
    #: The schema the handler runs in: the enqueuing workspace's for tenant handlers, else
    #: ``public``. Taken from the connection when enqueued, never from arguments.
    schema_name = models.CharField(max_length=63)
    #: The workspace the work concerns (its schema), for per-workspace fairness and the ops
    #: console; empty for platform work such as refilling the pool.
    workspace = models.CharField(_("workspace"), max_length=63, blank=True)
    kwargs = models.JSONField(_("arguments"), default=dict)
    #: At most one waiting job per key: enqueuing the same key again returns the waiting job.
    dedupe_key = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    max_attempts = models.PositiveSmallIntegerField(default=5)
    #: Not run before this moment (backoff after a failure, jitter of periodic work).
    available_at = models.DateTimeField(default=timezone.now)
    #: When a message for it last went to the broker (``None``: never, or the publish failed).
    dispatched_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    #: A running job whose lease is over belongs to a worker that died; the sweeper takes it back.
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=Q(status="pending") & ~Q(dedupe_key=""),
                name="core_job_one_waiting_per_key",
            )
        ]
        indexes = [
            models.Index(
                fields=["queue", "available_at"],
                condition=Q(status="pending"),
                name="core_job_pending",
            ),
            models.Index(
                fields=["lease_expires_at"], condition=Q(status="running"), name="core_job_running"
            ),
            models.Index(fields=["status", "finished_at"], name="core_job_finished"),
            models.Index(fields=["dedupe_key"], name="core_job_dedupe_key"),
        ]

    def __str__(self) -> str:
        return f"{self.handler}#{self.pk} ({self.status})"

    @property
    def arguments_summary(self) -> str:
        """The arguments in one short line for the ops console (values cut at 40 characters)."""
        parts = []
        for key, value in sorted(self.kwargs.items()):
            text = str(value)
            parts.append(f"{key}={text[:40]}{'…' if len(text) > 40 else ''}")
        return ", ".join(parts)


class SweepReport(models.Model):
    """What one run of the sweeper found and did, for the ops console."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    #: ``[{"step": ..., "found": n, "fixed": n, "detail": "..."}, ...]``
    findings = models.JSONField(default=list)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"sweep {self.started_at:%Y-%m-%d %H:%M:%S}"

    @property
    def found(self) -> int:
        return sum(int(finding.get("found", 0)) for finding in self.findings)

    @property
    def fixed(self) -> int:
        return sum(int(finding.get("fixed", 0)) for finding in self.findings)


class Heartbeat(models.Model):
    """The last sign of life of a background component (``worker``: the sweeper ran)."""

    name = models.CharField(max_length=40, unique=True)
    beat_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} {self.beat_at:%H:%M:%S}"
