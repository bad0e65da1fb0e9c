"""A new signup walks through the guided start to a first deal, in English and in 简体中文.

The visitor signs up on the public site, lands in the wizard, answers the profile and
readiness steps, reads the coach's advice, writes the sales process from an industry
template, explores with sample data, creates a deal and logs a call on it — the first value —
and sees the first steps ticked and the stage's entry criteria on the board. Steps are found
by test ids and field names, so the same walk runs in both languages; the words checked on
the way are each language's own.
"""

from __future__ import annotations

import datetime
import uuid

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from onboarding.services import journey_refresh
from onboarding.signups.models import Journey, Signup
from tenants.models import Tenant
from tenants.pool import pool_tenant_create
from tenants.services import schema_drop

pytestmark = pytest.mark.browser

#: Per language: the country chosen at signup, the profile step's heading, the coach's
#: heading, a stage of the software template and its entry criteria, as the pages say them.
WORDS = {
    "en": ("DE", "Company profile", "Implementation coach", "Demo", "We showed the product"),
    "zh-hans": ("CN", "公司资料", "实施顾问", "产品演示", "我们已向将要使用产品的人员做了演示"),
}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_new_signup_walks_the_guided_start_to_a_first_deal(
    committed: None, live_server_port: int, page, language: str
) -> None:
    country, profile_heading, coach_heading, demo_stage, demo_guidance = WORDS[language]
    pooled = pool_tenant_create()
    slug = f"guided-{uuid.uuid4().hex[:8]}"
    base = f"http://{slug}.localhost:{live_server_port}"
    try:
        # Signup: the first sign-in lands in the guided start, in the workspace's language.
        page.goto(f"http://localhost:{live_server_port}/signup/")
        signup = page.get_by_test_id("signup-form")
        signup.locator("[name=company_name]").fill("Guided Trading")
        signup.locator("[name=slug]").fill(slug)
        signup.locator("[name=admin_name]").fill("Gina Guide")
        signup.locator("[name=email]").fill("gina@guided.example")
        signup.locator("[name=password]").fill("a-long-passphrase")
        signup.locator("select[name=country]").select_option(country)
        signup.locator("select[name=language]").select_option(language)
        signup.locator("button[type=submit]").click()
        page.wait_for_url(f"{base}/start/profile/")
        assert page.locator("html").get_attribute("lang") == language
        assert page.get_by_role("heading", name=profile_heading, exact=True).is_visible()

        # 1. Company profile.
        page.locator("[name=industry]").select_option("software")
        page.locator("[name=headcount]").select_option("11-50")
        page.locator("[name=fiscal_year_start_month]").select_option("4")
        page.get_by_test_id("save-step").click()
        page.wait_for_url(f"{base}/start/readiness/")

        # 2. Goals and readiness, then the coach's advice.
        today = timezone.localdate()
        page.locator("input[name=goals][value=grow_sales]").check()
        page.locator("[name=sponsor]").fill("Gina Guide")
        page.locator("[name=departments-0-department]").fill("Sales")
        page.locator("[name=departments-0-email]").fill("gina@guided.example")
        page.locator("[name=training_on]").fill((today + datetime.timedelta(days=20)).isoformat())
        page.locator("[name=go_live_on]").fill((today + datetime.timedelta(days=40)).isoformat())
        page.get_by_test_id("save-step").click()
        page.wait_for_url(f"{base}/coach/")
        assert page.get_by_role("heading", name=coach_heading, exact=True).is_visible()
        assert page.get_by_test_id("readiness-score").is_visible()
        assert page.locator('[data-rule="department_without_backup"]').is_visible()

        # 3. The sales process from the software template (the form swaps with htmx).
        page.goto(f"{base}/start/")
        page.wait_for_url(f"{base}/start/process/")
        page.get_by_test_id("process-template").select_option("software")
        page.locator(f'#process-form input[value="{demo_stage}"]').wait_for()
        page.get_by_test_id("save-step").click()
        page.wait_for_url(f"{base}/start/data/")

        # 4. Sample data to explore, then the first real deal.
        page.get_by_test_id("sample-add").click()
        page.get_by_test_id("sample-remove").wait_for()
        page.get_by_test_id("first-records").locator("a[href='/deals/new/']").click()
        page.wait_for_url(f"{base}/deals/new/")
        page.locator("[data-testid=record-form] [name=title]").fill("First order")
        page.locator("[data-testid=record-form] [name=amount]").fill("12000")
        page.locator("[data-testid=record-form] button[type=submit]").first.click()
        page.wait_for_url(f"{base}/deals/*/")

        # A call logged on the deal: the first value.
        page.locator("label[for=qa-call]").click()
        page.get_by_test_id("quick-add").locator("[name=subject]").fill("Called about delivery")
        page.get_by_test_id("quick-add").locator("[name=done]").check()
        page.get_by_test_id("quick-add").locator("button[type=submit]").click()
        page.get_by_test_id("timeline").get_by_text("Called about delivery").wait_for()

        # 6. First steps tick themselves; the board shows the written process.
        page.goto(f"{base}/start/first-steps/")
        assert page.get_by_test_id("first-step-deal").get_attribute("data-done") == "1"
        assert page.get_by_test_id("first-step-call").get_attribute("data-done") == "1"
        page.goto(f"{base}/deals/")
        assert page.get_by_text(demo_guidance).first.is_visible()

        tenant = Tenant.objects.get(pk=pooled.pk)
        with schema_context(tenant.schema_name):
            journey_refresh()
        journey = Journey.objects.get(signup=Signup.objects.get(tenant=tenant))
        assert journey.first_value_at is not None
        assert journey.profile_done_at is not None
    finally:
        tenant = Tenant.objects.filter(pk=pooled.pk).first()
        if tenant is not None:
            schema_drop(tenant.schema_name)
            tenant.delete()
