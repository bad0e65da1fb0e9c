"""Fixtures of the sales tests: a catalogue with prices, a deal with lines, a sent quote."""

from __future__ import annotations

from decimal import Decimal

import pytest

from crm.models import Deal, DealContact
from crm.sales import services
from crm.sales.models import PriceList, Product, Quote
from tenants.users.models import User
from tests.conftest import Workspace
from tests.crm.factories import ContactFactory, DealFactory


@pytest.fixture
def eur_list(crm: Workspace, admin: User) -> PriceList:
    return services.price_list_create(
        by=admin, fields={"name": "Standard", "currency": "EUR", "is_default": True}
    )


@pytest.fixture
def widget(crm: Workspace, admin: User, eur_list: PriceList) -> Product:
    product = services.product_create(
        by=admin,
        fields={"sku": "W-1", "name": "Widget", "unit": "pcs", "tax_rate": Decimal("19")},
    )
    services.price_set(price_list=eur_list, product=product, amount=Decimal("10.00"), by=admin)
    return product


@pytest.fixture
def deal(crm: Workspace, rep: User) -> Deal:
    deal = DealFactory.create(title="Office fit-out", owner=rep, currency="EUR")
    contact = ContactFactory.create(owner=rep, email="buyer@example.com")
    DealContact.objects.create(deal=deal, contact=contact)
    return deal


@pytest.fixture
def quote(deal: Deal, widget: Product, rep: User) -> Quote:
    services.deal_line_add(deal=deal, by=rep, fields={"product": widget, "quantity": Decimal(3)})
    return services.quote_create(deal=deal, by=rep)


@pytest.fixture
def sent_quote(quote: Quote, rep: User) -> Quote:
    return services.quote_mark_sent(quote=quote, to="buyer@example.com", by=rep)
