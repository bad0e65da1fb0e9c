"""Billing models (public schema), split by sub-domain and re-exported here."""

from billing.models.accounts import BillingAccount, new_account_reference
from billing.models.plans import BillingInterval, Plan, PlanQuerySet
from billing.models.sandbox import (
    SandboxCardBehaviour,
    SandboxCheckoutSession,
    SandboxCustomer,
    SandboxInvoice,
    SandboxPortalSession,
    SandboxSubscription,
)
from billing.models.subscriptions import (
    BillingNotice,
    Subscription,
    SubscriptionQuerySet,
    SubscriptionStatus,
    WebhookEvent,
    WebhookEventStatus,
)

__all__ = [
    "BillingAccount",
    "BillingInterval",
    "BillingNotice",
    "Plan",
    "PlanQuerySet",
    "SandboxCardBehaviour",
    "SandboxCheckoutSession",
    "SandboxCustomer",
    "SandboxInvoice",
    "SandboxPortalSession",
    "SandboxSubscription",
    "Subscription",
    "SubscriptionQuerySet",
    "SubscriptionStatus",
    "WebhookEvent",
    "WebhookEventStatus",
    "new_account_reference",
]
