"""A workspace sees only its own billing; trials start at signup; reminders and reconciliation."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from billing.models import (
    BillingAccount,
    BillingNotice,
    SandboxSubscription,
    Subscription,
    SubscriptionStatus,
)
from billing.notices import trial_ending_notify
from billing.services import subscriptions_reconcile
from onboarding.provisioning import SignupRequest, signup_start
from tenants.pool import pool_tenant_create
from tests.billing.conftest import make_subscription
from tests.billing.flows import subscribe
from tests.conftest import Workspace, sign_in


def test_billing_page_shows_only_the_hosts_workspace(
    alpha: Workspace, beta: Workspace, beta_client: Client, beta_admin
) -> None:
    make_subscription(
        alpha.tenant, plan="pro", status=SubscriptionStatus.PAST_DUE, past_due_since=timezone.now()
    )
    make_subscription(beta.tenant, plan="starter")
    sign_in(beta_client, beta, beta_admin)
    response = beta_client.get("/billing/")
    assert b'data-testid="billing-plan">Starter' in response.content
    assert b"past_due" not in response.content


def test_alpha_session_does_not_open_betas_billing_page(
    alpha: Workspace, beta: Workspace, signed_in_alpha_admin: Client
) -> None:
    make_subscription(beta.tenant)
    cookie = signed_in_alpha_admin.cookies["sessionid"].value
    other = Client(HTTP_HOST=beta.host)
    other.cookies["sessionid"] = cookie
    response = other.get("/billing/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


def test_alpha_admin_cannot_manage_betas_subscription(
    alpha: Workspace,
    beta: Workspace,
    signed_in_alpha_admin: Client,
    public_client: Client,
    run_on_commit,
) -> None:
    make_subscription(alpha.tenant, trial_days=1)
    make_subscription(beta.tenant, trial_days=1)
    subscribe(signed_in_alpha_admin, public_client, run_on_commit)
    assert Subscription.objects.get(tenant=beta.tenant).status == SubscriptionStatus.TRIALING
    account = BillingAccount.objects.get(tenant=alpha.tenant)
    assert SandboxSubscription.objects.get().metadata == {"rapport_account": account.reference}


@pytest.mark.django_db
def test_signup_starts_a_trial_on_the_chosen_plan(settings) -> None:
    settings.BILLING_TRIAL_DAYS = 14
    pool_tenant_create()
    signup = signup_start(
        SignupRequest(
            company_name="TrialCo",
            slug="trialco",
            admin_name="T",
            admin_email="t@trialco.example",
            admin_password="a-long-passphrase",
            plan_slug="starter",
        )
    )
    subscription = Subscription.objects.get(tenant=signup.tenant)
    assert (subscription.status, subscription.plan.slug) == (SubscriptionStatus.TRIALING, "starter")
    assert subscription.trial_ends_at is not None
    assert (
        timedelta(days=13, hours=23)
        < subscription.trial_ends_at - timezone.now()
        <= timedelta(days=14)
    )


def test_trial_ending_reminder_is_sent_once(alpha: Workspace, alpha_admin) -> None:
    make_subscription(alpha.tenant, trial_ends_at=timezone.now() + timedelta(days=2, hours=12))
    assert trial_ending_notify() == 1
    assert trial_ending_notify() == 0
    assert [m.subject for m in mail.outbox] == ["Your Rapport trial for Alpha Ltd ends soon"]
    assert BillingNotice.objects.get().kind == "trial_ending"


def test_trials_far_from_ending_get_no_reminder(alpha: Workspace, alpha_admin) -> None:
    make_subscription(alpha.tenant, trial_ends_at=timezone.now() + timedelta(days=10))
    assert trial_ending_notify() == 0


def test_reconciliation_repairs_a_missed_event(
    alpha: Workspace, signed_in_alpha_admin: Client, public_client: Client, run_on_commit
) -> None:
    make_subscription(alpha.tenant, trial_days=1)
    subscribe(signed_in_alpha_admin, public_client, run_on_commit)
    SandboxSubscription.objects.update(price_lookup_key="pro_month", quantity=3)
    report = subscriptions_reconcile()
    subscription = Subscription.objects.get(tenant=alpha.tenant)
    assert (report.checked, report.changed) == (1, 1)
    assert (subscription.plan.slug, subscription.quantity) == ("pro", 3)
