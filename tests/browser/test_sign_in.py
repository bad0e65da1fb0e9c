"""A person signs in on the demo workspace in Chromium and sees the dashboard."""

from __future__ import annotations

import pytest

from onboarding.demo import DEMO_ADMIN_EMAIL, DEMO_PASSWORD, demo_workspace_ensure

pytestmark = pytest.mark.browser


def test_demo_admin_signs_in_and_sees_the_dashboard(
    committed: None,
    live_server_port: int,
    page,
) -> None:
    demo_workspace_ensure()
    page.goto(f"http://demo.localhost:{live_server_port}/")
    assert "/login/" in page.url
    page.get_by_label("Email").fill(DEMO_ADMIN_EMAIL)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"http://demo.localhost:{live_server_port}/")
    assert page.get_by_test_id("dashboard").is_visible()
    assert page.get_by_role("heading", name="Welcome, Alex").is_visible()


def test_signed_in_session_does_not_carry_to_another_workspace(
    committed: None,
    live_server_port: int,
    page,
) -> None:
    demo_workspace_ensure()
    page.goto(f"http://demo.localhost:{live_server_port}/login/")
    page.get_by_label("Email").fill(DEMO_ADMIN_EMAIL)
    page.get_by_label("Password").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"http://demo.localhost:{live_server_port}/")
    page.goto(f"http://alpha.localhost:{live_server_port}/")
    assert "/login/" in page.url
