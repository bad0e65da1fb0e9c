"""Subscribing through the sandbox checkout, changing and canceling in the portal."""

from __future__ import annotations

from django.core import mail
from django.test import Client

from billing.models import SandboxSubscription, Subscription, SubscriptionStatus, WebhookEvent
from billing.selectors import tenant_access
from tests.billing.conftest import make_subscription
from tests.billing.flows import DECLINED_CARD, checkout_path, portal_path, subscribe
from tests.conftest import Workspace, sign_in


def test_billing_page_shows_the_trial(alpha: Workspace, signed_in_alpha_admin: Client) -> None:
    make_subscription(alpha.tenant, plan="growth")
    response = signed_in_alpha_admin.get("/billing/")
    assert response.status_code == 200
    assert b'data-status="trialing"' in response.content
    assert b"14 days left in the trial" in response.content


def test_billing_page_is_for_admins_only(alpha: Workspace, alpha_client: Client, alpha_rep) -> None:
    make_subscription(alpha.tenant)
    sign_in(alpha_client, alpha, alpha_rep)
    assert alpha_client.get("/billing/").status_code == 403


def test_checkout_with_the_test_card_activates_the_plan(
    alpha: Workspace, signed_in_alpha_admin: Client, public_client: Client, run_on_commit
) -> None:
    make_subscription(alpha.tenant, plan="starter", trial_days=1)
    response = subscribe(signed_in_alpha_admin, public_client, run_on_commit, plan="pro")
    assert response.status_code == 302
    assert "/billing/?checkout=success&session_id=cs_sbx_" in response["Location"]
    subscription = Subscription.objects.get(tenant=alpha.tenant)
    assert (subscription.status, subscription.plan.slug, subscription.gateway) == (
        SubscriptionStatus.ACTIVE,
        "pro",
        "sandbox",
    )
    assert set(WebhookEvent.objects.values_list("status", flat=True)) == {"processed"}


def test_checkout_emails_a_receipt(
    alpha: Workspace, signed_in_alpha_admin: Client, public_client: Client, run_on_commit
) -> None:
    make_subscription(alpha.tenant, trial_days=1)
    subscribe(signed_in_alpha_admin, public_client, run_on_commit)
    assert [message.subject for message in mail.outbox] == ["Receipt for Alpha Ltd on Rapport"]
    assert mail.outbox[0].to == ["admin@alpha.example"]


def test_declined_card_shows_an_error_and_changes_nothing(
    alpha: Workspace, signed_in_alpha_admin: Client, public_client: Client, run_on_commit
) -> None:
    make_subscription(alpha.tenant, trial_days=1)
    response = subscribe(signed_in_alpha_admin, public_client, run_on_commit, card=DECLINED_CARD)
    assert response.status_code == 402
    assert b"Your card was declined" in response.content
    assert SandboxSubscription.objects.count() == 0
    assert WebhookEvent.objects.count() == 0
    assert Subscription.objects.get(tenant=alpha.tenant).status == SubscriptionStatus.TRIALING


def test_paid_checkout_page_cannot_be_paid_twice(
    alpha: Workspace, signed_in_alpha_admin: Client, public_client: Client, run_on_commit
) -> None:
    make_subscription(alpha.tenant)
    path = checkout_path(signed_in_alpha_admin)
    with run_on_commit():
        public_client.post(path, {"card_number": "4242424242424242"})
        second = public_client.post(path, {"card_number": "4242424242424242"})
    assert second.status_code == 302
    assert SandboxSubscription.objects.count() == 1


def test_portal_plan_change_updates_the_plan(
    alpha: Workspace, signed_in_alpha_admin: Client, public_client: Client, run_on_commit
) -> None:
    make_subscription(alpha.tenant, trial_days=1)
    subscribe(signed_in_alpha_admin, public_client, run_on_commit, plan="growth")
    path = portal_path(signed_in_alpha_admin)
    with run_on_commit():
        response = public_client.post(path, {"action": "plan", "plan": "pro", "interval": "year"})
    assert response.status_code == 302
    subscription = Subscription.objects.get(tenant=alpha.tenant)
    assert (subscription.plan.slug, subscription.interval) == ("pro", "year")


def test_cancel_keeps_access_until_the_period_ends(
    alpha: Workspace, signed_in_alpha_admin: Client, public_client: Client, run_on_commit
) -> None:
    make_subscription(alpha.tenant, trial_days=1)
    subscribe(signed_in_alpha_admin, public_client, run_on_commit)
    path = portal_path(signed_in_alpha_admin, "/billing/cancel/")
    with run_on_commit():
        public_client.post(path, {"action": "cancel"})
    subscription = Subscription.objects.get(tenant=alpha.tenant)
    assert subscription.cancel_at_period_end
    assert not tenant_access(alpha.tenant).read_only


def test_checkout_again_while_paying_goes_to_the_portal(
    alpha: Workspace, signed_in_alpha_admin: Client, public_client: Client, run_on_commit
) -> None:
    make_subscription(alpha.tenant, trial_days=1)
    subscribe(signed_in_alpha_admin, public_client, run_on_commit)
    response = signed_in_alpha_admin.post(
        "/billing/checkout/", {"plan": "pro", "interval": "month"}
    )
    assert "/billing/sandbox/portal/" in response["Location"]
