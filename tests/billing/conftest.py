"""Billing test helpers: subscriptions in a given state, signed events, the ops console.

The sandbox gateway is the product's own offline provider, so tests drive it for real; only
Stripe's servers are faked (see test_stripe_gateway.py).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from billing.models import Plan, Subscription, SubscriptionStatus
from billing.signatures import signature_header
from tenants.models import Tenant
from tenants.users.models import User
from tests.factories import TEST_PASSWORD


def make_subscription(
    tenant: Tenant, *, plan: str = "growth", trial_days: int = 14, **fields: Any
) -> Subscription:
    """A subscription row for ``tenant`` (trialing for 14 days unless told otherwise).

    With ``trial_days=1`` a checkout charges at once (too little trial is left to carry).
    """
    values: dict[str, Any] = {
        "status": SubscriptionStatus.TRIALING,
        "trial_ends_at": timezone.now() + timedelta(days=trial_days),
    }
    values.update(fields)
    return Subscription.objects.create(tenant=tenant, plan=Plan.objects.get(slug=plan), **values)


def signed(event: dict[str, Any], *, secret: str | None = None) -> tuple[bytes, str]:
    """The raw body and ``Stripe-Signature`` header the sandbox would send."""
    body = json.dumps(event).encode()
    key = settings.BILLING_SANDBOX_WEBHOOK_SECRET if secret is None else secret
    return body, signature_header(payload=body, secret=key, timestamp=int(time.time()))


def post_event(client: Client, event: dict[str, Any], **kwargs: Any) -> Any:
    body, signature = signed(event, **kwargs)
    return client.post(
        "/billing/webhook/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )


def event(event_type: str, data_object: dict[str, Any], event_id: str = "evt_test_1") -> dict:
    return {
        "id": event_id,
        "object": "event",
        "type": event_type,
        "created": int(time.time()),
        "data": {"object": data_object},
    }


@pytest.fixture
def public_client() -> Client:
    return Client(HTTP_HOST="localhost")


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks) -> Callable[..., Any]:
    """Run the on-commit work (event delivery, processing, emails) at the end of the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def staff(db: None) -> User:
    return User.objects.create_superuser("ops@rapport.example", TEST_PASSWORD, full_name="Olga")


@pytest.fixture
def ops_client(staff: User) -> Client:
    client = Client(HTTP_HOST="localhost")
    response = client.post("/ops/login/", {"username": staff.email, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client
