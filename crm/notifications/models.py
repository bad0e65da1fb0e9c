"""Notifications in the bell, activity reminders, and the record of each user's daily digest."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned to you")
    MENTIONED = "mentioned", _("Mentioned you")
    DEAL_WON = "deal_won", _("Deal won")
    REMINDER = "reminder", _("Reminder")
    IMPORT_FINISHED = "import_finished", _("Import finished")
    OTHER = "other", _("Other")


#: Tabler icon per kind.
NOTIFICATION_ICONS = {
    NotificationKind.ASSIGNED: "ti-user-check",
    NotificationKind.MENTIONED: "ti-at",
    NotificationKind.DEAL_WON: "ti-trophy",
    NotificationKind.REMINDER: "ti-alarm",
    NotificationKind.IMPORT_FINISHED: "ti-file-import",
    NotificationKind.OTHER: "ti-bell",
}


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_user(self, user: Any) -> NotificationQuerySet:
        return self.filter(recipient=user)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """Something a user should know, shown under the bell until they read it.

    ``dedupe_key`` makes creation idempotent: a second :func:`notify` with the same key for
    the same person returns the first notification (a job that runs twice tells once).
    """

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=NotificationKind.choices)
    message = models.CharField(_("message"), max_length=300)
    url = models.CharField(_("link"), max_length=500, blank=True, default="")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    #: The record it is about (``crm.models.ObjectType`` value and id), when there is one.
    target_type = models.CharField(max_length=20, blank=True, default="")
    target_id = models.BigIntegerField(null=True, blank=True)
    #: For reminders: the reminder whose snooze/done buttons the notification shows.
    reminder = models.ForeignKey(
        "notifications.Reminder",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )
    dedupe_key = models.CharField(max_length=200, blank=True, default="")
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "-created_at", "-id"], name="notif_recipient_idx"),
            # The bell's count: unread rows of one person, answered from this small index.
            models.Index(
                fields=["recipient"], condition=Q(read_at__isnull=True), name="notif_unread_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~Q(dedupe_key=""),
                name="notif_recipient_dedupe_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.message

    @property
    def icon(self) -> str:
        return NOTIFICATION_ICONS.get(NotificationKind(self.kind), "ti-bell")

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class ReminderOffset(models.IntegerChoices):
    """How long before an activity is due its owner is reminded (minutes; -1: never)."""

    NONE = -1, _("No reminder")
    AT_DUE = 0, _("At the due time")
    MIN_5 = 5, _("5 minutes before")
    MIN_15 = 15, _("15 minutes before")
    MIN_30 = 30, _("30 minutes before")
    HOUR_1 = 60, _("1 hour before")
    DAY_1 = 1440, _("1 day before")


class ReminderQuerySet(models.QuerySet["Reminder"]):
    def pending(self) -> ReminderQuerySet:
        return self.filter(sent_at__isnull=True)


class Reminder(models.Model):
    """A reminder of one open activity for its owner, at ``remind_at``.

    ``sent_at`` is the sent marker: the periodic job sends reminders without one and sets
    it in the same transaction, so a rerun sends nothing twice. Snoozing moves
    ``remind_at`` and clears the marker.
    """

    activity = models.OneToOneField(
        "crm.Activity", on_delete=models.CASCADE, related_name="reminder"
    )
    minutes_before = models.IntegerField(
        _("remind me"), choices=ReminderOffset.choices, default=ReminderOffset.MIN_15
    )
    remind_at = models.DateTimeField(_("remind at"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    snoozed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ReminderQuerySet.as_manager()

    class Meta:
        ordering = ["remind_at", "id"]
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        indexes = [
            models.Index(
                fields=["remind_at", "id"],
                condition=Q(sent_at__isnull=True),
                name="notif_reminder_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.activity_id} @ {self.remind_at:%Y-%m-%d %H:%M}"


class NotificationPreference(models.Model):
    """A user's defaults for reminders (one row per user, created on first change)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    reminder_minutes = models.IntegerField(
        _("default reminder"), choices=ReminderOffset.choices, default=ReminderOffset.MIN_15
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return str(self.user)


class DigestRun(models.Model):
    """The daily digest of one user for one local date: at most one per day.

    Recorded whether or not an e-mail went out (``sent``: there was something to say), so
    the periodic job looks at each user once a day.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_runs"
    )
    local_date = models.DateField()
    sent = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-local_date"]
        constraints = [
            models.UniqueConstraint(fields=["user", "local_date"], name="notif_digest_once_a_day"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.local_date}"
