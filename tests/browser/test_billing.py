"""An admin upgrades a trial through the sandbox checkout in Chromium."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from billing.models import (
    BillingAccount,
    SandboxCustomer,
    SandboxSubscription,
    Subscription,
    SubscriptionStatus,
)
from billing.services import subscription_start_trial
from tenants.models import Tenant
from tenants.services import schema_drop, tenant_create
from tests.factories import TEST_PASSWORD, AdminFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def trial_workspace(committed: None) -> Iterator[tuple[Tenant, str]]:
    """A committed workspace on a free trial with one admin; removed afterwards."""
    slug = f"bill-{uuid.uuid4().hex[:8]}"
    tenant = tenant_create(name="Billing Browser Ltd", slug=slug)
    tenant.plan_slug = "starter"
    tenant.save(update_fields=["plan_slug"])
    subscription_start_trial(tenant=tenant)
    with schema_context(tenant.schema_name):
        admin = AdminFactory.create(email=f"admin@{slug}.example")
    yield tenant, admin.email
    account = BillingAccount.objects.filter(tenant=tenant).first()
    if account is not None:
        SandboxCustomer.objects.filter(customer_id=account.gateway_customer_id).delete()
    schema_drop(tenant.schema_name)
    tenant.domains.all().delete()
    Tenant.objects.filter(pk=tenant.pk).delete()


def _open_billing(page, base: str, email: str) -> None:
    page.goto(f"{base}/login/?next=/billing/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/billing/")


def test_trial_upgrades_through_the_sandbox_checkout(
    trial_workspace, live_server_port: int, page
) -> None:
    """Paying during the trial: the page at once shows the plan bought, the trial kept, the
    invoice, and no leftover "choose a plan" banner."""
    tenant, email = trial_workspace
    base = f"http://{tenant.slug}.localhost:{live_server_port}"
    _open_billing(page, base, email)
    assert page.get_by_test_id("billing-status").get_attribute("data-status") == "trialing"

    page.get_by_test_id("choose-growth").click()
    page.wait_for_url(re.compile(rf"http://localhost:{live_server_port}/billing/sandbox/checkout/"))
    assert page.get_by_test_id("sandbox-badge").is_visible()
    assert page.get_by_test_id("checkout-trial").is_visible()
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_test_id("pay").click()

    page.wait_for_url(re.compile(rf"{base}/billing/\?checkout=success"))
    assert page.get_by_test_id("checkout-confirmed").is_visible()
    assert page.get_by_test_id("billing-plan").inner_text() == "Growth"
    assert page.get_by_test_id("plan-growth").get_attribute("data-current") == "true"
    assert page.get_by_test_id("billing-banner").get_attribute("data-state") == "paid-trial"
    assert page.get_by_test_id("invoices").is_visible()


def _pay_now(page, base: str, live_server_port: int, plan: str = "growth") -> None:
    page.get_by_test_id(f"choose-{plan}").click()
    page.wait_for_url(re.compile(rf"http://localhost:{live_server_port}/billing/sandbox/checkout/"))
    page.get_by_label("Card number").fill("4242 4242 4242 4242")
    page.get_by_test_id("pay").click()
    page.wait_for_url(re.compile(rf"{base}/billing/\?checkout=success"))


def test_portal_interval_change_shows_the_proration_invoice(
    trial_workspace, live_server_port: int, page
) -> None:
    """Monthly to yearly in the portal: back on the billing page, the plan is yearly and a
    proration invoice is listed, without reloading."""
    tenant, email = trial_workspace
    Subscription.objects.filter(tenant=tenant).update(
        trial_ends_at=timezone.now() + timedelta(hours=20)
    )
    base = f"http://{tenant.slug}.localhost:{live_server_port}"
    _open_billing(page, base, email)
    _pay_now(page, base, live_server_port)
    assert page.get_by_test_id("billing-status").get_attribute("data-status") == "active"

    page.get_by_test_id("choose-growth").click()  # already paying: opens the portal
    page.wait_for_url(re.compile(r"/billing/sandbox/portal/"))
    page.get_by_test_id("portal-plan").locator("select[name=interval]").select_option("year")
    page.get_by_test_id("portal-plan").get_by_role("button").click()
    page.wait_for_url(re.compile(rf"{base}/billing/\?portal=return"))
    assert "Proration" in page.get_by_test_id("invoices").inner_text()
    assert Subscription.objects.get(tenant=tenant).interval == "year"


def test_cancel_then_resume_from_the_billing_page(
    trial_workspace, live_server_port: int, page
) -> None:
    """A canceled subscription shows when it ends and a Resume button that undoes it."""
    tenant, email = trial_workspace
    Subscription.objects.filter(tenant=tenant).update(
        trial_ends_at=timezone.now() + timedelta(hours=20)
    )
    base = f"http://{tenant.slug}.localhost:{live_server_port}"
    _open_billing(page, base, email)
    _pay_now(page, base, live_server_port)

    page.get_by_test_id("cancel-subscription").click()
    page.wait_for_url(re.compile(r"/billing/sandbox/portal/"))
    page.get_by_test_id("portal-cancel").get_by_role("button").click()
    page.wait_for_url(re.compile(rf"{base}/billing/\?portal=return"))
    assert page.get_by_test_id("billing-ends").is_visible()

    page.get_by_test_id("resume-subscription").click()
    page.get_by_test_id("cancel-subscription").wait_for()
    assert not Subscription.objects.get(tenant=tenant).cancel_at_period_end


def test_declined_card_shows_a_clear_error_and_changes_nothing(
    trial_workspace, live_server_port: int, page
) -> None:
    tenant, email = trial_workspace
    base = f"http://{tenant.slug}.localhost:{live_server_port}"
    _open_billing(page, base, email)

    page.get_by_test_id("choose-pro").click()
    page.wait_for_url(re.compile(r"/billing/sandbox/checkout/"))
    page.get_by_label("Card number").fill("4000 0000 0000 0002")
    page.get_by_test_id("pay").click()

    error = page.get_by_test_id("checkout-error")
    error.wait_for()
    assert "Your card was declined" in error.inner_text()
    subscription = Subscription.objects.get(tenant=tenant)
    assert (subscription.status, subscription.plan.slug) == (SubscriptionStatus.TRIALING, "starter")
    account = BillingAccount.objects.get(tenant=tenant)
    assert not SandboxSubscription.objects.filter(
        customer__customer_id=account.gateway_customer_id
    ).exists()
    page.goto(f"{base}/billing/")
    assert page.get_by_test_id("billing-status").get_attribute("data-status") == "trialing"
