"""Background work of the insights app (a periodic refresh per workspace)."""

from __future__ import annotations

from core.jobs.models import JobQueue
from core.jobs.registry import job_handler


@job_handler("insights.customer_values_refresh", queue=JobQueue.BULK, tenant=True)
def customer_values_refresh_job() -> int:
    """Recompute the workspace's customer values (RFM, lifetime value, flags); idempotent:
    each run replaces the whole table."""
    from crm.insights.customer_value import customer_values_refresh

    return customer_values_refresh()
