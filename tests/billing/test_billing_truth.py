"""The billing page tells the truth right after checkout and the portal, before (or without)
the gateway's webhook; the portal prorates, resumes, and paying keeps the trial's days."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from billing.models import (
    SandboxCheckoutSession,
    SandboxInvoice,
    SandboxSubscription,
    Subscription,
    SubscriptionStatus,
)
from billing.sandbox import provider
from tests.billing.conftest import make_subscription
from tests.billing.flows import GOOD_CARD, checkout_path, portal_path
from tests.conftest import Workspace


@pytest.fixture
def webhooks_delayed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The gateway's events are held back, as when the webhook is slow or lost."""
    held: list[str] = []
    monkeypatch.setattr(provider, "_emit", lambda event_type, data: held.append(event_type))
    return held


def _pay(admin: Client, public: Client, *, plan: str = "growth", interval: str = "month") -> str:
    """Pay the sandbox checkout; the address the customer is sent back to."""
    response = public.post(
        checkout_path(admin, plan=plan, interval=interval), {"card_number": GOOD_CARD}
    )
    assert response.status_code == 302
    return str(response["Location"])


def test_page_is_true_on_return_from_checkout_before_any_webhook(
    alpha: Workspace, signed_in_alpha_admin: Client, public_client: Client, webhooks_delayed
) -> None:
    """Back from checkout, status, plan, banner and invoices all show the purchase."""
    make_subscription(alpha.tenant, plan="starter", trial_days=1)
    page = signed_in_alpha_admin.get(_pay(signed_in_alpha_admin, public_client, plan="pro"))
    content = page.content.decode()
    assert webhooks_delayed, "the events were held back"
    assert 'data-status="active"' in content
    assert 'data-testid="plan-pro" data-current="true"' in content
    assert 'data-state="trial"' not in content
    assert 'data-testid="invoices"' in content
    assert "Thank you! Your Pro subscription is active." in content


def test_someone_elses_checkout_session_changes_nothing(
    alpha: Workspace, beta: Workspace, signed_in_alpha_admin: Client, public_client: Client
) -> None:
    """A session id of another workspace in the return address is ignored."""
    make_subscription(alpha.tenant, plan="starter", trial_days=1)
    foreign = SandboxCheckoutSession.objects.create(
        session_id="cs_sbx_foreign",
        price_lookup_key="pro_month",
        success_url="http://beta.localhost/billing/",
        cancel_url="http://beta.localhost/billing/",
        status="complete",
        subscription_id="sub_sbx_foreign",
    )
    signed_in_alpha_admin.get(f"/billing/?checkout=success&session_id={foreign.session_id}")
    assert Subscription.objects.get(tenant=alpha.tenant).status == SubscriptionStatus.TRIALING


def test_unconfirmed_payment_says_so_and_polls(
    alpha: Workspace, signed_in_alpha_admin: Client
) -> None:
    """Without a confirmation yet, the page says it is confirming and refreshes itself."""
    make_subscription(alpha.tenant, plan="starter")
    content = signed_in_alpha_admin.get("/billing/?checkout=success").content.decode()
    assert "Confirming your payment" in content
    assert 'hx-trigger="every 2s"' in content
    assert "Thank you!" not in content


def test_poll_after_confirmation_replaces_the_banner_too(
    alpha: Workspace, signed_in_alpha_admin: Client, public_client: Client, webhooks_delayed
) -> None:
    """The polled region carries the banner out of band, so no stale trial banner remains."""
    make_subscription(alpha.tenant, plan="starter", trial_days=1)
    back = _pay(signed_in_alpha_admin, public_client)
    partial = signed_in_alpha_admin.get(back, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="billing-banner" hx-swap-oob="true"' in partial
    assert 'data-status="active"' in partial


def test_portal_change_shows_on_return_before_any_webhook(
    alpha: Workspace, signed_in_alpha_admin: Client, public_client: Client, webhooks_delayed
) -> None:
    """A plan change in the portal is on the billing page as soon as the customer is back."""
    make_subscription(alpha.tenant, plan="starter", trial_days=1)
    signed_in_alpha_admin.get(_pay(signed_in_alpha_admin, public_client))
    response = public_client.post(
        portal_path(signed_in_alpha_admin), {"action": "plan", "plan": "pro", "interval": "year"}
    )
    page = signed_in_alpha_admin.get(response["Location"]).content.decode()
    assert 'data-testid="plan-pro" data-current="true"' in page
    assert (Subscription.objects.get(tenant=alpha.tenant).interval) == "year"


def test_monthly_to_yearly_invoices_the_year_less_the_unused_month(
    alpha: Workspace, signed_in_alpha_admin: Client, public_client: Client, webhooks_delayed
) -> None:
    """Switching interval restarts the period and invoices at once with a proration line."""
    make_subscription(alpha.tenant, plan="starter", trial_days=1)
    signed_in_alpha_admin.get(_pay(signed_in_alpha_admin, public_client, plan="growth"))
    sandbox = SandboxSubscription.objects.get()
    sandbox.current_period_start = timezone.now() - timedelta(days=15)
    sandbox.current_period_end = sandbox.current_period_start + timedelta(days=30)
    sandbox.save()
    public_client.post(
        portal_path(signed_in_alpha_admin),
        {"action": "plan", "plan": "growth", "interval": "year"},
    )
    invoice = SandboxInvoice.objects.order_by("-id").first()
    assert invoice is not None
    assert invoice.description.startswith("Proration: Growth to Growth")
    monthly, yearly = 2900, 29000  # growth: 29 per month, 290 per year (cents)
    assert invoice.amount_due == pytest.approx(yearly - monthly / 2, abs=100)
    assert invoice.status == "paid"


def test_downgrade_credits_the_unused_time(
    alpha: Workspace, signed_in_alpha_admin: Client, public_client: Client, webhooks_delayed
) -> None:
    """A cheaper plan mid-period is a credit on the customer's balance, not a charge."""
    make_subscription(alpha.tenant, plan="starter", trial_days=1)
    signed_in_alpha_admin.get(_pay(signed_in_alpha_admin, public_client, plan="pro"))
    public_client.post(
        portal_path(signed_in_alpha_admin),
        {"action": "plan", "plan": "starter", "interval": "month"},
    )
    invoice = SandboxInvoice.objects.order_by("-id").first()
    assert invoice is not None
    assert invoice.amount_due < 0
    assert SandboxSubscription.objects.get().customer.credit_balance == -invoice.amount_due


def test_canceled_subscription_can_be_resumed_before_it_ends(
    alpha: Workspace, signed_in_alpha_admin: Client, public_client: Client, run_on_commit
) -> None:
    """Resume undoes a cancellation at period end, at the gateway and in Rapport."""
    make_subscription(alpha.tenant, plan="starter", trial_days=1)
    with run_on_commit():
        signed_in_alpha_admin.get(_pay(signed_in_alpha_admin, public_client))
        public_client.post(
            portal_path(signed_in_alpha_admin, "/billing/cancel/"), {"action": "cancel"}
        )
    assert Subscription.objects.get(tenant=alpha.tenant).cancel_at_period_end
    with run_on_commit():
        response = signed_in_alpha_admin.post("/billing/resume/")
    assert response.status_code == 302
    assert not Subscription.objects.get(tenant=alpha.tenant).cancel_at_period_end
    assert not SandboxSubscription.objects.get().cancel_at_period_end


def test_resume_without_a_cancellation_is_refused_with_a_message(
    alpha: Workspace, signed_in_alpha_admin: Client
) -> None:
    """Nothing to resume: a clear message, no error page."""
    make_subscription(alpha.tenant)
    response = signed_in_alpha_admin.post("/billing/resume/", follow=True)
    assert b"There is no canceled subscription to resume." in response.content


def _trial_ends(alpha: Workspace) -> Any:
    subscription = Subscription.objects.get(tenant=alpha.tenant)
    assert subscription.trial_ends_at is not None
    return subscription.trial_ends_at


def test_paying_during_the_trial_keeps_its_days(
    alpha: Workspace, signed_in_alpha_admin: Client, public_client: Client, run_on_commit
) -> None:
    """With 14 trial days left, checkout saves the card and charges nothing until the end."""
    make_subscription(alpha.tenant, plan="starter", trial_days=14)
    trial_end = _trial_ends(alpha)
    with run_on_commit():
        signed_in_alpha_admin.get(_pay(signed_in_alpha_admin, public_client))
    sandbox = SandboxSubscription.objects.get()
    assert sandbox.status == "trialing"
    assert abs(sandbox.trial_end - trial_end) < timedelta(seconds=1)
    assert SandboxInvoice.objects.get().amount_due == 0
    local = Subscription.objects.get(tenant=alpha.tenant)
    assert (local.status, local.plan.slug, local.has_gateway_subscription) == (
        SubscriptionStatus.TRIALING,
        "growth",
        True,
    )
    assert b'data-state="paid-trial"' in signed_in_alpha_admin.get("/billing/").content


def test_trial_end_charges_the_first_period(
    alpha: Workspace, signed_in_alpha_admin: Client, public_client: Client, run_on_commit
) -> None:
    """When the carried trial ends, the first full period is charged and the plan is active."""
    make_subscription(alpha.tenant, plan="starter", trial_days=14)
    with run_on_commit():
        signed_in_alpha_admin.get(_pay(signed_in_alpha_admin, public_client))
        provider.clock_renew(subscription=SandboxSubscription.objects.get())
    assert Subscription.objects.get(tenant=alpha.tenant).status == SubscriptionStatus.ACTIVE
    assert SandboxInvoice.objects.order_by("-id")[0].amount_paid == 2900


def test_less_than_two_trial_days_left_is_said_before_paying(
    alpha: Workspace, signed_in_alpha_admin: Client
) -> None:
    """With under two days left, the page says paying ends the trial today."""
    make_subscription(alpha.tenant, plan="starter", trial_days=1)
    content = signed_in_alpha_admin.get("/billing/").content.decode()
    assert "subscribing now ends it today" in content
