"""Attack: forge signed billing events to move subscriptions between workspaces.

The attacker controls workspace beta, pays for it legitimately through the sandbox, and can
sign events (they know the sandbox's secret, as anyone reading the README once could). The
victim is workspace alpha, also paying. Each test replays one observed attack and expects
the refusal: the event changes nothing, is flagged for provider operations, and sends no
e-mail. Workspaces are found only through the customer link Rapport made at checkout.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail
from django.test import Client

from billing.models import (
    BillingAccount,
    BillingNotice,
    SandboxCheckoutSession,
    SandboxInvoice,
    SandboxSubscription,
    Subscription,
    WebhookEvent,
    WebhookEventStatus,
)
from billing.sandbox import objects
from tests.billing.conftest import event, make_subscription, post_event
from tests.billing.flows import subscribe
from tests.conftest import Workspace, sign_in


def _paying(
    workspace: Workspace,
    admin: object,
    public_client: Client,
    run_on_commit: Callable[[], Any],
    *,
    plan: str,
) -> SandboxSubscription:
    """``workspace`` subscribes to ``plan`` through the sandbox checkout, like a customer."""
    make_subscription(workspace.tenant, plan="starter", trial_days=1)
    client = sign_in(Client(HTTP_HOST=workspace.host), workspace, admin)
    subscribe(client, public_client, run_on_commit, plan=plan)
    account = BillingAccount.objects.get(tenant=workspace.tenant)
    return SandboxSubscription.objects.get(customer__customer_id=account.gateway_customer_id)


@pytest.fixture
def victim(
    alpha: Workspace, alpha_admin: object, public_client: Client, run_on_commit
) -> SandboxSubscription:
    return _paying(alpha, alpha_admin, public_client, run_on_commit, plan="pro")


@pytest.fixture
def attacker(
    beta: Workspace, beta_admin: object, public_client: Client, run_on_commit
) -> SandboxSubscription:
    return _paying(beta, beta_admin, public_client, run_on_commit, plan="starter")


def _state(workspace: Workspace) -> tuple[str, str, str, str]:
    local = Subscription.objects.get(tenant=workspace.tenant)
    return (local.plan.slug, local.status, local.gateway_subscription_id, local.gateway_customer_id)


def _forge(
    public_client: Client, run_on_commit: Callable[[], Any], event_type: str, body: dict
) -> WebhookEvent:
    mail.outbox.clear()
    with run_on_commit():
        response = post_event(public_client, event(event_type, body, event_id="evt_forged"))
    assert response.status_code == 200
    return WebhookEvent.objects.get(event_id="evt_forged")


def test_victim_cannot_be_tied_to_the_attackers_subscription_by_tenant_id(
    alpha: Workspace, victim, attacker, public_client: Client, run_on_commit
) -> None:
    """The attacker's subscription with the victim's tenant id in its metadata is refused."""
    before = _state(alpha)
    forged = objects.subscription_object(attacker)
    forged["metadata"] = {"tenant_id": str(alpha.tenant.pk)}
    row = _forge(public_client, run_on_commit, "customer.subscription.updated", forged)
    assert _state(alpha) == before
    assert row.status == WebhookEventStatus.FLAGGED


def test_checkout_naming_the_victim_by_client_reference_is_refused(
    alpha: Workspace, victim, attacker, public_client: Client, run_on_commit
) -> None:
    """A completed checkout whose client reference names the victim binds nothing."""
    before = _state(alpha)
    session = SandboxCheckoutSession.objects.get(subscription_id=attacker.subscription_id)
    forged = objects.checkout_session_object(session)
    forged["client_reference_id"] = str(alpha.tenant.pk)
    row = _forge(public_client, run_on_commit, "checkout.session.completed", forged)
    assert _state(alpha) == before
    assert row.status == WebhookEventStatus.FLAGGED


def test_attacker_cannot_take_over_the_victims_subscription(
    beta: Workspace, victim, attacker, public_client: Client, run_on_commit
) -> None:
    """The attacker's checkout pointing at the victim's subscription leaves both as they were;
    the attacker's portal keeps showing only the attacker's own customer."""
    before = _state(beta)
    session = SandboxCheckoutSession.objects.get(subscription_id=attacker.subscription_id)
    forged = objects.checkout_session_object(session)
    forged["subscription"] = victim.subscription_id
    forged["customer"] = victim.customer.customer_id
    row = _forge(public_client, run_on_commit, "checkout.session.completed", forged)
    assert _state(beta) == before
    assert row.status == WebhookEventStatus.FLAGGED


def test_victims_subscription_with_the_attackers_reference_is_refused(
    beta: Workspace, victim, attacker, public_client: Client, run_on_commit
) -> None:
    """An event about the victim's subscription claiming the attacker's workspace changes
    neither workspace."""
    before = _state(beta)
    forged = objects.subscription_object(victim)
    forged["metadata"] = {
        "rapport_account": BillingAccount.objects.get(tenant=beta.tenant).reference
    }
    row = _forge(public_client, run_on_commit, "customer.subscription.created", forged)
    assert _state(beta) == before
    assert row.status == WebhookEventStatus.FLAGGED


def test_forged_payment_failure_sends_no_email(
    alpha: Workspace, victim, public_client: Client, run_on_commit
) -> None:
    """An invoice the gateway never issued, with an amount the attacker chose, e-mails nobody
    and leaves the victim active."""
    forged = {
        "id": "in_forged",
        "object": "invoice",
        "customer": victim.customer.customer_id,
        "amount_due": 999999,
        "currency": "usd",
        "attempt_count": 1,
        "parent": {"subscription_details": {"subscription": victim.subscription_id}},
    }
    row = _forge(public_client, run_on_commit, "invoice.payment_failed", forged)
    assert row.status == WebhookEventStatus.FLAGGED
    assert mail.outbox == []
    assert Subscription.objects.get(tenant=alpha.tenant).status == "active"


def test_receipt_states_the_amount_the_gateway_reports(
    alpha: Workspace, victim, public_client: Client, run_on_commit
) -> None:
    """A redelivered real invoice with a doctored amount still mails the true amount."""
    invoice = SandboxInvoice.objects.get(subscription=victim)
    BillingNotice.objects.filter(kind="receipt").delete()
    forged = objects.invoice_object(invoice)
    forged["amount_paid"] = 1
    _forge(public_client, run_on_commit, "invoice.paid", forged)
    assert len(mail.outbox) == 1
    assert f"{invoice.amount_due / 100:.2f}" in mail.outbox[0].body


def test_event_for_a_customer_rapport_never_linked_is_flagged(
    victim, public_client: Client, run_on_commit, ops_client: Client
) -> None:
    """A subscription of an unknown customer changes nothing and shows in the ops console."""
    stranger = SandboxSubscription.objects.create(
        subscription_id="sub_sbx_stranger",
        item_id="si_sbx_stranger",
        customer=type(victim.customer).objects.create(customer_id="cus_sbx_stranger"),
        price_lookup_key="pro_month",
        current_period_start=victim.current_period_start,
        current_period_end=victim.current_period_end,
    )
    row = _forge(
        public_client,
        run_on_commit,
        "customer.subscription.created",
        objects.subscription_object(stranger),
    )
    assert row.status == WebhookEventStatus.FLAGGED
    page = ops_client.get("/ops/billing/")
    assert b'data-testid="flagged-events"' in page.content
    assert b"evt_forged" in page.content


def test_checkout_sends_an_opaque_reference_not_the_tenant_id(alpha: Workspace, victim) -> None:
    """What leaves Rapport to name a workspace is a random reference, never its primary key."""
    session = SandboxCheckoutSession.objects.get(subscription_id=victim.subscription_id)
    reference = BillingAccount.objects.get(tenant=alpha.tenant).reference
    assert session.client_reference_id == reference
    assert str(alpha.tenant.pk) not in (session.client_reference_id, *session.metadata.values())
    assert len(reference) >= 24
