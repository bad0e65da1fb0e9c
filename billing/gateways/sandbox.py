"""The sandbox gateway: Rapport's client for the offline provider in :mod:`billing.sandbox`."""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from decimal import Decimal

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext as _

from billing.gateways.base import (
    BillingGateway,
    GatewayError,
    GatewayPlanIds,
    InvoiceSummary,
    SignatureError,
    StripeObject,
)
from billing.models import (
    BillingInterval,
    Plan,
    SandboxCheckoutSession,
    SandboxCustomer,
    SandboxInvoice,
    SandboxPortalSession,
    SandboxSubscription,
)
from billing.sandbox import objects, provider
from billing.signatures import signature_verify
from tenants.selectors import public_url


def _public_page(name: str, session_id: str) -> str:
    """The hosted page's address on the public host (reversed in the public URLconf)."""
    path = reverse(name, args=[session_id], urlconf=settings.PUBLIC_SCHEMA_URLCONF)
    return public_url(path)


class SandboxGateway(BillingGateway):
    name = "sandbox"

    def customer_create(self, *, reference: str, email: str, name: str) -> str:
        customer = SandboxCustomer.objects.create(
            customer_id=objects.new_id("cus"),
            email=email,
            metadata={"rapport_account": reference},
        )
        return customer.customer_id

    def checkout_url(
        self,
        *,
        reference: str,
        plan: Plan,
        interval: str,
        quantity: int,
        customer_id: str,
        success_url: str,
        cancel_url: str,
        trial_end: datetime | None = None,
    ) -> str:
        customer = SandboxCustomer.objects.filter(customer_id=customer_id).first()
        if customer is None:
            raise GatewayError(_("The billing account could not be found; try again."))
        session = SandboxCheckoutSession.objects.create(
            session_id=f"cs_sbx_{secrets.token_urlsafe(24)}",
            client_reference_id=reference,
            price_lookup_key=plan.lookup_key(interval),
            quantity=max(1, quantity),
            customer=customer,
            customer_email=customer.email,
            metadata={"rapport_account": reference},
            success_url=success_url,
            cancel_url=cancel_url,
            trial_end=trial_end,
        )
        return _public_page("billing_public:sandbox_checkout", session.session_id)

    def portal_url(
        self, *, customer_id: str, return_url: str, flow: str = "", subscription_id: str = ""
    ) -> str:
        customer = SandboxCustomer.objects.filter(customer_id=customer_id).first()
        if customer is None:
            raise GatewayError("There is no billing account to manage yet.")
        session = SandboxPortalSession.objects.create(
            session_id=f"bps_sbx_{secrets.token_urlsafe(24)}",
            customer=customer,
            return_url=return_url,
            flow=flow,
        )
        return _public_page("billing_public:sandbox_portal", session.session_id)

    def subscription_retrieve(self, subscription_id: str) -> StripeObject | None:
        subscription = (
            SandboxSubscription.objects.select_related("customer")
            .filter(subscription_id=subscription_id)
            .first()
        )
        return objects.subscription_object(subscription) if subscription else None

    def checkout_session_retrieve(self, session_id: str) -> StripeObject | None:
        session = (
            SandboxCheckoutSession.objects.select_related("customer")
            .filter(session_id=session_id)
            .first()
        )
        return objects.checkout_session_object(session) if session else None

    def checkout_sessions_completed(
        self, *, customer_id: str, limit: int = 20
    ) -> list[StripeObject]:
        sessions = (
            SandboxCheckoutSession.objects.select_related("customer")
            .filter(customer__customer_id=customer_id, status="complete")
            .order_by("-created_at", "-id")[:limit]
        )
        return [objects.checkout_session_object(session) for session in sessions]

    def invoice_retrieve(self, invoice_id: str) -> StripeObject | None:
        invoice = (
            SandboxInvoice.objects.select_related("subscription__customer")
            .filter(invoice_id=invoice_id)
            .first()
        )
        return objects.invoice_object(invoice) if invoice else None

    def subscription_resume(self, subscription_id: str) -> None:
        subscription = SandboxSubscription.objects.get(subscription_id=subscription_id)
        provider.subscription_resume(subscription=subscription)

    def subscription_quantity_update(self, *, subscription_id: str, quantity: int) -> None:
        subscription = SandboxSubscription.objects.get(subscription_id=subscription_id)
        if subscription.quantity != quantity and subscription.status != "canceled":
            provider.subscription_change(subscription=subscription, quantity=quantity)

    def invoices_list(self, *, customer_id: str, limit: int = 12) -> list[InvoiceSummary]:
        invoices = SandboxInvoice.objects.filter(
            subscription__customer__customer_id=customer_id
        ).order_by("-created_at", "-id")[:limit]
        return [
            InvoiceSummary(
                invoice_id=invoice.invoice_id,
                number=invoice.invoice_id.upper()[-8:],
                created_at=invoice.created_at,
                amount=Decimal(invoice.amount_due) / 100,
                currency=invoice.currency.upper(),
                status=invoice.status,
                url="",
                description=invoice.description,
            )
            for invoice in invoices
        ]

    def event_verify(self, *, payload: bytes, signature: str) -> StripeObject:
        signature_verify(
            payload=payload, header=signature, secret=settings.BILLING_SANDBOX_WEBHOOK_SECRET
        )
        try:
            event: StripeObject = json.loads(payload)
        except ValueError as error:
            raise SignatureError("The payload is not JSON.") from error
        return event

    def plan_sync(self, *, plan: Plan) -> GatewayPlanIds:
        return GatewayPlanIds(
            product_id=f"prod_sbx_{plan.slug}",
            monthly_price_id=f"price_sbx_{plan.lookup_key(BillingInterval.MONTH)}",
            yearly_price_id=f"price_sbx_{plan.lookup_key(BillingInterval.YEAR)}",
        )
