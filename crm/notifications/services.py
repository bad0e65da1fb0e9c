"""Writes of notifications and reminders: tell someone, mark read, set, snooze and finish.

:func:`notify` is the one way any part of Rapport puts something under a user's bell. The
text is written in the recipient's language when the notification is created, so a bell
never shows a mix of the actor's and the reader's language.
"""

from __future__ import annotations

import contextlib
import zoneinfo
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from typing import Any

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from crm.errors import CrmError
from crm.notifications.models import (
    Notification,
    NotificationKind,
    NotificationPreference,
    Reminder,
    ReminderOffset,
)
from crm.notifications.selectors import unread_count_key
from tenants.users.models import User
from tenants.users.selectors import recipient_language, user_time_zone

#: Most characters of a notification's text (the column's length).
MESSAGE_MAX = 300
#: The local hour a "tomorrow morning" snooze rings at.
MORNING_HOUR = 8


class SnoozeChoice:
    TEN_MINUTES = "10m"
    ONE_HOUR = "1h"
    TOMORROW = "tomorrow"
    ALL = (TEN_MINUTES, ONE_HOUR, TOMORROW)


def unread_count_forget(user_id: int) -> None:
    """Drop the cached bell number now and again once the transaction commits (a reader
    between the two would otherwise cache the count from before the change)."""
    key = unread_count_key(user_id)
    cache.delete(key)
    transaction.on_commit(lambda: cache.delete(key))


def notify(
    *,
    recipient: User,
    kind: str,
    message: str,
    url: str = "",
    actor: User | None = None,
    target_type: str = "",
    target_id: int | None = None,
    reminder: Reminder | None = None,
    dedupe_key: str = "",
) -> Notification:
    """Put ``message`` under ``recipient``'s bell; with ``dedupe_key``, at most once.

    Runs in the caller's transaction, so a change that rolls back tells nobody. A second
    call with the same ``dedupe_key`` for the same person returns the first notification.
    """
    if kind not in NotificationKind.values:
        raise ValueError(f"Unknown notification kind {kind!r}.")
    values: dict[str, Any] = {
        "recipient": recipient,
        "kind": kind,
        "message": message[:MESSAGE_MAX],
        "url": url[:500],
        "actor": actor,
        "target_type": target_type,
        "target_id": target_id,
        "reminder": reminder,
        "dedupe_key": dedupe_key[:200],
    }
    unread_count_forget(int(recipient.pk))
    if not dedupe_key:
        return Notification.objects.create(**values)
    existing = Notification.objects.filter(recipient=recipient, dedupe_key=values["dedupe_key"])
    found = existing.first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Notification.objects.create(**values)
    except IntegrityError:
        return existing.get()


@contextlib.contextmanager
def in_language_of(user: User) -> Iterator[None]:
    """Write text for ``user``: their language (else the workspace's) and time zone."""
    with translation.override(recipient_language(user)), timezone.override(user_time_zone(user)):
        yield


def notification_mark_read(*, notification: Notification, user: User) -> Notification:
    """Mark one of ``user``'s notifications read (reading twice changes nothing)."""
    if notification.recipient_id != user.pk:
        raise CrmError(_("This notification is not yours."))
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
        unread_count_forget(int(user.pk))
    return notification


def notifications_mark_all_read(*, user: User) -> int:
    """Mark every unread notification of ``user`` read; returns how many."""
    unread_count_forget(int(user.pk))
    return Notification.objects.for_user(user).unread().update(read_at=timezone.now())


# --- Reminders -----------------------------------------------------------------------------------


def reminder_default_minutes(user: User) -> int:
    """The reminder new activities of ``user`` start with (15 minutes unless they chose)."""
    chosen = (
        NotificationPreference.objects.filter(user=user)
        .values_list("reminder_minutes", flat=True)
        .first()
    )
    return int(ReminderOffset.MIN_15 if chosen is None else chosen)


def notification_preference_set(*, user: User, reminder_minutes: int) -> NotificationPreference:
    if reminder_minutes not in ReminderOffset.values:
        raise CrmError(_("Choose a reminder from the list."))
    preference, _created = NotificationPreference.objects.update_or_create(
        user=user, defaults={"reminder_minutes": reminder_minutes}
    )
    return preference


def reminder_wake(remind_at: datetime) -> None:
    """Have this workspace's reminder job run when ``remind_at`` comes (one job per minute).

    The job is recorded in the caller's transaction and published when due (the sweeper
    publishes due jobs every minute); beat's run every 15 minutes is the safety net.
    """
    from django.db import connection

    from crm.notifications.tasks import reminders_send_job

    delay = max(0.0, (remind_at - timezone.now()).total_seconds())
    schema = str(getattr(connection, "schema_name", ""))
    reminders_send_job.enqueue(
        dedupe_key=f"notifications.reminders:{schema}:{remind_at:%Y%m%d%H%M}",
        delay_seconds=delay,
    )


def _remind_at(due_at: datetime, minutes_before: int) -> datetime:
    return due_at - timedelta(minutes=max(0, minutes_before))


@transaction.atomic
def reminder_set(*, activity: Any, minutes_before: int) -> Reminder | None:
    """Remind the activity's owner ``minutes_before`` its due time (``-1``: no reminder).

    An activity without a due date, or already done, has no reminder. A reminder whose
    time has passed while the activity is still ahead rings at the next run; moving the due
    date re-arms a reminder that already rang.
    """
    if minutes_before not in ReminderOffset.values:
        raise CrmError(_("Choose a reminder from the list."))
    current = Reminder.objects.filter(activity=activity).first()
    if minutes_before == ReminderOffset.NONE or activity.due_at is None or activity.done_at:
        if current is not None:
            current.delete()
        return None
    remind_at = _remind_at(activity.due_at, minutes_before)
    if current is None:
        if activity.due_at <= timezone.now():
            return None
        reminder_wake(remind_at)
        return Reminder.objects.create(
            activity=activity, minutes_before=minutes_before, remind_at=remind_at
        )
    if current.minutes_before != minutes_before or (
        current.remind_at != remind_at and not current.snoozed
    ):
        current.minutes_before = minutes_before
        current.remind_at = remind_at
        current.snoozed = False
        if activity.due_at > timezone.now():
            current.sent_at = None
        current.save(update_fields=["minutes_before", "remind_at", "snoozed", "sent_at"])
        reminder_wake(remind_at)
    return current


def reminder_reschedule(*, activity: Any) -> None:
    """After an activity's due date or state changed, move its reminder with it."""
    current = Reminder.objects.filter(activity=activity).first()
    if current is None:
        return
    if activity.due_at is None or activity.done_at is not None:
        current.delete()
        return
    remind_at = _remind_at(activity.due_at, current.minutes_before)
    if remind_at != current.remind_at:
        current.remind_at = remind_at
        current.snoozed = False
        current.sent_at = None if activity.due_at > timezone.now() else current.sent_at
        current.save(update_fields=["remind_at", "snoozed", "sent_at"])
        reminder_wake(remind_at)


def snooze_until(choice: str, *, user: User, now: datetime | None = None) -> datetime:
    """When a reminder snoozed with ``choice`` rings again, in ``user``'s time zone."""
    now = now or timezone.now()
    if choice == SnoozeChoice.TEN_MINUTES:
        return now + timedelta(minutes=10)
    if choice == SnoozeChoice.ONE_HOUR:
        return now + timedelta(hours=1)
    if choice == SnoozeChoice.TOMORROW:
        zone: zoneinfo.ZoneInfo = user_time_zone(user)
        tomorrow = now.astimezone(zone).date() + timedelta(days=1)
        return datetime.combine(tomorrow, time(MORNING_HOUR), tzinfo=zone)
    raise CrmError(_("Choose how long to snooze."))


def _own_reminder(reminder: Reminder, user: User) -> Reminder:
    reminder = Reminder.objects.select_for_update().select_related("activity").get(pk=reminder.pk)
    if reminder.activity.owner_id != user.pk:
        raise CrmError(_("This reminder is not yours."))
    return reminder


@transaction.atomic
def reminder_snooze(*, reminder: Reminder, user: User, choice: str) -> Reminder:
    """Ring again later (10 minutes, an hour, or tomorrow morning); the bell's copy is read."""
    reminder = _own_reminder(reminder, user)
    if reminder.activity.done_at is not None:
        raise CrmError(_("This activity is already done."))
    reminder.remind_at = snooze_until(choice, user=user)
    reminder.sent_at = None
    reminder.snoozed = True
    reminder.save(update_fields=["remind_at", "sent_at", "snoozed", "updated_at"])
    reminder_wake(reminder.remind_at)
    Notification.objects.filter(reminder=reminder, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    unread_count_forget(int(user.pk))
    return reminder


@transaction.atomic
def reminder_done(*, reminder: Reminder, user: User) -> Any:
    """Mark the reminded activity done (through the CRM's service, so it is audited)."""
    from crm.services.activities import activity_complete

    reminder = _own_reminder(reminder, user)
    activity = activity_complete(activity=reminder.activity, by=user)
    Notification.objects.filter(reminder=reminder, read_at__isnull=True).update(
        read_at=timezone.now()
    )
    unread_count_forget(int(user.pk))
    return activity
