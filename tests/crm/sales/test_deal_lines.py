"""Deal line items: prices from the deal currency's list, totals, and the deal amount."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from crm.errors import CrmError
from crm.models import AuditEntry, Deal
from crm.sales import services
from crm.sales.models import DealLine, PriceList, Product
from tenants.users.models import User
from tests.crm.factories import DealFactory


def test_a_line_takes_price_and_tax_from_the_product(
    deal: Deal, widget: Product, rep: User
) -> None:
    line = services.deal_line_add(deal=deal, by=rep, fields={"product": widget})
    assert (line.name, line.unit_price, line.tax_rate, line.quantity) == (
        "Widget", Decimal("10.00"), Decimal("19"), Decimal(1),
    )  # fmt: skip


def test_a_deal_in_another_currency_uses_that_currency_s_list(
    widget: Product, admin: User, rep: User
) -> None:
    usd = services.price_list_create(by=admin, fields={"name": "US", "currency": "USD"})
    services.price_set(price_list=usd, product=widget, amount=Decimal("11.50"), by=admin)
    usd_deal = DealFactory.create(owner=rep, currency="USD")
    line = services.deal_line_add(deal=usd_deal, by=rep, fields={"product": widget})
    assert line.unit_price == Decimal("11.50")


def test_deal_totals_with_discount_and_tax(deal: Deal, widget: Product, rep: User) -> None:
    services.deal_line_add(
        deal=deal, by=rep,
        fields={"product": widget, "quantity": Decimal(3), "discount_percent": Decimal("12.5")},
    )  # fmt: skip
    services.deal_line_add(
        deal=deal, by=rep,
        fields={"name": "Installation", "unit_price": Decimal("99.99"), "tax_rate": Decimal(7)},
    )  # fmt: skip
    totals = services.deal_lines_total(deal)
    # 30.00 less 12.5 % = 26.25 (19 % → 4.9875 → 4.99); 99.99 (7 % → 6.9993 → 7.00)
    assert totals.subtotal == Decimal("126.24")
    assert totals.tax == Decimal("11.99")
    assert totals.total == Decimal("138.23")


def test_the_deal_amount_follows_the_lines_when_asked(
    deal: Deal, widget: Product, rep: User
) -> None:
    services.deal_line_add(deal=deal, by=rep, fields={"product": widget, "quantity": Decimal(2)})
    services.deal_amount_from_lines_set(deal=deal, by=rep, enabled=True)
    deal.refresh_from_db()
    assert deal.amount == Decimal("20.00")
    line = DealLine.objects.get(deal=deal)
    services.deal_line_update(line=line, by=rep, fields={"quantity": Decimal(5)})
    deal.refresh_from_db()
    assert deal.amount == Decimal("50.00")
    assert AuditEntry.objects.filter(object_id=deal.pk, changes__has_key="amount").exists()


def test_without_the_option_the_deal_amount_stays(deal: Deal, widget: Product, rep: User) -> None:
    deal.amount = Decimal(777)
    deal.save()
    services.deal_line_add(deal=deal, by=rep, fields={"product": widget})
    deal.refresh_from_db()
    assert deal.amount == Decimal(777)


def test_another_rep_cannot_change_the_deal_s_lines(
    deal: Deal, widget: Product, other_rep: User
) -> None:
    with pytest.raises(CrmError):
        services.deal_line_add(deal=deal, by=other_rep, fields={"product": widget})


def test_the_deal_page_card_lists_lines_and_adds_one(
    deal: Deal, widget: Product, eur_list: PriceList, rep: User, client_as: object
) -> None:
    client: Client = client_as(rep)  # type: ignore[operator]
    response = client.post(
        reverse("deal_lines", args=[deal.pk]), {"product": widget.pk, "quantity": "2"}
    )
    assert response.status_code == 302
    page = client.get(reverse("deal_lines", args=[deal.pk]))
    assert b"Widget" in page.content
    assert "€23.80" in page.content.decode()


def test_the_deal_page_loads_the_card(deal: Deal, rep: User, client_as: object) -> None:
    client: Client = client_as(rep)  # type: ignore[operator]
    page = client.get(reverse("deal_detail", args=[deal.pk]))
    assert reverse("deal_lines", args=[deal.pk]).encode() in page.content
