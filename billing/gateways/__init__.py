"""The payment gateway seam: Stripe when a key is configured, otherwise the offline sandbox.

The sandbox only answers where it is allowed (``BILLING_SANDBOX_ENABLED``, on by default on
a laptop, off in production unless a demo deployment asks) and never beside Stripe: with a
Stripe key set, its pages are 404s and its events are not accepted.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from billing.gateways.base import BillingGateway, GatewayError, SignatureError

__all__ = [
    "BillingGateway",
    "GatewayError",
    "SignatureError",
    "active_gateway",
    "gateway_named",
    "sandbox_active",
]


def sandbox_active() -> bool:
    """Whether the offline sandbox is this deployment's gateway."""
    return not settings.STRIPE_SECRET_KEY and bool(settings.BILLING_SANDBOX_ENABLED)


def active_gateway() -> BillingGateway:
    """The gateway new subscriptions use: Stripe if ``STRIPE_SECRET_KEY`` is set."""
    if settings.STRIPE_SECRET_KEY:
        from billing.gateways.stripe import stripe_gateway_from_settings

        return stripe_gateway_from_settings()
    if not sandbox_active():
        raise ImproperlyConfigured(
            "No payment gateway: set STRIPE_SECRET_KEY or BILLING_SANDBOX_ENABLED=true."
        )
    from billing.gateways.sandbox import SandboxGateway

    return SandboxGateway()


def gateway_named(name: str) -> BillingGateway:
    """The gateway a subscription's ids belong to (falls back to the active one).

    Sandbox ids are only honoured while the sandbox is the active gateway, so a deployment
    that moved to Stripe never acts on sandbox data.
    """
    if name == "sandbox" and sandbox_active():
        from billing.gateways.sandbox import SandboxGateway

        return SandboxGateway()
    return active_gateway()
