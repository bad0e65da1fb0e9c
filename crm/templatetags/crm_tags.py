"""Template helpers for CRM lists: links that keep the current filters, custom values."""

from __future__ import annotations

from typing import Any

from django import template
from django.http import QueryDict
from django.utils.html import format_html, format_html_join

from core.templatetags.money import money as money_format
from crm.custom_fields import display_value

register = template.Library()


@register.simple_tag(takes_context=True)
def query_with(context: dict[str, Any], **changes: Any) -> str:
    """The current query string with ``changes`` applied (``None`` removes a key)."""
    request = context["request"]
    query: QueryDict = request.GET.copy()
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = str(value)
    # A changed filter or sort starts from the first page: cursors belong to one selection.
    for cursor in ("page", "after", "before"):
        if cursor not in changes:
            query.pop(cursor, None)
    encoded = query.urlencode()
    return f"?{encoded}" if encoded else "?"


@register.simple_tag(takes_context=True)
def sort_header(context: dict[str, Any], key: str, label: str) -> str:
    """A column header that sorts by ``key`` and toggles the direction on a second click."""
    current = context.get("sort", "")
    if current == key:
        target, arrow = f"-{key}", " ↑"
    elif current == f"-{key}":
        target, arrow = key, " ↓"
    else:
        target, arrow = key, ""
    url = query_with(context, sort=target)
    return format_html(
        '<a href="{}" hx-get="{}" hx-target="#results" hx-push-url="true" class="table-sort-link">'
        "{}{}</a>",
        url,
        url,
        label,
        arrow,
    )


@register.filter
def custom_value(record: Any, definition: Any) -> str:
    users = getattr(record, "_custom_users", None)
    return display_value(definition, (record.custom or {}).get(definition.key), users)


@register.filter
def money(value: Any, currency: str = "") -> str:
    """The amount in its currency, formatted for the reader (see ``core.locales``)."""
    return money_format(value, currency)


@register.inclusion_tag("crm/_converted_total.html")
def converted_total(value: Any) -> dict[str, Any]:
    """A total in the base currency: "≈" and the rates when converted, and amounts in
    currencies without a rate shown apart ("+ $1,200.00 without a rate")."""
    rates = [
        {"currency": code, "rate": used.rate.normalize(), "valid_from": used.valid_from}
        for code, used in sorted(getattr(value, "rates", {}).items())
    ]
    unconverted = sorted(getattr(value, "unconverted", {}).items())
    return {"value": value, "rates": rates, "unconverted": unconverted}


@register.simple_tag
def tag_badges(record: Any) -> str:
    """A record's tags as coloured badges (lists render one per row: Python, not an include)."""
    return format_html_join(
        "",
        '<span class="badge bg-{}-lt me-1">{}</span>',
        ((tag.colour, tag.name) for tag in record.tags.all()),
    )
