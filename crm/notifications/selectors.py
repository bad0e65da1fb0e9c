"""Reads of notifications and reminders, always of one person's own rows."""

from __future__ import annotations

from django.core.cache import cache
from django.db.models import QuerySet
from django.http import Http404

from crm.notifications.models import Notification, Reminder
from tenants.users.models import User

#: Notifications the bell's panel shows; the page lists more.
PANEL_SIZE = 8
PAGE_SIZE = 50


#: Seconds the bell's number is kept in the cache; every change forgets it sooner.
UNREAD_COUNT_TTL = 60


def unread_count_key(user_id: int) -> str:
    """Cache key of a user's unread count (the cache's key function adds the schema)."""
    return f"notifications:unread:{user_id}"


def unread_count(user: User) -> int:
    """The bell's number: from the cache, else one COUNT over the partial index of unread rows.

    Every write that changes it forgets the cached number (see ``services``), so the bell
    polled by every open tab costs a cache read, not a query, most of the time.
    """
    key = unread_count_key(int(user.pk))
    cached = cache.get(key)
    if cached is not None:
        return int(cached)
    count = Notification.objects.filter(recipient_id=user.pk, read_at__isnull=True).count()
    cache.set(key, count, UNREAD_COUNT_TTL)
    return count


def notifications_of(user: User) -> QuerySet[Notification]:
    return (
        Notification.objects.for_user(user)
        .select_related("actor", "reminder", "reminder__activity")
        .order_by("-created_at", "-id")
    )


def own_notification_or_404(user: User, pk: int) -> Notification:
    """``user``'s notification ``pk``; someone else's is as missing as a deleted one."""
    notification = Notification.objects.filter(pk=pk, recipient=user).first()
    if notification is None:
        raise Http404
    return notification


def own_reminder_or_404(user: User, pk: int) -> Reminder:
    """A reminder of an activity ``user`` owns (the only person it rings for)."""
    reminder = (
        Reminder.objects.select_related("activity").filter(pk=pk, activity__owner=user).first()
    )
    if reminder is None:
        raise Http404
    return reminder
