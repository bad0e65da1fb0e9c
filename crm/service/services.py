"""Writes of customer service: cases and their timeline, SLA escalation, CSAT, articles."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import CrmError
from crm.models import AuditAction, Company, Contact, ObjectType
from crm.service.models import (
    CLOCK_RUNNING,
    Article,
    Case,
    CaseEvent,
    CaseEventKind,
    CaseStatus,
    Channel,
    EmailState,
    Queue,
)
from crm.service.sla import service_settings, sla_schedule, targets_for, workspace_calendar
from crm.services.audit import audit_record, changes_between, snapshot
from tenants.connection import current_schema_name
from tenants.users.models import User

#: Audit entries of cases and articles carry these record types (the audit log shows them).
CASE_AUDIT_TYPE = cast(ObjectType, "case")
ARTICLE_AUDIT_TYPE = cast(ObjectType, "article")

CASE_FIELDS = (
    "subject", "description", "contact", "company", "deal", "priority", "channel",
    "category", "assignee", "queue",
)  # fmt: skip
ARTICLE_FIELDS = ("title", "body", "body_format", "visibility", "language")


def ensure_can_write(user: User | None) -> None:
    if user is not None and not user.can_write:
        raise CrmError(_("Your role cannot change cases."))


def next_case_number() -> int:
    """The workspace's next case number: one atomic upsert, so two agents never share one.

    The row stays locked until the creating transaction ends; numbers are never reused.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO service_casesequence (id, last_number) VALUES (1, 1) "
            "ON CONFLICT (id) DO UPDATE SET last_number = service_casesequence.last_number + 1 "
            "RETURNING last_number"
        )
        row = cursor.fetchone()
    return int(row[0])


def _reschedule(case: Case) -> None:
    row = service_settings()
    sla_schedule(
        case,
        calendar=workspace_calendar(),
        warning_percent=row.warning_percent,
        targets=targets_for(case.priority),
    )


def event_add(
    *,
    case: Case,
    kind: str,
    by: User | None,
    body: str = "",
    data: Mapping[str, Any] | None = None,
    email_to: str = "",
    email_state: str = EmailState.NONE,
) -> CaseEvent:
    return CaseEvent.objects.create(
        case=case,
        kind=kind,
        author=by,
        body=body,
        data=dict(data or {}),
        email_to=email_to,
        email_state=email_state,
    )


@transaction.atomic
def case_create(*, by: User | None, fields: Mapping[str, Any]) -> Case:
    """Open a case: next number, SLA due moments, a timeline entry and an audit entry."""
    ensure_can_write(by)
    values = {k: v for k, v in fields.items() if k in CASE_FIELDS}
    case = Case(number=next_case_number(), created_by=by, **values)
    if case.contact_id and not case.company_id:
        case.company = (
            Company.objects.filter(contact_links__contact=case.contact_id)
            .order_by("contact_links__id")
            .first()
        )
    if case.assignee_id:
        case.status = CaseStatus.OPEN
    case.created_at = timezone.now()
    _reschedule(case)
    case.full_clean(exclude=["number"])
    case.save()
    event_add(case=case, kind=CaseEventKind.CREATED, by=by, data={"channel": case.channel})
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        object_type=CASE_AUDIT_TYPE,
        object_id=case.pk,
        object_repr=str(case),
        changes=changes_between({}, snapshot(case, CASE_FIELDS)),
    )
    return case


def _locked(case: Case) -> Case:
    return Case.objects.select_for_update().get(pk=case.pk)


@transaction.atomic
def case_update(*, case: Case, by: User, fields: Mapping[str, Any]) -> Case:
    """Edit a case's fields; a new priority reschedules the SLA, a new assignee is logged."""
    ensure_can_write(by)
    case = _locked(case)
    before = snapshot(case, CASE_FIELDS)
    old_priority, old_assignee = case.priority, case.assignee
    for name, value in fields.items():
        if name in CASE_FIELDS:
            setattr(case, name, value)
    if case.priority != old_priority:
        _reschedule(case)
        event_add(
            case=case,
            kind=CaseEventKind.PRIORITY,
            by=by,
            data={"from": before["priority"], "to": str(case.get_priority_display())},
        )
    if case.assignee != old_assignee:
        event_add(
            case=case,
            kind=CaseEventKind.ASSIGNMENT,
            by=by,
            data={"from": str(old_assignee or ""), "to": str(case.assignee or "")},
        )
        if case.assignee and case.status == CaseStatus.NEW:
            case.status = CaseStatus.OPEN
    case.full_clean()
    case.save()
    changes = changes_between(before, snapshot(case, CASE_FIELDS))
    if changes:
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            object_type=CASE_AUDIT_TYPE,
            object_id=case.pk,
            object_repr=str(case),
            changes=changes,
        )
    return case


def _status_apply(case: Case, status: str, *, by: User | None) -> None:
    """Move ``case`` (locked) to ``status``: pause or resume the clock, stamp moments, log."""
    if status == case.status:
        return
    now = timezone.now()
    old = str(case.get_status_display())
    leaving_pause = case.sla_paused_at is not None and status in CLOCK_RUNNING
    if leaving_pause:
        calendar = workspace_calendar()
        case.paused_business_minutes += max(0, calendar.minutes_between(case.sla_paused_at, now))  # type: ignore[arg-type]
        case.sla_paused_at = None
        case.status = status
        _reschedule(case)
    if status not in CLOCK_RUNNING and case.sla_paused_at is None:
        case.sla_paused_at = now
    if status == CaseStatus.RESOLVED:
        case.resolved_at = now
    elif status == CaseStatus.CLOSED:
        case.closed_at = now
        case.resolved_at = case.resolved_at or now
    elif status in CLOCK_RUNNING or status == CaseStatus.WAITING:
        case.resolved_at = None
        case.closed_at = None
    case.status = status
    event_add(
        case=case,
        kind=CaseEventKind.STATUS,
        by=by,
        data={"from": old, "to": str(case.get_status_display())},
    )


@transaction.atomic
def case_status_set(*, case: Case, by: User, status: str) -> Case:
    """Change the status; resolving offers the customer the satisfaction survey."""
    ensure_can_write(by)
    if status not in CaseStatus.values:
        raise CrmError(_("Choose a valid status."))
    case = _locked(case)
    old = case.status
    _status_apply(case, status, by=by)
    case.save()
    if old != status:
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            object_type=CASE_AUDIT_TYPE,
            object_id=case.pk,
            object_repr=str(case),
            changes={"status": [str(CaseStatus(old).label), str(case.get_status_display())]},
        )
        if status == CaseStatus.RESOLVED and case.csat_answered_at is None:
            _csat_invite(case)
    return case


def _csat_invite(case: Case) -> None:
    """E-mail the customer the satisfaction link (when the case has a contact with e-mail)."""
    if case.contact_id and case.contact and case.contact.email:
        from crm.service.tasks import csat_email_job

        csat_email_job.enqueue(
            case_id=case.pk, dedupe_key=f"service.csat:{current_schema_name()}:{case.pk}"
        )


@transaction.atomic
def case_reply(
    *, case: Case, by: User, body: str, status: str = "", email: bool = True
) -> CaseEvent:
    """Answer the customer: logged on the timeline, e-mailed by a job, first response stamped.

    ``status`` optionally moves the case on (e.g. to "waiting on customer").
    """
    ensure_can_write(by)
    body = body.strip()
    if not body:
        raise CrmError(_("Write the reply first."))
    case = _locked(case)
    address = case.contact.email if case.contact_id and case.contact else ""
    send = email and bool(address)
    event = event_add(
        case=case,
        kind=CaseEventKind.REPLY,
        by=by,
        body=body,
        email_to=address if send else "",
        email_state=EmailState.QUEUED if send else EmailState.NONE,
    )
    if case.first_responded_at is None:
        case.first_responded_at = timezone.now()
    if case.status == CaseStatus.NEW and not status:
        status = CaseStatus.OPEN
    if status:
        if status not in CaseStatus.values:
            raise CrmError(_("Choose a valid status."))
        _status_apply(case, status, by=by)
    case.save()
    if send:
        from crm.service.tasks import reply_email_job

        reply_email_job.enqueue(event_id=event.pk)
    return event


@transaction.atomic
def case_note(*, case: Case, by: User, body: str) -> CaseEvent:
    """An internal note: on the timeline for the team, never sent to the customer."""
    ensure_can_write(by)
    body = body.strip()
    if not body:
        raise CrmError(_("Write the note first."))
    return event_add(case=case, kind=CaseEventKind.NOTE, by=by, body=body)


@transaction.atomic
def case_delete(*, case: Case, by: User) -> None:
    ensure_can_write(by)
    audit_record(
        actor=by,
        action=AuditAction.DELETE,
        object_type=CASE_AUDIT_TYPE,
        object_id=case.pk,
        object_repr=str(case),
    )
    case.delete()


# --- SLA escalation --------------------------------------------------------------------------


def escalation_target(case: Case) -> User | None:
    """Who takes a breached case: its queue's manager, else the workspace's chosen person."""
    if case.queue_id and case.queue and case.queue.manager and case.queue.manager.is_active:
        return case.queue.manager
    chosen = service_settings().escalate_to
    return chosen if chosen is not None and chosen.is_active else None


@transaction.atomic
def sla_breaches_escalate(*, now: Any = None, limit: int = 500) -> int:
    """Mark cases past a due moment as breached, reassign them and notify the manager.

    Idempotent: a breach is stamped once (``*_breached_at``), and only cases stamped by this
    run are escalated, so running twice (two workers, a retry) escalates nothing twice.
    Rows another run holds are skipped, not waited for.
    """
    now = now or timezone.now()
    first = list(
        Case.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("queue__manager", "assignee")
        .filter(
            status__in=CLOCK_RUNNING,
            first_responded_at__isnull=True,
            first_response_due_at__lte=now,
            first_response_breached_at__isnull=True,
        )[:limit]
    )
    resolution = list(
        Case.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("queue__manager", "assignee")
        .filter(
            status__in=CLOCK_RUNNING,
            resolution_due_at__lte=now,
            resolution_breached_at__isnull=True,
        )[:limit]
    )
    breached: dict[int, tuple[Case, list[str]]] = {}
    for case in first:
        case.first_response_breached_at = now
        breached.setdefault(case.pk, (case, []))[1].append("first_response")
    for case in resolution:
        existing = breached.get(case.pk)
        target = existing[0] if existing else case
        target.resolution_breached_at = now
        breached.setdefault(case.pk, (target, []))[1].append("resolution")
    for case, targets in breached.values():
        _escalate(case, targets=targets, now=now)
    return len(breached)


def _escalate(case: Case, *, targets: list[str], now: Any) -> None:
    event_add(case=case, kind=CaseEventKind.BREACH, by=None, data={"targets": targets})
    manager = escalation_target(case)
    if manager is not None:
        previous = case.assignee
        case.assignee = manager
        case.escalated_at = now
        event_add(
            case=case,
            kind=CaseEventKind.ESCALATION,
            by=None,
            data={"from": str(previous or ""), "to": str(manager)},
            email_to=manager.email,
            email_state=EmailState.QUEUED,
        )
        audit_record(
            actor=None,
            action=AuditAction.REASSIGN,
            object_type=CASE_AUDIT_TYPE,
            object_id=case.pk,
            object_repr=str(case),
            changes={"assignee": [str(previous or ""), str(manager)]},
        )
        from crm.service.tasks import escalation_email_job

        escalation_email_job.enqueue(case_id=case.pk, user_id=manager.pk)
    case.save(
        update_fields=[
            "first_response_breached_at",
            "resolution_breached_at",
            "assignee",
            "escalated_at",
            "updated_at",
        ]
    )


# --- CSAT ------------------------------------------------------------------------------------


@transaction.atomic
def csat_answer(*, case_id: int, score: int, comment: str) -> bool:
    """Record the customer's answer; ``False`` when the case was already answered (or gone).

    One conditional UPDATE: two tabs submitting at once record one answer.
    """
    if not 1 <= score <= 5:
        raise CrmError(_("Choose a rating from 1 to 5."))
    now = timezone.now()
    updated = Case.objects.filter(
        pk=case_id, csat_answered_at__isnull=True, resolved_at__isnull=False
    ).update(csat_score=score, csat_comment=comment.strip()[:2000], csat_answered_at=now)
    if updated:
        event_add(
            case=Case.objects.get(pk=case_id),
            kind=CaseEventKind.CSAT,
            by=None,
            body=comment.strip()[:2000],
            data={"score": score},
        )
    return bool(updated)


# --- Web form --------------------------------------------------------------------------------


@transaction.atomic
def web_case_submit(*, name: str, email: str, subject: str, description: str) -> Case:
    """A customer's request from the public form: find or create the contact by e-mail."""
    from crm.services import contact_create

    email = email.strip().lower()
    contact = Contact.objects.filter(email__iexact=email).order_by("id").first()
    if contact is None:
        owner = (
            service_settings().escalate_to
            or User.objects.filter(is_active=True, role="admin").order_by("id").first()
        )
        if owner is None:
            raise CrmError(_("This workspace cannot take requests right now."))
        contact = contact_create(
            by=owner, fields={"full_name": name.strip() or email, "email": email, "owner": owner}
        )
    return case_create(
        by=None,
        fields={
            "subject": subject.strip(),
            "description": description.strip(),
            "contact": contact,
            "channel": Channel.WEB,
        },
    )


# --- Queues and knowledge base ---------------------------------------------------------------


@transaction.atomic
def queue_save(*, by: User, queue: Queue | None, name: str, manager: User | None) -> Queue:
    ensure_can_write(by)
    queue = queue or Queue()
    queue.name, queue.manager = name.strip(), manager
    queue.full_clean()
    queue.save()
    return queue


@transaction.atomic
def article_save(*, by: User, article: Article | None, fields: Mapping[str, Any]) -> Article:
    """Create or edit an article, audited."""
    ensure_can_write(by)
    creating = article is None
    article = article or Article(author=by)
    before = {} if creating else snapshot(article, ARTICLE_FIELDS)
    for name in ARTICLE_FIELDS:
        if name in fields:
            setattr(article, name, fields[name])
    article.full_clean()
    article.save()
    changes = changes_between(before, snapshot(article, ARTICLE_FIELDS))
    audit_record(
        actor=by,
        action=AuditAction.CREATE if creating else AuditAction.UPDATE,
        object_type=ARTICLE_AUDIT_TYPE,
        object_id=article.pk,
        object_repr=str(article),
        changes=changes,
    )
    return article


@transaction.atomic
def article_delete(*, by: User, article: Article) -> None:
    ensure_can_write(by)
    audit_record(
        actor=by,
        action=AuditAction.DELETE,
        object_type=ARTICLE_AUDIT_TYPE,
        object_id=article.pk,
        object_repr=str(article),
    )
    article.delete()
