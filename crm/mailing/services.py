"""E-mail from the CRM: templates (admins), and :func:`email_send` to contacts.

Sending checks every recipient first: contacts who opted out of e-mail or have no address
are not sent, and the reason is returned for the sender to see. The rest are written to in
a job (one contact: the interactive queue; a selection: the bulk queue, fair between
workspaces), each e-mail sent through :mod:`crm.mailing.outbound` (the one path for
customer e-mail: sent once, logged on the contact's timeline). The message comes from the
sender's name at the deployment's address, with replies going to the sender.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.utils import formataddr, parseaddr
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from crm.errors import CrmError
from crm.mailing.merge import MergeContext, merge_errors, merge_render
from crm.mailing.models import (
    EmailBatch,
    EmailBatchStatus,
    EmailTemplate,
    MailCategory,
    OutboundStatus,
)
from crm.mailing.outbound import Mail, mail_send_now
from crm.models import Contact
from crm.services.common import ensure_admin, ensure_can_write
from tenants.users.models import User

TEMPLATE_FIELDS = ("name", "language", "subject", "body")
#: Most contacts one send may address (the list's bulk limit).
MAX_RECIPIENTS = 1000


@dataclass(frozen=True)
class Skipped:
    contact_id: int
    name: str
    reason: str


@dataclass(frozen=True)
class SendResult:
    batch: EmailBatch
    sendable: int
    skipped: list[Skipped]

    @property
    def summary(self) -> str:
        """ "2 of 10 not sent: Li Wei has opted out of e-mail; …" (empty when all go)."""
        if not self.skipped:
            return ""
        total = self.sendable + len(self.skipped)
        head = ngettext(
            "%(count)d of %(total)d not sent:",
            "%(count)d of %(total)d not sent:",
            len(self.skipped),
        ) % {"count": len(self.skipped), "total": total}
        return (
            f"{head} "
            + "; ".join(s.reason for s in self.skipped[:10])
            + ("; …" if len(self.skipped) > 10 else "")
        )


# --- Templates -----------------------------------------------------------------------------------


def _merge_check(fields: Mapping[str, Any]) -> None:
    errors = {
        name: merge_errors(str(fields.get(name) or ""))
        for name in ("subject", "body")
        if merge_errors(str(fields.get(name) or ""))
    }
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def email_template_save(
    *, by: User, fields: Mapping[str, Any], template: EmailTemplate | None = None
) -> EmailTemplate:
    """Create or change a template; unknown merge fields are refused with their names."""
    ensure_admin(by)
    unknown = set(fields) - set(TEMPLATE_FIELDS)
    if unknown:
        raise CrmError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    _merge_check(fields)
    template = template or EmailTemplate(created_by=by)
    for name, value in fields.items():
        setattr(template, name, value)
    template.full_clean()
    template.save()
    return template


@transaction.atomic
def email_template_delete(*, by: User, template: EmailTemplate) -> None:
    ensure_admin(by)
    template.delete()


# --- Sending -------------------------------------------------------------------------------------


def contact_company(contact: Contact) -> Any:
    """The company a contact works at now (their latest current role), if any."""
    link = (
        contact.company_links.filter(ended_on__isnull=True)
        .select_related("company")
        .order_by("-started_on", "-id")
        .first()
    )
    return link.company if link else None


def skip_reason(contact: Contact) -> str:
    """Why ``contact`` is not sent an e-mail, or ``""`` when they may be."""
    if contact.email_opt_out:
        return _("%(name)s has opted out of e-mail") % {"name": contact}
    if not contact.email:
        return _("%(name)s has no e-mail address") % {"name": contact}
    return ""


def sender_address(sender: User) -> str:
    """From: the sender's name at the deployment's own address (``DEFAULT_FROM_EMAIL``)."""
    _name, address = parseaddr(str(settings.DEFAULT_FROM_EMAIL))
    return formataddr((sender.full_name or sender.email, address))


@transaction.atomic
def email_send(
    *,
    sender: User,
    contacts: Sequence[Contact],
    subject: str,
    body: str,
    template: EmailTemplate | None = None,
) -> SendResult:
    """Queue an e-mail to each contact who may receive one; say who will not, and why."""
    from crm.mailing.tasks import email_batch_bulk_job, email_batch_one_job

    ensure_can_write(sender)
    if not subject.strip() or not body.strip():
        raise CrmError(_("Write a subject and a message."))
    if len(contacts) > MAX_RECIPIENTS:
        raise CrmError(
            _("Send to at most %(limit)d contacts at a time.") % {"limit": MAX_RECIPIENTS}
        )
    _merge_check({"subject": subject, "body": body})
    skipped = [Skipped(int(c.pk), str(c), skip_reason(c)) for c in contacts if skip_reason(c)]
    skipped_ids = {s.contact_id for s in skipped}
    sendable = [int(c.pk) for c in contacts if int(c.pk) not in skipped_ids]
    batch = EmailBatch.objects.create(
        sender=sender,
        template=template,
        subject=subject,
        body=body,
        contact_ids=sendable,
        skipped=[{"id": s.contact_id, "name": s.name, "reason": s.reason} for s in skipped],
        status=EmailBatchStatus.QUEUED if sendable else EmailBatchStatus.SENT,
        finished_at=None if sendable else timezone.now(),
    )
    if sendable:
        job = email_batch_one_job if len(sendable) == 1 else email_batch_bulk_job
        job.enqueue(batch_id=batch.pk, dedupe_key=f"mailing.batch:{batch.pk}")
    return SendResult(batch=batch, sendable=len(sendable), skipped=skipped)


def email_batch_run(*, batch_id: int) -> int:
    """Write to each contact of the batch not yet written to; returns how many were sent.

    One transaction per contact: the e-mail goes out through
    :func:`crm.mailing.outbound.mail_send_now` (logged on the contact's timeline, keyed by
    batch and contact) and the contact is marked done together, so a rerun sends nobody
    twice (at-least-once only if the worker dies between the mail server's answer and the
    commit). A contact who opted out, lost their address or whose address was suppressed
    since is skipped, with the reason kept.
    """

    sent = 0
    pending = EmailBatch.objects.filter(pk=batch_id).values_list("contact_ids", flat=True).first()
    for contact_id in pending or []:
        with transaction.atomic():
            batch = EmailBatch.objects.select_for_update().select_related("sender").get(pk=batch_id)
            if contact_id in batch.sent_contact_ids:
                continue
            contact = Contact.objects.filter(pk=contact_id).first()
            reason = skip_reason(contact) if contact is not None else "gone"
            if contact is None or reason:
                if contact is not None:
                    batch.skipped = [
                        *batch.skipped,
                        {"id": contact_id, "name": str(contact), "reason": reason},
                    ]
                batch.sent_contact_ids = [*batch.sent_contact_ids, contact_id]
                batch.save(update_fields=["skipped", "sent_contact_ids"])
                continue
            company = contact_company(contact)
            context = MergeContext(contact=contact, company=company, sender=batch.sender)
            email = mail_send_now(
                key=f"mailing.batch:{batch_id}:{contact_id}",
                mail=Mail(
                    to=contact.email,
                    subject=merge_render(batch.subject, context),
                    body=merge_render(batch.body, context),
                    category=MailCategory.MARKETING,
                    source="mailing.compose",
                    sender=batch.sender,
                    from_email=sender_address(batch.sender),
                    reply_to=[batch.sender.email],
                    contact=contact,
                    company=company,
                ),
            )
            if email.status == OutboundStatus.SKIPPED:
                batch.skipped = [
                    *batch.skipped,
                    {"id": contact_id, "name": str(contact), "reason": email.skip_reason},
                ]
            batch.sent_contact_ids = [*batch.sent_contact_ids, contact_id]
            batch.save(update_fields=["skipped", "sent_contact_ids"])
            sent += email.status == OutboundStatus.SENT
    EmailBatch.objects.filter(pk=batch_id).update(
        status=EmailBatchStatus.SENT, finished_at=timezone.now()
    )
    return sent
