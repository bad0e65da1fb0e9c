"""The payment gateway seam: Stripe when a key is configured, otherwise the offline sandbox."""

from __future__ import annotations

from django.conf import settings

from billing.gateways.base import BillingGateway, GatewayError, SignatureError

__all__ = ["BillingGateway", "GatewayError", "SignatureError", "active_gateway", "gateway_named"]


def active_gateway() -> BillingGateway:
    """The gateway new subscriptions use: Stripe if ``STRIPE_SECRET_KEY`` is set."""
    if settings.STRIPE_SECRET_KEY:
        from billing.gateways.stripe import stripe_gateway_from_settings

        return stripe_gateway_from_settings()
    from billing.gateways.sandbox import SandboxGateway

    return SandboxGateway()


def gateway_named(name: str) -> BillingGateway:
    """The gateway a subscription's ids belong to (falls back to the active one)."""
    if name == "sandbox":
        from billing.gateways.sandbox import SandboxGateway

        return SandboxGateway()
    return active_gateway()
