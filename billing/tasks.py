"""Background billing work (public schema). Each handler loads by id and calls one service.

Everything whose loss costs money or trust is a job (:mod:`core.jobs`): processing a recorded
gateway event, delivering the sandbox's events (the sandbox's stand-in for Stripe's own
retries), billing the seat count, and the e-mails that must go out. The sweeper step below
finishes ledger events that were recorded but never processed.
"""

from __future__ import annotations

import logging
import urllib.request
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from core.jobs.models import Job, JobQueue, JobStatus
from core.jobs.registry import job_handler
from core.jobs.sweeper import Finding, sweep_step

logger = logging.getLogger(__name__)


def webhook_event_key(event_pk: int) -> str:
    return f"billing.webhook_event:{event_pk}"


@job_handler("billing.webhook_event_process", queue=JobQueue.BILLING, max_attempts=8)
def webhook_event_process_job(*, event_id: int) -> str:
    """Handle one recorded gateway event; the ledger row and "done" commit together."""
    from billing.webhooks import webhook_event_process

    return str(webhook_event_process(event_id=event_id).status)


def webhook_event_process_enqueue(*, event_pk: int, workspace: str = "") -> Job:
    """Record the processing of a ledger event (at most one waiting job per event)."""
    return webhook_event_process_job.enqueue(
        event_id=event_pk, dedupe_key=webhook_event_key(event_pk), workspace=workspace
    )


@sweep_step("billing.received_events")
def received_events_sweep() -> Finding:
    """Ledger events still "received" after a minute, with no job waiting or running, get one
    (their job was lost with Redis, or they predate the outbox)."""
    from billing.models import WebhookEvent, WebhookEventStatus

    cutoff = timezone.now() - timedelta(seconds=settings.JOB_STUCK_AFTER_SECONDS)
    received = list(
        WebhookEvent.objects.filter(
            status=WebhookEventStatus.RECEIVED, received_at__lt=cutoff
        ).values_list("pk", flat=True)[:500]
    )
    live = set(
        Job.objects.filter(
            dedupe_key__in=[webhook_event_key(pk) for pk in received],
            status__in=[JobStatus.PENDING, JobStatus.RUNNING, JobStatus.FAILED],
        ).values_list("dedupe_key", flat=True)
    )
    stuck = [pk for pk in received if webhook_event_key(pk) not in live]
    for pk in stuck:
        webhook_event_process_enqueue(event_pk=pk)
    detail = f"events {', '.join(map(str, stuck[:10]))}" if stuck else ""
    return Finding("billing.received_events", len(stuck), len(stuck), detail)


@job_handler("billing.sandbox_event_deliver", queue=JobQueue.BILLING, max_attempts=10)
def sandbox_event_deliver_job(*, payload: str) -> str:
    """Sign a sandbox event and deliver it to the webhook endpoint, like Stripe would (and,
    like Stripe, again until it is taken).

    With ``BILLING_SANDBOX_WEBHOOK_URL`` set it is an HTTP POST; otherwise it goes straight
    into the same intake the endpoint uses (signature check and ledger included), in the
    same transaction as this job's "done".
    """
    from billing.gateways import sandbox_active
    from billing.gateways.sandbox import SandboxGateway
    from billing.signatures import signature_header
    from billing.webhooks import webhook_receive

    if not sandbox_active():
        logger.warning("Sandbox event not delivered: the sandbox is not this deployment's gateway")
        return "sandbox disabled"
    body = payload.encode()
    signature = signature_header(payload=body, secret=settings.BILLING_SANDBOX_WEBHOOK_SECRET)
    url = settings.BILLING_SANDBOX_WEBHOOK_URL
    if url:
        request = urllib.request.Request(  # noqa: S310 -- a configured local http(s) URL
            url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "Stripe-Signature": signature},
        )
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 -- as above
            return str(response.status)
    receipt = webhook_receive(payload=body, signature=signature, gateway=SandboxGateway())
    return "duplicate" if receipt.duplicate else "recorded"


@job_handler(
    "billing.subscription_quantity_sync", queue=JobQueue.BILLING, max_attempts=8, atomic=False
)
def subscription_quantity_sync_job(*, tenant_id: int) -> int | None:
    """Bill the workspace's current number of active users."""
    from billing.services import subscription_quantity_sync
    from tenants.models import Tenant

    return subscription_quantity_sync(tenant=Tenant.objects.get(pk=tenant_id))


@job_handler("billing.notice_send", queue=JobQueue.BILLING, max_attempts=8)
def billing_notice_send_job(
    *, tenant_id: int, kind: str, key: str, context: dict[str, str]
) -> bool:
    """Email a workspace's admins about billing (once per kind and subject: the notice row and
    "done" commit together)."""
    from billing.notices import notice_send
    from tenants.models import Tenant

    return notice_send(tenant=Tenant.objects.get(pk=tenant_id), kind=kind, key=key, context=context)


@job_handler("billing.reconcile", queue=JobQueue.BILLING, timeout=900, atomic=False)
def reconcile_job() -> dict[str, int]:
    """Compare every subscription and checkout with the gateway and fix drift."""
    from billing.services import subscriptions_reconcile

    report = subscriptions_reconcile()
    return {
        "checked": report.checked,
        "changed": report.changed,
        "failed": report.failed,
        "recovered": report.recovered,
    }


def reconcile_enqueue() -> Job:
    """Record a reconciliation unless one is already waiting (nightly, or from ops)."""
    return reconcile_job.enqueue(dedupe_key="billing.reconcile")


@shared_task(name="billing.reconcile", ignore_result=True)
def reconcile_task() -> int:
    """Nightly (beat): record the reconciliation job."""
    return reconcile_enqueue().pk


@shared_task(name="billing.trial_ending_notify")
def trial_ending_notify_task() -> int:
    """Daily: remind admins whose trial ends within a few days (one notice job each)."""
    from billing.notices import trial_ending_notify

    return trial_ending_notify()
