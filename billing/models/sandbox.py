"""The offline payment provider's own books (public schema).

The sandbox gateway plays Stripe: these tables are "Stripe's side", the state it reports when
Rapport re-reads a subscription. Rapport's own state lives in :mod:`billing.models.subscriptions`
and is only ever updated from what the gateway reports.
"""

from __future__ import annotations

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class SandboxCardBehaviour(models.TextChoices):
    SUCCEEDS = "succeeds", _("Succeeds")
    FAILS_AT_RENEWAL = "fails_at_renewal", _("Fails at renewal")


class SandboxCustomer(models.Model):
    customer_id = models.CharField(max_length=60, unique=True)
    email = models.EmailField(blank=True)
    card_last4 = models.CharField(max_length=4, blank=True)
    card_behaviour = models.CharField(
        max_length=20, choices=SandboxCardBehaviour.choices, default=SandboxCardBehaviour.SUCCEEDS
    )
    #: Credit from downgrades (cents), taken off the next invoice, like Stripe's balance.
    credit_balance = models.PositiveIntegerField(default=0)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.customer_id


class SandboxCheckoutSession(models.Model):
    """A hosted checkout page waiting for a card, like a Stripe Checkout Session."""

    session_id = models.CharField(max_length=80, unique=True)
    client_reference_id = models.CharField(max_length=100, blank=True)
    price_lookup_key = models.CharField(max_length=100)
    quantity = models.PositiveIntegerField(default=1)
    customer = models.ForeignKey(
        SandboxCustomer, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    customer_email = models.EmailField(blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    success_url = models.URLField(max_length=500)
    cancel_url = models.URLField(max_length=500)
    #: "open" until paid, then "complete".
    status = models.CharField(max_length=20, default="open")
    subscription_id = models.CharField(max_length=60, blank=True)
    #: The subscription trials until then (the rest of Rapport's free trial): no charge now.
    trial_end = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.session_id


class SandboxSubscription(models.Model):
    subscription_id = models.CharField(max_length=60, unique=True)
    item_id = models.CharField(max_length=60, unique=True)
    customer = models.ForeignKey(
        SandboxCustomer, on_delete=models.CASCADE, related_name="subscriptions"
    )
    price_lookup_key = models.CharField(max_length=100)
    quantity = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=20, default="active")
    current_period_start = models.DateTimeField()
    current_period_end = models.DateTimeField()
    cancel_at_period_end = models.BooleanField(default=False)
    canceled_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    trial_end = models.DateTimeField(null=True, blank=True)
    latest_invoice_id = models.CharField(max_length=60, blank=True)
    metadata = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.subscription_id


class SandboxInvoice(models.Model):
    invoice_id = models.CharField(max_length=60, unique=True)
    subscription = models.ForeignKey(
        SandboxSubscription, on_delete=models.CASCADE, related_name="invoices"
    )
    #: Amounts in the currency's smallest unit (cents), as Stripe reports them. Negative for
    #: a credit (a downgrade's unused time), which goes to the customer's balance.
    amount_due = models.IntegerField()
    amount_paid = models.IntegerField(default=0)
    #: The invoice's line, e.g. "Growth x 3 (2026-12-01 to 2027-01-01)".
    description = models.CharField(max_length=300, blank=True)
    currency = models.CharField(max_length=3)
    #: "paid" or "open" (a failed charge leaves it open).
    status = models.CharField(max_length=20, default="open")
    attempt_count = models.PositiveSmallIntegerField(default=0)
    period_start = models.DateTimeField()
    period_end = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.invoice_id

    @property
    def amount(self) -> Decimal:
        return Decimal(self.amount_due) / 100


class SandboxPortalSession(models.Model):
    """A self-service page for one customer, like a Stripe Customer Portal session."""

    session_id = models.CharField(max_length=80, unique=True)
    customer = models.ForeignKey(SandboxCustomer, on_delete=models.CASCADE, related_name="+")
    return_url = models.URLField(max_length=500)
    #: Which part of the portal to open: "", "update" or "cancel".
    flow = models.CharField(max_length=20, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.session_id
