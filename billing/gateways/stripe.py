"""The Stripe gateway: Checkout to buy, the Customer Portal for self-service, reads for truth.

This is the only module that imports ``stripe``. stripe-python 16 returns ``StripeObject``s
that are not dicts (``.get()`` fails), so everything leaving this module goes through
``to_dict()``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import stripe
from django.conf import settings

from billing.gateways.base import (
    BillingGateway,
    GatewayError,
    GatewayPlanIds,
    InvoiceSummary,
    SignatureError,
    StripeObject,
    invoice_description,
)
from billing.models import BillingInterval, Plan


class StripeGateway(BillingGateway):
    name = "stripe"

    def __init__(
        self, *, secret_key: str, webhook_secret: str, http_client: Any | None = None
    ) -> None:
        self.client = stripe.StripeClient(secret_key, http_client=http_client)
        self.webhook_secret = webhook_secret

    def _call(self, method: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return method(*args, **kwargs)
        except stripe.StripeError as error:
            message = getattr(error, "user_message", None) or "The payment provider failed."
            raise GatewayError(str(message)) from error

    def customer_create(self, *, reference: str, email: str, name: str) -> str:
        params: dict[str, Any] = {"metadata": {"rapport_account": reference}}
        if email:
            params["email"] = email
        if name:
            params["name"] = name
        customer = self._call(self.client.v1.customers.create, params=params)
        return str(customer["id"])

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
        price_id = (
            plan.gateway_yearly_price_id
            if interval == BillingInterval.YEAR
            else plan.gateway_monthly_price_id
        )
        if not price_id:
            raise GatewayError("This plan is not on sale yet (run billing_sync_plans).")
        metadata = {"rapport_account": reference}
        params: dict[str, Any] = {
            "mode": "subscription",
            "customer": customer_id,
            "line_items": [{"price": price_id, "quantity": max(1, quantity)}],
            "client_reference_id": reference,
            "metadata": metadata,
            "subscription_data": {"metadata": metadata},
            "success_url": success_url,
            "cancel_url": cancel_url,
        }
        if trial_end is not None:
            params["subscription_data"]["trial_end"] = int(trial_end.timestamp())
        session = self._call(self.client.v1.checkout.sessions.create, params=params)
        return str(session["url"])

    def portal_url(
        self, *, customer_id: str, return_url: str, flow: str = "", subscription_id: str = ""
    ) -> str:
        params: dict[str, Any] = {"customer": customer_id, "return_url": return_url}
        if flow == "cancel" and subscription_id:
            params["flow_data"] = {
                "type": "subscription_cancel",
                "subscription_cancel": {"subscription": subscription_id},
            }
        elif flow == "update" and subscription_id:
            params["flow_data"] = {
                "type": "subscription_update",
                "subscription_update": {"subscription": subscription_id},
            }
        session = self._call(self.client.v1.billing_portal.sessions.create, params=params)
        return str(session["url"])

    def _retrieve(self, method: Any, object_id: str) -> StripeObject | None:
        """A plain dict of the object, ``None`` if Stripe has no such object."""
        try:
            found = method(object_id)
        except stripe.InvalidRequestError as error:
            if getattr(error, "code", None) == "resource_missing":
                return None
            raise GatewayError("The payment provider failed.") from error
        except stripe.StripeError as error:
            raise GatewayError("The payment provider failed.") from error
        result: StripeObject = found.to_dict()
        return result

    def subscription_retrieve(self, subscription_id: str) -> StripeObject | None:
        return self._retrieve(self.client.v1.subscriptions.retrieve, subscription_id)

    def checkout_session_retrieve(self, session_id: str) -> StripeObject | None:
        return self._retrieve(self.client.v1.checkout.sessions.retrieve, session_id)

    def checkout_sessions_completed(
        self, *, customer_id: str, limit: int = 20
    ) -> list[StripeObject]:
        page = self._call(
            self.client.v1.checkout.sessions.list,
            params={"customer": customer_id, "status": "complete", "limit": limit},
        )
        return [session.to_dict() for session in page["data"]]

    def invoice_retrieve(self, invoice_id: str) -> StripeObject | None:
        return self._retrieve(self.client.v1.invoices.retrieve, invoice_id)

    def subscription_resume(self, subscription_id: str) -> None:
        self._call(
            self.client.v1.subscriptions.update,
            subscription_id,
            params={"cancel_at_period_end": False},
        )

    def subscription_quantity_update(self, *, subscription_id: str, quantity: int) -> None:
        subscription = self._call(self.client.v1.subscriptions.retrieve, subscription_id)
        item = subscription["items"]["data"][0]
        if int(item["quantity"]) == quantity:
            return
        self._call(
            self.client.v1.subscriptions.update,
            subscription_id,
            params={
                "items": [{"id": item["id"], "quantity": max(1, quantity)}],
                "proration_behavior": "create_prorations",
            },
        )

    def invoices_list(self, *, customer_id: str, limit: int = 12) -> list[InvoiceSummary]:
        page = self._call(
            self.client.v1.invoices.list, params={"customer": customer_id, "limit": limit}
        )
        return [
            InvoiceSummary(
                invoice_id=str(invoice["id"]),
                number=str(invoice["number"] or ""),
                created_at=datetime.fromtimestamp(int(invoice["created"]), tz=UTC),
                amount=Decimal(int(invoice["amount_due"])) / 100,
                currency=str(invoice["currency"]).upper(),
                status=str(invoice["status"]),
                url=str(invoice["hosted_invoice_url"] or ""),
                description=invoice_description(invoice.to_dict()),
            )
            for invoice in page["data"]
        ]

    def event_verify(self, *, payload: bytes, signature: str) -> StripeObject:
        try:
            stripe.WebhookSignature.verify_header(
                payload.decode("utf-8"), signature, self.webhook_secret, tolerance=300
            )
            event: StripeObject = json.loads(payload)
        except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError) as error:
            raise SignatureError(str(error)) from error
        return event

    def plan_sync(self, *, plan: Plan) -> GatewayPlanIds:
        product_id = plan.gateway_product_id or f"rapport_{plan.slug}"
        product_params = {"name": f"Rapport {plan.name}", "description": plan.tagline or None}
        try:
            self.client.v1.products.retrieve(product_id)
            self._call(self.client.v1.products.update, product_id, params=product_params)
        except stripe.InvalidRequestError:
            self._call(self.client.v1.products.create, params={"id": product_id, **product_params})
        return GatewayPlanIds(
            product_id=product_id,
            monthly_price_id=self._price_ensure(plan, product_id, BillingInterval.MONTH),
            yearly_price_id=self._price_ensure(plan, product_id, BillingInterval.YEAR),
        )

    def _price_ensure(self, plan: Plan, product_id: str, interval: str) -> str:
        """Reuse the price under the plan's lookup key if it still matches, else make one.

        Stripe prices are immutable: a changed amount gets a new price that takes over the
        lookup key, and existing subscriptions keep their old price until changed.
        """
        lookup_key = plan.lookup_key(interval)
        amount = int(plan.price_per_seat(interval) * 100)
        found = self._call(
            self.client.v1.prices.list, params={"lookup_keys": [lookup_key], "active": True}
        )
        for price in found["data"]:
            if int(price["unit_amount"]) == amount and price["currency"] == plan.currency.lower():
                return str(price["id"])
        created = self._call(
            self.client.v1.prices.create,
            params={
                "product": product_id,
                "currency": plan.currency.lower(),
                "unit_amount": amount,
                "recurring": {"interval": interval},
                "lookup_key": lookup_key,
                "transfer_lookup_key": True,
            },
        )
        return str(created["id"])


def stripe_gateway_from_settings() -> StripeGateway:
    return StripeGateway(
        secret_key=settings.STRIPE_SECRET_KEY, webhook_secret=settings.STRIPE_WEBHOOK_SECRET
    )
