"""Telesales: build call queues, hand the next contact to a rep, record call outcomes."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import CrmError
from crm.marketing.models import (
    CallOutcome,
    CallQueue,
    EntryStatus,
    QueueCall,
    QueueEntry,
    Segment,
)
from crm.models import ActivityKind, AuditAction, Contact, ObjectType
from crm.models.visibility import sees_everything
from crm.selectors.money import workspace_currency
from crm.services.activities import activity_create
from crm.services.audit import audit_record
from crm.services.common import ensure_can_write
from crm.services.deals import deal_create
from tenants.users.models import Role, User

#: How long a rep holds the contact on their screen before another rep may get it.
LEASE = timedelta(minutes=15)
#: A busy line is tried again sooner than an unanswered one.
BUSY_RETRY = timedelta(minutes=15)
#: Outcomes that take the contact out of the queue for good.
FINAL_OUTCOMES = (CallOutcome.INTERESTED, CallOutcome.NOT_INTERESTED, CallOutcome.DO_NOT_CALL)


def can_work(user: User, queue: CallQueue) -> bool:
    """A shared queue is the team's; a personal one its owner's (managers and admins see all)."""
    if not user.is_active or not user.can_write:
        return False
    return bool(
        queue.is_shared or queue.owner_id == user.pk or user.role in (Role.ADMIN, Role.MANAGER)
    )


def can_manage(user: User, queue: CallQueue) -> bool:
    return bool(
        user.is_active
        and user.can_write
        and (queue.owner_id == user.pk or user.role in (Role.ADMIN, Role.MANAGER))
    )


def _audit(by: User | None, queue: CallQueue, action: AuditAction, changes: dict[str, Any]) -> None:
    audit_record(
        actor=by,
        action=action,
        object_type=ObjectType.SETTINGS,
        object_id=int(queue.pk),
        object_repr=_("Call queue %(name)s") % {"name": queue.name},
        changes=changes,
    )


@transaction.atomic
def call_queue_save(
    *, by: User, values: dict[str, Any], queue: CallQueue | None = None
) -> CallQueue:
    """Create a queue (then built from its segment in a job) or change its settings."""
    ensure_can_write(by)
    created = queue is None
    if queue is None:
        queue = CallQueue(owner=by)
    elif not can_manage(by, queue):
        raise CrmError(_("Only its owner, managers and admins can change this queue."))
    for name, value in values.items():
        setattr(queue, name, value)
    queue.full_clean()
    queue.save()
    _audit(
        by,
        queue,
        AuditAction.CREATE if created else AuditAction.UPDATE,
        {"name": [None, queue.name]},
    )
    if created:
        call_queue_build_enqueue(queue=queue)
    return queue


def call_queue_build_enqueue(*, queue: CallQueue) -> None:
    from crm.marketing.tasks import call_queue_build_job

    call_queue_build_job.enqueue(queue_id=queue.pk, dedupe_key=f"call-queue-build:{queue.pk}")


@transaction.atomic
def call_queue_delete(*, by: User, queue: CallQueue) -> None:
    if not can_manage(by, queue):
        raise CrmError(_("Only its owner, managers and admins can delete this queue."))
    _audit(by, queue, AuditAction.DELETE, {})
    queue.delete()


def _callable_members(segment: Segment) -> Any:
    """The segment's contacts that can be phoned: a number, and no "do not call"."""
    from crm.marketing.selectors import segment_filter_queryset

    base: Any = Contact.objects.all()
    if segment.is_static:
        members: Any = base.filter(segment_memberships__segment=segment)
    else:
        members = segment_filter_queryset(base, segment.record_type, segment.filters)
    return members.filter(phone_opt_out=False).exclude(phone="", mobile="")


@transaction.atomic
def call_queue_build(*, queue: CallQueue) -> int:
    """Add the segment's callable contacts that are not in the queue yet (one INSERT … SELECT).

    Contacts already in the queue keep their place, attempts and callbacks; running it twice
    adds nothing the second time. Returns how many were added.
    """
    queue = (
        CallQueue.objects.select_for_update(of=("self",)).select_related("segment").get(pk=queue.pk)
    )
    added = 0
    segment = queue.segment
    if segment is not None and segment.record_type == "contact":
        sql, params = _callable_members(segment).order_by().values("pk").query.sql_with_params()
        table = QueueEntry._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} "  # noqa: S608 -- table name is ours, values are parameters
                "(queue_id, contact_id, status, due_at, attempts, last_outcome, updated_at) "
                "SELECT %s, member.contact_id, %s, now(), 0, '', now() "
                f"FROM ({sql}) AS member(contact_id) "
                "ON CONFLICT (queue_id, contact_id) DO NOTHING",
                [queue.pk, EntryStatus.WAITING, *params],
            )
            added = cursor.rowcount
    queue.built_at = timezone.now()
    queue.save(update_fields=["built_at"])
    return int(added)


def _callable_now(queue: CallQueue, rep: User, now: datetime) -> Any:
    entries = QueueEntry.objects.filter(
        queue=queue, status=EntryStatus.WAITING, due_at__lte=now
    ).filter(Q(reserved_for__isnull=True) | Q(reserved_for=rep))
    entries = entries.filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
    entries = entries.filter(contact__phone_opt_out=False)
    if not sees_everything(rep):
        entries = entries.filter(contact__owner=rep)
    return entries


@transaction.atomic
def queue_next(*, queue: CallQueue, rep: User) -> QueueEntry | None:
    """The contact ``rep`` should call now, held for them for :data:`LEASE`.

    The rep's current contact comes back while they hold it. Otherwise the first callable
    entry (due soonest) is taken with ``FOR UPDATE SKIP LOCKED``: a row another rep is taking
    at this very moment is skipped, and once taken its lease keeps it from everyone else.
    """
    if not can_work(rep, queue):
        raise CrmError(_("This queue is not yours to work."))
    now = timezone.now()
    held = (
        QueueEntry.objects.select_for_update(skip_locked=True)
        .filter(queue=queue, leased_by=rep, lease_until__gt=now, status=EntryStatus.WAITING)
        .order_by("id")
        .first()
    )
    if held is None:
        held = (
            _callable_now(queue, rep, now)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("due_at", "id")
            .first()
        )
        if held is None:
            return None
    held.leased_by = rep
    held.lease_until = now + LEASE
    held.save(update_fields=["leased_by", "lease_until", "updated_at"])
    return held


@transaction.atomic
def queue_release(*, entry: QueueEntry, rep: User) -> None:
    """The rep stops without calling: the contact is free for the others at once."""
    QueueEntry.objects.filter(pk=entry.pk, leased_by=rep).update(
        leased_by=None, lease_until=None, updated_at=timezone.now()
    )


def _subject(outcome: CallOutcome) -> str:
    return _("Call: %(outcome)s") % {"outcome": outcome.label}


@transaction.atomic
def call_outcome_record(
    *,
    entry: QueueEntry,
    rep: User,
    outcome: str,
    note: str = "",
    call_back_at: datetime | None = None,
) -> QueueCall:
    """Log the call on the contact's timeline and move the contact on in the queue.

    - no answer / busy: tried again later (after the queue's retry delay, or sooner when
      busy), until the queue's attempts run out;
    - call back at …: a call activity is scheduled for the rep at that time, and the contact
      returns to the queue then, reserved for the same rep;
    - interested: a deal is opened for the contact, owned by the rep;
    - not interested: out of the queue;
    - do not call: out of every queue (the contact's "no calls" flag is set).
    """
    ensure_can_write(rep)
    choice = CallOutcome(outcome)
    entry = (
        QueueEntry.objects.select_for_update().select_related("queue", "contact").get(pk=entry.pk)
    )
    queue, contact = entry.queue, entry.contact
    now = timezone.now()
    if not can_work(rep, queue):
        raise CrmError(_("This queue is not yours to work."))
    if entry.status != EntryStatus.WAITING:
        raise CrmError(_("This contact was already dealt with."))
    if entry.leased_by_id not in (None, rep.pk) and entry.lease_until and entry.lease_until > now:
        raise CrmError(_("Another rep is calling this contact."))
    if choice == CallOutcome.CALL_BACK and (call_back_at is None or call_back_at <= now):
        raise CrmError(_("Choose when to call back, in the future."))
    activity = activity_create(
        by=rep,
        fields={
            "kind": ActivityKind.CALL,
            "subject": _subject(choice)[:200],
            "body": note,
            "done_at": now,
            "outcome": str(choice.label),
            "contact": contact,
            "owner": rep,
        },
    )
    entry.attempts += 1
    entry.last_outcome = choice
    entry.leased_by = None
    entry.lease_until = None
    entry.reserved_for = None
    if choice in (CallOutcome.NO_ANSWER, CallOutcome.BUSY):
        delay = BUSY_RETRY if choice == CallOutcome.BUSY else timedelta(minutes=queue.retry_minutes)
        entry.due_at = now + delay
        if entry.attempts >= queue.max_attempts:
            entry.status = EntryStatus.DONE
    elif choice == CallOutcome.CALL_BACK and call_back_at is not None:
        entry.due_at = call_back_at
        entry.reserved_for = rep
        activity_create(
            by=rep,
            fields={
                "kind": ActivityKind.CALL,
                "subject": (_("Call back %(name)s") % {"name": contact})[:200],
                "body": note,
                "due_at": call_back_at,
                "contact": contact,
                "owner": rep,
            },
        )
    else:
        entry.status = EntryStatus.DONE
    if choice == CallOutcome.INTERESTED:
        company = contact.companies.order_by("pk").first()
        deal_create(
            by=rep,
            fields={
                "title": (_("%(name)s (interested)") % {"name": contact})[:200],
                "owner": rep,
                "currency": workspace_currency(),
                "company": company,
            },
            contacts=[contact],
        )
    if choice == CallOutcome.DO_NOT_CALL and not contact.phone_opt_out:
        Contact.objects.filter(pk=contact.pk).update(phone_opt_out=True, updated_at=now)
        audit_record(
            actor=rep,
            action=AuditAction.UPDATE,
            object_type=ObjectType.CONTACT,
            object_id=int(contact.pk),
            object_repr=str(contact),
            changes={"phone_opt_out": [False, True]},
        )
    entry.save()
    return QueueCall.objects.create(
        queue=queue, contact=contact, rep=rep, outcome=choice, activity=activity
    )
