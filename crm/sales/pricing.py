"""Line and document totals in ``Decimal``, rounded as invoices are.

Each line's net amount is rounded to the currency's minor unit (half up); tax is computed once
per tax rate on the sum of the net amounts at that rate, then rounded, so a quote of many
small lines does not accumulate a rounding error per line (the VAT rule of most countries).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from core.locales import money_quantize

HUNDRED = Decimal(100)


class PricedLine(Protocol):
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    tax_rate: Decimal


def line_net(
    *, quantity: Decimal, unit_price: Decimal, discount_percent: Decimal, currency: str
) -> Decimal:
    """Quantity × unit price less the discount, rounded to the currency."""
    gross = Decimal(quantity) * Decimal(unit_price)
    return money_quantize(gross * (HUNDRED - Decimal(discount_percent)) / HUNDRED, currency)


@dataclass
class Totals:
    """What a set of lines adds up to, in one currency."""

    currency: str
    subtotal: Decimal = Decimal(0)
    tax: Decimal = Decimal(0)
    #: Tax per rate (percent → tax amount), for the breakdown under the lines.
    tax_by_rate: dict[Decimal, Decimal] = field(default_factory=dict)

    @property
    def total(self) -> Decimal:
        return self.subtotal + self.tax


def lines_total(lines: Iterable[PricedLine], *, currency: str) -> Totals:
    """Subtotal (net), tax per rate and total of ``lines``."""
    net_by_rate: dict[Decimal, Decimal] = {}
    totals = Totals(currency=currency, subtotal=money_quantize(Decimal(0), currency))
    for line in lines:
        net = line_net(
            quantity=line.quantity,
            unit_price=line.unit_price,
            discount_percent=line.discount_percent,
            currency=currency,
        )
        totals.subtotal += net
        rate = Decimal(line.tax_rate).normalize()
        net_by_rate[rate] = net_by_rate.get(rate, Decimal(0)) + net
    for rate, net in sorted(net_by_rate.items()):
        tax = money_quantize(net * rate / HUNDRED, currency)
        if rate:
            totals.tax_by_rate[rate] = tax
        totals.tax += tax
    totals.tax = money_quantize(totals.tax, currency)
    return totals
