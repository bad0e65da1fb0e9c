"""One handler per gateway event type. Each is idempotent and order-independent: it finds
the workspace, re-reads the subscription from the gateway and syncs the local copy, so a
redelivered, late or out-of-order event leads to the same state.

A handler returns the workspace the event concerns (or ``None`` if it concerns none).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal

from billing.gateways.base import BillingGateway, StripeObject, invoice_subscription_id
from billing.models import Subscription
from billing.notices import notice_send_on_commit
from billing.services import subscription_sync
from tenants.models import Tenant

logger = logging.getLogger(__name__)

Handler = Callable[[StripeObject, BillingGateway], Tenant | None]


def _object(event: StripeObject) -> StripeObject:
    data: StripeObject = event["data"]["object"]
    return data


def _tenant_by_id(value: object) -> Tenant | None:
    text = str(value or "")
    return Tenant.objects.filter(pk=int(text)).first() if text.isdigit() else None


def _tenant_for_subscription(subscription_id: str, metadata: StripeObject | None) -> Tenant | None:
    tenant = _tenant_by_id((metadata or {}).get("tenant_id"))
    if tenant is not None:
        return tenant
    local = (
        Subscription.objects.select_related("tenant")
        .filter(gateway_subscription_id=subscription_id)
        .first()
    )
    return local.tenant if local else None


def _sync(
    gateway: BillingGateway, subscription_id: str, metadata: StripeObject | None = None
) -> Tenant | None:
    """Re-read ``subscription_id`` from the gateway and sync its workspace."""
    current = gateway.subscription_retrieve(subscription_id)
    tenant = _tenant_for_subscription(subscription_id, (current or {}).get("metadata") or metadata)
    if tenant is None:
        logger.warning("Billing event for %s concerns no known workspace", subscription_id)
        return None
    subscription_sync(tenant=tenant, data=current, gateway_name=gateway.name)
    return tenant


def checkout_session_completed(event: StripeObject, gateway: BillingGateway) -> Tenant | None:
    """The workspace's admin paid at checkout: the workspace is now subscribed to the plan
    it bought, bound to the gateway customer (by ``client_reference_id``)."""
    session = _object(event)
    tenant = _tenant_by_id(session.get("client_reference_id")) or _tenant_by_id(
        (session.get("metadata") or {}).get("tenant_id")
    )
    subscription_id = str(session.get("subscription") or "")
    if tenant is None or not subscription_id:
        return tenant
    subscription_sync(
        tenant=tenant,
        data=gateway.subscription_retrieve(subscription_id),
        gateway_name=gateway.name,
        customer_id=str(session.get("customer") or ""),
    )
    return tenant


def customer_subscription_created(event: StripeObject, gateway: BillingGateway) -> Tenant | None:
    """A subscription exists for the workspace: its plan, seats and status apply."""
    subscription = _object(event)
    return _sync(gateway, str(subscription["id"]), subscription.get("metadata"))


def customer_subscription_updated(event: StripeObject, gateway: BillingGateway) -> Tenant | None:
    """Plan, seats, renewal or status changed (e.g. past due): access follows the new state."""
    subscription = _object(event)
    return _sync(gateway, str(subscription["id"]), subscription.get("metadata"))


def customer_subscription_deleted(event: StripeObject, gateway: BillingGateway) -> Tenant | None:
    """The subscription ended: the workspace turns read-only; its data stays."""
    subscription = _object(event)
    return _sync(gateway, str(subscription["id"]), subscription.get("metadata"))


def _invoice_tenant(gateway: BillingGateway, invoice: StripeObject) -> tuple[Tenant | None, str]:
    subscription_id = invoice_subscription_id(invoice)
    if not subscription_id:
        return None, ""
    parent = invoice.get("parent") or {}
    metadata = (parent.get("subscription_details") or {}).get("metadata")
    return _sync(gateway, subscription_id, metadata), subscription_id


def _money(invoice: StripeObject, field: str) -> str:
    amount = Decimal(int(invoice.get(field) or 0)) / 100
    return f"{amount:.2f} {str(invoice.get('currency') or '').upper()}"


def invoice_paid(event: StripeObject, gateway: BillingGateway) -> Tenant | None:
    """A payment succeeded: the subscription is paid up and the admins get a receipt."""
    invoice = _object(event)
    tenant, _ = _invoice_tenant(gateway, invoice)
    if tenant is not None and int(invoice.get("amount_paid") or 0) > 0:
        notice_send_on_commit(
            tenant=tenant,
            kind="receipt",
            key=str(invoice["id"]),
            context={
                "amount": _money(invoice, "amount_paid"),
                "number": str(invoice.get("number") or ""),
            },
        )
    return tenant


def invoice_payment_failed(event: StripeObject, gateway: BillingGateway) -> Tenant | None:
    """A payment failed: the workspace is past due (banner, then read-only after the grace
    period) and the admins are asked to update the payment method."""
    invoice = _object(event)
    tenant, _ = _invoice_tenant(gateway, invoice)
    if tenant is not None:
        notice_send_on_commit(
            tenant=tenant,
            kind="payment_failed",
            key=f"{invoice['id']}:{invoice.get('attempt_count') or 0}",
            context={"amount": _money(invoice, "amount_due")},
        )
    return tenant


def customer_subscription_trial_will_end(
    event: StripeObject, gateway: BillingGateway
) -> Tenant | None:
    """A gateway trial ends in three days: the admins are reminded to keep a valid card."""
    subscription = _object(event)
    tenant = _sync(gateway, str(subscription["id"]), subscription.get("metadata"))
    if tenant is not None:
        notice_send_on_commit(
            tenant=tenant,
            kind="trial_ending",
            key=f"{subscription['id']}:{subscription.get('trial_end')}",
            context={"days_left": "3"},
        )
    return tenant


HANDLERS: dict[str, Handler] = {
    "checkout.session.completed": checkout_session_completed,
    "customer.subscription.created": customer_subscription_created,
    "customer.subscription.updated": customer_subscription_updated,
    "customer.subscription.deleted": customer_subscription_deleted,
    "customer.subscription.trial_will_end": customer_subscription_trial_will_end,
    "invoice.paid": invoice_paid,
    "invoice.payment_failed": invoice_payment_failed,
}
