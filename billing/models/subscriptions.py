"""A workspace's subscription, the webhook event ledger and sent billing notices (public schema).

The gateway (Stripe or the sandbox) is the source of truth; these rows are the local copy that
access checks read on every request. Webhook handlers and the nightly reconciliation keep them
current by re-reading the gateway, never by trusting the order of events.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from billing.models.plans import BillingInterval, Plan
from tenants.models import Tenant


class SubscriptionStatus(models.TextChoices):
    """Stripe's subscription statuses, which the sandbox uses as well."""

    TRIALING = "trialing", _("Trial")
    ACTIVE = "active", _("Active")
    PAST_DUE = "past_due", _("Payment overdue")
    CANCELED = "canceled", _("Canceled")
    UNPAID = "unpaid", _("Unpaid")
    INCOMPLETE = "incomplete", _("Incomplete")
    INCOMPLETE_EXPIRED = "incomplete_expired", _("Expired before payment")
    PAUSED = "paused", _("Paused")


class SubscriptionQuerySet(models.QuerySet["Subscription"]):
    def paying(self) -> SubscriptionQuerySet:
        """Subscriptions that bring revenue: paid through the gateway, not complimentary."""
        return self.filter(
            status__in=[SubscriptionStatus.ACTIVE, SubscriptionStatus.PAST_DUE],
            is_complimentary=False,
        ).exclude(gateway_subscription_id="")

    def local_trials(self) -> SubscriptionQuerySet:
        """Free trials started at signup that have no gateway subscription yet."""
        return self.filter(
            status=SubscriptionStatus.TRIALING, gateway_subscription_id="", is_complimentary=False
        )


class Subscription(models.Model):
    """What a workspace pays for and where it stands; one per workspace.

    A workspace without a row is not billed (the demo, workspaces made by hand): it has full
    access and no seat limit. Every signup gets a row with a free trial.
    """

    tenant = models.OneToOneField(Tenant, on_delete=models.CASCADE, related_name="subscription")
    plan = models.ForeignKey(Plan, on_delete=models.PROTECT, related_name="subscriptions")
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=SubscriptionStatus.choices,
        default=SubscriptionStatus.TRIALING,
    )
    interval = models.CharField(
        _("billing interval"),
        max_length=10,
        choices=BillingInterval.choices,
        default=BillingInterval.MONTH,
    )
    #: Seats paid for; follows the number of active users.
    quantity = models.PositiveIntegerField(_("seats paid"), default=1)
    trial_ends_at = models.DateTimeField(_("trial ends"), null=True, blank=True)
    current_period_end = models.DateTimeField(_("current period ends"), null=True, blank=True)
    cancel_at_period_end = models.BooleanField(_("cancels at period end"), default=False)
    #: When the subscription fell past due; the grace period counts from here.
    past_due_since = models.DateTimeField(_("past due since"), null=True, blank=True)
    canceled_at = models.DateTimeField(_("canceled"), null=True, blank=True)
    #: Granted by provider ops: full access on ``plan`` without payment.
    is_complimentary = models.BooleanField(_("complimentary"), default=False)
    #: "stripe" or "sandbox": which gateway the ids below belong to.
    gateway = models.CharField(max_length=20, blank=True)
    gateway_customer_id = models.CharField(max_length=100, blank=True)
    gateway_subscription_id = models.CharField(max_length=100, blank=True, db_index=True)
    last_synced_at = models.DateTimeField(_("last synced"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SubscriptionQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        indexes = [models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.tenant} · {self.plan} · {self.status}"

    @property
    def has_gateway_subscription(self) -> bool:
        return bool(self.gateway_subscription_id)


class WebhookEventStatus(models.TextChoices):
    RECEIVED = "received", _("Received")
    PROCESSED = "processed", _("Processed")
    FAILED = "failed", _("Failed")
    IGNORED = "ignored", _("Ignored")
    #: Refused: the event names a customer or subscription that does not belong where it
    #: claims (a forgery, or gateway data Rapport never linked). Nothing was changed.
    FLAGGED = "flagged", _("Flagged")


class WebhookEvent(models.Model):
    """The ledger of gateway events: each event id is stored once, so a redelivery is a no-op."""

    event_id = models.CharField(max_length=100, unique=True)
    event_type = models.CharField(max_length=100)
    gateway = models.CharField(max_length=20)
    payload = models.JSONField()
    status = models.CharField(
        max_length=20, choices=WebhookEventStatus.choices, default=WebhookEventStatus.RECEIVED
    )
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    #: The workspace the event turned out to concern, once a handler has found it.
    tenant = models.ForeignKey(
        Tenant, on_delete=models.SET_NULL, null=True, blank=True, related_name="billing_events"
    )
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "received_at"])]

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id}"


class BillingNotice(models.Model):
    """A billing email that was sent, keyed so that a retried handler never sends it twice."""

    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="billing_notices")
    kind = models.CharField(max_length=40)
    #: What the notice is about: an invoice id, a trial end date, a subscription id.
    key = models.CharField(max_length=150)
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_at"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "key"], name="billing_notice_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"
