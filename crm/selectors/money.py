"""Totals across currencies, converted to the workspace's base currency at its own rates.

Amounts are summed per currency in SQL; the conversion happens here, with the rate in force
on the day asked for (the newest rate valid from that day or before, entered against the
current base currency). A currency without a rate is reported as such and never added in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection
from django.utils import timezone

from core.locales import money_quantize
from crm.models import ExchangeRate


def workspace_currency() -> str:
    """The base currency of the workspace the connection is in."""
    tenant = getattr(connection, "tenant", None)
    return str(getattr(tenant, "currency", "") or "EUR").upper()


@dataclass(frozen=True)
class RateUsed:
    rate: Decimal
    valid_from: date


@dataclass
class ConvertedTotal:
    """A total in the base currency, what it was made of, and what could not be added."""

    base: str
    total: Decimal = Decimal(0)
    #: Amounts in currencies that have no rate in force, by currency (not in ``total``).
    unconverted: dict[str, Decimal] = field(default_factory=dict)
    #: The rates used, by currency (empty when every amount was in the base currency).
    rates: dict[str, RateUsed] = field(default_factory=dict)

    @property
    def converted(self) -> bool:
        """Whether any amount was converted from another currency."""
        return bool(self.rates)

    @property
    def complete(self) -> bool:
        return not self.unconverted

    def __add__(self, other: ConvertedTotal) -> ConvertedTotal:
        """Two totals in the same base currency, added (rates and gaps kept)."""
        unconverted = dict(self.unconverted)
        for code, amount in other.unconverted.items():
            unconverted[code] = unconverted.get(code, Decimal(0)) + amount
        return ConvertedTotal(
            base=self.base,
            total=self.total + other.total,
            unconverted=unconverted,
            rates={**self.rates, **other.rates},
        )

    def __radd__(self, other: object) -> ConvertedTotal:
        """Lets ``sum(totals)`` start from 0."""
        if other == 0:
            return self
        return NotImplemented


def rates_in_force(on: date | None = None, *, base: str | None = None) -> dict[str, RateUsed]:
    """Each currency's newest rate valid on ``on`` (today by default): one query."""
    base = base or workspace_currency()
    day = on or timezone.localdate()
    rows = (
        ExchangeRate.objects.filter(base_currency=base, valid_from__lte=day)
        .order_by("currency", "-valid_from")
        .distinct("currency")
        .values_list("currency", "rate", "valid_from")
    )
    return {currency: RateUsed(rate, valid_from) for currency, rate, valid_from in rows}


def convert(
    per_currency: Mapping[str, Decimal | None],
    *,
    rates: Mapping[str, RateUsed] | None = None,
    base: str | None = None,
) -> ConvertedTotal:
    """Add amounts given per currency into the base currency."""
    base = base or workspace_currency()
    if rates is None:
        needs_rates = any(code.upper() != base for code in per_currency)
        rates = rates_in_force(base=base) if needs_rates else {}
    result = ConvertedTotal(base=base)
    for code, amount in per_currency.items():
        if not amount:
            continue
        code = code.upper()
        if code == base:
            result.total += amount
        elif code in rates:
            result.total += amount * rates[code].rate
            result.rates[code] = rates[code]
        else:
            result.unconverted[code] = result.unconverted.get(code, Decimal(0)) + amount
    result.total = money_quantize(result.total, base)
    return result


def group_by_currency(rows: Iterable[Mapping[str, object]], value: str) -> dict[str, Decimal]:
    """``{currency: amount}`` from rows of a query grouped by ``currency``."""
    totals: dict[str, Decimal] = {}
    for row in rows:
        amount = row.get(value)
        if amount is None:
            continue
        code = str(row["currency"]).upper()
        totals[code] = totals.get(code, Decimal(0)) + Decimal(str(amount))
    return totals
