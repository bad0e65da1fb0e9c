"""Models of ``core`` (public schema only): the record of background work."""

from core.jobs.models import Heartbeat, Job, JobQueue, JobStatus, SweepReport

__all__ = ["Heartbeat", "Job", "JobQueue", "JobStatus", "SweepReport"]
