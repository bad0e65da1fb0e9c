"""Billing in the operations console: figures, per-workspace history, audited actions."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from billing.models import (
    BillingAccount,
    Plan,
    SandboxCheckoutSession,
    SandboxCustomer,
    Subscription,
    SubscriptionStatus,
    WebhookEvent,
    WebhookEventStatus,
)
from billing.sandbox import objects
from billing.selectors import billing_access, churn, recurring_revenue
from tenants.models import OpsAction, OpsAuditEntry
from tests.billing.conftest import event, make_subscription, post_event
from tests.billing.flows import FAILS_AT_RENEWAL_CARD, subscribe
from tests.conftest import Workspace


def test_ops_billing_requires_staff(alpha_client: Client, db) -> None:
    response = Client(HTTP_HOST="localhost").get("/ops/billing/")
    assert response.status_code == 302
    assert response["Location"].startswith("/ops/login/")


def test_ops_billing_is_not_served_on_a_workspace_host(alpha_client: Client) -> None:
    assert alpha_client.get("/ops/billing/").status_code == 404


def test_recurring_revenue_counts_paying_seats(alpha: Workspace, beta: Workspace) -> None:
    make_subscription(
        alpha.tenant,
        plan="growth",
        status=SubscriptionStatus.ACTIVE,
        quantity=2,
        gateway_subscription_id="sub_a",
    )
    make_subscription(
        beta.tenant,
        plan="pro",
        status=SubscriptionStatus.ACTIVE,
        interval="year",
        quantity=1,
        gateway_subscription_id="sub_b",
    )
    (figure,) = recurring_revenue()
    expected = Decimal("58.00") + Decimal("590") / 12
    assert figure.mrr == expected.quantize(Decimal("0.01"))
    assert figure.arr == (expected * 12).quantize(Decimal("0.01"))


def test_trials_and_complimentary_plans_are_not_revenue(alpha: Workspace, beta: Workspace) -> None:
    make_subscription(alpha.tenant)
    make_subscription(beta.tenant, status=SubscriptionStatus.ACTIVE, is_complimentary=True)
    assert recurring_revenue() == []


def test_churn_counts_cancellations_of_the_last_30_days(alpha: Workspace, beta: Workspace) -> None:
    make_subscription(alpha.tenant, status=SubscriptionStatus.ACTIVE, gateway_subscription_id="s1")
    make_subscription(
        beta.tenant,
        status=SubscriptionStatus.CANCELED,
        canceled_at=timezone.now() - timedelta(days=3),
    )
    assert (churn().canceled, churn().base, churn().rate_percent) == (1, 2, Decimal("50.0"))


def test_overview_lists_trials_ending_and_past_due(
    ops_client: Client, alpha: Workspace, beta: Workspace
) -> None:
    make_subscription(alpha.tenant, trial_ends_at=timezone.now() + timedelta(days=2))
    make_subscription(
        beta.tenant, status=SubscriptionStatus.PAST_DUE, past_due_since=timezone.now()
    )
    response = ops_client.get("/ops/billing/")
    content = response.content.decode()
    trials = content.split('data-testid="trials-ending"')[1].split("</table>")[0]
    past_due = content.split('data-testid="past-due"')[1].split("</table>")[0]
    assert "Alpha Ltd" in trials
    assert "Beta Ltd" in past_due


def test_extending_a_trial_is_audited(ops_client: Client, alpha: Workspace, staff) -> None:
    subscription = make_subscription(alpha.tenant, trial_ends_at=timezone.now() - timedelta(days=1))
    response = ops_client.post(
        f"/ops/billing/tenants/{alpha.tenant.pk}/extend-trial/",
        {"days": 7, "reason": "Asked nicely"},
    )
    assert response.status_code == 302
    subscription.refresh_from_db()
    assert not billing_access(subscription).read_only
    entry = OpsAuditEntry.objects.get(tenant=alpha.tenant)
    assert (entry.action, entry.actor_email) == (OpsAction.BILLING_TRIAL_EXTEND, staff.email)
    assert "Asked nicely" in entry.reason


def test_extending_needs_a_reason(ops_client: Client, alpha: Workspace) -> None:
    make_subscription(alpha.tenant)
    ops_client.post(
        f"/ops/billing/tenants/{alpha.tenant.pk}/extend-trial/", {"days": 7, "reason": ""}
    )
    assert not OpsAuditEntry.objects.filter(tenant=alpha.tenant).exists()


def test_granting_a_complimentary_plan_is_audited(ops_client: Client, alpha: Workspace) -> None:
    make_subscription(alpha.tenant, status=SubscriptionStatus.CANCELED)
    ops_client.post(
        f"/ops/billing/tenants/{alpha.tenant.pk}/complimentary/",
        {"plan": "pro", "reason": "Partner"},
    )
    subscription = Subscription.objects.get(tenant=alpha.tenant)
    assert (subscription.plan.slug, subscription.is_complimentary) == ("pro", True)
    assert not billing_access(subscription).read_only
    assert (
        OpsAuditEntry.objects.get(tenant=alpha.tenant).action
        == OpsAction.BILLING_COMPLIMENTARY_GRANT
    )


def test_ending_a_trial_from_the_sandbox_clock_makes_it_read_only(
    ops_client: Client, alpha: Workspace
) -> None:
    make_subscription(alpha.tenant)
    ops_client.post(f"/ops/billing/tenants/{alpha.tenant.pk}/clock/", {"action": "end_trial"})
    assert billing_access(Subscription.objects.get(tenant=alpha.tenant)).read_only
    assert OpsAuditEntry.objects.get(tenant=alpha.tenant).action == OpsAction.BILLING_SANDBOX_CLOCK


def test_renewal_with_the_failing_card_makes_the_workspace_past_due(
    ops_client: Client,
    alpha: Workspace,
    signed_in_alpha_admin: Client,
    public_client: Client,
    run_on_commit,
    mailoutbox,
) -> None:
    make_subscription(alpha.tenant, trial_days=1)
    subscribe(signed_in_alpha_admin, public_client, run_on_commit, card=FAILS_AT_RENEWAL_CARD)
    with run_on_commit():
        ops_client.post(f"/ops/billing/tenants/{alpha.tenant.pk}/clock/", {"action": "renew"})
    subscription = Subscription.objects.get(tenant=alpha.tenant)
    assert subscription.status == SubscriptionStatus.PAST_DUE
    assert billing_access(subscription).in_grace
    assert "Payment failed for Alpha Ltd on Rapport" in [m.subject for m in mailoutbox]


def test_card_update_in_the_portal_pays_the_overdue_invoice(
    ops_client: Client,
    alpha: Workspace,
    signed_in_alpha_admin: Client,
    public_client: Client,
    run_on_commit,
) -> None:
    from tests.billing.flows import portal_path

    make_subscription(alpha.tenant, trial_days=1)
    subscribe(signed_in_alpha_admin, public_client, run_on_commit)
    with run_on_commit():
        ops_client.post(
            f"/ops/billing/tenants/{alpha.tenant.pk}/clock/", {"action": "fail_payment"}
        )
    path = portal_path(signed_in_alpha_admin)
    with run_on_commit():
        public_client.post(path, {"action": "card", "card_number": "4242424242424242"})
    assert Subscription.objects.get(tenant=alpha.tenant).status == SubscriptionStatus.ACTIVE


def test_renewal_after_cancel_ends_the_subscription_read_only(
    ops_client: Client,
    alpha: Workspace,
    signed_in_alpha_admin: Client,
    public_client: Client,
    run_on_commit,
    mailoutbox,
) -> None:
    from tests.billing.flows import portal_path

    make_subscription(alpha.tenant, trial_days=1)
    subscribe(signed_in_alpha_admin, public_client, run_on_commit)
    with run_on_commit():
        public_client.post(
            portal_path(signed_in_alpha_admin, "/billing/cancel/"), {"action": "cancel"}
        )
        ops_client.post(f"/ops/billing/tenants/{alpha.tenant.pk}/clock/", {"action": "renew"})
    subscription = Subscription.objects.get(tenant=alpha.tenant)
    assert subscription.status == SubscriptionStatus.CANCELED
    assert billing_access(subscription).read_only
    assert "Your Rapport subscription for Alpha Ltd has ended" in [m.subject for m in mailoutbox]


def test_retrying_a_failed_event_processes_it_and_is_audited(
    ops_client: Client,
    alpha: Workspace,
    public_client: Client,
    run_on_commit,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from billing import handlers

    make_subscription(alpha.tenant)
    customer = SandboxCustomer.objects.create(customer_id="cus_sbx_retry", email="a@b.c")
    account = BillingAccount.objects.create(
        tenant=alpha.tenant, gateway="sandbox", gateway_customer_id=customer.customer_id
    )
    checkout = SandboxCheckoutSession.objects.create(
        session_id="cs_1",
        client_reference_id=account.reference,
        price_lookup_key="growth_month",
        customer=customer,
        success_url="http://alpha.localhost/billing/",
        cancel_url="http://alpha.localhost/billing/",
    )
    session = objects.checkout_session_object(checkout)

    def explode(*args: object) -> None:
        raise RuntimeError("gateway down")

    monkeypatch.setitem(handlers.HANDLERS, "checkout.session.completed", explode)
    with run_on_commit():
        post_event(public_client, event("checkout.session.completed", session))
    row = WebhookEvent.objects.get()
    assert row.status == WebhookEventStatus.FAILED
    monkeypatch.setitem(
        handlers.HANDLERS, "checkout.session.completed", handlers.checkout_session_completed
    )
    WebhookEvent.objects.filter(pk=row.pk).update(tenant=alpha.tenant)
    with run_on_commit():
        ops_client.post(f"/ops/billing/events/{row.pk}/retry/")
    row.refresh_from_db()
    assert (row.status, row.attempts) == (WebhookEventStatus.PROCESSED, 2)
    assert OpsAuditEntry.objects.get(tenant=alpha.tenant).action == OpsAction.BILLING_EVENT_RETRY


def test_tenant_billing_page_shows_subscription_and_events(
    ops_client: Client, alpha: Workspace
) -> None:
    make_subscription(alpha.tenant, plan="starter")
    WebhookEvent.objects.create(
        event_id="evt_seen",
        event_type="invoice.paid",
        gateway="sandbox",
        payload={},
        tenant=alpha.tenant,
    )
    response = ops_client.get(f"/ops/billing/tenants/{alpha.tenant.pk}/")
    assert b"Starter" in response.content
    assert b"evt_seen" in response.content


def test_ops_can_edit_a_plan(ops_client: Client, db) -> None:
    plan = Plan.objects.get(slug="starter")
    response = ops_client.post(
        f"/ops/billing/plans/{plan.pk}/",
        {
            "name": "Starter",
            "tagline": "",
            "currency": "EUR",
            "monthly_price": "15.00",
            "yearly_price": "150.00",
            "seat_limit": "5",
            "is_public": "on",
            "sort_order": "1",
            "features": ["audit_log", "custom_fields"],
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.monthly_price, plan.seat_limit, plan.features) == (
        Decimal("15.00"),
        5,
        ["custom_fields", "audit_log"],
    )


def test_ops_cannot_sell_a_feature_that_does_not_exist(ops_client: Client, db) -> None:
    """The plan form offers only catalogued features; an invented key is refused."""
    plan = Plan.objects.get(slug="starter")
    response = ops_client.post(
        f"/ops/billing/plans/{plan.pk}/",
        {
            "name": "Starter",
            "currency": "EUR",
            "monthly_price": "12.00",
            "yearly_price": "120.00",
            "sort_order": "1",
            "features": ["campaigns"],
        },
    )
    assert response.status_code == 400
    plan.refresh_from_db()
    assert "campaigns" not in plan.features
