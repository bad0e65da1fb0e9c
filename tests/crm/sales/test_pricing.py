"""Line and document totals: Decimal arithmetic, rounding half up per currency, tax per rate."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from crm.sales.pricing import line_net, lines_total


@dataclass
class Line:
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal = Decimal(0)
    tax_rate: Decimal = Decimal(0)


def test_line_net_applies_the_discount_and_rounds_half_up() -> None:
    # 3 × 3.35 = 10.05; less 15 % = 8.5425 → 8.54
    net = line_net(
        quantity=Decimal(3),
        unit_price=Decimal("3.35"),
        discount_percent=Decimal(15),
        currency="EUR",
    )
    assert net == Decimal("8.54")


def test_half_a_cent_rounds_up() -> None:
    net = line_net(
        quantity=Decimal(1),
        unit_price=Decimal("0.125"),
        discount_percent=Decimal(0),
        currency="EUR",
    )
    assert net == Decimal("0.13")


def test_tax_is_computed_per_rate_on_the_summed_nets() -> None:
    # Three lines of 0.10 at 19 %: per line 0.019 → 0.02 each (0.06); on the sum 0.057 → 0.06.
    # Ten lines of 0.05 at 7 %: per line 0.0035 → 0.00; on the sum 0.035 → 0.04.
    lines = [Line(Decimal(1), Decimal("0.10"), tax_rate=Decimal(19))] * 3 + [
        Line(Decimal(1), Decimal("0.05"), tax_rate=Decimal(7))
    ] * 10
    totals = lines_total(lines, currency="EUR")
    assert totals.subtotal == Decimal("0.80")
    assert totals.tax_by_rate == {Decimal(7): Decimal("0.04"), Decimal(19): Decimal("0.06")}
    assert totals.tax == Decimal("0.10")
    assert totals.total == Decimal("0.90")


def test_a_currency_without_minor_units_rounds_to_whole_units() -> None:
    totals = lines_total(
        [Line(Decimal(3), Decimal(333), Decimal("10"), Decimal(10))], currency="JPY"
    )
    # 999 less 10 % = 899.1 → 899; tax 89.9 → 90
    assert totals.subtotal == Decimal(899)
    assert totals.tax == Decimal(90)
    assert totals.total == Decimal(989)


def test_a_three_decimal_currency_keeps_three_decimals() -> None:
    totals = lines_total([Line(Decimal(1), Decimal("1.2345"), tax_rate=Decimal(5))], currency="KWD")
    assert totals.subtotal == Decimal("1.235")
    assert totals.tax == Decimal("0.062")


def test_no_lines_total_zero() -> None:
    totals = lines_total([], currency="EUR")
    assert totals.total == Decimal("0.00")
    assert totals.tax_by_rate == {}
