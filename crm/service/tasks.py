"""Background work of customer service: e-mails to customers and managers, SLA escalation.

E-mail to customers (replies, the CSAT question) is handed to the CRM's e-mail service
(``crm.mailing.outbound``): sent once, logged on the contact's timeline. The escalation
e-mail goes to a workspace member, through Django's e-mail backend.
"""

from __future__ import annotations

from celery import shared_task
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.jobs.models import JobQueue
from core.jobs.registry import job_handler
from crm.mailing.hooks import mail_hook
from crm.mailing.models import MailCategory, OutboundEmail, OutboundStatus
from crm.mailing.outbound import Mail, mail_queue


def _workspace_link(path: str) -> str:
    from tenants.selectors import current_tenant, workspace_url

    return workspace_url(current_tenant(), path)


@job_handler("service.reply_email_send", queue=JobQueue.INTERACTIVE, tenant=True)
def reply_email_job(*, event_id: int) -> str:
    """Hand a reply to the CRM's e-mail service, once per reply (its state follows the mail).

    A reply is transactional: a marketing opt-out does not stop it. It is logged on the
    case contact's timeline when it goes out.
    """
    from crm.service.models import CaseEvent, EmailState

    event = CaseEvent.objects.select_related(
        "case", "case__contact", "case__company", "case__deal", "author"
    ).get(pk=event_id)
    if event.email_state != EmailState.QUEUED:
        return str(event.email_state)
    from tenants.selectors import current_tenant

    tenant = current_tenant()
    case = event.case
    with translation.override(tenant.language or "en"):
        subject = _("[Case #%(number)s] %(subject)s") % {
            "number": case.number,
            "subject": case.subject,
        }
        message = render_to_string(
            "service/emails/reply.txt", {"event": event, "case": case, "workspace": tenant}
        )
    mail_queue(
        key=f"service.reply:{event.pk}",
        mail=Mail(
            to=event.email_to,
            subject=subject,
            body=message,
            log_body=event.body,
            category=MailCategory.TRANSACTIONAL,
            source="service.reply",
            sender=event.author,
            contact=case.contact,
            company=case.company,
            deal=case.deal,
            hook="service.reply",
            hook_args={"event_id": event.pk},
        ),
    )
    return EmailState.QUEUED


@mail_hook("service.reply")
def reply_mailed(*, email: OutboundEmail, status: str, event_id: int) -> None:
    """The reply's state on the case timeline: sent, or failed (not sent counts as failed)."""
    from crm.service.models import CaseEvent, EmailState

    state = EmailState.SENT if status == OutboundStatus.SENT else EmailState.FAILED
    CaseEvent.objects.filter(pk=event_id).update(email_state=state)


@job_handler("service.csat_email_send", queue=JobQueue.INTERACTIVE, tenant=True)
def csat_email_job(*, case_id: int) -> bool:
    """Ask the customer of a resolved case how it went (skipped once answered).

    Transactional (it follows the customer's own case), logged on the contact's timeline.
    """
    from crm.service.models import Case
    from crm.service.signing import csat_token
    from tenants.selectors import current_tenant

    case = Case.objects.select_related("contact", "company", "deal").get(pk=case_id)
    if case.csat_answered_at is not None or not case.contact or not case.contact.email:
        return False
    tenant = current_tenant()
    link = _workspace_link(reverse("service_csat", args=[csat_token(case)]))
    with translation.override(tenant.language or "en"):
        subject = _("How did we do? Case #%(number)s") % {"number": case.number}
        message = render_to_string(
            "service/emails/csat.txt", {"case": case, "link": link, "workspace": tenant}
        )
    mail_queue(
        key=f"service.csat:{case.pk}:{case.resolved_at.isoformat() if case.resolved_at else ''}",
        mail=Mail(
            to=case.contact.email,
            subject=subject,
            body=message,
            category=MailCategory.TRANSACTIONAL,
            source="service.csat",
            contact=case.contact,
            company=case.company,
            deal=case.deal,
        ),
    )
    return True


@job_handler("service.escalation_email_send", queue=JobQueue.INTERACTIVE, tenant=True, atomic=False)
def escalation_email_job(*, case_id: int, user_id: int) -> bool:
    """Tell the manager a case breached its SLA and is now theirs."""
    from crm.service.models import Case, CaseEvent, CaseEventKind, EmailState
    from tenants.users.models import User

    case = Case.objects.get(pk=case_id)
    manager = User.objects.filter(pk=user_id, is_active=True).first()
    if manager is None:
        return False
    link = _workspace_link(reverse("service_case_detail", args=[case.pk]))
    with translation.override(manager.language or None):
        subject = _("SLA breached: case #%(number)s %(subject)s") % {
            "number": case.number,
            "subject": case.subject,
        }
        message = render_to_string(
            "service/emails/escalation.txt", {"case": case, "link": link, "manager": manager}
        )
    send_mail(subject=subject, message=message, from_email=None, recipient_list=[manager.email])
    CaseEvent.objects.filter(
        case=case, kind=CaseEventKind.ESCALATION, email_state=EmailState.QUEUED
    ).update(email_state=EmailState.SENT)
    return True


@job_handler("service.sla_escalate", queue=JobQueue.DEFAULT, tenant=True)
def sla_escalate_job() -> int:
    """Periodic, per workspace: stamp breaches and escalate them (idempotent)."""
    from crm.service.services import sla_breaches_escalate

    return sla_breaches_escalate()


@shared_task(name="service.sla_escalate_due")
def sla_escalate_due_task() -> int:
    """Beat: one SLA check per active, writable workspace every five minutes."""
    from core.jobs.periodic import periodic_jobs_enqueue
    from tenants.periodic import periodic_workspaces

    now = timezone.now()
    window = f"{now:%Y-%m-%dT%H}:{now.minute // 5}"
    with transaction.atomic():
        return periodic_jobs_enqueue(
            handler=sla_escalate_job,
            schema_names=periodic_workspaces(writes=True),
            spread_seconds=30,
            window=window,
        )
