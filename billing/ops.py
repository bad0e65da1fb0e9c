"""Provider-operations actions on billing. Each is audited in the workspace's ops log."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.errors import BillingError
from billing.models import (
    Plan,
    SandboxSubscription,
    Subscription,
    SubscriptionStatus,
    WebhookEvent,
    WebhookEventStatus,
)
from billing.sandbox import provider
from billing.selectors import ENDED_STATUSES
from tenants.models import OpsAction, OpsAuditEntry, Tenant
from tenants.users.models import User


def _audit(*, tenant: Tenant, by: User, action: OpsAction, reason: str) -> OpsAuditEntry:
    return OpsAuditEntry.objects.create(
        tenant=tenant, actor_id=by.pk, actor_email=by.email, action=action, reason=reason
    )


def _require_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise BillingError(_("Give a reason; it is shown in the audit log."))
    return reason


@transaction.atomic
def trial_extend(*, tenant: Tenant, by: User, days: int, reason: str) -> Subscription:
    """Give a workspace on a free trial more days (also reopens an expired trial)."""
    reason = _require_reason(reason)
    subscription = Subscription.objects.select_for_update().filter(tenant=tenant).first()
    if (
        subscription is None
        or subscription.has_gateway_subscription
        or (subscription.status != SubscriptionStatus.TRIALING)
    ):
        raise BillingError(_("Only a workspace on a free trial can have its trial extended."))
    if days < 1:
        raise BillingError(_("Extend by at least one day."))
    start = max(subscription.trial_ends_at or timezone.now(), timezone.now())
    subscription.trial_ends_at = start + timedelta(days=days)
    subscription.save(update_fields=["trial_ends_at", "updated_at"])
    _audit(
        tenant=tenant,
        by=by,
        action=OpsAction.BILLING_TRIAL_EXTEND,
        reason=f"+{days} d → {subscription.trial_ends_at:%Y-%m-%d}. {reason}",
    )
    return subscription


@transaction.atomic
def complimentary_grant(*, tenant: Tenant, by: User, plan: Plan, reason: str) -> Subscription:
    """Give a workspace ``plan`` for free: full access, its features and seats, no invoices."""
    reason = _require_reason(reason)
    subscription = Subscription.objects.select_for_update().filter(tenant=tenant).first()
    if (
        subscription is not None
        and subscription.has_gateway_subscription
        and subscription.status not in ENDED_STATUSES
    ):
        raise BillingError(
            _("This workspace pays through the gateway; cancel that subscription first.")
        )
    if subscription is None:
        subscription = Subscription(tenant=tenant, plan=plan)
    subscription.plan = plan
    subscription.is_complimentary = True
    subscription.status = SubscriptionStatus.ACTIVE
    subscription.past_due_since = None
    subscription.save()
    Tenant.objects.filter(pk=tenant.pk).update(plan_slug=plan.slug)
    _audit(
        tenant=tenant,
        by=by,
        action=OpsAction.BILLING_COMPLIMENTARY_GRANT,
        reason=f"{plan.name}. {reason}",
    )
    return subscription


@transaction.atomic
def event_retry(*, event: WebhookEvent, by: User) -> WebhookEvent:
    """Process a failed gateway event again (its handler re-reads the gateway)."""
    if event.status != WebhookEventStatus.FAILED:
        raise BillingError(_("Only a failed event can be retried."))
    if event.tenant is not None:
        _audit(
            tenant=event.tenant,
            by=by,
            action=OpsAction.BILLING_EVENT_RETRY,
            reason=f"{event.event_type} {event.event_id}",
        )
    from billing.tasks import webhook_event_process_enqueue

    webhook_event_process_enqueue(
        event_pk=event.pk, workspace=event.tenant.schema_name if event.tenant else ""
    )
    return event


CLOCK_ACTIONS = ("end_trial", "renew", "fail_payment")


@transaction.atomic
def sandbox_clock_advance(*, tenant: Tenant, by: User, action: str, reason: str = "") -> None:
    """Move a sandbox subscription through time: end the trial, renew, or fail a payment.

    Renewals go through the sandbox provider, which emits the same events Stripe would.
    """
    subscription = Subscription.objects.select_for_update().filter(tenant=tenant).first()
    if subscription is None or action not in CLOCK_ACTIONS:
        raise BillingError(_("This workspace has no subscription to move in time."))
    if action == "end_trial":
        if subscription.has_gateway_subscription or subscription.status != "trialing":
            raise BillingError(_("Only a free trial can be ended."))
        subscription.trial_ends_at = timezone.now()
        subscription.save(update_fields=["trial_ends_at", "updated_at"])
    else:
        if subscription.gateway != "sandbox" or not subscription.has_gateway_subscription:
            raise BillingError(_("Only sandbox subscriptions can be moved in time."))
        sandbox = SandboxSubscription.objects.select_related("customer").get(
            subscription_id=subscription.gateway_subscription_id
        )
        try:
            provider.clock_renew(subscription=sandbox, fail=action == "fail_payment")
        except Exception as error:
            raise BillingError(str(error)) from error
    _audit(
        tenant=tenant,
        by=by,
        action=OpsAction.BILLING_SANDBOX_CLOCK,
        reason=f"{action}. {reason.strip()}".strip(),
    )
