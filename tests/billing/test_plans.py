"""Plans sync to the gateway as products and prices; the sandbox records its own ids."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from billing.models import Plan


@pytest.mark.django_db
def test_sync_command_records_sandbox_ids(settings) -> None:
    settings.STRIPE_SECRET_KEY = ""
    output = StringIO()
    call_command("billing_sync_plans", stdout=output)
    assert "growth: prod_sbx_growth" in output.getvalue()
    plan = Plan.objects.get(slug="growth")
    assert (
        plan.gateway_product_id,
        plan.gateway_monthly_price_id,
        plan.gateway_yearly_price_id,
    ) == (
        "prod_sbx_growth",
        "price_sbx_growth_month",
        "price_sbx_growth_year",
    )


@pytest.mark.django_db
def test_price_lookup_finds_the_plan_by_lookup_key_or_recorded_id() -> None:
    Plan.objects.filter(slug="pro").update(gateway_yearly_price_id="price_123")
    by_key = Plan.objects.for_price(lookup_key="starter_month")
    by_id = Plan.objects.for_price(price_id="price_123")
    assert (by_key and by_key.slug, by_id and by_id.slug) == ("starter", "pro")
    assert Plan.objects.for_price(price_id="price_unknown") is None
