"""Writes about subscriptions: trials, checkout and portal, syncing from the gateway, seats."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.errors import BillingError
from billing.gateways import active_gateway, gateway_named
from billing.gateways.base import (
    BillingGateway,
    StripeObject,
    subscription_item,
    subscription_period_end,
)
from billing.models import BillingAccount, BillingInterval, Plan, Subscription, SubscriptionStatus
from billing.selectors import ENDED_STATUSES, seat_limit, seats_reserved, seats_used
from tenants.models import OpsAction, OpsAuditEntry, Tenant

logger = logging.getLogger(__name__)


def default_trial_plan() -> Plan:
    """The plan a trial runs on when the signup chose none: the richest public plan."""
    plan = Plan.objects.public().last() or Plan.objects.order_by("sort_order").last()
    if plan is None:
        raise BillingError(_("No plan is configured."))
    return plan


@transaction.atomic
def subscription_start_trial(*, tenant: Tenant) -> Subscription:
    """Start the free trial of a new workspace: no card, ``BILLING_TRIAL_DAYS`` long.

    The trial runs on the plan chosen at signup. Calling it again changes nothing.
    """
    existing = Subscription.objects.filter(tenant=tenant).first()
    if existing is not None:
        return existing
    plan = Plan.objects.filter(slug=tenant.plan_slug).first() or default_trial_plan()
    return Subscription.objects.create(
        tenant=tenant,
        plan=plan,
        status=SubscriptionStatus.TRIALING,
        trial_ends_at=timezone.now() + timedelta(days=settings.BILLING_TRIAL_DAYS),
        quantity=1,
    )


def _has_live_gateway_subscription(subscription: Subscription | None) -> bool:
    return (
        subscription is not None
        and subscription.has_gateway_subscription
        and subscription.status not in ENDED_STATUSES
    )


@transaction.atomic
def billing_account_ensure(
    *, tenant: Tenant, gateway: BillingGateway, email: str, name: str
) -> BillingAccount:
    """The workspace's customer at ``gateway``, created by Rapport on first use.

    This is the one place a gateway customer is tied to a workspace; webhook handlers only
    ever look the link up. A workspace moving to another gateway gets a new customer there.
    """
    account = BillingAccount.objects.select_for_update().filter(tenant=tenant).first()
    if account is not None and account.gateway == gateway.name and account.gateway_customer_id:
        return account
    if account is None:
        account = BillingAccount(tenant=tenant)
    account.gateway = gateway.name
    account.gateway_customer_id = gateway.customer_create(
        reference=account.reference, email=email, name=name
    )
    account.save()
    return account


def checkout_start(
    *,
    tenant: Tenant,
    plan: Plan,
    interval: str,
    customer_email: str,
    success_url: str,
    cancel_url: str,
) -> str:
    """The hosted checkout page that subscribes the workspace to ``plan`` for its seats."""
    subscription = Subscription.objects.filter(tenant=tenant).first()
    if _has_live_gateway_subscription(subscription):
        raise BillingError(_("This workspace already pays; change the plan in the portal."))
    limit = plan.seat_limit
    used = seats_used(tenant)
    if limit is not None and used > limit:
        raise BillingError(
            _("%(plan)s allows %(limit)s users and this workspace has %(used)s active.")
            % {"plan": plan.name, "limit": limit, "used": used}
        )
    gateway = active_gateway()
    account = billing_account_ensure(
        tenant=tenant, gateway=gateway, email=customer_email, name=tenant.name
    )
    return gateway.checkout_url(
        reference=account.reference,
        plan=plan,
        interval=interval if interval in BillingInterval.values else BillingInterval.MONTH,
        quantity=max(1, used),
        customer_id=account.gateway_customer_id,
        success_url=success_url,
        cancel_url=cancel_url,
        trial_end=trial_carried_over(subscription),
    )


#: Stripe Checkout accepts a trial end only this far ahead; a shorter rest is not carried.
TRIAL_CARRY_MINIMUM = timedelta(hours=48)


def trial_carried_over(subscription: Subscription | None) -> datetime | None:
    """When a paid subscription bought during the free trial should start charging.

    Paying during the trial keeps its remaining days (no charge until it ends), as long as
    at least two days are left; with less, paying ends the trial today, and the billing page
    says so before the customer pays.
    """
    if subscription is None or subscription.status != SubscriptionStatus.TRIALING:
        return None
    ends = subscription.trial_ends_at
    if subscription.has_gateway_subscription or ends is None:
        return None
    return ends if ends - timezone.now() >= TRIAL_CARRY_MINIMUM else None


def checkout_confirm(*, tenant: Tenant, session_id: str) -> Subscription | None:
    """Read a checkout the customer has just returned from and apply it at once.

    The gateway's webhook may arrive later (or never); this makes the billing page true the
    moment the customer is back. Only a completed session of the workspace's own customer
    counts; any other id changes nothing.
    """
    account = BillingAccount.objects.filter(tenant=tenant).first()
    if account is None or not session_id:
        return None
    gateway = gateway_named(account.gateway)
    session = gateway.checkout_session_retrieve(session_id)
    if session is None or str(session.get("customer") or "") != account.gateway_customer_id:
        return None
    subscription_id = str(session.get("subscription") or "")
    if session.get("status") != "complete" or not subscription_id:
        return None
    return subscription_sync(
        tenant=tenant,
        data=gateway.subscription_retrieve(subscription_id),
        gateway_name=gateway.name,
    )


def subscription_refresh(*, tenant: Tenant) -> Subscription | None:
    """Re-read the workspace's gateway subscription now (after the customer used the portal)."""
    subscription = Subscription.objects.filter(tenant=tenant).first()
    if subscription is None or not subscription.has_gateway_subscription:
        return subscription
    gateway = gateway_named(subscription.gateway)
    return subscription_sync(
        tenant=tenant,
        data=gateway.subscription_retrieve(subscription.gateway_subscription_id),
        gateway_name=gateway.name,
    )


def subscription_resume(*, tenant: Tenant) -> Subscription:
    """Keep a subscription that was canceled for the end of its period: it renews again."""
    subscription = Subscription.objects.filter(tenant=tenant).first()
    if (
        subscription is None
        or not _has_live_gateway_subscription(subscription)
        or not subscription.cancel_at_period_end
    ):
        raise BillingError(_("There is no canceled subscription to resume."))
    gateway_named(subscription.gateway).subscription_resume(subscription.gateway_subscription_id)
    resumed = subscription_refresh(tenant=tenant)
    assert resumed is not None  # noqa: S101 -- the row exists, checked above
    return resumed


def portal_start(*, tenant: Tenant, return_url: str, flow: str = "") -> str:
    """The hosted self-service page: payment method, plan change (``update``), ``cancel``."""
    subscription = Subscription.objects.filter(tenant=tenant).first()
    if subscription is None or not subscription.gateway_customer_id:
        raise BillingError(_("There is no paid subscription to manage yet; choose a plan first."))
    if flow and not _has_live_gateway_subscription(subscription):
        raise BillingError(_("The subscription has ended; choose a plan to subscribe again."))
    return gateway_named(subscription.gateway).portal_url(
        customer_id=subscription.gateway_customer_id,
        return_url=return_url,
        flow=flow,
        subscription_id=subscription.gateway_subscription_id,
    )


def _from_timestamp(value: object) -> datetime | None:
    if value in (None, ""):
        return None
    return datetime.fromtimestamp(int(str(value)), tz=UTC)


def _audit_change(*, tenant: Tenant, reason: str) -> None:
    OpsAuditEntry.objects.create(
        tenant=tenant, action=OpsAction.BILLING_STATUS_CHANGE, reason=reason
    )


@transaction.atomic
def subscription_sync(
    *, tenant: Tenant, data: StripeObject | None, gateway_name: str, customer_id: str = ""
) -> Subscription | None:
    """Make the local subscription match what the gateway reports now.

    ``data`` is the gateway subscription re-read at handling time, so the result does not
    depend on the order events arrive in. An ended subscription never replaces a live one
    (an old subscription's late event), and nothing is ever deleted.
    """
    local = Subscription.objects.select_for_update().filter(tenant=tenant).first()
    if data is None:
        logger.warning("The gateway no longer knows the subscription of %s; left as is", tenant)
        return local
    status = str(data["status"])
    incoming_id = str(data["id"])
    if (
        local is not None
        and local.gateway_subscription_id
        and local.gateway_subscription_id != incoming_id
        and local.status not in ENDED_STATUSES
        and status in ENDED_STATUSES
    ):
        logger.info("Ignoring ended %s: %s has a live subscription", incoming_id, tenant)
        return local
    item = subscription_item(data)
    price = item.get("price") or {}
    plan = Plan.objects.for_price(
        price_id=str(price.get("id") or ""), lookup_key=str(price.get("lookup_key") or "")
    )
    if local is None:
        local = Subscription(tenant=tenant, plan=plan or default_trial_plan())
    before = (local.status, local.plan_id) if local.pk else None
    now = timezone.now()
    if plan is not None:
        local.plan = plan
    recurring = price.get("recurring") or {}
    local.interval = (
        BillingInterval.YEAR if recurring.get("interval") == "year" else BillingInterval.MONTH
    )
    local.quantity = int(item.get("quantity") or 1)
    local.status = status
    local.current_period_end = _from_timestamp(subscription_period_end(data))
    local.cancel_at_period_end = bool(data.get("cancel_at_period_end"))
    requested = _from_timestamp(data.get("canceled_at"))
    if status == SubscriptionStatus.CANCELED:
        ended = _from_timestamp(data.get("ended_at"))
        local.canceled_at = ended or requested or local.canceled_at or now
    else:
        local.canceled_at = requested
    if status == SubscriptionStatus.PAST_DUE:
        local.past_due_since = local.past_due_since or now
    else:
        local.past_due_since = None
    if status == SubscriptionStatus.TRIALING and data.get("trial_end"):
        local.trial_ends_at = _from_timestamp(data.get("trial_end"))
    local.gateway = gateway_name
    local.gateway_subscription_id = incoming_id
    local.gateway_customer_id = str(
        data.get("customer") or customer_id or local.gateway_customer_id
    )
    local.is_complimentary = False
    local.last_synced_at = now
    local.save()
    Tenant.objects.filter(pk=tenant.pk).update(plan_slug=local.plan.slug)
    after = (local.status, local.plan_id)
    if before != after:
        _audit_change(
            tenant=tenant,
            reason=_("%(before)s → %(status)s on %(plan)s (%(id)s)")
            % {
                "before": before[0] if before else _("no subscription"),
                "status": local.status,
                "plan": local.plan.name,
                "id": incoming_id,
            },
        )
        if local.status == SubscriptionStatus.CANCELED:
            from billing.notices import notice_send_on_commit

            notice_send_on_commit(tenant=tenant, kind="canceled", key=incoming_id)
    return local


# --- Seats ------------------------------------------------------------------------------------


def seat_ensure_available(*, tenant: Tenant, reserve_pending: bool = False) -> None:
    """Refuse one more active user (or invitation) beyond the plan's seat limit."""
    limit = seat_limit(tenant)
    if limit is None:
        return
    taken = seats_reserved(tenant) if reserve_pending else seats_used(tenant)
    if taken >= limit:
        raise BillingError(
            _(
                "Your plan includes %(limit)s users and all seats are taken. Upgrade the plan "
                "on the Billing page to add more people."
            )
            % {"limit": limit}
        )


def seats_changed(*, tenant: Tenant) -> None:
    """Record a job that bills the new number of active users (sent after commit)."""
    from billing.tasks import subscription_quantity_sync_job

    subscription_quantity_sync_job.enqueue(
        tenant_id=tenant.pk,
        dedupe_key=f"billing.quantity_sync:{tenant.pk}",
        workspace=tenant.schema_name,
    )


def subscription_quantity_sync(*, tenant: Tenant) -> int | None:
    """Set the gateway subscription's seat quantity to the active user count.

    The local quantity follows when the gateway's ``customer.subscription.updated`` arrives.
    """
    subscription = Subscription.objects.filter(tenant=tenant).first()
    if not _has_live_gateway_subscription(subscription):
        return None
    assert subscription is not None  # noqa: S101 -- narrowed by the check above
    quantity = max(1, seats_used(tenant))
    gateway_named(subscription.gateway).subscription_quantity_update(
        subscription_id=subscription.gateway_subscription_id, quantity=quantity
    )
    return quantity


# --- Reconciliation ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReconcileReport:
    checked: int
    changed: int
    failed: int
    #: Subscriptions found only at the gateway (a checkout whose events never arrived).
    recovered: int = 0


def subscriptions_reconcile() -> ReconcileReport:
    """Re-read every gateway subscription and fix local drift (a missed or failed event); then
    find what Rapport never heard of.

    Per billing account, the customer's completed checkouts are read from the gateway: a
    checkout paid there whose subscription Rapport does not hold (the events were lost, the
    customer never came back to the billing page) is synced now. That also covers local
    subscriptions without a gateway id (a trial that was paid for at the gateway).
    """
    checked = changed = failed = 0
    candidates = Subscription.objects.exclude(gateway_subscription_id="").select_related("tenant")
    for subscription in candidates:
        checked += 1
        before = (subscription.status, subscription.plan_id, subscription.quantity)
        try:
            data = gateway_named(subscription.gateway).subscription_retrieve(
                subscription.gateway_subscription_id
            )
            synced = subscription_sync(
                tenant=subscription.tenant, data=data, gateway_name=subscription.gateway
            )
        except Exception:
            logger.exception("Reconciliation failed for %s", subscription.tenant)
            failed += 1
            continue
        if synced is not None and (synced.status, synced.plan_id, synced.quantity) != before:
            changed += 1
    recovered = 0
    for account in BillingAccount.objects.select_related("tenant").exclude(gateway_customer_id=""):
        try:
            recovered += _checkouts_recover(account)
        except Exception:
            logger.exception("Checkout reconciliation failed for %s", account.tenant)
            failed += 1
    logger.info(
        "Billing reconciliation: %s checked, %s changed, %s recovered, %s failed",
        checked,
        changed,
        recovered,
        failed,
    )
    return ReconcileReport(checked, changed + recovered, failed, recovered)


def _checkouts_recover(account: BillingAccount) -> int:
    """Sync the newest completed checkout of ``account`` whose subscription Rapport lacks.

    Only the account's own customer's sessions are read (the link Rapport made), and the
    session's reference must be the account's, so nothing from another workspace applies.
    """
    gateway = gateway_named(account.gateway)
    if gateway.name != account.gateway:
        return 0
    local = Subscription.objects.filter(tenant_id=account.tenant_id).first()
    known = {local.gateway_subscription_id} if local and local.gateway_subscription_id else set()
    for session in gateway.checkout_sessions_completed(customer_id=account.gateway_customer_id):
        subscription_id = str(session.get("subscription") or "")
        reference = str(session.get("client_reference_id") or "")
        if not subscription_id or subscription_id in known:
            continue
        if str(session.get("customer") or "") != account.gateway_customer_id:
            continue
        if reference and reference != account.reference:
            continue
        data = gateway.subscription_retrieve(subscription_id)
        if data is None or str(data.get("customer") or "") != account.gateway_customer_id:
            continue
        if str(data.get("status")) in ENDED_STATUSES:
            continue  # an ended subscription pays for nothing: nothing to recover
        logger.warning(
            "Reconciliation: checkout %s of %s was paid at the gateway but never recorded",
            session.get("id"),
            account.tenant,
        )
        subscription_sync(tenant=account.tenant, data=data, gateway_name=gateway.name)
        return 1
    return 0
