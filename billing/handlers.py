"""One handler per gateway event type. Each is idempotent and order-independent: it re-reads
the object the event is about from the gateway, finds the workspace through the customer link
Rapport made at checkout (:class:`~billing.models.BillingAccount`), and syncs the local copy,
so a redelivered, late or out-of-order event leads to the same state.

An event is only a hint about what to re-read. Its body never names the workspace (metadata
and client references are ignored for that) and never supplies an amount. An event that
contradicts the gateway, or concerns a customer or subscription Rapport never linked, raises
:class:`EventRefusedError`: nothing changes and the event is flagged for provider operations.

A handler returns the workspace the event concerns (or ``None`` if it concerns none).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from decimal import Decimal

from billing.gateways.base import BillingGateway, StripeObject, invoice_subscription_id
from billing.models import BillingAccount, Subscription
from billing.notices import notice_send_on_commit
from billing.services import subscription_sync
from tenants.models import Tenant

logger = logging.getLogger(__name__)

Handler = Callable[[StripeObject, BillingGateway], Tenant | None]


class EventRefusedError(Exception):
    """The event does not match what the gateway and Rapport's own links say; the message
    says why, for the operations console."""


def _object(event: StripeObject) -> StripeObject:
    data: StripeObject = event["data"]["object"]
    return data


def _object_id(data: StripeObject) -> str:
    return str(data.get("id") or "")


def _linked_account(gateway: BillingGateway, customer_id: str) -> BillingAccount:
    """The workspace account Rapport linked to ``customer_id``; refused if there is none."""
    account = (
        BillingAccount.objects.select_related("tenant")
        .filter(gateway=gateway.name, gateway_customer_id=customer_id)
        .first()
        if customer_id
        else None
    )
    if account is None:
        raise EventRefusedError(
            f"Customer {customer_id or '(none)'} is not linked to any workspace."
        )
    return account


#: Fields of an event's object that say whom it concerns; each must match the gateway's copy.
IDENTITY_FIELDS = ("customer", "subscription", "client_reference_id", "metadata")


def _check_claims(claimed: StripeObject, current: StripeObject, account: BillingAccount) -> None:
    """Refuse an event whose body contradicts the gateway about whom it concerns, or whose
    object carries another workspace's reference."""
    for field in IDENTITY_FIELDS:
        if claimed.get(field) and claimed.get(field) != current.get(field):
            raise EventRefusedError(f"The event's {field} contradicts the gateway's record.")
    references = {
        str(value)
        for value in (
            current.get("client_reference_id"),
            (current.get("metadata") or {}).get("rapport_account"),
        )
        if value
    }
    if references - {account.reference}:
        raise EventRefusedError("The workspace reference does not match the customer's.")


def _subscription_owner(gateway: BillingGateway, current: StripeObject) -> Tenant:
    """The workspace a gateway subscription belongs to, by its customer's link.

    A subscription already bound to another workspace is refused rather than moved.
    """
    account = _linked_account(gateway, str(current.get("customer") or ""))
    bound_elsewhere = (
        Subscription.objects.filter(gateway=gateway.name, gateway_subscription_id=current["id"])
        .exclude(tenant_id=account.tenant_id)
        .exists()
    )
    if bound_elsewhere:
        raise EventRefusedError(
            f"Subscription {current['id']} is bound to another workspace than its customer."
        )
    return account.tenant


def _sync(
    gateway: BillingGateway, subscription_id: str, claimed: StripeObject | None = None
) -> Tenant:
    """Re-read ``subscription_id`` from the gateway and sync the workspace it belongs to."""
    current = gateway.subscription_retrieve(subscription_id) if subscription_id else None
    if current is None:
        raise EventRefusedError(
            f"The gateway does not know subscription {subscription_id or '(none)'}."
        )
    tenant = _subscription_owner(gateway, current)
    if claimed is not None:
        _check_claims(claimed, current, tenant.billing_account)
    subscription_sync(tenant=tenant, data=current, gateway_name=gateway.name)
    return tenant


def checkout_session_completed(event: StripeObject, gateway: BillingGateway) -> Tenant | None:
    """The workspace's admin paid at checkout: the workspace is now subscribed to the plan
    it bought. The session is re-read; its customer names the workspace."""
    claimed = _object(event)
    session = gateway.checkout_session_retrieve(_object_id(claimed))
    if session is None:
        raise EventRefusedError(f"The gateway does not know checkout {_object_id(claimed)}.")
    account = _linked_account(gateway, str(session.get("customer") or ""))
    _check_claims(claimed, session, account)
    subscription_id = str(session.get("subscription") or "")
    if not subscription_id:
        return account.tenant
    return _sync(gateway, subscription_id)


def customer_subscription_created(event: StripeObject, gateway: BillingGateway) -> Tenant | None:
    """A subscription exists for the workspace: its plan, seats and status apply."""
    claimed = _object(event)
    return _sync(gateway, _object_id(claimed), claimed)


def customer_subscription_updated(event: StripeObject, gateway: BillingGateway) -> Tenant | None:
    """Plan, seats, renewal or status changed (e.g. past due): access follows the new state."""
    claimed = _object(event)
    return _sync(gateway, _object_id(claimed), claimed)


def customer_subscription_deleted(event: StripeObject, gateway: BillingGateway) -> Tenant | None:
    """The subscription ended: the workspace turns read-only; its data stays."""
    claimed = _object(event)
    return _sync(gateway, _object_id(claimed), claimed)


def _invoice(gateway: BillingGateway, event: StripeObject) -> tuple[Tenant, StripeObject]:
    """The invoice as the gateway knows it, and the workspace whose subscription it bills."""
    claimed = _object(event)
    invoice = gateway.invoice_retrieve(_object_id(claimed))
    if invoice is None:
        raise EventRefusedError(f"The gateway does not know invoice {_object_id(claimed)}.")
    claimed_customer = str(claimed.get("customer") or "")
    if claimed_customer and claimed_customer != str(invoice.get("customer") or ""):
        raise EventRefusedError(f"The event names customer {claimed_customer} for another invoice.")
    return _sync(gateway, invoice_subscription_id(invoice)), invoice


def _money(invoice: StripeObject, field: str) -> dict[str, str]:
    """The amount as the e-mail formats it for each reader: value and currency."""
    amount = Decimal(int(invoice.get(field) or 0)) / 100
    return {"amount_value": str(amount), "currency": str(invoice.get("currency") or "").upper()}


def invoice_paid(event: StripeObject, gateway: BillingGateway) -> Tenant | None:
    """A payment succeeded: the subscription is paid up and the admins get a receipt for
    the amount the gateway reports."""
    tenant, invoice = _invoice(gateway, event)
    if int(invoice.get("amount_paid") or 0) > 0:
        notice_send_on_commit(
            tenant=tenant,
            kind="receipt",
            key=str(invoice["id"]),
            context={**_money(invoice, "amount_paid"), "number": str(invoice.get("number") or "")},
        )
    return tenant


def invoice_payment_failed(event: StripeObject, gateway: BillingGateway) -> Tenant | None:
    """A payment failed: the workspace is past due (banner, then read-only after the grace
    period) and the admins are asked to update the payment method. Only an invoice the
    gateway reports as unpaid triggers the e-mail, for the amount the gateway reports."""
    tenant, invoice = _invoice(gateway, event)
    if str(invoice.get("status") or "") != "paid" and int(invoice.get("attempt_count") or 0):
        notice_send_on_commit(
            tenant=tenant,
            kind="payment_failed",
            key=f"{invoice['id']}:{invoice.get('attempt_count') or 0}",
            context=_money(invoice, "amount_due"),
        )
    return tenant


def customer_subscription_trial_will_end(
    event: StripeObject, gateway: BillingGateway
) -> Tenant | None:
    """A gateway trial ends in three days: the admins are reminded to keep a valid card."""
    claimed = _object(event)
    tenant = _sync(gateway, _object_id(claimed), claimed)
    current = gateway.subscription_retrieve(_object_id(claimed)) or {}
    if current.get("status") == "trialing" and current.get("trial_end"):
        notice_send_on_commit(
            tenant=tenant,
            kind="trial_ending",
            key=f"{current['id']}:{current.get('trial_end')}",
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
