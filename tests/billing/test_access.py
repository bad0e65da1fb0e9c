"""Access by subscription state: full, grace with a banner, read-only for every write."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from billing.middleware import WRITE_ALLOWED_NAMESPACES, WRITE_ALLOWED_URL_NAMES
from billing.models import SubscriptionStatus
from billing.selectors import AccessLevel, billing_access
from tests.billing.conftest import make_subscription
from tests.conftest import Workspace

now = timezone.now


def _expired_trial(workspace: Workspace):
    return make_subscription(workspace.tenant, trial_ends_at=now() - timedelta(minutes=1))


def test_unbilled_workspace_has_full_access() -> None:
    assert billing_access(None).level == AccessLevel.FULL


def test_trial_has_full_access_with_days_left(alpha: Workspace) -> None:
    access = billing_access(make_subscription(alpha.tenant))
    assert (access.level, access.trial_days_left) == (AccessLevel.FULL, 14)


def test_trial_expiry_without_payment_is_read_only(alpha: Workspace) -> None:
    assert billing_access(_expired_trial(alpha)).read_only


def test_active_subscription_has_full_access(alpha: Workspace) -> None:
    subscription = make_subscription(alpha.tenant, status=SubscriptionStatus.ACTIVE)
    assert billing_access(subscription).level == AccessLevel.FULL


def test_past_due_within_grace_keeps_access_with_days_left(alpha: Workspace, settings) -> None:
    settings.BILLING_GRACE_DAYS = 7
    subscription = make_subscription(
        alpha.tenant, status=SubscriptionStatus.PAST_DUE, past_due_since=now() - timedelta(days=2)
    )
    access = billing_access(subscription)
    assert (access.level, access.grace_days_left) == (AccessLevel.GRACE, 5)


def test_past_due_after_grace_is_read_only(alpha: Workspace, settings) -> None:
    settings.BILLING_GRACE_DAYS = 7
    subscription = make_subscription(
        alpha.tenant, status=SubscriptionStatus.PAST_DUE, past_due_since=now() - timedelta(days=8)
    )
    assert billing_access(subscription).read_only


def test_canceled_subscription_is_read_only(alpha: Workspace) -> None:
    subscription = make_subscription(alpha.tenant, status=SubscriptionStatus.CANCELED)
    assert billing_access(subscription).read_only


def test_complimentary_plan_has_full_access(alpha: Workspace) -> None:
    subscription = make_subscription(
        alpha.tenant, status=SubscriptionStatus.CANCELED, is_complimentary=True
    )
    assert billing_access(subscription).level == AccessLevel.FULL


def test_trial_banner_shows_days_left(alpha: Workspace, signed_in_alpha_admin: Client) -> None:
    make_subscription(alpha.tenant, trial_ends_at=now() + timedelta(days=3))
    response = signed_in_alpha_admin.get("/settings/users/")
    assert b'data-state="trial"' in response.content
    assert b"Free trial: 3 days left." in response.content


def test_grace_banner_is_shown_and_writes_still_work(
    alpha: Workspace, signed_in_alpha_admin: Client
) -> None:
    make_subscription(alpha.tenant, status=SubscriptionStatus.PAST_DUE, past_due_since=now())
    page = signed_in_alpha_admin.get("/settings/users/")
    assert b'data-state="grace"' in page.content
    response = signed_in_alpha_admin.post(
        "/settings/users/invite/", {"email": "x@alpha.example", "role": "rep"}
    )
    assert response.status_code == 302


def test_read_only_refuses_a_write_with_a_link_to_billing(
    alpha: Workspace, signed_in_alpha_admin: Client
) -> None:
    _expired_trial(alpha)
    response = signed_in_alpha_admin.post(
        "/settings/users/invite/", {"email": "x@alpha.example", "role": "rep"}
    )
    assert response.status_code == 403
    assert b'data-testid="billing-read-only"' in response.content
    assert b'href="/billing/"' in response.content


def test_read_only_still_serves_pages(alpha: Workspace, signed_in_alpha_admin: Client) -> None:
    _expired_trial(alpha)
    response = signed_in_alpha_admin.get("/settings/users/")
    assert response.status_code == 200
    assert b'data-state="read-only"' in response.content


def test_read_only_still_allows_billing_writes(
    alpha: Workspace, signed_in_alpha_admin: Client
) -> None:
    _expired_trial(alpha)
    response = signed_in_alpha_admin.post(
        "/billing/checkout/", {"plan": "growth", "interval": "month"}
    )
    assert response.status_code == 302
    assert "/billing/sandbox/checkout/" in response["Location"]


def test_read_only_still_allows_signing_out(
    alpha: Workspace, signed_in_alpha_admin: Client
) -> None:
    _expired_trial(alpha)
    assert signed_in_alpha_admin.post("/logout/").status_code == 302


def test_read_only_htmx_write_is_explained_over_the_page_not_reloaded(
    alpha: Workspace, signed_in_alpha_admin: Client
) -> None:
    """A reload would lose what was typed; a dialog laid over the page keeps it."""
    _expired_trial(alpha)
    response = signed_in_alpha_admin.post("/settings/users/invite/", HTTP_HX_REQUEST="true")
    assert response["X-Rapport-Billing"] == "read-only"
    assert not response.has_header("HX-Refresh")
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("body", "beforeend")
    assert b'data-testid="read-only-dialog"' in response.content


def test_read_only_of_one_workspace_does_not_affect_another(
    alpha: Workspace, beta: Workspace, beta_client: Client, beta_admin
) -> None:
    _expired_trial(alpha)
    from tests.conftest import sign_in

    sign_in(beta_client, beta, beta_admin)
    response = beta_client.post(
        "/settings/users/invite/", {"email": "x@beta.example", "role": "rep"}
    )
    assert response.status_code == 302


# --- Generated: every write URL of the workspace host refuses in read-only state ---------------

DUMMY_VALUES = {"int": "1", "str": "dummy", "slug": "dummy", "path": "dummy"}


def _walk(
    patterns: list, prefix: str = "", namespaces: tuple[str, ...] = ()
) -> Iterator[tuple[str, str, tuple[str, ...]]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from _walk(
                entry.url_patterns,
                prefix + str(entry.pattern),
                namespaces + ((entry.namespace,) if entry.namespace else ()),
            )
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.name or "", namespaces


def _fill(route: str) -> str:
    import re

    def value(match: re.Match[str]) -> str:
        converter = match.group(1) or "str"
        return str(uuid.uuid4()) if converter == "uuid" else DUMMY_VALUES.get(converter, "1")

    return "/" + re.sub(r"<(?:(\w+):)?\w+>", value, route)


def _tenant_routes() -> list[tuple[str, str, tuple[str, ...]]]:
    return sorted(set(_walk(get_resolver("config.urls_tenant").url_patterns)))


def _allowed(name: str, namespaces: tuple[str, ...]) -> bool:
    return name in WRITE_ALLOWED_URL_NAMES or bool(
        WRITE_ALLOWED_NAMESPACES.intersection(namespaces)
    )


WRITE_ROUTES = [route for route in _tenant_routes() if not _allowed(route[1], route[2])]


def test_the_generated_route_list_covers_the_crm() -> None:
    names = {name for _, name, _ in WRITE_ROUTES}
    assert {"invitation_create", "user_deactivate"} <= names
    assert len(WRITE_ROUTES) > 10


@pytest.mark.parametrize(
    ("route", "name", "namespaces"), WRITE_ROUTES, ids=[r[1] or r[0] for r in WRITE_ROUTES]
)
def test_every_write_url_refuses_in_read_only_state(
    alpha: Workspace,
    signed_in_alpha_admin: Client,
    route: str,
    name: str,
    namespaces: tuple[str, ...],
) -> None:
    _expired_trial(alpha)
    response = signed_in_alpha_admin.post(_fill(route), {})
    assert response.status_code == 403, (route, response.status_code)
    assert response["X-Rapport-Billing"] == "read-only"


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_other_write_methods_refuse_in_read_only_state(
    alpha: Workspace, signed_in_alpha_admin: Client, method: str
) -> None:
    _expired_trial(alpha)
    response = getattr(signed_in_alpha_admin, method)("/settings/users/1/deactivate/")
    assert response.status_code == 403
