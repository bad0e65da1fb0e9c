"""``{{ amount|money:currency }}``: money as the reader expects it, in their language."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import template

from core.locales import format_money
from core.policies import current_workspace

register = template.Library()


@register.filter
def money(value: Any, currency: str = "") -> str:
    """The amount with its currency's symbol and minor units, formatted for the active
    language (and the workspace's country). Without a currency, the workspace's base one."""
    if value in (None, ""):
        return "—"
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    tenant = current_workspace()
    code = (currency or getattr(tenant, "currency", "") or "EUR").upper()
    return format_money(amount, code, country=str(getattr(tenant, "country", "") or ""))
