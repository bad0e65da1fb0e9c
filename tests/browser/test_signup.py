"""A visitor signs up through the real form in Chromium and lands signed in, in the guided start."""

from __future__ import annotations

import uuid

import pytest

from tenants.models import Tenant
from tenants.pool import pool_tenant_create
from tenants.services import schema_drop

pytestmark = pytest.mark.browser


def test_signup_lands_signed_in_in_the_guided_start_of_the_new_workspace(
    committed: None, live_server_port: int, page
) -> None:
    pooled = pool_tenant_create()
    slug = f"browser-{uuid.uuid4().hex[:8]}"
    try:
        page.goto(f"http://localhost:{live_server_port}/signup/")
        page.get_by_label("Company name").fill("Browser Bakery")
        page.get_by_label("Workspace address").fill(slug)
        page.get_by_text(f"{slug}.localhost is available").wait_for()
        page.get_by_label("Your name").fill("Bea Baker")
        page.get_by_label("Work email").fill("bea@bakery.example")
        page.get_by_label("Password").fill("a-long-passphrase")
        page.get_by_label("Country").select_option("DE")
        page.get_by_role("button", name="Create my workspace").click()
        base = f"http://{slug}.localhost:{live_server_port}"
        page.wait_for_url(f"{base}/start/profile/")
        assert page.get_by_test_id("guided-start").is_visible()
        page.get_by_test_id("workspace-brand").click()
        page.wait_for_url(f"{base}/")
        assert page.get_by_role("heading", name="Welcome, Bea").is_visible()
        assert page.get_by_test_id("setup-card").is_visible()
    finally:
        tenant = Tenant.objects.filter(pk=pooled.pk).first()
        if tenant is not None:
            schema_drop(tenant.schema_name)
            tenant.delete()


def test_signup_errors_are_shown_next_to_the_field(
    committed: None, live_server_port: int, page
) -> None:
    page.goto(f"http://localhost:{live_server_port}/signup/")
    page.get_by_label("Company name").fill("Typo Inc")
    page.get_by_label("Workspace address").fill("www")
    page.get_by_text("This address is reserved").first.wait_for()
    page.get_by_label("Your name").fill("Ty Po")
    page.get_by_label("Work email").fill("ty@typo.example")
    page.get_by_label("Password").fill("a-long-passphrase")
    page.get_by_label("Country").select_option("DE")
    page.get_by_role("button", name="Create my workspace").click()
    assert page.locator("#slug-errors").inner_text().startswith("This address is reserved")
    assert page.get_by_label("Company name").input_value() == "Typo Inc"
