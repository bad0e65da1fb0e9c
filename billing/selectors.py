"""Reads about plans, subscriptions, access and seats.

Code asks ``tenant_has_feature(tenant, "api")`` or ``seat_limit(tenant)``, never which plan a
workspace is on.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Count, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import tenant_context

from billing.models import Plan, Subscription, SubscriptionStatus, WebhookEvent
from tenants.models import Tenant


class AccessLevel(models.TextChoices):
    FULL = "full", _("Full access")
    GRACE = "grace", _("Full access during the grace period")
    READ_ONLY = "read_only", _("Read-only")


#: Statuses after which a gateway subscription no longer pays for anything.
ENDED_STATUSES = frozenset(
    {SubscriptionStatus.CANCELED, SubscriptionStatus.INCOMPLETE_EXPIRED, SubscriptionStatus.UNPAID}
)


@dataclass(frozen=True)
class BillingAccess:
    """What a workspace may do because of its subscription, and why."""

    level: str
    reason: str = ""
    subscription: Subscription | None = None
    trial_days_left: int | None = None
    grace_days_left: int | None = None

    @property
    def label(self) -> str:
        return str(AccessLevel(self.level).label)

    @property
    def read_only(self) -> bool:
        return self.level == AccessLevel.READ_ONLY

    @property
    def in_grace(self) -> bool:
        return self.level == AccessLevel.GRACE

    @property
    def in_trial(self) -> bool:
        return self.trial_days_left is not None


def _days_left(until: datetime, now: datetime) -> int:
    return max(0, math.ceil((until - now) / timedelta(days=1)))


def tenant_subscription(tenant: Tenant) -> Subscription | None:
    return Subscription.objects.select_related("plan").filter(tenant_id=tenant.pk).first()


def grace_ends_at(subscription: Subscription) -> datetime | None:
    if subscription.past_due_since is None:
        return None
    return subscription.past_due_since + timedelta(days=settings.BILLING_GRACE_DAYS)


def billing_access(
    subscription: Subscription | None, *, now: datetime | None = None
) -> BillingAccess:
    """The access policy: trialing and active work fully; past_due keeps full access for the
    grace period; after it, after an unpaid trial, or once canceled the workspace is read-only.

    A workspace without a subscription is not billed and keeps full access.
    """
    now = now or timezone.now()
    if subscription is None or subscription.is_complimentary:
        return BillingAccess(AccessLevel.FULL, subscription=subscription)
    status = subscription.status
    if status == SubscriptionStatus.TRIALING or (
        status == SubscriptionStatus.INCOMPLETE and not subscription.has_gateway_subscription
    ):
        ends = subscription.trial_ends_at
        if subscription.has_gateway_subscription or ends is None or ends > now:
            days = _days_left(ends, now) if ends is not None else None
            return BillingAccess(AccessLevel.FULL, subscription=subscription, trial_days_left=days)
        return BillingAccess(
            AccessLevel.READ_ONLY,
            _("The free trial has ended. Choose a plan to keep working; your data is safe."),
            subscription,
        )
    if status == SubscriptionStatus.ACTIVE:
        return BillingAccess(AccessLevel.FULL, subscription=subscription)
    if status == SubscriptionStatus.PAST_DUE:
        grace_end = grace_ends_at(subscription) or now + timedelta(days=settings.BILLING_GRACE_DAYS)
        if grace_end > now:
            return BillingAccess(
                AccessLevel.GRACE,
                _("The last payment failed. Update the payment method to avoid interruption."),
                subscription,
                grace_days_left=_days_left(grace_end, now),
            )
        return BillingAccess(
            AccessLevel.READ_ONLY,
            _(
                "Payment is overdue and the grace period is over. Update the payment method to "
                "keep working; your data is safe."
            ),
            subscription,
        )
    return BillingAccess(
        AccessLevel.READ_ONLY,
        _("The subscription has ended. Choose a plan to keep working; your data is safe."),
        subscription,
    )


def tenant_access(tenant: Tenant) -> BillingAccess:
    return billing_access(tenant_subscription(tenant))


def tenant_plan(tenant: Tenant) -> Plan | None:
    """The plan whose features and limits apply, or ``None`` for an unbilled workspace."""
    subscription = tenant_subscription(tenant)
    return subscription.plan if subscription else None


def tenant_has_feature(tenant: Tenant, feature: str) -> bool:
    """Whether the workspace's plan includes ``feature`` (unbilled workspaces have all)."""
    plan = tenant_plan(tenant)
    return True if plan is None else plan.has_feature(feature)


def seat_limit(tenant: Tenant) -> int | None:
    """How many active users the plan allows; ``None`` means unlimited."""
    plan = tenant_plan(tenant)
    return None if plan is None else plan.seat_limit


def seats_used(tenant: Tenant) -> int:
    """Active users of the workspace: each one takes a seat."""
    from tenants.users.models import User

    with tenant_context(tenant):
        return User.objects.filter(is_active=True).count()


def seats_reserved(tenant: Tenant) -> int:
    """Seats taken by active users plus pending invitations (each will take one)."""
    from tenants.users.models import Invitation, User

    with tenant_context(tenant):
        return User.objects.filter(is_active=True).count() + Invitation.objects.pending().count()


def tenant_billing_events(tenant: Tenant) -> QuerySet[WebhookEvent]:
    return WebhookEvent.objects.filter(tenant_id=tenant.pk)


# --- Provider-operations figures ---------------------------------------------------------------


@dataclass(frozen=True)
class RevenueFigure:
    currency: str
    mrr: Decimal
    arr: Decimal


def recurring_revenue() -> list[RevenueFigure]:
    """Monthly and annual recurring revenue of paying subscriptions, per currency."""
    totals: dict[str, Decimal] = defaultdict(Decimal)
    for subscription in Subscription.objects.paying().select_related("plan"):
        plan = subscription.plan
        totals[plan.currency] += plan.monthly_value_per_seat(subscription.interval) * max(
            1, subscription.quantity
        )
    return [
        RevenueFigure(currency, mrr.quantize(Decimal("0.01")), (mrr * 12).quantize(Decimal("0.01")))
        for currency, mrr in sorted(totals.items())
    ]


def subscription_counts() -> dict[str, int]:
    """How many workspaces are in each subscription status (complimentary counted apart)."""
    rows = (
        Subscription.objects.filter(is_complimentary=False)
        .values("status")
        .annotate(count=Count("id"))
    )
    counts = {str(row["status"]): int(row["count"]) for row in rows}
    counts["complimentary"] = Subscription.objects.filter(is_complimentary=True).count()
    return counts


def trials_ending(*, within_days: int = 7) -> QuerySet[Subscription]:
    now = timezone.now()
    return (
        Subscription.objects.local_trials()
        .filter(trial_ends_at__gt=now, trial_ends_at__lte=now + timedelta(days=within_days))
        .select_related("tenant", "plan")
        .order_by("trial_ends_at")
    )


def expired_trials() -> QuerySet[Subscription]:
    return (
        Subscription.objects.local_trials()
        .filter(trial_ends_at__lte=timezone.now())
        .select_related("tenant", "plan")
    )


def past_due_subscriptions() -> QuerySet[Subscription]:
    return (
        Subscription.objects.filter(status=SubscriptionStatus.PAST_DUE, is_complimentary=False)
        .select_related("tenant", "plan")
        .order_by("past_due_since")
    )


@dataclass(frozen=True)
class Churn:
    canceled: int
    base: int

    @property
    def rate_percent(self) -> Decimal:
        if not self.base:
            return Decimal(0)
        return (Decimal(self.canceled) * 100 / self.base).quantize(Decimal("0.1"))


def churn(*, days: int = 30) -> Churn:
    """Paid subscriptions canceled in the last ``days``, against those paying at its start."""
    since = timezone.now() - timedelta(days=days)
    canceled = Subscription.objects.filter(
        status=SubscriptionStatus.CANCELED, canceled_at__gte=since, is_complimentary=False
    ).count()
    return Churn(canceled=canceled, base=Subscription.objects.paying().count() + canceled)
