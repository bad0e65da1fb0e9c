"""Background work of the insights app (a periodic refresh per workspace)."""

from __future__ import annotations

from core.jobs.models import JobQueue
from core.jobs.registry import job_handler


@job_handler("insights.customer_values_refresh", queue=JobQueue.BULK, tenant=True)
def customer_values_refresh_job() -> int:
    """Recompute the workspace's customer values (RFM, lifetime value, flags) and the
    precomputed figures (win-probability evidence, each pipeline's conversion and time in
    stage, activities done per rep); idempotent: each run replaces them."""
    from crm.insights.customer_value import customer_values_refresh
    from crm.insights.selectors.probability import evidence_precompute
    from crm.insights.selectors.reps import rep_figures_precompute
    from crm.insights.selectors.sales import stage_figures_precompute

    rows = customer_values_refresh()
    evidence_precompute()
    stage_figures_precompute()
    rep_figures_precompute()
    return rows


@job_handler("insights.reports_send", queue=JobQueue.DEFAULT, tenant=True)
def reports_send_job() -> int:
    """E-mail the saved reports due this hour (hourly per workspace; idempotent: a report
    sent within the hour is not sent again)."""
    from crm.insights.report_mail import reports_send_due

    return reports_send_due()
