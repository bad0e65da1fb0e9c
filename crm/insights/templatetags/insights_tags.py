"""Customer-value flags on record pages and lists (read from the precomputed table).

The badges are built in Python (``format_html``), not by a template included per row: a list
of 25 companies rendered one inclusion template per row for a noticeable share of its time.
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext as _

from core.phones import phone_display
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


# --- List rows that show the flags ------------------------------------------------------------
# The company and contact lists render their cells here, in Python: through the template engine
# each row cost ≈ 1 ms (25 rows per page), the larger part of the page.


def _tags(record: Any) -> SafeString:
    return format_html_join(
        "",
        '<span class="badge bg-{}-lt me-1">{}</span>',
        ((tag.colour, tag.name) for tag in record.tags.all()),
    )


def _updated(record: Any, *, title: bool = False) -> SafeString:
    when = localtime(record.updated_at)
    if title:
        return format_html(
            '<td class="text-secondary" title="{}">{}</td>',
            date_format(when, "DATETIME_FORMAT"),
            date_format(when, "SHORT_DATE_FORMAT"),
        )
    return format_html('<td class="text-secondary">{}</td>', date_format(when, "SHORT_DATE_FORMAT"))


@register.simple_tag(takes_context=True)
def company_cells(context: template.Context, record: Any, records: Any) -> SafeString:
    """The cells of a company list row (name with value flags, domain, industry, city, tags,
    owner, updated)."""
    domain = (
        format_html(
            '<a href="https://{}" class="text-reset" rel="noopener" target="_blank">{}</a>',
            record.domain,
            record.domain,
        )
        if record.domain
        else ""
    )
    return format_html(
        '<td><a href="{}" class="fw-medium">{}</a>{}</td><td>{}</td><td>{}</td><td>{}</td>'
        "<td>{}</td><td>{}</td>{}",
        reverse("company_detail", args=[record.pk]),
        record,
        customer_flag(context, record, records),
        domain,
        record.industry,
        record.city,
        _tags(record),
        record.owner if record.owner_id else "",
        _updated(record),
    )


@register.simple_tag(takes_context=True)
def contact_cells(context: template.Context, record: Any, records: Any) -> SafeString:
    """The cells of a contact list row (name with value flags and title, e-mail, phone, tags,
    owner, updated)."""
    title = format_html('<div class="text-secondary small">{}</div>', record.title)
    email = (
        format_html(
            '<a href="mailto:{}" class="text-reset">{}</a>{}',
            record.email,
            record.email,
            format_html(
                ' <i class="ti ti-mail-off text-danger" title="{}"></i>', _("No marketing emails")
            )
            if record.email_opt_out
            else "",
        )
        if record.email
        else ""
    )
    return format_html(
        '<td><a href="{}" class="fw-medium">{}</a>{}{}</td><td>{}</td><td>{}</td><td>{}</td>'
        "<td>{}</td>{}",
        reverse("contact_detail", args=[record.pk]),
        record,
        customer_flag(context, record, records),
        title if record.title else "",
        email,
        phone_display(record.phone or record.mobile or ""),
        _tags(record),
        record.owner if record.owner_id else "",
        _updated(record, title=True),
    )
