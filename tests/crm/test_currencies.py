"""Money in many currencies: ISO codes from a list, each currency's minor units, totals
converted to the workspace's base currency at its own rates, and gaps shown, never added."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone

from crm import services
from crm.errors import CrmError
from crm.models import Deal, ExchangeRate, Stage
from crm.selectors import stage_totals
from crm.selectors.money import convert, rates_in_force
from tests.conftest import Workspace
from tests.crm.factories import DealFactory


def _rate(currency: str, rate: str, *, base: str = "EUR", days_ago: int = 0) -> ExchangeRate:
    return ExchangeRate.objects.create(
        currency=currency,
        base_currency=base,
        rate=Decimal(rate),
        valid_from=timezone.localdate() - timedelta(days=days_ago),
    )


def test_a_deal_refuses_an_invented_currency(crm, rep) -> None:
    """Currency is an ISO 4217 code from the list, with a clear message otherwise."""
    deal = DealFactory.build(owner=rep, currency="XYZ")
    with pytest.raises(ValidationError, match="not a currency code"):
        deal.full_clean()


def test_yen_amounts_have_no_minor_unit(crm, rep) -> None:
    """¥1,000.50 is refused: the yen has no smaller unit."""
    deal = DealFactory.build(owner=rep, currency="JPY", amount=Decimal("1000.50"))
    with pytest.raises(ValidationError, match="whole amount"):
        deal.full_clean()


def test_kuwaiti_dinar_keeps_three_decimals(crm, rep) -> None:
    """A currency with three decimals stores them."""
    deal = DealFactory.create(owner=rep, currency="KWD", amount=Decimal("12.345"))
    assert Deal.objects.get(pk=deal.pk).amount == Decimal("12.345")


def test_mixed_totals_are_converted_at_the_rate_in_force(crm, rep) -> None:
    """USD converts at today's rate (not the older one); EUR, the base, is added as is."""
    _rate("USD", "0.50", days_ago=30)
    _rate("USD", "0.90", days_ago=1)
    _rate("USD", "2.00", days_ago=-5)  # a future rate is not yet in force
    total = convert({"EUR": Decimal(100), "USD": Decimal(100)})
    assert (total.total, total.complete, total.converted) == (Decimal("190.00"), True, True)
    assert total.rates["USD"].rate == Decimal("0.90")


def test_a_currency_without_a_rate_is_reported_never_added(crm) -> None:
    """Without a CNY rate, the CNY amount stays out of the total and is named."""
    total = convert({"EUR": Decimal(100), "CNY": Decimal(700)})
    assert total.total == Decimal("100.00")
    assert total.unconverted == {"CNY": Decimal(700)}


def test_rates_against_an_older_base_currency_stop_applying(crm) -> None:
    """After the base currency changed from EUR, EUR-based rates convert nothing."""
    _rate("USD", "0.90", base="EUR")
    assert rates_in_force(base="CNY") == {}


def test_board_totals_convert_deals_in_other_currencies(crm, rep) -> None:
    """A stage's total adds a USD deal converted, and the JPY one without a rate apart."""
    stage = Stage.objects.filter(kind="open").order_by("position")[0]
    _rate("USD", "0.90")
    DealFactory.create(owner=rep, stage=stage, amount=Decimal(1000), currency="EUR")
    DealFactory.create(owner=rep, stage=stage, amount=Decimal(1000), currency="USD")
    DealFactory.create(owner=rep, stage=stage, amount=Decimal(50000), currency="JPY")
    totals = stage_totals(Deal.objects.all(), [stage])[stage.pk]
    assert totals["count"] == 3
    assert totals["total"].total == Decimal("1900.00")
    assert totals["total"].unconverted == {"JPY": Decimal(50000)}


def test_board_says_which_amounts_have_no_rate(crm, rep, client_as) -> None:
    """The column shows the converted total with "≈" and the amount without a rate apart."""
    stage = Stage.objects.filter(kind="open").order_by("position")[0]
    _rate("USD", "0.90")
    DealFactory.create(owner=rep, stage=stage, amount=Decimal(1000), currency="USD")
    DealFactory.create(owner=rep, stage=stage, amount=Decimal(500), currency="GBP")
    content = client_as(rep).get("/deals/").content.decode()
    assert "≈ €900.00" in content
    assert "without a rate" in content
    assert "£500.00" in content


def test_admin_adds_a_rate_and_totals_use_it(crm, admin, client_as) -> None:
    """A rate saved on the settings page applies to totals from its day."""
    client: Client = client_as(admin)
    response = client.post(
        "/settings/rates/",
        {"currency": "USD", "rate": "0.9", "valid_from": timezone.localdate().isoformat()},
    )
    assert response.status_code == 302
    assert rates_in_force()["USD"].rate == Decimal("0.9")


def test_the_base_currency_needs_no_rate(crm, admin) -> None:
    """A rate for EUR in a EUR workspace is refused with a message."""
    with pytest.raises(CrmError, match="needs no rate"):
        services.exchange_rate_set(
            by=admin, currency="EUR", rate=Decimal(1), valid_from=timezone.localdate()
        )


def test_rates_of_one_workspace_never_convert_another(
    alpha: Workspace, beta: Workspace, crm
) -> None:
    """A rate saved in alpha is not in force in beta."""
    from django_tenants.utils import schema_context

    _rate("USD", "0.90")
    with schema_context(beta.schema):
        assert rates_in_force(base="EUR") == {}
