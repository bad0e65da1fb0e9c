"""Generated: every URL of both hosts demands sign-in, except a short, reviewed list.

A new view without a permission check fails here for anonymous visitors, on the workspace
host (redirect to the workspace sign-in) and on the public host's ops console (redirect to the
ops sign-in).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from tests.conftest import Workspace

#: Workspace pages anyone may open: signing in, resetting a password, accepting an invitation,
#: the signup handoff, health and readiness checks, the billing sandbox's public checkout
#: endpoints, and a quote's public page.
TENANT_PUBLIC = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "invitation_accept",
    "handoff",
    "health",
    "readiness",
    "favicon",
    "apple_touch_icon",
    "set_language",
    # A customer answers a quote through its signed link (bound to the workspace's schema).
    "quote_public",
    "quote_public_pdf",
    # Customer service's pages for the workspace's customers (CSAT link, help page, case form).
    "service_help",
    "service_help_article",
    "service_web_form",
    "service_csat",
    # Web-to-lead forms: the hosted page / submission endpoint and the opt-in link (signed keys).
    "webform_public",
    "webform_confirm",
    # E-mail campaigns: a recipient's signed open/click/unsubscribe links; the mail provider's
    # bounce endpoint (shared secret, 403 without it).
    "campaign_open",
    "campaign_click",
    "campaign_unsubscribe",
    "campaign_inbound",
    # The daily digest's unsubscribe link (signed for one user of this workspace).
    "digest_unsubscribe",
}
#: Public-host pages anyone may open (everything else there is the ops console).
PUBLIC_OPEN_PREFIXES = (
    "signup",
    "find-my-workspace",
    "healthz",
    "readyz",
    "ops/login",
    "ops/logout",
    "favicon.ico",
    "apple-touch-icon.png",
    "pricing",
    "sign-in",
    "i18n/",
)


def _walk(patterns: list, prefix: str = "") -> Iterator[tuple[str, str]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.name or ""


def _fill(route: str) -> str:
    def value(match: re.Match[str]) -> str:
        return str(uuid.uuid4()) if match.group(1) == "uuid" else "1"

    return "/" + re.sub(r"<(?:(\w+):)?\w+>", value, route).replace("^", "").replace("$", "")


TENANT_ROUTES = sorted(
    (route, name)
    for route, name in set(_walk(get_resolver("config.urls_tenant").url_patterns))
    if name not in TENANT_PUBLIC
)
OPS_ROUTES = sorted(
    (route, name)
    for route, name in set(_walk(get_resolver("config.urls_public").url_patterns))
    if route.startswith("ops/") and not route.startswith(("ops/login", "ops/logout"))
)


def test_route_lists_are_not_empty() -> None:
    assert len(TENANT_ROUTES) > 30
    assert len(OPS_ROUTES) > 5


@pytest.mark.parametrize(("route", "name"), TENANT_ROUTES, ids=[n or r for r, n in TENANT_ROUTES])
@pytest.mark.parametrize("method", ["get", "post"])
def test_workspace_url_needs_sign_in(alpha: Workspace, route: str, name: str, method: str) -> None:
    response = getattr(Client(HTTP_HOST=alpha.host), method)(_fill(route))
    if response.status_code == 405:
        return
    assert response.status_code == 302, (route, response.status_code)
    assert response["Location"].startswith("/login/"), (route, response["Location"])


@pytest.mark.parametrize(("route", "name"), OPS_ROUTES, ids=[n or r for r, n in OPS_ROUTES])
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.django_db
def test_ops_url_needs_staff_sign_in(route: str, name: str, method: str) -> None:
    response = getattr(Client(HTTP_HOST="localhost"), method)(_fill(route))
    if response.status_code == 405:
        return
    assert response.status_code == 302, (route, response.status_code)
    assert response["Location"].startswith("/ops/login/"), (route, response["Location"])
