"""The small interface every payment gateway offers Rapport.

Objects cross the seam as plain, Stripe-shaped dictionaries (a subscription as Stripe's API
returns it), so the webhook handlers are the same code for Stripe and the sandbox.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from billing.models import Plan

#: A Stripe-shaped object (subscription, invoice, event) as a plain dictionary.
StripeObject = dict[str, Any]


class SignatureError(Exception):
    """A webhook payload whose signature does not verify; nothing of it may be trusted."""


class GatewayError(Exception):
    """The gateway refused or failed; the message is safe to show to the customer."""


@dataclass(frozen=True)
class InvoiceSummary:
    invoice_id: str
    number: str
    created_at: datetime
    amount: Decimal
    currency: str
    status: str
    url: str
    #: What the invoice is for, from its lines ("Growth x 3", "Proration: Growth to Pro").
    description: str = ""


@dataclass(frozen=True)
class GatewayPlanIds:
    product_id: str
    monthly_price_id: str
    yearly_price_id: str


class BillingGateway(ABC):
    """Checkout to buy, a portal for self-service, reads for the truth, signed events."""

    #: Recorded on each subscription: which gateway its ids belong to.
    name: str

    @abstractmethod
    def customer_create(self, *, reference: str, email: str, name: str) -> str:
        """Create the gateway customer of the workspace known by ``reference``; its id."""

    @abstractmethod
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
        """A hosted checkout page that subscribes ``customer_id`` to ``plan``.

        With ``trial_end`` the subscription starts trialing until then (the card is taken
        now, the first charge happens at ``trial_end``), so paying keeps the trial's days.
        ``success_url`` may contain ``{CHECKOUT_SESSION_ID}``, replaced by the session id.

        ``reference`` is the workspace's opaque billing reference (never a primary key); it
        travels as the client reference so an event can be checked against the customer.
        """

    @abstractmethod
    def portal_url(
        self, *, customer_id: str, return_url: str, flow: str = "", subscription_id: str = ""
    ) -> str:
        """A hosted self-service page: card, plan change (``flow="update"``), ``"cancel"``."""

    @abstractmethod
    def subscription_retrieve(self, subscription_id: str) -> StripeObject | None:
        """The subscription as the gateway knows it now, or ``None`` if it does not exist."""

    @abstractmethod
    def checkout_session_retrieve(self, session_id: str) -> StripeObject | None:
        """The checkout session as the gateway knows it now, or ``None``."""

    @abstractmethod
    def checkout_sessions_completed(
        self, *, customer_id: str, limit: int = 20
    ) -> list[StripeObject]:
        """The customer's completed checkout sessions, newest first (for reconciliation: a
        checkout paid at the gateway whose events never reached Rapport)."""

    @abstractmethod
    def invoice_retrieve(self, invoice_id: str) -> StripeObject | None:
        """The invoice as the gateway knows it now (amounts included), or ``None``."""

    @abstractmethod
    def subscription_resume(self, subscription_id: str) -> None:
        """Undo a cancellation at period end: the subscription renews again."""

    @abstractmethod
    def subscription_quantity_update(self, *, subscription_id: str, quantity: int) -> None:
        """Bill ``quantity`` seats from now on."""

    @abstractmethod
    def invoices_list(self, *, customer_id: str, limit: int = 12) -> list[InvoiceSummary]:
        """The customer's latest invoices, newest first."""

    @abstractmethod
    def event_verify(self, *, payload: bytes, signature: str) -> StripeObject:
        """The event in ``payload`` if ``signature`` is valid; raises :class:`SignatureError`."""

    @abstractmethod
    def plan_sync(self, *, plan: Plan) -> GatewayPlanIds:
        """Create or update the plan's product and its monthly and yearly prices."""


def subscription_item(subscription: StripeObject) -> StripeObject:
    """The subscription's single line (Rapport sells one per-seat price per subscription)."""
    items = subscription.get("items") or {}
    data = items.get("data") or [{}]
    first: StripeObject = data[0]
    return first


def subscription_period_end(subscription: StripeObject) -> int | None:
    """End of the current period; newer Stripe API versions keep it on the item."""
    value = subscription_item(subscription).get("current_period_end")
    if value is None:
        value = subscription.get("current_period_end")
    return int(value) if value is not None else None


def invoice_description(invoice: StripeObject) -> str:
    """The invoice's lines in a few words, for the billing page."""
    lines = (invoice.get("lines") or {}).get("data") or []
    return "; ".join(
        str(line.get("description") or "") for line in lines if line.get("description")
    )


def invoice_subscription_id(invoice: StripeObject) -> str:
    """The subscription an invoice bills, in both the current and the older API shape."""
    parent = invoice.get("parent") or {}
    details = parent.get("subscription_details") or {}
    subscription = details.get("subscription") or invoice.get("subscription") or ""
    if isinstance(subscription, dict):
        return str(subscription.get("id", ""))
    return str(subscription)
