"""Background work of the sales app: quotes go out by e-mail with their PDF attached.

Sent through Django's e-mail backend for now; once the CRM's shared e-mail service exists,
this job should hand the message to it (tracking, sender identity, timeline entry).
"""

from __future__ import annotations

from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from core.jobs.models import JobQueue
from core.jobs.registry import job_handler


@job_handler("sales.quote_send", queue=JobQueue.INTERACTIVE, tenant=True)
def quote_send_job(*, quote_id: int, to: str, message: str, sender_id: int) -> bool:
    """E-mail the quote's PDF and its acceptance link; mark the quote sent.

    At-least-once: a worker killed after the mail server took the message sends it again.
    A quote replaced or answered meanwhile is not sent (returns ``False``).
    """
    from crm.sales.documents import quote_filename, quote_pdf, quote_public_url
    from crm.sales.models import Quote, QuoteStatus
    from crm.sales.services import quote_mark_sent
    from tenants.selectors import current_tenant
    from tenants.users.models import User

    quote = Quote.objects.select_related("deal", "contact").get(pk=quote_id)
    if quote.superseded_at is not None or quote.status not in (
        QuoteStatus.DRAFT,
        QuoteStatus.SENT,
    ):
        return False
    sender = User.objects.filter(pk=sender_id).first()
    tenant = current_tenant()
    with translation.override(tenant.language or "en"):
        context = {
            "quote": quote,
            "message": message,
            "workspace": tenant,
            "sender": sender,
            "accept_url": quote_public_url(quote),
        }
        email = EmailMessage(
            subject=_("Quote %(reference)s from %(workspace)s")
            % {"reference": quote.reference, "workspace": tenant.name},
            body=render_to_string("sales/emails/quote.txt", context),
            to=[to],
            reply_to=[sender.email] if sender and sender.email else None,
        )
        email.attach(quote_filename(quote), quote_pdf(quote), "application/pdf")
        email.send()
    quote_mark_sent(quote=quote, to=to, by=sender)
    return True
