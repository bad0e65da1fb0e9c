"""Drive the sandbox like a customer: the billing page, hosted checkout, portal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.test import Client

GOOD_CARD = "4242 4242 4242 4242"
DECLINED_CARD = "4000 0000 0000 0002"
FAILS_AT_RENEWAL_CARD = "4000 0000 0000 0341"


def checkout_path(admin_client: Client, *, plan: str = "growth", interval: str = "month") -> str:
    response = admin_client.post("/billing/checkout/", {"plan": plan, "interval": interval})
    assert response.status_code == 302, response.content
    location = urlsplit(response["Location"])
    assert location.hostname == "localhost"
    return location.path


def subscribe(
    admin_client: Client,
    public_client: Client,
    run_on_commit: Callable[[], Any],
    *,
    card: str = GOOD_CARD,
    plan: str = "growth",
    interval: str = "month",
) -> Any:
    """Pay the sandbox checkout; events are delivered and processed before returning."""
    path = checkout_path(admin_client, plan=plan, interval=interval)
    with run_on_commit():
        return public_client.post(path, {"card_number": card})


def portal_path(admin_client: Client, url: str = "/billing/portal/") -> str:
    response = admin_client.post(url)
    assert response.status_code == 302, response.content
    return urlsplit(response["Location"]).path
