"""Jobs of notifications: due reminders (woken at each reminder's minute, and every 15
minutes as a safety net) and daily digests (every 15 minutes).

Beat calls ``notifications.periodic_dispatch``, which records one job per active, writable
workspace for the current slot (the dedupe key holds the slot, so a second beat adds
nothing); each job runs in its workspace's schema and fails closed without one.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from core.jobs.models import JobQueue
from core.jobs.registry import job_handler


@job_handler(
    "notifications.reminders_send",
    queue=JobQueue.INTERACTIVE,
    tenant=True,
    atomic=False,
    timeout=300,
)
def reminders_send_job() -> int:
    """Deliver this workspace's due activity reminders (each once)."""
    from crm.notifications.delivery import reminders_send

    return reminders_send()


@job_handler(
    "notifications.digests_send", queue=JobQueue.BULK, tenant=True, atomic=False, timeout=600
)
def digests_send_job() -> int:
    """Send this workspace's daily digests to users whose local morning has come."""
    from crm.notifications.delivery import digests_send

    return digests_send()


@shared_task(name="notifications.periodic_dispatch", ignore_result=True)
def periodic_dispatch_task(handler: str, every_minutes: int, spread_seconds: int) -> int:
    """Beat: one job of ``handler`` per active workspace for this ``every_minutes`` slot."""
    from core.jobs.periodic import periodic_jobs_enqueue
    from tenants.periodic import periodic_workspaces

    now = timezone.now()
    slot = (now.hour * 60 + now.minute) // max(1, every_minutes)
    return periodic_jobs_enqueue(
        handler=handler,
        schema_names=periodic_workspaces(writes=True),
        spread_seconds=spread_seconds,
        window=f"{now:%Y-%m-%d}/{every_minutes}m/{slot}",
    )
