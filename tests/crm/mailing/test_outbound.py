"""The CRM's one path for customer e-mail: recorded once per key, sent once, logged once,
attachments and headers carried, opt-out rules by category, failures reported."""

from __future__ import annotations

import datetime
from unittest import mock

import pytest
from django.core import mail
from django.core.mail import EmailMultiAlternatives
from django_tenants.utils import schema_context

from core.jobs.models import Job
from crm.errors import CrmError
from crm.mailing.models import MailCategory, OutboundAttachment, OutboundEmail, OutboundStatus
from crm.mailing.outbound import (
    Attachment,
    Mail,
    mail_deliver,
    mail_purge,
    mail_queue,
    mail_send_now,
)
from crm.mailing.tasks import mail_deliver_job
from crm.marketing.models import Suppression
from crm.models import Activity, ActivityKind, Contact
from tenants.users.models import User
from tests.conftest import Workspace, after_commit
from tests.crm.factories import ContactFactory
from tests.factories import UserFactory


def _contact(owner: User, **fields: object) -> Contact:
    return ContactFactory.create(owner=owner, email="li@example.com", **fields)


def _mail(contact: Contact, category: MailCategory, **fields: object) -> Mail:
    values: dict[str, object] = {
        "to": contact.email,
        "subject": "Your order",
        "body": "Thank you.",
        "category": category,
        "source": "test",
        "contact": contact,
    }
    return Mail(**{**values, **fields})  # type: ignore[arg-type]


def test_a_queued_email_is_sent_after_commit_with_its_attachment(admin: User) -> None:
    contact = _contact(admin)
    pdf = Attachment("order.pdf", b"%PDF-1.7 body", "application/pdf")
    with after_commit():
        email = mail_queue(
            key="test:1", mail=_mail(contact, MailCategory.TRANSACTIONAL, attachments=[pdf])
        )
    (message,) = mail.outbox
    assert message.attachments == [("order.pdf", b"%PDF-1.7 body", "application/pdf")]
    email.refresh_from_db()
    assert email.status == OutboundStatus.SENT


def test_attachments_are_stored_in_postgresql_not_in_the_job(admin: User) -> None:
    contact = _contact(admin)
    pdf = Attachment("order.pdf", b"x" * 5000, "application/pdf")
    email = mail_queue(
        key="test:1", mail=_mail(contact, MailCategory.TRANSACTIONAL, attachments=[pdf])
    )
    stored = OutboundAttachment.objects.get(email=email)
    assert (stored.size, bytes(stored.content)) == (5000, b"x" * 5000)
    assert Job.objects.get(handler="mailing.deliver").kwargs == {"email_id": email.pk}


def test_extra_headers_and_html_reach_the_message(admin: User) -> None:
    contact = _contact(admin)
    headers = {
        "List-Unsubscribe": "<https://a.example/u/1>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }
    mail_send_now(
        key="test:1",
        mail=_mail(
            contact,
            MailCategory.MARKETING,
            headers=headers,
            html="<p>Hi</p>",
            reply_to=["rep@example.com"],
        ),
    )
    (message,) = mail.outbox
    assert message.extra_headers == headers
    assert isinstance(message, EmailMultiAlternatives)
    assert message.alternatives[0][1] == "text/html"
    assert message.reply_to == ["rep@example.com"]


def test_headers_that_would_change_the_addresses_or_span_lines_are_refused(admin: User) -> None:
    contact = _contact(admin)
    with pytest.raises(CrmError):
        mail_queue(key="a", mail=_mail(contact, MailCategory.MARKETING, headers={"Bcc": "x@y"}))
    with pytest.raises(CrmError):
        mail_queue(
            key="b", mail=_mail(contact, MailCategory.MARKETING, headers={"X-A": "1\r\nBcc: x"})
        )
    assert not OutboundEmail.objects.exists()


def test_attachments_over_the_limit_are_refused(admin: User, settings) -> None:
    settings.MAILING_MAX_ATTACHMENT_BYTES = 100
    big = Attachment("big.bin", b"x" * 101)
    with pytest.raises(CrmError):
        mail_queue(
            key="a", mail=_mail(_contact(admin), MailCategory.TRANSACTIONAL, attachments=[big])
        )


def test_recording_the_same_key_twice_keeps_one_email_and_one_job(admin: User) -> None:
    contact = _contact(admin)
    first = mail_queue(key="test:1", mail=_mail(contact, MailCategory.TRANSACTIONAL))
    second = mail_queue(key="test:1", mail=_mail(contact, MailCategory.TRANSACTIONAL))
    assert first.pk == second.pk
    assert OutboundEmail.objects.count() == 1
    assert Job.objects.filter(handler="mailing.deliver").count() == 1


def test_a_rerun_of_the_delivery_sends_once(admin: User) -> None:
    email = mail_queue(key="test:1", mail=_mail(_contact(admin), MailCategory.TRANSACTIONAL))
    assert mail_deliver_job(email_id=email.pk) == OutboundStatus.SENT
    assert mail_deliver_job(email_id=email.pk) == OutboundStatus.SENT
    assert len(mail.outbox) == 1


def test_the_timeline_entry_is_written_once(admin: User) -> None:
    contact = _contact(admin)
    email = mail_queue(key="test:1", mail=_mail(contact, MailCategory.TRANSACTIONAL))
    mail_deliver(email_id=email.pk)
    mail_deliver(email_id=email.pk)
    mail_send_now(key="test:1", mail=_mail(contact, MailCategory.TRANSACTIONAL))
    activity = Activity.objects.get(contact=contact)
    assert (activity.kind, activity.subject, activity.is_done) == (
        ActivityKind.EMAIL,
        "Your order",
        True,
    )
    email.refresh_from_db()
    assert email.activity_id == activity.pk


def test_a_transactional_email_reaches_a_contact_who_opted_out_of_marketing(admin: User) -> None:
    contact = _contact(admin, email_opt_out=True)
    email = mail_send_now(key="t", mail=_mail(contact, MailCategory.TRANSACTIONAL))
    assert email.status == OutboundStatus.SENT
    assert [m.to for m in mail.outbox] == [["li@example.com"]]


def test_a_marketing_email_to_a_contact_who_opted_out_is_not_sent(admin: User) -> None:
    contact = _contact(admin, email_opt_out=True)
    email = mail_send_now(key="m", mail=_mail(contact, MailCategory.MARKETING))
    assert email.status == OutboundStatus.SKIPPED
    assert "opted out" in email.skip_reason
    assert mail.outbox == []
    assert not Activity.objects.filter(contact=contact).exists()


def test_a_suppressed_address_stops_marketing_but_not_transactional_email(admin: User) -> None:
    contact = _contact(admin)
    Suppression.objects.create(email="li@example.com", reason="complaint")
    marketing = mail_send_now(key="m", mail=_mail(contact, MailCategory.MARKETING))
    transactional = mail_send_now(key="t", mail=_mail(contact, MailCategory.TRANSACTIONAL))
    assert (marketing.status, transactional.status) == (OutboundStatus.SKIPPED, OutboundStatus.SENT)
    assert len(mail.outbox) == 1


def test_an_opt_out_after_recording_stops_a_marketing_email_at_delivery(admin: User) -> None:
    contact = _contact(admin)
    email = mail_queue(key="m", mail=_mail(contact, MailCategory.MARKETING))
    Contact.objects.filter(pk=contact.pk).update(email_opt_out=True)
    assert mail_deliver(email_id=email.pk) == OutboundStatus.SKIPPED
    assert mail.outbox == []


def test_the_last_failed_attempt_marks_the_email_failed(admin: User) -> None:
    email = mail_queue(key="f", mail=_mail(_contact(admin), MailCategory.TRANSACTIONAL))
    with (
        mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("refused")),
        pytest.raises(OSError, match="refused"),
    ):
        mail_deliver_job(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == OutboundStatus.FAILED
    assert "refused" in email.error
    assert not Activity.objects.exists()


def test_a_failed_send_keeps_the_email_queued_for_the_next_attempt(admin: User) -> None:
    email = mail_queue(key="f", mail=_mail(_contact(admin), MailCategory.TRANSACTIONAL))
    with (
        mock.patch("django.core.mail.EmailMessage.send", side_effect=OSError("refused")),
        pytest.raises(OSError, match="refused"),
    ):
        mail_deliver(email_id=email.pk)
    email.refresh_from_db()
    assert email.status == OutboundStatus.QUEUED
    assert mail_deliver(email_id=email.pk) == OutboundStatus.SENT


def test_a_failing_follow_up_after_the_send_does_not_send_again(admin: User) -> None:
    email = mail_queue(key="h", mail=_mail(_contact(admin), MailCategory.TRANSACTIONAL))
    with mock.patch("crm.mailing.outbound.timeline_log", side_effect=RuntimeError("bug")):
        assert mail_deliver(email_id=email.pk) == OutboundStatus.SENT
    assert mail_deliver(email_id=email.pk) == OutboundStatus.SENT
    assert len(mail.outbox) == 1
    email.refresh_from_db()
    assert (email.status, email.activity_id) == (OutboundStatus.SENT, None)


def test_keys_and_emails_belong_to_their_workspace(alpha: Workspace, beta: Workspace) -> None:
    for workspace in (alpha, beta):
        with schema_context(workspace.schema):
            owner = UserFactory.create()
            mail_queue(
                key="same:1",
                mail=_mail(_contact(owner), MailCategory.TRANSACTIONAL, subject=workspace.schema),
            )
    for workspace in (alpha, beta):
        with schema_context(workspace.schema):
            assert list(OutboundEmail.objects.values_list("subject", flat=True)) == [
                workspace.schema
            ]


def test_an_email_without_a_sender_is_logged_for_the_records_owner(reader: User) -> None:
    """Even when the owner may no longer write (a read-only member), the e-mail is logged."""
    contact = _contact(reader)
    mail_send_now(key="t", mail=_mail(contact, MailCategory.TRANSACTIONAL))
    activity = Activity.objects.get(contact=contact)
    assert (activity.owner_id, activity.kind) == (reader.pk, ActivityKind.EMAIL)


def _age(email: OutboundEmail, days: int) -> None:
    from django.utils import timezone

    created = timezone.now() - datetime.timedelta(days=days)
    OutboundEmail.objects.filter(pk=email.pk).update(created_at=created)


def _with_file(contact: Contact, key: str) -> OutboundEmail:
    attachment = Attachment("quote.pdf", b"%PDF-1.7", "application/pdf")
    return mail_queue(
        key=key, mail=_mail(contact, MailCategory.TRANSACTIONAL, attachments=[attachment])
    )


def test_purge_drops_old_attachments_but_keeps_the_email(admin: User) -> None:
    email = _with_file(_contact(admin), "old")
    mail_deliver(email_id=email.pk)
    _age(email, 91)
    assert mail_purge() == (1, 0)
    assert OutboundEmail.objects.filter(pk=email.pk).exists()
    assert not OutboundAttachment.objects.filter(email=email).exists()


def test_purge_drops_old_finished_emails_and_keeps_queued_and_recent_ones(admin: User) -> None:
    contact = _contact(admin)
    old_sent = _with_file(contact, "sent")
    mail_deliver(email_id=old_sent.pk)
    old_queued = _with_file(contact, "queued")
    recent = _with_file(contact, "recent")
    mail_deliver(email_id=recent.pk)
    _age(old_sent, 401)
    _age(old_queued, 401)
    assert mail_purge()[1] == 1
    assert set(OutboundEmail.objects.values_list("key", flat=True)) == {"queued", "recent"}
    assert OutboundAttachment.objects.filter(email=old_queued).exists()
    assert Activity.objects.filter(contact=contact).count() == 2  # the timeline stays


def test_a_workspaces_purge_leaves_other_workspaces_alone(
    alpha: Workspace, beta: Workspace
) -> None:
    for workspace in (alpha, beta):
        with schema_context(workspace.schema):
            email = _with_file(_contact(UserFactory.create()), "old")
            mail_deliver(email_id=email.pk)
            _age(email, 401)
    with schema_context(alpha.schema):
        assert mail_purge()[1] == 1
    with schema_context(beta.schema):
        assert OutboundEmail.objects.filter(key="old").exists()
