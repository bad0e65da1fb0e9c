"""Reads of telesales: the queues a rep may work, a contact's context, the leaderboard."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from crm.marketing.models import CallOutcome, CallQueue, EntryStatus, QueueCall, QueueEntry
from crm.models import Activity, ActivityKind, Contact, Deal
from tenants.users.models import Role


def queues_visible(user: Any) -> QuerySet[CallQueue]:
    """Shared queues and the user's own; managers and admins see every queue."""
    queues = CallQueue.objects.select_related("segment", "owner").order_by("name", "id")
    if user.role in (Role.ADMIN, Role.MANAGER):
        return queues
    return queues.filter(Q(is_shared=True) | Q(owner=user))


def today_window() -> tuple[datetime, datetime]:
    """Today in the current (the user's) time zone, as a range of moments."""
    start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    return start, start + timedelta(days=1)


@dataclass(frozen=True)
class QueueCounts:
    waiting: int
    due_now: int
    done: int


def queue_counts(queue: CallQueue) -> QueueCounts:
    """How many are left, callable now, and done: one query."""
    now = timezone.now()
    row = QueueEntry.objects.filter(queue=queue).aggregate(
        waiting=Count("id", filter=Q(status=EntryStatus.WAITING)),
        due_now=Count("id", filter=Q(status=EntryStatus.WAITING, due_at__lte=now)),
        done=Count("id", filter=Q(status=EntryStatus.DONE)),
    )
    return QueueCounts(row["waiting"], row["due_now"], row["done"])


def leaderboard(queue: CallQueue) -> list[dict[str, Any]]:
    """Today's calls per rep in this queue, with each outcome counted, most calls first."""
    start, end = today_window()
    per_outcome = {
        str(outcome): Count("id", filter=Q(outcome=outcome)) for outcome in CallOutcome.values
    }
    rows = (
        QueueCall.objects.filter(queue=queue, called_at__gte=start, called_at__lt=end)
        .values("rep", "rep__full_name", "rep__email")
        .annotate(calls=Count("id"), **per_outcome)
        .order_by("-calls", "rep__full_name")
    )
    board = []
    for row in rows:
        row = dict(row)
        row["name"] = row["rep__full_name"] or row["rep__email"]
        row["progress"] = min(100, round(100 * row["calls"] / max(1, queue.daily_target)))
        board.append(row)
    return board


def calls_today(queue: CallQueue, rep: Any) -> int:
    start, end = today_window()
    return QueueCall.objects.filter(
        queue=queue, rep=rep, called_at__gte=start, called_at__lt=end
    ).count()


@dataclass(frozen=True)
class CallContext:
    """What a rep sees before dialling: the last activities, the open deals, the notes."""

    activities: list[Activity]
    notes: list[Activity]
    open_deals: list[Deal]


def call_context(contact: Contact) -> CallContext:
    activities = list(
        Activity.objects.filter(contact=contact)
        .exclude(kind=ActivityKind.NOTE)
        .select_related("owner")
        .order_by("-created_at", "-id")[:5]
    )
    notes = list(
        Activity.objects.filter(contact=contact, kind=ActivityKind.NOTE)
        .select_related("owner")
        .order_by("-created_at", "-id")[:3]
    )
    deals = list(
        Deal.objects.open()
        .filter(contacts=contact)
        .select_related("stage")
        .order_by("-updated_at", "-id")[:5]
    )
    return CallContext(activities, notes, deals)
