"""Switching language in Chromium: the public site, and a signed-in person's workspace."""

from __future__ import annotations

import pytest

from onboarding.demo import DEMO_ADMIN_EMAIL, DEMO_PASSWORD, demo_workspace_ensure

pytestmark = pytest.mark.browser


def test_language_switcher_turns_the_public_site_chinese(
    committed: None, live_server_port: int, page
) -> None:
    """Clicking 繁體中文 shows the landing page in Traditional Chinese, and it stays so."""
    page.goto(f"http://localhost:{live_server_port}/")
    assert page.get_by_role("link", name="Start your free trial").is_visible()
    page.get_by_test_id("language-switcher").get_by_role("button", name="繁體中文").click()
    page.get_by_role("link", name="開始免費試用").first.wait_for()
    page.goto(f"http://localhost:{live_server_port}/pricing/")
    assert page.locator("html").get_attribute("lang") == "zh-hant"


def test_a_person_switches_their_workspace_to_simplified_chinese(
    committed: None, live_server_port: int, page
) -> None:
    """After choosing 简体中文 on the sign-in page, the workspace answers in Simplified."""
    demo_workspace_ensure()
    page.goto(f"http://demo.localhost:{live_server_port}/login/")
    page.get_by_test_id("language-switcher").get_by_role("button", name="简体中文").click()
    page.get_by_role("button", name="登录").wait_for()
    page.get_by_label("电子邮件").fill(DEMO_ADMIN_EMAIL)
    page.get_by_label("密码").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"http://demo.localhost:{live_server_port}/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("link", name="联系人").first.is_visible()
