"""The Stripe gateway against a fake of Stripe's servers (the only thing faked).

The fake answers the HTTP requests stripe-python makes, so the gateway's parameters, the
``to_dict()`` handling of stripe-python 16 objects and the error mapping run for real.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from billing.gateways.base import GatewayError
from billing.gateways.stripe import StripeGateway
from billing.models import Plan


class FakeStripeServer:
    """Records requests and answers from a table of ``(method, path) -> (status, body)``."""

    name = "fake-stripe"

    def __init__(self, answers: dict[tuple[str, str], tuple[int, dict[str, Any]]]) -> None:
        self.answers = answers
        self.requests: list[tuple[str, str, dict[str, list[str]]]] = []

    def request_with_retries(
        self, method: str, url: str, headers: Any, post_data: Any = None, *args: Any, **kwargs: Any
    ) -> tuple[str, int, dict[str, str]]:
        return self.request(method, url, headers, post_data)

    def request(
        self, method: str, url: str, headers: Any, post_data: Any = None, **kwargs: Any
    ) -> tuple[str, int, dict[str, str]]:
        parts = urlsplit(url)
        body = post_data.decode() if isinstance(post_data, bytes) else post_data or parts.query
        self.requests.append((method.upper(), parts.path, parse_qs(body or "")))
        status, answer = self.answers.get((method.upper(), parts.path), (404, _missing()))
        return json.dumps(answer), status, {"request-id": "req_fake"}

    def close(self) -> None:
        pass


def _missing() -> dict[str, Any]:
    return {
        "error": {
            "type": "invalid_request_error",
            "code": "resource_missing",
            "message": "No such object",
        }
    }


def _gateway(server: FakeStripeServer) -> StripeGateway:
    return StripeGateway(secret_key="sk_test_fake", webhook_secret="whsec_x", http_client=server)


@pytest.mark.django_db
def test_checkout_names_the_workspace_only_by_its_opaque_reference() -> None:
    plan = Plan.objects.get(slug="growth")
    plan.gateway_monthly_price_id = "price_growth_m"
    server = FakeStripeServer(
        {
            ("POST", "/v1/checkout/sessions"): (
                200,
                {
                    "id": "cs_1",
                    "object": "checkout.session",
                    "url": "https://checkout.stripe.com/c/cs_1",
                },
            )
        }
    )
    url = _gateway(server).checkout_url(
        reference="acct_opaque",
        plan=plan,
        interval="month",
        quantity=3,
        customer_id="cus_1",
        success_url="http://x/ok",
        cancel_url="http://x/no",
    )
    assert url == "https://checkout.stripe.com/c/cs_1"
    params = server.requests[0][2]
    assert params["customer"] == ["cus_1"]
    assert params["client_reference_id"] == ["acct_opaque"]
    assert params["subscription_data[metadata][rapport_account]"] == ["acct_opaque"]
    assert not any("tenant" in key for key in params)
    assert params["line_items[0][price]"] == ["price_growth_m"]
    assert params["line_items[0][quantity]"] == ["3"]


def test_customer_is_created_with_the_workspace_reference() -> None:
    server = FakeStripeServer(
        {("POST", "/v1/customers"): (200, {"id": "cus_new", "object": "customer"})}
    )
    customer_id = _gateway(server).customer_create(
        reference="acct_opaque", email="a@b.c", name="Acme"
    )
    assert customer_id == "cus_new"
    assert server.requests[0][2]["metadata[rapport_account]"] == ["acct_opaque"]


def test_retrieved_invoice_is_a_plain_dict() -> None:
    invoice = {"id": "in_1", "object": "invoice", "amount_paid": 5900, "currency": "eur"}
    server = FakeStripeServer({("GET", "/v1/invoices/in_1"): (200, invoice)})
    result = _gateway(server).invoice_retrieve("in_1")
    assert isinstance(result, dict)
    assert result["amount_paid"] == 5900


def test_missing_checkout_session_reads_as_none() -> None:
    assert _gateway(FakeStripeServer({})).checkout_session_retrieve("cs_gone") is None


def test_retrieved_subscription_is_a_plain_dict() -> None:
    subscription = {
        "id": "sub_1",
        "object": "subscription",
        "status": "active",
        "metadata": {"tenant_id": "7"},
    }
    server = FakeStripeServer({("GET", "/v1/subscriptions/sub_1"): (200, subscription)})
    result = _gateway(server).subscription_retrieve("sub_1")
    assert isinstance(result, dict)
    assert result["metadata"].get("tenant_id") == "7"


def test_missing_subscription_reads_as_none() -> None:
    assert _gateway(FakeStripeServer({})).subscription_retrieve("sub_gone") is None


def test_stripe_errors_become_gateway_errors() -> None:
    server = FakeStripeServer(
        {
            ("POST", "/v1/billing_portal/sessions"): (
                500,
                {"error": {"type": "api_error", "message": "boom"}},
            )
        }
    )
    with pytest.raises(GatewayError):
        _gateway(server).portal_url(customer_id="cus_1", return_url="http://x/")


def test_completed_checkouts_are_listed_for_the_customer_only() -> None:
    """Reconciliation asks Stripe for one customer's completed checkout sessions."""
    session = {
        "id": "cs_1", "object": "checkout.session", "status": "complete",
        "customer": "cus_1", "subscription": "sub_1", "client_reference_id": "acct_x",
    }  # fmt: skip
    server = FakeStripeServer(
        {
            ("GET", "/v1/checkout/sessions"): (
                200,
                {
                    "object": "list",
                    "data": [session],
                    "has_more": False,
                    "url": "/v1/checkout/sessions",
                },
            )
        }
    )
    found = _gateway(server).checkout_sessions_completed(customer_id="cus_1")
    assert [item["subscription"] for item in found] == ["sub_1"]
    assert isinstance(found[0], dict)
    method, path, query = server.requests[0]
    assert (method, path) == ("GET", "/v1/checkout/sessions")
    assert (query["customer"], query["status"]) == (["cus_1"], ["complete"])
