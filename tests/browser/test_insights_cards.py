"""Insights cards loaded after their pages in Chromium: the deal's win probability, the
home dashboard's customers to look after, the sales dashboard's service KPIs, and the value
panel's trend on a company page."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterator
from decimal import Decimal

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from crm import services
from crm.insights.customer_value import customer_values_refresh
from crm.insights.models import CustomerValue
from crm.models import AuditEntry, Company, Deal, StageTransition
from tenants.models import Tenant
from tenants.users.models import Role, User
from tests.crm.factories import stage_named
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def seller(committed: None) -> Iterator[tuple[User, Company, Deal]]:
    """A committed rep in alpha with a company that ordered three times, the last a year ago
    (at risk), and an open deal; removed afterwards."""
    schema = Tenant.objects.get(slug="alpha").schema_name
    tag = uuid.uuid4().hex[:8]
    with schema_context(schema):
        user = UserFactory.create(email=f"seller-{tag}@alpha.example", role=Role.REP)
        company = services.company_create(by=user, fields={"name": f"Quiet {tag} Ltd"})
        now = timezone.now()
        for days in (420, 390, 360):
            deal = services.deal_create(
                by=user,
                fields={"title": f"Order {days}", "company": company, "amount": Decimal(500)},
            )
            won_at = now - datetime.timedelta(days=days)
            Deal.objects.filter(pk=deal.pk).update(
                stage=stage_named("Won"), won_at=won_at, created_at=won_at
            )
        open_deal = services.deal_create(
            by=user, fields={"title": f"Renewal {tag}", "company": company, "probability": 90}
        )
        customer_values_refresh()
    yield user, company, open_deal
    with schema_context(schema):
        StageTransition.objects.filter(deal__owner=user).delete()
        Deal.objects.filter(owner=user).delete()
        Company.objects.filter(owner=user).delete()
        AuditEntry.objects.filter(actor=user).delete()
        customer_values_refresh()
        assert not CustomerValue.objects.filter(owner_id=user.pk).exists()
        user.delete()


def test_the_cards_load_after_their_pages(seller, live_server_port: int, page) -> None:
    user, company, deal = seller
    base = f"http://alpha.localhost:{live_server_port}"
    page.goto(f"{base}/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")

    look_after = page.get_by_test_id("home-look-after")
    look_after.wait_for()
    assert company.name in look_after.inner_text()

    page.goto(f"{base}/deals/{deal.pk}/")
    card = page.get_by_test_id("deal-win-probability")
    card.wait_for()
    assert "%" in page.get_by_test_id("win-probability-number").inner_text()

    page.goto(f"{base}/companies/{company.pk}/")
    page.get_by_test_id("customer-value").wait_for()
    assert page.get_by_test_id("customer-at-risk").is_visible()

    page.goto(f"{base}/insights/")
    page.get_by_test_id("service-summary").wait_for()
    page.get_by_test_id("insights-tabs").get_by_role("link", name="Service").click()
    page.get_by_test_id("kpi-breaches").wait_for()
