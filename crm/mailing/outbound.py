"""The one way customer e-mail leaves the CRM: recorded in PostgreSQL, sent once, logged once.

A feature describes its message as a :class:`Mail` and records it under a key that names
the cause (``service.reply:42``): :func:`mail_queue` in the caller's transaction, with a
``mailing.deliver`` job after commit, or :func:`mail_send_now` from a job that paces its own
sending (campaigns, a selection of contacts). Delivery locks the row, applies the opt-out
rules of the e-mail's category, sends through Django's e-mail backend, writes the e-mail on
the timeline of its contact, lead, company and deal, marks it sent and tells the feature
(its hook), all in one transaction: recording twice keeps one e-mail, and a rerun sends
nothing twice (at-least-once only if a worker dies between the mail server's answer and the
commit). Attachments are stored with the row (``OutboundAttachment``), never in Redis.
"""

from __future__ import annotations

import datetime
import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import CrmError
from crm.mailing.hooks import mail_hook_call
from crm.mailing.models import MailCategory, OutboundAttachment, OutboundEmail, OutboundStatus
from tenants.connection import current_schema_name

logger = logging.getLogger(__name__)

if TYPE_CHECKING:
    from crm.models import Activity, Company, Contact, Deal, Lead
    from tenants.users.models import User

#: Header names a feature may set; the addresses and the subject are the message's own.
HEADER_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,75}$")
RESERVED_HEADERS = frozenset(
    {"from", "to", "cc", "bcc", "subject", "reply-to", "sender", "date", "message-id"}
)


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mimetype: str = "application/octet-stream"


@dataclass(frozen=True)
class Mail:
    """One message to one address, and the records it belongs to (for the timeline)."""

    to: str
    subject: str
    body: str
    category: MailCategory
    source: str
    html: str = ""
    #: What the timeline shows as the message (default: ``body``).
    log_body: str = ""
    sender: User | None = None
    #: Empty: ``DEFAULT_FROM_EMAIL``.
    from_email: str = ""
    reply_to: Sequence[str] = ()
    headers: Mapping[str, str] = field(default_factory=dict)
    attachments: Sequence[Attachment] = ()
    contact: Contact | None = None
    lead: Lead | None = None
    company: Company | None = None
    deal: Deal | None = None
    hook: str = ""
    hook_args: Mapping[str, Any] = field(default_factory=dict)


def _headers_check(headers: Mapping[str, str]) -> dict[str, str]:
    clean: dict[str, str] = {}
    for name, value in headers.items():
        if not HEADER_NAME_RE.match(name) or name.lower() in RESERVED_HEADERS:
            raise CrmError(_("An e-mail cannot carry the header %(name)s.") % {"name": name})
        if "\n" in str(value) or "\r" in str(value):
            raise CrmError(_("An e-mail header cannot span lines."))
        clean[name] = str(value)
    return clean


def _attachments_check(attachments: Sequence[Attachment]) -> None:
    total = sum(len(a.content) for a in attachments)
    if total > int(settings.MAILING_MAX_ATTACHMENT_BYTES):
        raise CrmError(
            _("The attachments are too large to send by e-mail (%(size)d MB at most).")
            % {"size": int(settings.MAILING_MAX_ATTACHMENT_BYTES) // (1024 * 1024)}
        )
    for attachment in attachments:
        if not attachment.filename or "/" in attachment.filename or "\n" in attachment.filename:
            raise CrmError(_("An attachment needs a plain file name."))


@transaction.atomic(savepoint=False)
def mail_record(*, key: str, mail: Mail) -> tuple[OutboundEmail, bool]:
    """Record ``mail`` under ``key`` once; returns the row and whether it is new.

    A second call with the same key returns the first row unchanged, so the cause may run
    again without a second e-mail. (The insert is tried first: the key is new in the
    common case.)
    """
    headers = _headers_check(mail.headers)
    _attachments_check(mail.attachments)
    email = OutboundEmail(
        key=key,
        category=mail.category,
        source=mail.source,
        to_email=mail.to.strip(),
        from_email=mail.from_email,
        reply_to=[address for address in mail.reply_to if address],
        subject=mail.subject[:500],
        body=mail.body,
        html_body=mail.html,
        log_body=mail.log_body,
        headers=headers,
        sender=mail.sender,
        contact=mail.contact,
        lead=mail.lead,
        company=mail.company,
        deal=mail.deal,
        hook=mail.hook,
        hook_args=dict(mail.hook_args),
    )
    try:
        with transaction.atomic():
            email.save()
    except IntegrityError:  # recorded before, or meanwhile by a parallel run of the cause
        return OutboundEmail.objects.get(key=key), False
    OutboundAttachment.objects.bulk_create(
        OutboundAttachment(
            email=email,
            filename=a.filename,
            mimetype=a.mimetype,
            content=a.content,
            size=len(a.content),
        )
        for a in mail.attachments
    )
    return email, True


@transaction.atomic
def mail_queue(*, key: str, mail: Mail) -> OutboundEmail:
    """Record ``mail`` in the caller's transaction and send it in a job after commit."""
    from crm.mailing.tasks import mail_deliver_job

    email, created = mail_record(key=key, mail=mail)
    if created:
        mail_deliver_job.enqueue(
            email_id=email.pk, dedupe_key=f"mailing.deliver:{current_schema_name()}:{email.pk}"
        )
    return email


def mail_send_now(*, key: str, mail: Mail) -> OutboundEmail:
    """Record ``mail`` and deliver it in this job (for senders that pace themselves).

    A row made here is not yet visible to anyone else, so it is sent as it is in memory;
    a row recorded earlier is delivered like a queued one (locked, at most once).
    """
    with transaction.atomic(savepoint=False):
        email, created = mail_record(key=key, mail=mail)
        if created:
            _deliver(email, list(mail.attachments))
            return email
        mail_deliver(email_id=email.pk)
    email.refresh_from_db()
    return email


# --- Delivery ------------------------------------------------------------------------------------


def block_reason(email: OutboundEmail) -> str:
    """Why ``email`` may not go out now (``""``: it may).

    Every e-mail needs an address. Marketing e-mail also stops for a contact who opted out
    of marketing e-mail and for an address on the workspace's suppression list (bounced or
    marked as spam); transactional e-mail does not.
    """
    if not email.to_email:
        return _("There is no e-mail address.")
    if email.category != MailCategory.MARKETING:
        return ""
    contact = email.contact
    if contact is not None and contact.email_opt_out:
        return _("%(name)s has opted out of e-mail") % {"name": contact}
    from crm.marketing.models import Suppression

    if Suppression.objects.filter(email=email.to_email.lower()).exists():
        return _("%(email)s is on the suppression list") % {"email": email.to_email}
    return ""


def _message(email: OutboundEmail, attachments: list[Attachment]) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=email.subject,
        body=email.body,
        from_email=email.from_email or None,
        to=[email.to_email],
        reply_to=list(email.reply_to or []) or None,
        headers=dict(email.headers or {}),
    )
    if email.html_body:
        message.attach_alternative(email.html_body, "text/html")
    for attachment in attachments:
        message.attach(attachment.filename, attachment.content, attachment.mimetype)
    return message


def _stored_attachments(email: OutboundEmail) -> list[Attachment]:
    return [
        Attachment(a.filename, bytes(a.content), a.mimetype)
        for a in OutboundAttachment.objects.filter(email=email)
    ]


def _author_candidates(email: OutboundEmail) -> Iterator[User | None]:
    yield email.sender
    for record in (email.contact, email.lead, email.deal, email.company):
        if record is not None:
            yield record.owner


def _timeline_author(email: OutboundEmail) -> User | None:
    """Whose entry the e-mail is: the sender, else the owner of the record it went to."""
    fallback = None
    for user in _author_candidates(email):  # owners are loaded only when needed
        if user is None or not user.is_active:
            continue
        if user.can_write:
            return user
        fallback = fallback or user
    return fallback


def timeline_log(email: OutboundEmail) -> Activity | None:
    """The e-mail as a done e-mail activity on its records' timelines (none without a record)."""
    from crm.models import Activity, ActivityKind
    from crm.services.activities import activity_create
    from crm.services.search import search_columns_set

    if not (email.contact_id or email.lead_id or email.deal_id or email.company_id):
        return None
    author = _timeline_author(email)
    if author is None:
        return None
    fields = {
        "kind": ActivityKind.EMAIL,
        "subject": email.subject[:200],
        "body": email.log_body or email.body,
        "contact": email.contact,
        "lead": email.lead,
        "company": email.company,
        "deal": email.deal,
        "owner": author,
    }
    if author.can_write:
        return activity_create(by=author, fields=fields)
    # A system e-mail to a record whose owner may no longer write is still on its timeline.
    activity = Activity(**fields, done_at=timezone.now())
    search_columns_set(activity)
    activity.save()
    return activity


def _finish(email: OutboundEmail, status: OutboundStatus, **values: Any) -> None:
    for name, value in values.items():
        setattr(email, name, value)
    email.status = status
    email.save(update_fields=["status", *values])
    mail_hook_call(email, status)


def mail_deliver(*, email_id: int) -> str:
    """Send one recorded e-mail unless sent, skipped or failed already; returns its status."""
    with transaction.atomic():
        email = (
            OutboundEmail.objects.select_for_update(of=("self",))
            .select_related("contact", "lead", "company", "deal", "sender")
            .filter(pk=email_id)
            .first()
        )
        if email is None or email.status != OutboundStatus.QUEUED:
            return email.status if email is not None else "gone"
        return _deliver(email, _stored_attachments(email))


def _deliver(email: OutboundEmail, attachments: list[Attachment]) -> str:
    """Check, send, log on the timeline, mark and tell the hook (the row is held)."""
    reason = block_reason(email)
    if reason:
        _finish(email, OutboundStatus.SKIPPED, skip_reason=reason[:300])
        return OutboundStatus.SKIPPED
    _message(email, attachments).send()
    sent_at = timezone.now()
    try:
        # The message has left: a failing timeline entry or feature hook must not roll the
        # row back to "queued", or the retry would send the customer the same e-mail again.
        with transaction.atomic():
            _finish(email, OutboundStatus.SENT, sent_at=sent_at, activity=timeline_log(email))
    except Exception:
        logger.exception("E-mail %s was sent but its follow-up failed", email.pk)
        email.activity = None
        email.status = OutboundStatus.SENT
        email.sent_at = sent_at
        email.save(update_fields=["status", "sent_at", "activity"])
    return OutboundStatus.SENT


def mail_fail(*, email_id: int, error: str) -> None:
    """Record that an e-mail could not be sent after its last attempt (and tell its feature)."""
    with transaction.atomic():
        email = OutboundEmail.objects.select_for_update().filter(pk=email_id).first()
        if email is None or email.status != OutboundStatus.QUEUED:
            return
        _finish(email, OutboundStatus.FAILED, error=error[:4000])


def mail_purge(*, now: datetime.datetime | None = None) -> tuple[int, int]:
    """Retention: drop the attachments of e-mails recorded more than
    ``MAILING_ATTACHMENT_RETENTION_DAYS`` ago, and the rows of finished e-mails (sent, not
    sent, failed) older than ``MAILING_RECORD_RETENTION_DAYS``; an e-mail still queued is
    never touched. The timeline activity of a sent e-mail stays with its records.
    Returns (attachments, e-mails) removed."""
    now = now or timezone.now()
    finished = OutboundEmail.objects.exclude(status=OutboundStatus.QUEUED)
    attachment_cutoff = now - datetime.timedelta(
        days=int(settings.MAILING_ATTACHMENT_RETENTION_DAYS)
    )
    attachments, _kinds = OutboundAttachment.objects.filter(
        email__in=finished.filter(created_at__lt=attachment_cutoff)
    ).delete()
    record_cutoff = now - datetime.timedelta(days=int(settings.MAILING_RECORD_RETENTION_DAYS))
    _total, removed = finished.filter(created_at__lt=record_cutoff).delete()
    return attachments, removed.get(OutboundEmail._meta.label, 0)
