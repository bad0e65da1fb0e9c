"""Amounts in the workspace's base currency inside SQL, so a sum can span currencies.

The rates are those of ``crm.selectors.money.rates_in_force`` (one small query); the
conversion is a ``CASE`` on the currency column. An amount in a currency without a rate in
force converts to NULL: it is left out of every sum and reported by
:func:`currencies_without_rate`, never added at a wrong rate.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Case, DecimalField, ExpressionWrapper, F, Value, When
from django.db.models.functions import Upper

from crm.selectors.money import RateUsed, rates_in_force, workspace_currency

MONEY: DecimalField[Decimal, Decimal] = DecimalField(max_digits=24, decimal_places=4)


@dataclass(frozen=True)
class Conversion:
    """The base currency and the rates in force, read once per page."""

    base: str
    rates: Mapping[str, RateUsed]

    @classmethod
    def current(cls) -> Conversion:
        base = workspace_currency()
        return cls(base=base, rates=rates_in_force(base=base))

    def amount(self, amount: str = "amount", currency: str = "currency") -> Any:
        """SQL: ``amount`` in the base currency (NULL when its currency has no rate)."""
        whens = [When(**{currency: self.base}, then=F(amount))]
        whens += [
            When(
                **{currency: code},
                then=ExpressionWrapper(F(amount) * Value(used.rate), output_field=MONEY),
            )
            for code, used in sorted(self.rates.items())
        ]
        return Case(*whens, default=None, output_field=MONEY)

    def rates_used(self, currencies: set[str]) -> dict[str, RateUsed]:
        return {code: self.rates[code] for code in sorted(currencies) if code in self.rates}


def currencies_of(queryset: Any, currency: str = "currency") -> set[str]:
    """The distinct currencies of ``queryset`` (one small grouped query)."""
    return {
        str(code).upper()
        for code in queryset.order_by()
        .annotate(code=Upper(currency))
        .values_list("code", flat=True)
        .distinct()
    }


def currencies_without_rate(currencies: set[str], conversion: Conversion) -> list[str]:
    return sorted(c for c in currencies if c != conversion.base and c not in conversion.rates)


def zero() -> Decimal:
    return Decimal(0)


def rates_key(conversion: Conversion) -> str:
    """The base currency and the rates in force, as a cache-key part (a new rate, a new key)."""
    rates = ",".join(
        f"{code}={used.rate}@{used.valid_from}" for code, used in sorted(conversion.rates.items())
    )
    return f"{conversion.base}:{rates}"
