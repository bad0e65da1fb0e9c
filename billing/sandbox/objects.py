"""Render the sandbox's rows as the dictionaries Stripe's API would return."""

from __future__ import annotations

import secrets
from datetime import datetime
from decimal import Decimal
from typing import Any

from billing.models import (
    BillingInterval,
    Plan,
    SandboxCheckoutSession,
    SandboxInvoice,
    SandboxSubscription,
)

#: The Stripe API version whose shapes the sandbox imitates (stripe-python 16's default).
API_VERSION = "2026-10-28.endive"


def new_id(prefix: str) -> str:
    return f"{prefix}_sbx_{secrets.token_hex(10)}"


def timestamp(moment: datetime | None) -> int | None:
    return int(moment.timestamp()) if moment is not None else None


def lookup_key_parts(lookup_key: str) -> tuple[Plan, str]:
    """The plan and interval a ``<slug>_<interval>`` lookup key names."""
    plan = Plan.objects.for_price(lookup_key=lookup_key)
    if plan is None:
        raise ValueError(f"No plan for price {lookup_key!r}.")
    interval = lookup_key.rsplit("_", 1)[1]
    return plan, interval if interval in BillingInterval.values else BillingInterval.MONTH


def unit_amount(plan: Plan, interval: str) -> int:
    """One seat's price in cents."""
    return int(plan.price_per_seat(interval) * Decimal(100))


def price_object(lookup_key: str) -> dict[str, Any]:
    plan, interval = lookup_key_parts(lookup_key)
    recorded = (
        plan.gateway_yearly_price_id
        if interval == BillingInterval.YEAR
        else plan.gateway_monthly_price_id
    )
    return {
        "id": recorded or f"price_sbx_{lookup_key}",
        "object": "price",
        "lookup_key": lookup_key,
        "product": plan.gateway_product_id or f"prod_sbx_{plan.slug}",
        "unit_amount": unit_amount(plan, interval),
        "currency": plan.currency.lower(),
        "recurring": {"interval": interval, "interval_count": 1},
    }


def subscription_object(subscription: SandboxSubscription) -> dict[str, Any]:
    start = timestamp(subscription.current_period_start)
    end = timestamp(subscription.current_period_end)
    return {
        "id": subscription.subscription_id,
        "object": "subscription",
        "customer": subscription.customer.customer_id,
        "status": subscription.status,
        "cancel_at_period_end": subscription.cancel_at_period_end,
        "canceled_at": timestamp(subscription.canceled_at),
        "ended_at": timestamp(subscription.ended_at),
        "created": timestamp(subscription.created_at),
        "trial_end": timestamp(subscription.trial_end)
        if subscription.status == "trialing"
        else None,
        "latest_invoice": subscription.latest_invoice_id or None,
        "metadata": dict(subscription.metadata),
        "livemode": False,
        "items": {
            "object": "list",
            "data": [
                {
                    "id": subscription.item_id,
                    "object": "subscription_item",
                    "price": price_object(subscription.price_lookup_key),
                    "quantity": subscription.quantity,
                    "current_period_start": start,
                    "current_period_end": end,
                }
            ],
        },
    }


def invoice_object(invoice: SandboxInvoice) -> dict[str, Any]:
    subscription = invoice.subscription
    return {
        "id": invoice.invoice_id,
        "object": "invoice",
        "number": invoice.invoice_id.upper()[-8:],
        "customer": subscription.customer.customer_id,
        "customer_email": subscription.customer.email,
        "status": invoice.status,
        "amount_due": invoice.amount_due,
        "amount_paid": invoice.amount_paid,
        "currency": invoice.currency,
        "attempt_count": invoice.attempt_count,
        "created": timestamp(invoice.created_at),
        "period_start": timestamp(invoice.period_start),
        "period_end": timestamp(invoice.period_end),
        "hosted_invoice_url": None,
        "lines": {
            "object": "list",
            "data": [
                {
                    "object": "line_item",
                    "description": invoice.description,
                    "amount": invoice.amount_due,
                    "currency": invoice.currency,
                }
            ],
        },
        "parent": {
            "type": "subscription_details",
            "subscription_details": {
                "subscription": subscription.subscription_id,
                "metadata": dict(subscription.metadata),
            },
        },
    }


def checkout_session_object(session: SandboxCheckoutSession) -> dict[str, Any]:
    return {
        "id": session.session_id,
        "object": "checkout.session",
        "mode": "subscription",
        "status": session.status,
        "payment_status": "paid" if session.status == "complete" else "unpaid",
        "client_reference_id": session.client_reference_id or None,
        "customer": session.customer.customer_id if session.customer else None,
        "customer_email": session.customer_email or None,
        "subscription": session.subscription_id or None,
        "metadata": dict(session.metadata),
        "success_url": session.success_url,
        "trial_end": timestamp(session.trial_end),
        "cancel_url": session.cancel_url,
    }


def event_object(event_type: str, data_object: dict[str, Any], created: int) -> dict[str, Any]:
    return {
        "id": new_id("evt"),
        "object": "event",
        "api_version": API_VERSION,
        "created": created,
        "type": event_type,
        "livemode": False,
        "pending_webhooks": 1,
        "data": {"object": data_object},
    }
