"""No 500 while Redis is away: rate-limited endpoints answer, sign-in is still limited (in
PostgreSQL), cache reads degrade; and the reconcile repairs a checkout Rapport never heard of."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from django.core.cache import cache
from django.test import Client, override_settings

from billing.models import Subscription, SubscriptionStatus
from billing.services import subscriptions_reconcile
from tenants.global_cache import global_cache
from tenants.models import RateLimitCounter
from tests.billing.conftest import make_subscription
from tests.billing.flows import checkout_path
from tests.conftest import Workspace

#: Nothing listens on port 1: every connection is refused at once, as when Redis is down.
UNREACHABLE_CACHE = {
    "default": {
        "BACKEND": "core.cache.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
        "KEY_FUNCTION": "django_tenants.cache.make_key",
        "REVERSE_KEY_FUNCTION": "django_tenants.cache.reverse_key",
        "KEY_PREFIX": "rapport-outage",
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
    }
}


@pytest.fixture
def redis_away() -> Iterator[None]:
    with override_settings(CACHES=UNREACHABLE_CACHE, LOGIN_RATE_LIMIT="3/10m"):
        global_cache.cache_clear()
        try:
            yield
        finally:
            global_cache.cache_clear()
    global_cache.cache_clear()


def test_cache_reads_degrade_to_their_default(redis_away: None) -> None:
    started = time.monotonic()
    assert cache.get("anything", "default") == "default"
    cache.set("anything", 1)
    assert cache.add("anything", 1) is False
    assert time.monotonic() - started < 3


@pytest.mark.usefixtures("redis_away")
def test_sign_in_is_still_limited_per_ip_while_redis_is_away(
    alpha: Workspace, alpha_admin: object
) -> None:
    """The per-IP budget moves to PostgreSQL: the 4th wrong password from one IP gets 429."""
    client = Client(HTTP_HOST=alpha.host)
    answers = [
        client.post(
            "/login/",
            {"username": "admin@alpha.example", "password": "wrong"},
            REMOTE_ADDR="198.51.100.9",
        ).status_code
        for _ in range(4)
    ]
    assert answers == [200, 200, 200, 429]
    assert RateLimitCounter.objects.count() == 1


@pytest.mark.usefixtures("redis_away")
def test_sign_in_works_while_redis_is_away(alpha: Workspace, alpha_admin: object) -> None:
    from tests.factories import TEST_PASSWORD

    response = Client(HTTP_HOST=alpha.host).post(
        "/login/", {"username": "admin@alpha.example", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302


@pytest.mark.usefixtures("redis_away")
@pytest.mark.parametrize(
    ("path", "data"),
    [
        ("/signup/", {"company_name": "X"}),
        ("/find-my-workspace/", {"email": "someone@example.com"}),
        ("/ops/login/", {"username": "ops@example.com", "password": "wrong"}),
    ],
)
def test_public_rate_limited_forms_answer_while_redis_is_away(
    db: None, path: str, data: dict[str, str]
) -> None:
    started = time.monotonic()
    response = Client(HTTP_HOST="localhost").post(path, data)
    assert response.status_code < 500
    assert time.monotonic() - started < 5


@pytest.mark.usefixtures("redis_away")
def test_password_reset_answers_and_is_limited_while_redis_is_away(
    alpha: Workspace, alpha_admin: object
) -> None:
    with override_settings(PASSWORD_RESET_ADDRESS_RATE_LIMIT="1/h"):
        client = Client(HTTP_HOST=alpha.host)
        first = client.post("/password-reset/", {"email": "admin@alpha.example"})
        second = client.post("/password-reset/", {"email": "admin@alpha.example"})
    assert (first.status_code, second.status_code) == (302, 302)
    assert RateLimitCounter.objects.filter(count=2).exists()  # the address budget, spent


@pytest.mark.usefixtures("redis_away")
def test_signed_in_pages_answer_while_redis_is_away(signed_in_alpha_admin: Client) -> None:
    assert signed_in_alpha_admin.get("/").status_code == 200


# --- Reconcile ---------------------------------------------------------------------------------


def test_reconcile_repairs_a_checkout_rapport_never_heard_of(
    alpha: Workspace, signed_in_alpha_admin: Client, public_client: Client
) -> None:
    """The customer paid at the gateway, every event was lost and they never came back to
    the billing page: the workspace stays on its trial until the reconcile finds the
    checkout and applies the subscription."""
    make_subscription(alpha.tenant, trial_days=1)
    path = checkout_path(signed_in_alpha_admin)
    response = public_client.post(path, {"card_number": "4242424242424242"})  # events lost
    assert response.status_code == 302
    local = Subscription.objects.get(tenant=alpha.tenant)
    assert (local.status, local.gateway_subscription_id) == (SubscriptionStatus.TRIALING, "")
    report = subscriptions_reconcile()
    local.refresh_from_db()
    assert report.recovered == 1
    assert local.status == SubscriptionStatus.ACTIVE
    assert local.gateway_subscription_id.startswith("sub_")
    assert subscriptions_reconcile().recovered == 0  # once
