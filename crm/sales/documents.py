"""Quote documents: the branded PDF and the public link that answers it.

The PDF is rendered in the workspace's language (money formatted for it), from the quote as
stored, so an earlier version's PDF never changes.
"""

from __future__ import annotations

from django.core import signing
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from core.pdf import html_to_pdf
from core.tasks import current_schema
from crm.sales.models import Quote, QuoteLine
from crm.sales.pricing import lines_total
from crm.sales.services import sales_settings
from tenants.selectors import current_tenant, workspace_url


def _signer() -> signing.Signer:
    """Signatures are bound to the workspace's schema: a link of one workspace is not even a
    valid signature on another's host."""
    return signing.Signer(salt=f"sales.quote:{current_schema()}")


def quote_token(quote: Quote) -> str:
    return _signer().sign(str(quote.public_key))


def quote_from_token(token: str) -> Quote | None:
    """The quote a public link points at in this workspace, or ``None``."""
    try:
        key = _signer().unsign(token)
    except signing.BadSignature:
        return None
    return Quote.objects.select_related("deal").filter(public_key=key).first()


def quote_public_url(quote: Quote) -> str:
    """The absolute public link of the quote on its workspace's host."""
    return workspace_url(current_tenant(), reverse("quote_public", args=[quote_token(quote)]))


def quote_document_context(quote: Quote) -> dict[str, object]:
    tenant = current_tenant()
    settings_row = sales_settings()
    lines = list(QuoteLine.objects.filter(quote=quote))
    return {
        "quote": quote,
        "lines": [(line, line.net_amount(quote.currency)) for line in lines],
        "totals": lines_total(lines, currency=quote.currency),
        "seller_name": settings_row.seller_name or tenant.name,
        "seller_address": settings_row.address,
        "customer": quote.deal.company,
        "recipient": quote.contact,
    }


def quote_pdf(quote: Quote) -> bytes:
    """The quote's PDF, in the workspace's language."""
    language = current_tenant().language or "en"
    with translation.override(language):
        context = quote_document_context(quote)
        context["language"] = translation.get_language()
        html = render_to_string("sales/quote_pdf.html", context)
    return html_to_pdf(html)


def quote_filename(quote: Quote) -> str:
    return f"{quote.reference}.pdf"
