"""Customer-value flags on record pages and lists (read from the precomputed table)."""

from __future__ import annotations

from typing import Any

from django import template

from crm.insights.selectors.customers import flags_for, risk_text

register = template.Library()

_MEMO = "_insights_customer_flags"


@register.inclusion_tag("insights/_customer_flag.html", takes_context=True)
def customer_flag(context: template.Context, record: Any, records: Any = None) -> dict[str, Any]:
    """The record's segment badge and at-risk flag. On a list, pass the page's records: their
    flags are read in one query, once per request."""
    kind = record._meta.model_name
    request = context.get("request")
    memo: dict[tuple[str, int], Any] = getattr(request, _MEMO, None) or {}
    if (kind, record.pk) not in memo:
        ids = [item.pk for item in (records or [record])]
        found = flags_for(kind, ids)
        memo.update({(kind, pk): found.get(pk) for pk in ids})
        if request is not None:
            setattr(request, _MEMO, memo)
    value = memo.get((kind, record.pk))
    return {"value": value, "risk": risk_text(value) if value and value.at_risk else ""}
