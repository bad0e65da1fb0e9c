"""Customer-value flags on record pages and lists (read from the precomputed table).

The badges are built in Python (``format_html``), not by a template included per row: a list
of 25 companies rendered one inclusion template per row for a noticeable share of its time.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from crm.insights.models import CustomerValue
from crm.insights.selectors.customers import flags_for, risk_text

register = template.Library()

_MEMO = "_insights_customer_flags"
_SEGMENT_COLOUR = {
    "champions": "green",
    "loyal": "green",
    "potential": "azure",
    "at_risk": "orange",
}


def flag_badges(value: CustomerValue | None) -> SafeString:
    """The RFM segment badge, the top-20 % badge and the at-risk flag of a customer value."""
    if value is None:
        return mark_safe("")
    scores = _("Recency %(r)s, frequency %(f)s, value %(m)s (1–5)") % {
        "r": value.r_score,
        "f": value.f_score,
        "m": value.m_score,
    }
    html = format_html(
        '<span class="badge bg-{}-lt ms-1" data-testid="customer-segment" title="{}">{}</span>',
        _SEGMENT_COLOUR.get(value.segment, "secondary"),
        scores,
        value.get_segment_display(),
    )
    if value.top_customer:
        html += format_html('<span class="badge bg-purple-lt ms-1">{}</span>', _("Top 20 %"))
    if value.at_risk:
        risk = risk_text(value)
        html += format_html(
            '<span class="badge bg-red-lt ms-1" data-testid="customer-at-risk" title="{}">'
            '<i class="ti ti-alert-triangle me-1"></i>{}</span>',
            risk,
            risk,
        )
    return html


@register.simple_tag(takes_context=True)
def customer_flag(context: template.Context, record: Any, records: Any = None) -> SafeString:
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
    return flag_badges(memo.get((kind, record.pk)))


@register.simple_tag
def customer_value_flags(value: CustomerValue | None) -> SafeString:
    """The badges of a value already at hand (the record page's value panel)."""
    return flag_badges(value)
