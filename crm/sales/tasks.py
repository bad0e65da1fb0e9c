"""Background work of the sales app: quotes go out by e-mail with their PDF attached.

The message goes through the CRM's e-mail service (``crm.mailing.outbound``), which stores
the PDF with it, sends it once and logs it on the deal's and contact's timeline.
"""

from __future__ import annotations

import uuid

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from core.jobs.models import JobQueue
from core.jobs.registry import job_handler
from crm.mailing.hooks import mail_hook
from crm.mailing.models import MailCategory, OutboundEmail, OutboundStatus
from crm.mailing.outbound import Attachment, Mail, mail_queue


@job_handler("sales.quote_send", queue=JobQueue.INTERACTIVE, tenant=True)
def quote_send_job(
    *, quote_id: int, to: str, message: str, sender_id: int, send_key: str = ""
) -> bool:
    """Render the quote's PDF and hand it, with the acceptance link, to the CRM's e-mail.

    The e-mail (transactional: a marketing opt-out does not stop it) is recorded with the PDF
    stored beside it, sent once, logged on the deal's and contact's timeline, and the quote
    is marked sent in the same transaction (hook ``sales.quote``). ``send_key`` names this
    request to send (older jobs without one use the job's id). A quote replaced or answered
    meanwhile is not sent (returns ``False``).
    """
    from core.jobs.services import current_job
    from crm.sales.documents import quote_filename, quote_pdf, quote_public_url
    from crm.sales.models import Quote, QuoteStatus
    from tenants.selectors import current_tenant
    from tenants.users.models import User

    quote = Quote.objects.select_related("deal", "deal__company", "contact").get(pk=quote_id)
    if quote.superseded_at is not None or quote.status not in (
        QuoteStatus.DRAFT,
        QuoteStatus.SENT,
    ):
        return False
    job = current_job()
    key = f"sales.quote:{quote.pk}:{send_key or (job.job_id if job else uuid.uuid4().hex)}"
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
        subject = _("Quote %(reference)s from %(workspace)s") % {
            "reference": quote.reference,
            "workspace": tenant.name,
        }
        body = render_to_string("sales/emails/quote.txt", context)
        pdf = Attachment(quote_filename(quote), quote_pdf(quote), "application/pdf")
    mail_queue(
        key=key,
        mail=Mail(
            to=to,
            subject=subject,
            body=body,
            category=MailCategory.TRANSACTIONAL,
            source="sales.quote",
            sender=sender,
            reply_to=[sender.email] if sender and sender.email else [],
            attachments=[pdf],
            contact=quote.contact,
            company=quote.deal.company,
            deal=quote.deal,
            hook="sales.quote",
            hook_args={"quote_id": quote.pk, "to": to, "sender_id": sender_id},
        ),
    )
    return True


@mail_hook("sales.quote")
def quote_mailed(
    *, email: OutboundEmail, status: str, quote_id: int, to: str, sender_id: int
) -> None:
    """Mark the quote sent with its e-mail (the e-mail is the timeline's entry)."""
    from crm.sales.models import Quote
    from crm.sales.services import quote_mark_sent
    from tenants.users.models import User

    if status != OutboundStatus.SENT:
        return
    quote = Quote.objects.select_related("deal").filter(pk=quote_id).first()
    if quote is not None:
        quote_mark_sent(quote=quote, to=to, by=User.objects.filter(pk=sender_id).first())
