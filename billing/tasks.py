"""Background billing work. Public-schema tasks: each loads by id and calls one service."""

from __future__ import annotations

import logging
import urllib.request

from celery import shared_task
from django.conf import settings
from django.db import OperationalError

logger = logging.getLogger(__name__)


@shared_task(
    name="billing.webhook_event_process",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def webhook_event_process_task(event_id: int) -> str:
    """Handle one recorded gateway event."""
    from billing.webhooks import webhook_event_process

    return str(webhook_event_process(event_id=event_id).status)


@shared_task(name="billing.sandbox_event_deliver", autoretry_for=(OSError,), max_retries=5)
def sandbox_event_deliver_task(payload: str) -> str:
    """Sign a sandbox event and deliver it to the webhook endpoint, like Stripe would.

    With ``BILLING_SANDBOX_WEBHOOK_URL`` set it is an HTTP POST; otherwise it goes straight
    into the same intake the endpoint uses (signature check and ledger included).
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


@shared_task(name="billing.subscription_quantity_sync", autoretry_for=(OperationalError,))
def subscription_quantity_sync_task(tenant_id: int) -> int | None:
    """Bill the workspace's current number of active users."""
    from billing.services import subscription_quantity_sync
    from tenants.models import Tenant

    return subscription_quantity_sync(tenant=Tenant.objects.get(pk=tenant_id))


@shared_task(name="billing.notice_send", autoretry_for=(OperationalError,))
def billing_notice_send_task(tenant_id: int, kind: str, key: str, context: dict[str, str]) -> bool:
    """Email a workspace's admins about billing (once per kind and subject)."""
    from billing.notices import notice_send
    from tenants.models import Tenant

    return notice_send(tenant=Tenant.objects.get(pk=tenant_id), kind=kind, key=key, context=context)


@shared_task(name="billing.reconcile")
def reconcile_task() -> dict[str, int]:
    """Nightly: compare every subscription with the gateway and fix drift."""
    from billing.services import subscriptions_reconcile

    report = subscriptions_reconcile()
    return {"checked": report.checked, "changed": report.changed, "failed": report.failed}


@shared_task(name="billing.trial_ending_notify")
def trial_ending_notify_task() -> int:
    """Daily: remind admins whose trial ends within a few days."""
    from billing.notices import trial_ending_notify

    return trial_ending_notify()
