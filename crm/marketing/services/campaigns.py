"""E-mail campaigns: write, test, schedule or send, cancel; the throttled sending itself.

Sending starts by copying the segment's contacts into the campaign's recipients (one
``INSERT … SELECT``, once per campaign; opted-out, address-less and suppressed contacts are
recorded as skipped with the reason). A chain of bulk jobs, one waiting per workspace, then
sends at most ``CAMPAIGN_BATCH_SIZE`` e-mails per job and records the next job after the
time those e-mails take at ``CAMPAIGN_SEND_PER_MINUTE``: a large campaign never holds the
bulk workers for long, so other workspaces' work goes between its batches. Each recipient
is sent, logged on the contact's timeline and marked sent in one transaction, so a rerun
sends nobody twice.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _

from crm.errors import CrmError
from crm.mailing.merge import MergeContext, merge_errors, merge_render
from crm.mailing.models import MailCategory, OutboundStatus
from crm.mailing.outbound import Mail, mail_send_now
from crm.mailing.services import contact_company, sender_address
from crm.marketing.models import (
    Campaign,
    CampaignRecipient,
    CampaignStatus,
    RecipientStatus,
    Segment,
    SegmentRecordType,
    SkipReason,
    Suppression,
)
from crm.marketing.tracking import tracking_signature
from crm.models import AuditAction, Contact, ObjectType
from crm.services.audit import audit_record
from tenants.connection import current_schema_name
from tenants.selectors import current_tenant, workspace_url
from tenants.users.models import Role, User

CAMPAIGN_FIELDS = ("name", "segment", "template", "subject", "body")
#: A link in a message: what the click tracking may redirect to (and nothing else).
URL_RE = re.compile(r"https?://[^\s<>\"')\]]+")


def can_manage_campaigns(user: User) -> bool:
    """Managers and admins write and send campaigns; everyone may read their stats."""
    return bool(user.is_active and user.can_write and user.role in (Role.ADMIN, Role.MANAGER))


def _ensure_can_manage(user: User) -> None:
    if not can_manage_campaigns(user):
        raise CrmError(_("Only managers and admins can change campaigns."))


def _audit(by: User, campaign: Campaign, action: AuditAction, changes: Mapping[str, Any]) -> None:
    audit_record(
        actor=by,
        action=action,
        object_type=ObjectType.SETTINGS,
        object_id=int(campaign.pk),
        object_repr=_("Campaign %(name)s") % {"name": campaign.name},
        changes=changes,
    )


def campaign_links(campaign: Campaign) -> list[str]:
    """The distinct links of the campaign's message, in order (click tracking's whitelist)."""
    seen: list[str] = []
    for url in URL_RE.findall(campaign.message_body or ""):
        if url not in seen:
            seen.append(url)
    return seen


@transaction.atomic
def campaign_save(
    *, by: User, values: Mapping[str, Any], campaign: Campaign | None = None
) -> Campaign:
    """Create a draft, or change a draft or scheduled campaign."""
    _ensure_can_manage(by)
    unknown = set(values) - set(CAMPAIGN_FIELDS)
    if unknown:
        raise CrmError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})
    if campaign is not None and not campaign.is_editable:
        raise CrmError(_("A campaign that has started can no longer be changed."))
    segment = values.get("segment")
    if isinstance(segment, Segment) and segment.record_type != SegmentRecordType.CONTACT:
        raise CrmError(_("A campaign is sent to a segment of contacts."))
    if values.get("template") is None:
        if (
            not str(values.get("subject") or "").strip()
            or not str(values.get("body") or "").strip()
        ):
            raise CrmError(_("Choose a template, or write a subject and a message."))
        for name in ("subject", "body"):
            errors = merge_errors(str(values.get(name) or ""))
            if errors:
                raise CrmError(" ".join(errors))
    action = AuditAction.UPDATE if campaign else AuditAction.CREATE
    campaign = campaign or Campaign(sender=by)
    for name, value in values.items():
        setattr(campaign, name, value)
    campaign.full_clean()
    campaign.save()
    _audit(by, campaign, action, {"name": [None, campaign.name]})
    return campaign


@transaction.atomic
def campaign_send(*, by: User, campaign: Campaign, at: datetime | None = None) -> Campaign:
    """Send now (``at`` empty or past) or at ``at``; the sender is who presses the button."""
    from crm.marketing.tasks import campaign_start_job

    _ensure_can_manage(by)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if not campaign.is_editable:
        raise CrmError(_("This campaign has already been sent or canceled."))
    if campaign.segment_id is None:
        raise CrmError(_("Choose a segment to send to."))
    now = timezone.now()
    campaign.sender = by
    if at is not None and at > now:
        campaign.status = CampaignStatus.SCHEDULED
        campaign.scheduled_at = at
        delay = (at - now).total_seconds()
    else:
        campaign.status = CampaignStatus.SENDING
        campaign.scheduled_at = now
        delay = 0
    campaign.save(update_fields=["sender", "status", "scheduled_at"])
    campaign_start_job.enqueue(
        campaign_id=campaign.pk, delay_seconds=delay, dedupe_key=_start_key(campaign)
    )
    _audit(by, campaign, AuditAction.UPDATE, {"status": [None, campaign.status]})
    return campaign


def _start_key(campaign: Campaign) -> str:
    return f"campaign-start:{current_schema_name()}:{campaign.pk}:{campaign.scheduled_at}"


@transaction.atomic
def campaign_cancel(*, by: User, campaign: Campaign) -> Campaign:
    """Stop a scheduled or sending campaign (e-mails already sent stay sent)."""
    _ensure_can_manage(by)
    campaign = Campaign.objects.select_for_update().get(pk=campaign.pk)
    if campaign.status in (CampaignStatus.SENT, CampaignStatus.CANCELED):
        raise CrmError(_("This campaign has already been sent or canceled."))
    campaign.status = CampaignStatus.CANCELED
    campaign.finished_at = timezone.now()
    campaign.save(update_fields=["status", "finished_at"])
    _audit(by, campaign, AuditAction.UPDATE, {"status": [None, campaign.status]})
    return campaign


@transaction.atomic
def campaign_test_send(*, by: User, campaign: Campaign) -> None:
    """Queue the message to the sender's own address (merge fields of contacts left empty)."""
    from crm.marketing.tasks import campaign_test_job

    _ensure_can_manage(by)
    if not by.email:
        raise CrmError(_("Your account has no e-mail address."))
    campaign_test_job.enqueue(campaign_id=campaign.pk, user_id=by.pk)


def campaign_test_run(*, campaign_id: int, user_id: int) -> bool:
    campaign = Campaign.objects.select_related("template").filter(pk=campaign_id).first()
    user = User.objects.filter(pk=user_id).first()
    if campaign is None or user is None:
        return False
    context = MergeContext(sender=user)
    subject = _("[Test] %(subject)s") % {"subject": merge_render(campaign.message_subject, context)}
    EmailMultiAlternatives(
        subject=subject,
        body=merge_render(campaign.message_body, context),
        from_email=sender_address(user),
        to=[user.email],
    ).send()
    return True


# --- Starting: the recipients --------------------------------------------------------------------


def _segment_contacts(segment: Segment) -> Any:
    from crm.marketing.selectors import segment_filter_queryset

    base: Any = Contact.objects.all()
    if segment.is_static:
        return base.filter(segment_memberships__segment=segment)
    return segment_filter_queryset(base, segment.record_type, segment.filters)


def recipients_fill(*, campaign: Campaign) -> int:
    """Copy the segment's contacts into the recipients (once each); returns how many new."""
    segment = campaign.segment
    if segment is None or segment.record_type != SegmentRecordType.CONTACT:
        return 0
    sql, params = _segment_contacts(segment).order_by().values("pk").query.sql_with_params()
    table = CampaignRecipient._meta.db_table
    contacts = Contact._meta.db_table
    suppressions = Suppression._meta.db_table
    skipped = RecipientStatus.SKIPPED
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} "  # noqa: S608 -- table names are ours, values are parameters
            "(campaign_id, contact_id, email, status, reason, token) "
            "SELECT %s, c.id, c.email, "
            "CASE WHEN c.email_opt_out OR c.email = '' OR s.id IS NOT NULL THEN %s ELSE %s END, "
            "CASE WHEN c.email_opt_out THEN %s WHEN c.email = '' THEN %s "
            "WHEN s.id IS NOT NULL THEN %s ELSE '' END, "
            "replace(gen_random_uuid()::text, '-', '') "
            f"FROM ({sql}) AS member(contact_id) "
            f"JOIN {contacts} c ON c.id = member.contact_id "
            f"LEFT JOIN {suppressions} s ON s.email = lower(c.email) "
            "ON CONFLICT (campaign_id, contact_id) DO NOTHING",
            [
                campaign.pk,
                skipped,
                RecipientStatus.QUEUED,
                SkipReason.OPTED_OUT,
                SkipReason.NO_ADDRESS,
                SkipReason.SUPPRESSED,
                *params,
            ],
        )
        added = int(cursor.rowcount)
    recipients = CampaignRecipient.objects.filter(campaign=campaign)
    Campaign.objects.filter(pk=campaign.pk).update(
        recipient_count=recipients.count(),
        skipped_count=recipients.filter(status=RecipientStatus.SKIPPED).count(),
    )
    return added


def campaign_start(*, campaign_id: int) -> bool:
    """At the send time: copy the recipients (once) and join the workspace's send chain."""
    with transaction.atomic():
        campaign = (
            Campaign.objects.select_for_update(of=("self",))
            .select_related("segment")
            .filter(pk=campaign_id)
            .first()
        )
        if campaign is None:
            return False
        now = timezone.now()
        if campaign.status == CampaignStatus.SCHEDULED:
            if campaign.scheduled_at and campaign.scheduled_at > now + timedelta(seconds=5):
                return False  # rescheduled later: that job starts it
            campaign.status = CampaignStatus.SENDING
        if campaign.status != CampaignStatus.SENDING:
            return False
        if campaign.started_at is None:
            recipients_fill(campaign=campaign)
            campaign.started_at = now
        campaign.save(update_fields=["status", "started_at"])
        send_chain_enqueue()
    return True


# --- Sending -------------------------------------------------------------------------------------


def send_chain_enqueue(*, delay_seconds: float = 0) -> None:
    """Record the workspace's next send job (one waits at a time; a second call reuses it)."""
    from crm.marketing.tasks import campaign_send_job

    campaign_send_job.enqueue(
        delay_seconds=delay_seconds, dedupe_key=f"campaign-send:{current_schema_name()}"
    )


def tracking_url(
    kind: str, recipient: CampaignRecipient, link: int | None = None, *, tenant: Any = None
) -> str:
    """The absolute open / click / unsubscribe URL of ``recipient`` on the workspace host."""
    signature = tracking_signature(recipient.token)
    if kind == "click":
        path = reverse("marketing:campaign_click", args=[recipient.token, link or 0, signature])
    else:
        path = reverse(f"marketing:campaign_{kind}", args=[recipient.token, signature])
    return workspace_url(tenant or current_tenant(), path)


def render_message(campaign: Campaign, recipient: CampaignRecipient, contact: Contact) -> Mail:
    """The e-mail to one recipient: text and HTML, tracked links, pixel, unsubscribe headers.

    The timeline shows the message without its footer (``log_body``).
    """
    context = MergeContext(
        contact=contact, company=contact_company(contact), sender=campaign.sender
    )
    subject = merge_render(campaign.message_subject, context)
    body = merge_render(campaign.message_body, context)
    links = campaign_links(campaign)
    tenant = current_tenant()
    unsubscribe = tracking_url("unsubscribe", recipient, tenant=tenant)

    def tracked(url: str) -> str:
        return (
            tracking_url("click", recipient, links.index(url), tenant=tenant)
            if url in links
            else url
        )

    text_parts: list[str] = []
    html_parts: list[str] = []
    position = 0
    for match in URL_RE.finditer(body):
        plain = body[position : match.start()]
        text_parts.append(plain)
        html_parts.append(escape(plain))
        url = match.group(0)
        text_parts.append(tracked(url))
        html_parts.append(f'<a href="{escape(tracked(url))}">{escape(url)}</a>')
        position = match.end()
    text_parts.append(body[position:])
    html_parts.append(escape(body[position:]))
    footer = _("Unsubscribe: %(url)s") % {"url": unsubscribe}
    text = "".join(text_parts) + "\n\n-- \n" + footer
    pixel = escape(tracking_url("open", recipient, tenant=tenant))
    html = (
        "<div>"
        + "".join(html_parts).replace("\n", "<br>\n")
        + f'</div><p style="font-size:12px;color:#666"><a href="{escape(unsubscribe)}">'
        + escape(_("Unsubscribe"))
        + f'</a></p><img src="{pixel}" width="1" height="1" alt="">'
    )
    return Mail(
        to=recipient.email or contact.email,
        subject=subject,
        body=text,
        html=html,
        log_body="".join(text_parts),
        category=MailCategory.MARKETING,
        source="marketing.campaign",
        sender=campaign.sender,
        from_email=sender_address(campaign.sender),
        reply_to=[campaign.sender.email],
        headers={
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        contact=contact,
    )


def _skip(recipient: CampaignRecipient, reason: str) -> None:
    recipient.status = RecipientStatus.SKIPPED
    recipient.reason = reason
    recipient.save(update_fields=["status", "reason"])
    Campaign.objects.filter(pk=recipient.campaign_id).update(skipped_count=F("skipped_count") + 1)


def _send_one(campaign: Campaign) -> bool | None:
    """Send to the next queued recipient: True sent, False skipped, None nobody left.

    The e-mail goes through :func:`crm.mailing.outbound.mail_send_now` (keyed by the
    recipient; the marketing rules — opt-out, suppression list — checked there; logged on
    the contact's timeline) in the transaction that marks the recipient sent.
    """
    with transaction.atomic():
        recipient = (
            CampaignRecipient.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(campaign=campaign, status=RecipientStatus.QUEUED)
            .select_related("contact")
            .order_by("id")
            .first()
        )
        if recipient is None:
            return None
        contact = recipient.contact
        if contact is None:
            _skip(recipient, SkipReason.GONE)
            return False
        if not contact.email:
            _skip(recipient, SkipReason.NO_ADDRESS)
            return False
        recipient.email = contact.email
        email = mail_send_now(
            key=f"marketing.campaign:{recipient.pk}",
            mail=render_message(campaign, recipient, contact),
        )
        if email.status != OutboundStatus.SENT:
            # The mailing service's marketing rules: an opt-out, else a suppressed address.
            reason = SkipReason.OPTED_OUT if contact.email_opt_out else SkipReason.SUPPRESSED
            _skip(recipient, reason)
            return False
        recipient.status = RecipientStatus.SENT
        recipient.sent_at = timezone.now()
        recipient.save(update_fields=["email", "status", "sent_at"])
        Campaign.objects.filter(pk=campaign.pk).update(sent_count=F("sent_count") + 1)
        return True


def campaign_send_batch() -> int:
    """One job of the workspace's send chain: up to a batch of e-mails, then the next job.

    Works on the oldest sending campaign; finishes campaigns with nobody left to send. The
    next job starts when this batch's e-mails are due at ``CAMPAIGN_SEND_PER_MINUTE``,
    counted from this batch's start (the sending time is part of the pause, so the pace is
    the set rate, never above it).
    """
    started = time.monotonic()
    per_minute = max(1, int(settings.CAMPAIGN_SEND_PER_MINUTE))
    batch = max(1, min(int(settings.CAMPAIGN_BATCH_SIZE), per_minute))
    done = 0
    sending = Campaign.objects.filter(status=CampaignStatus.SENDING, started_at__isnull=False)
    for campaign in sending.select_related("sender", "template").order_by("started_at", "id"):
        while done < batch:
            result = _send_one(campaign)
            if result is None:
                Campaign.objects.filter(pk=campaign.pk, status=CampaignStatus.SENDING).update(
                    status=CampaignStatus.SENT, finished_at=timezone.now()
                )
                break
            done += 1
            if done % 20 == 0 and not sending.filter(pk=campaign.pk).exists():
                break  # canceled meanwhile
        if done >= batch:
            break
    _campaigns_finish(sending)
    if CampaignRecipient.objects.filter(
        campaign__in=sending, status=RecipientStatus.QUEUED
    ).exists():
        pause = 60.0 * done / per_minute - (time.monotonic() - started) if done else 5.0
        send_chain_enqueue(delay_seconds=max(0.0, pause))
    return done


def _campaigns_finish(sending: Any) -> int:
    """Mark sent the sending campaigns with nobody left to send (a batch that ends exactly on
    the last recipient does not look for the next one)."""
    queued = CampaignRecipient.objects.filter(
        campaign=OuterRef("pk"), status=RecipientStatus.QUEUED
    )
    return int(
        sending.filter(~Exists(queued)).update(
            status=CampaignStatus.SENT, finished_at=timezone.now()
        )
    )
