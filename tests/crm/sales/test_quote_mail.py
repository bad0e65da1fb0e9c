"""A quote goes out through the CRM's e-mail service: its PDF stored and attached, sent once,
one timeline entry, marked sent with its e-mail, not stopped by a marketing opt-out."""

from __future__ import annotations

from django.core import mail

from core.jobs.models import Job
from crm.mailing.models import OutboundAttachment, OutboundEmail, OutboundStatus
from crm.mailing.tasks import mail_deliver_job
from crm.models import Activity, Contact
from crm.sales import services
from crm.sales.models import Quote, QuoteStatus
from crm.sales.tasks import quote_send_job
from tenants.users.models import User
from tests.conftest import after_commit


def test_the_pdf_arrives_through_the_mailing_path(quote: Quote, rep: User) -> None:
    with after_commit():
        services.quote_send(quote=quote, by=rep, to="buyer@example.com", message="Hello")
    email = OutboundEmail.objects.get(source="sales.quote")
    assert email.status == OutboundStatus.SENT
    stored = OutboundAttachment.objects.get(email=email)
    (message,) = mail.outbox
    assert message.attachments == [("Q-00001.pdf", bytes(stored.content), "application/pdf")]
    assert bytes(stored.content).startswith(b"%PDF")
    assert message.reply_to == [rep.email]


def test_the_quote_is_on_the_deal_and_contact_timeline_once(quote: Quote, rep: User) -> None:
    with after_commit():
        services.quote_send(quote=quote, by=rep, to="buyer@example.com")
    email = OutboundEmail.objects.get(source="sales.quote")
    mail_deliver_job(email_id=email.pk)
    activity = Activity.objects.get(deal=quote.deal, kind="email")
    assert activity.contact_id == quote.contact_id
    assert len(mail.outbox) == 1


def test_a_rerun_of_the_quote_job_records_and_sends_once(quote: Quote, rep: User) -> None:
    services.quote_send(quote=quote, by=rep, to="buyer@example.com")
    kwargs = Job.objects.get(handler="sales.quote_send").kwargs
    quote_send_job(**kwargs)
    quote_send_job(**kwargs)
    assert OutboundEmail.objects.count() == 1
    mail_deliver_job(email_id=OutboundEmail.objects.get().pk)
    assert len(mail.outbox) == 1


def test_sending_twice_on_purpose_sends_two_emails(quote: Quote, rep: User) -> None:
    with after_commit():
        services.quote_send(quote=quote, by=rep, to="buyer@example.com")
        services.quote_send(quote=quote, by=rep, to="boss@example.com")
    assert sorted(m.to[0] for m in mail.outbox) == ["boss@example.com", "buyer@example.com"]


def test_the_quote_is_marked_sent_only_when_its_email_is(quote: Quote, rep: User) -> None:
    services.quote_send(quote=quote, by=rep, to="buyer@example.com")
    quote_send_job(**Job.objects.get(handler="sales.quote_send").kwargs)
    quote.refresh_from_db()
    assert quote.status == QuoteStatus.DRAFT
    mail_deliver_job(email_id=OutboundEmail.objects.get().pk)
    quote.refresh_from_db()
    assert (quote.status, quote.sent_to) == (QuoteStatus.SENT, "buyer@example.com")


def test_a_marketing_opt_out_does_not_stop_a_quote(quote: Quote, rep: User) -> None:
    assert quote.contact_id is not None
    Contact.objects.filter(pk=quote.contact_id).update(email_opt_out=True)
    with after_commit():
        services.quote_send(quote=quote, by=rep, to="buyer@example.com")
    assert [m.to for m in mail.outbox] == [["buyer@example.com"]]
