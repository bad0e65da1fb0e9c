"""The webhook endpoint: signature on the raw body, a ledger of event ids, worker processing."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client
from django.utils import timezone

from billing.gateways.base import GatewayError
from billing.models import (
    BillingAccount,
    BillingNotice,
    SandboxCustomer,
    SandboxInvoice,
    SandboxSubscription,
    Subscription,
    SubscriptionStatus,
    WebhookEvent,
    WebhookEventStatus,
)
from billing.sandbox import objects
from billing.signatures import signature_header
from core.jobs.models import Job, JobStatus
from core.jobs.services import job_run
from tenants.models import OpsAction, OpsAuditEntry, Tenant
from tests.billing.conftest import event, make_subscription, post_event, signed
from tests.conftest import Workspace


def _sandbox_subscription(tenant: Tenant, *, status: str = "active", key: str = "pro_month"):
    """A sandbox subscription of the customer Rapport linked to ``tenant``."""
    now = timezone.now()
    account = BillingAccount.objects.filter(tenant=tenant).first()
    if account is None:
        customer = SandboxCustomer.objects.create(customer_id=objects.new_id("cus"), email="a@b.c")
        account = BillingAccount.objects.create(
            tenant=tenant, gateway="sandbox", gateway_customer_id=customer.customer_id
        )
    customer = SandboxCustomer.objects.get(customer_id=account.gateway_customer_id)
    return SandboxSubscription.objects.create(
        subscription_id=objects.new_id("sub"),
        item_id=objects.new_id("si"),
        customer=customer,
        price_lookup_key=key,
        quantity=2,
        status=status,
        current_period_start=now,
        current_period_end=now + timedelta(days=30),
        metadata={"rapport_account": account.reference},
    )


@pytest.mark.django_db
def test_bad_signature_is_refused_and_nothing_is_stored(public_client: Client) -> None:
    response = post_event(public_client, event("invoice.paid", {}), secret="whsec_wrong")
    assert response.status_code == 400
    assert WebhookEvent.objects.count() == 0


@pytest.mark.django_db
def test_missing_signature_is_refused(public_client: Client) -> None:
    response = public_client.post(
        "/billing/webhook/", data=b'{"id": "evt_1"}', content_type="application/json"
    )
    assert response.status_code == 400
    assert WebhookEvent.objects.count() == 0


@pytest.mark.django_db
def test_body_changed_after_signing_is_refused(public_client: Client) -> None:
    body, signature = signed(event("invoice.paid", {}))
    response = public_client.post(
        "/billing/webhook/",
        data=body.replace(b"invoice.paid", b"invoice.void"),
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )
    assert response.status_code == 400
    assert WebhookEvent.objects.count() == 0


@pytest.mark.django_db
def test_webhook_is_not_served_on_a_workspace_host(alpha_client: Client) -> None:
    assert post_event(alpha_client, event("invoice.paid", {})).status_code == 404


def test_signed_event_is_recorded_and_processed(
    alpha: Workspace, public_client: Client, run_on_commit
) -> None:
    sandbox = _sandbox_subscription(alpha.tenant)
    with run_on_commit():
        response = post_event(
            public_client,
            event("customer.subscription.created", objects.subscription_object(sandbox)),
        )
    assert response.status_code == 200
    row = WebhookEvent.objects.get()
    assert (row.status, row.tenant_id, row.attempts) == (
        WebhookEventStatus.PROCESSED,
        alpha.tenant.pk,
        1,
    )


def test_the_same_event_twice_has_one_effect(
    alpha: Workspace, alpha_admin, public_client: Client, run_on_commit
) -> None:
    sandbox = _sandbox_subscription(alpha.tenant)
    invoice = SandboxInvoice.objects.create(
        invoice_id="in_test_1",
        subscription=sandbox,
        amount_due=5900,
        amount_paid=5900,
        currency="eur",
        status="paid",
        attempt_count=1,
        period_start=sandbox.current_period_start,
        period_end=sandbox.current_period_end,
    )
    paid = event("invoice.paid", objects.invoice_object(invoice), event_id="evt_dup")
    with run_on_commit():
        first = post_event(public_client, paid)
        second = post_event(public_client, paid)
    assert (first.status_code, second.status_code) == (200, 200)
    assert second.json()["duplicate"] is True
    assert WebhookEvent.objects.count() == 1
    assert len(mail.outbox) == 1
    assert BillingNotice.objects.filter(kind="receipt").count() == 1


def test_webhook_records_the_event_and_its_job_together(public_client: Client, db) -> None:
    """Acknowledged means recorded: even if the job is never dispatched (broker away), the
    event has a waiting job the sweeper will find."""
    response = post_event(public_client, event("charge.refunded", {"id": "ch_2"}, "evt_kept"))
    row = WebhookEvent.objects.get(event_id="evt_kept")
    job = Job.objects.get(handler="billing.webhook_event_process")
    assert response.status_code == 200
    assert (row.status, job.status, job.kwargs) == (
        WebhookEventStatus.RECEIVED,
        JobStatus.PENDING,
        {"event_id": row.pk},
    )


def test_redelivery_of_an_unprocessed_event_queues_it_again(
    public_client: Client, run_on_commit, db
) -> None:
    """A provider redelivering an event that is still "received" gets it processed, not a
    "duplicate" that leaves it waiting forever."""
    post_event(public_client, event("charge.refunded", {"id": "ch_3"}, "evt_again"))  # lost
    with run_on_commit():
        again = post_event(public_client, event("charge.refunded", {"id": "ch_3"}, "evt_again"))
    assert again.json() == {"received": True, "duplicate": True, "requeued": True}
    assert WebhookEvent.objects.get(event_id="evt_again").status == WebhookEventStatus.IGNORED
    assert Job.objects.filter(handler="billing.webhook_event_process").count() == 1


def test_subscription_updated_before_created_ends_in_the_current_state(
    alpha: Workspace, public_client: Client, run_on_commit
) -> None:
    sandbox = _sandbox_subscription(alpha.tenant, key="growth_month")
    created_snapshot = objects.subscription_object(sandbox)
    sandbox.price_lookup_key = "pro_year"
    sandbox.save()
    updated_snapshot = objects.subscription_object(sandbox)
    with run_on_commit():
        post_event(public_client, event("customer.subscription.updated", updated_snapshot, "e2"))
        post_event(public_client, event("customer.subscription.created", created_snapshot, "e1"))
    subscription = Subscription.objects.get(tenant=alpha.tenant)
    assert (subscription.plan.slug, subscription.interval, subscription.quantity) == (
        "pro",
        "year",
        2,
    )


def test_late_event_of_an_ended_subscription_does_not_replace_the_live_one(
    alpha: Workspace, public_client: Client, run_on_commit
) -> None:
    live = _sandbox_subscription(alpha.tenant)
    old = _sandbox_subscription(alpha.tenant, status="canceled")
    with run_on_commit():
        post_event(
            public_client,
            event("customer.subscription.created", objects.subscription_object(live), "e1"),
        )
        post_event(
            public_client,
            event("customer.subscription.deleted", objects.subscription_object(old), "e2"),
        )
    subscription = Subscription.objects.get(tenant=alpha.tenant)
    assert (subscription.gateway_subscription_id, subscription.status) == (
        live.subscription_id,
        SubscriptionStatus.ACTIVE,
    )


def test_unknown_event_types_are_ignored(public_client: Client, run_on_commit, db) -> None:
    with run_on_commit():
        post_event(public_client, event("charge.refunded", {"id": "ch_1"}))
    assert WebhookEvent.objects.get().status == WebhookEventStatus.IGNORED


def _unreachable_gateway(monkeypatch: pytest.MonkeyPatch) -> None:
    from billing.gateways.sandbox import SandboxGateway

    def unreachable(self: object, subscription_id: str) -> None:
        raise GatewayError("The payment provider failed.")

    monkeypatch.setattr(SandboxGateway, "subscription_retrieve", unreachable)


def test_gateway_failure_is_retried_with_backoff(
    alpha: Workspace, public_client: Client, run_on_commit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A gateway that does not answer leaves the event waiting and its job retrying later."""
    _unreachable_gateway(monkeypatch)
    sandbox = _sandbox_subscription(alpha.tenant)
    broken = event(
        "customer.subscription.updated", objects.subscription_object(sandbox), "evt_broken"
    )
    with run_on_commit():
        post_event(public_client, broken)
    row = WebhookEvent.objects.get()
    job = Job.objects.get(handler="billing.webhook_event_process")
    assert row.status == WebhookEventStatus.RECEIVED
    assert (job.status, job.attempts) == (JobStatus.PENDING, 1)
    assert "GatewayError" in job.last_error
    assert job.available_at > timezone.now()


def test_failing_handler_records_the_error_on_the_last_attempt(
    alpha: Workspace, public_client: Client, run_on_commit, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On its last attempt a gateway failure leaves the event failed (retryable), with the
    error."""
    _unreachable_gateway(monkeypatch)
    sandbox = _sandbox_subscription(alpha.tenant)
    broken = event(
        "customer.subscription.updated", objects.subscription_object(sandbox), "evt_broken"
    )
    with run_on_commit():
        post_event(public_client, broken)
    job = Job.objects.get(handler="billing.webhook_event_process")
    Job.objects.filter(pk=job.pk).update(attempts=job.max_attempts - 1, available_at=timezone.now())
    job_run(job_id=job.pk)
    row = WebhookEvent.objects.get()
    assert row.status == WebhookEventStatus.FAILED
    assert "GatewayError" in row.error
    assert Job.objects.get(pk=job.pk).status == JobStatus.DONE


def test_status_change_is_written_to_the_audit_log(
    alpha: Workspace, public_client: Client, run_on_commit
) -> None:
    make_subscription(alpha.tenant)
    sandbox = _sandbox_subscription(alpha.tenant)
    with run_on_commit():
        post_event(
            public_client,
            event("customer.subscription.created", objects.subscription_object(sandbox)),
        )
    entry = OpsAuditEntry.objects.get(tenant=alpha.tenant)
    assert entry.action == OpsAction.BILLING_STATUS_CHANGE
    assert "trialing → active" in entry.reason


def test_sandbox_signature_verifies_with_stripes_own_library(settings) -> None:
    from billing.gateways.stripe import StripeGateway

    body, signature = signed(event("invoice.paid", {}), secret="whsec_shared")
    gateway = StripeGateway(secret_key="sk_test_x", webhook_secret="whsec_shared")
    assert gateway.event_verify(payload=body, signature=signature)["type"] == "invoice.paid"


@pytest.mark.django_db
def test_replayed_signature_older_than_the_tolerance_is_refused(public_client: Client) -> None:
    body = json.dumps(event("invoice.paid", {})).encode()
    stale = signature_header(
        payload=body,
        secret=settings.BILLING_SANDBOX_WEBHOOK_SECRET,
        timestamp=int(time.time()) - 600,
    )
    response = public_client.post(
        "/billing/webhook/", data=body, content_type="application/json", HTTP_STRIPE_SIGNATURE=stale
    )
    assert response.status_code == 400
    assert WebhookEvent.objects.count() == 0
