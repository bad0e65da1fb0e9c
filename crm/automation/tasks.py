"""Jobs of workflow rules and customer-care touches (tenant jobs: they fail closed without a
workspace). Each loads what it needs and calls one service."""

from __future__ import annotations

from typing import Any

from core.jobs.models import JobQueue
from core.jobs.registry import job_handler


@job_handler("automation.event_process", queue=JobQueue.BULK, tenant=True, timeout=120)
def event_process_job(**kwargs: Any) -> int:
    """Run the rules a committed record change fires (fair per workspace on the bulk queue)."""
    from crm.automation.services import event_process

    return event_process(**kwargs)


@job_handler("automation.events_process", queue=JobQueue.BULK, tenant=True, timeout=300)
def events_process_job(
    *, object_type: str, object_ids: list[int], event: str, chain: list[int] | None = None
) -> int:
    """Run the rules fired by many records' creation (an import's chunk), record by record."""
    from crm.automation.services import events_process

    return events_process(
        object_type=object_type, object_ids=object_ids, event=event, chain=chain or []
    )


@job_handler("automation.rule_sweep", queue=JobQueue.BULK, tenant=True, timeout=300)
def rule_sweep_job(*, rule_id: int, occasion: str = "", after_id: int = 0) -> int:
    """Run a scheduled or idle-deal rule over one batch of its records."""
    from crm.automation.services import rule_sweep

    return rule_sweep(rule_id=rule_id, occasion=occasion, after_id=after_id)


@job_handler("automation.rules_hourly", queue=JobQueue.DEFAULT, tenant=True)
def rules_hourly_job() -> int:
    """Hourly per active workspace (``tenants.periodic_dispatch``): start due scheduled rules
    and idle-deal rules."""
    from crm.automation.services import rules_due_enqueue

    return rules_due_enqueue()


@job_handler(
    "automation.webhook_deliver",
    queue=JobQueue.DEFAULT,
    tenant=True,
    timeout=30,
    max_attempts=5,
    atomic=False,
)
def webhook_deliver_job(*, run_id: int, url: str, body: str) -> str:
    """Call a rule's webhook; a failure is retried with the job's backoff (not atomic: the
    run log records each attempt)."""
    from crm.automation.delivery import webhook_deliver

    return webhook_deliver(run_id=run_id, url=url, body=body)


@job_handler("automation.care_touches", queue=JobQueue.DEFAULT, tenant=True, timeout=300)
def care_touches_job() -> dict[str, int]:
    """Daily per active workspace: make today's customer-care tasks (idempotent)."""
    from crm.automation.care import care_touches_run

    return care_touches_run()
