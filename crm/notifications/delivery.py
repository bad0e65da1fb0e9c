"""Delivery, per workspace: due reminders and daily digests.

Both are idempotent. A reminder carries a sent marker set in the transaction that tells its
owner, so a rerun sends nothing twice; a digest is recorded once per user and local date
(:class:`DigestRun`) in the transaction that sends it. E-mail is at-least-once: a worker
killed after the mail server took a message and before the commit sends it again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import DateTimeField, DurationField, ExpressionWrapper, F, Q, Value
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from crm.models import Activity, Deal, Lead
from crm.notifications.models import DigestRun, Notification, NotificationKind, Reminder
from crm.notifications.services import in_language_of, notify
from crm.notifications.tokens import REMINDER_SALT, UNSUBSCRIBE_SALT, token_make
from tenants.selectors import current_tenant, workspace_url
from tenants.users.models import User
from tenants.users.notifications import (
    CRM_ACTIVITY_REMINDER,
    CRM_DAILY_DIGEST,
    notification_enabled,
)
from tenants.users.selectors import user_time_zone, users_receiving

logger = logging.getLogger(__name__)

#: Reminders handled per run; the run wakes another for the rest.
REMINDER_BATCH = 500
#: Items listed per digest section; the e-mail says how many more there are.
DIGEST_SECTION_LIMIT = 15


class DeliveryError(RuntimeError):
    """Some messages could not be sent; the job retries them (the others are marked)."""


def _absolute(path: str) -> str:
    return workspace_url(current_tenant(), path)


# --- Reminders -----------------------------------------------------------------------------------


def reminders_send(*, now: datetime | None = None) -> int:
    """Tell the owners of activities whose reminder is due: in-app and (if wanted) by e-mail.

    Each reminder is handled in its own transaction with its row locked (``SKIP LOCKED``),
    so two runs never tell the same person twice and one failing mail does not undo the
    others. Returns how many reminders were delivered.
    """
    now = now or timezone.now()
    ids = list(
        Reminder.objects.pending()
        .filter(remind_at__lte=now)
        .order_by("remind_at", "id")
        .values_list("pk", flat=True)[:REMINDER_BATCH]
    )
    delivered, failed = 0, 0
    for reminder_id in ids:
        try:
            with transaction.atomic():
                reminder = (
                    Reminder.objects.select_for_update(skip_locked=True, of=("self",))
                    .select_related("activity", "activity__owner")
                    .filter(pk=reminder_id, sent_at__isnull=True, remind_at__lte=now)
                    .first()
                )
                if reminder is None:
                    continue
                if reminder.activity.done_at is None and reminder.activity.owner.is_active:
                    reminder_deliver(reminder=reminder)
                    delivered += 1
                reminder.sent_at = now
                reminder.save(update_fields=["sent_at"])
        except Exception:
            logger.exception("Reminder %s could not be delivered", reminder_id)
            failed += 1
    if len(ids) == REMINDER_BATCH:
        from crm.notifications.services import reminder_wake

        reminder_wake(now)
    if failed:
        raise DeliveryError(f"{failed} reminders could not be delivered; they are retried.")
    return delivered


def reminder_deliver(*, reminder: Reminder) -> None:
    """The bell's notification and the e-mail of one reminder, in the owner's language and zone."""
    activity = reminder.activity
    owner: User = activity.owner
    with in_language_of(owner):
        due = date_format(timezone.localtime(activity.due_at), "SHORT_DATETIME_FORMAT")
        message = _("Reminder: %(activity)s is due %(due)s") % {"activity": activity, "due": due}
        notify(
            recipient=owner,
            kind=NotificationKind.REMINDER,
            message=message,
            url=activity.get_absolute_url(),
            target_type="activity",
            target_id=int(activity.pk),
            reminder=reminder,
            dedupe_key=f"reminder:{reminder.pk}:{reminder.remind_at.isoformat()}",
        )
        if not owner.email or not notification_enabled(owner, CRM_ACTIVITY_REMINDER):
            return
        link = reverse(
            "reminder_link",
            args=[token_make(salt=REMINDER_SALT, user_id=int(owner.pk), object_id=reminder.pk)],
        )
        context = {
            "activity": activity,
            "due": due,
            "record": activity.deal or activity.contact or activity.company or activity.lead,
            "reminder_url": _absolute(link),
            "activity_url": _absolute(activity.get_absolute_url()),
            "profile_url": _absolute(reverse("profile") + "#notifications"),
        }
        EmailMessage(
            subject=message,
            body=render_to_string("notifications/emails/reminder.txt", context),
            to=[owner.email],
        ).send()


# --- Daily digest --------------------------------------------------------------------------------


@dataclass
class DigestSection:
    title: str
    kind: str
    items: list[Any]
    total: int

    @property
    def more(self) -> int:
        return self.total - len(self.items)


@dataclass
class DigestContent:
    overdue: DigestSection
    today: DigestSection
    idle_deals: DigestSection
    closing_deals: DigestSection
    new_leads: DigestSection
    sections: list[DigestSection] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.sections = [
            self.overdue,
            self.today,
            self.idle_deals,
            self.closing_deals,
            self.new_leads,
        ]

    @property
    def is_empty(self) -> bool:
        return not any(section.total for section in self.sections)


def _section(title: str, kind: str, queryset: Any) -> DigestSection:
    items = list(queryset[:DIGEST_SECTION_LIMIT])
    total = len(items) if len(items) < DIGEST_SECTION_LIMIT else queryset.count()
    return DigestSection(title=title, kind=kind, items=items, total=total)


def digest_time() -> time:
    """The local time of day digests go out (``NOTIFICATIONS_DIGEST_TIME``, e.g. 07:30)."""
    hours, minutes = str(settings.NOTIFICATIONS_DIGEST_TIME).split(":")
    return time(int(hours), int(minutes))


def digest_content(*, user: User, now: datetime, since: datetime) -> DigestContent:
    """What ``user``'s digest says: their own work, limited to records they may see.

    Local days follow ``user``'s time zone; "this week" ends on Sunday.
    """
    zone = user_time_zone(user)
    today = now.astimezone(zone).date()
    end_of_today = datetime.combine(today + timedelta(days=1), time(0), tzinfo=zone)
    activities = (
        Activity.objects.open()
        .visible_to(user)
        .filter(owner=user, due_at__isnull=False)
        .select_related("contact", "company", "deal", "lead")
        .order_by("due_at", "id")
    )
    deals = Deal.objects.open().visible_to(user).filter(owner=user).select_related("stage")
    idle = (
        deals.filter(stage__rotting_days__isnull=False)
        .alias(
            idle_limit=ExpressionWrapper(
                F("stage__rotting_days") * Value(timedelta(days=1)), output_field=DurationField()
            )
        )
        .filter(
            stage_entered_at__lt=ExpressionWrapper(
                Value(now) - F("idle_limit"), output_field=DateTimeField()
            )
        )
        .order_by("stage_entered_at", "id")
    )
    week_end = today + timedelta(days=6 - today.weekday())
    closing = deals.filter(expected_close_on__range=(today, week_end)).order_by(
        "expected_close_on", "id"
    )
    assigned_lead_ids = Notification.objects.filter(
        recipient=user, kind=NotificationKind.ASSIGNED, target_type="lead", created_at__gt=since
    ).values("target_id")
    leads = (
        Lead.objects.visible_to(user)
        .filter(owner=user)
        .filter(Q(created_at__gt=since) | Q(pk__in=assigned_lead_ids))
        .order_by("-created_at", "-id")
    )
    return DigestContent(
        overdue=_section(_("Overdue activities"), "activity", activities.filter(due_at__lt=now)),
        today=_section(
            _("Due later today"),
            "activity",
            activities.filter(due_at__gte=now, due_at__lt=end_of_today),
        ),
        idle_deals=_section(_("Deals idle longer than their stage allows"), "idle", idle),
        closing_deals=_section(_("Deals expected to close this week"), "closing", closing),
        new_leads=_section(_("New leads assigned to you"), "lead", leads),
    )


#: Hours after the digest time a late run (workers down, a deploy) still sends the digest;
#: after that the day's digest is skipped rather than arriving in the evening.
DIGEST_LATE_HOURS = 4


def _digest_due(user: User, now: datetime, send_at: time) -> Any:
    """The user's local date if it is their digest time (or a little after), else ``None``."""
    local = now.astimezone(user_time_zone(user))
    start = datetime.combine(local.date(), send_at, tzinfo=local.tzinfo)
    if start <= local < start + timedelta(hours=DIGEST_LATE_HOURS):
        return local.date()
    return None


def digests_send(*, now: datetime | None = None) -> int:
    """Send today's digest to each user whose local digest time has come (once a day).

    Users who turned the digest off get none; a day with nothing to say is recorded but
    sends nothing. Returns how many e-mails went out.
    """
    now = now or timezone.now()
    send_at = digest_time()
    recent = {
        (user_id, day)
        for user_id, day in DigestRun.objects.filter(
            local_date__gte=(now - timedelta(days=2)).date()
        ).values_list("user_id", "local_date")
    }
    sent, failed = 0, 0
    for user in users_receiving(CRM_DAILY_DIGEST).exclude(email="").order_by("pk"):
        day = _digest_due(user, now, send_at)
        if day is None or (user.pk, day) in recent:
            continue
        try:
            with transaction.atomic():
                sent += int(digest_send(user=user, day=day, now=now))
        except Exception:
            logger.exception("Digest of user %s could not be sent", user.pk)
            failed += 1
    if failed:
        raise DeliveryError(f"{failed} digests could not be sent; they are retried.")
    return sent


def digest_send(*, user: User, day: Any, now: datetime) -> bool:
    """Record and (when there is something to say) send ``user``'s digest for ``day``."""
    last = DigestRun.objects.filter(user=user).order_by("-local_date").first()
    run, created = DigestRun.objects.get_or_create(user=user, local_date=day)
    if not created:
        return False
    since = last.created_at if last is not None else now - timedelta(days=1)
    with in_language_of(user):
        content = digest_content(user=user, now=now, since=since)
        if content.is_empty:
            return False
        unsubscribe = _absolute(
            reverse(
                "digest_unsubscribe",
                args=[token_make(salt=UNSUBSCRIBE_SALT, user_id=int(user.pk))],
            )
        )
        context = {
            "user": user,
            "content": content,
            "day": date_format(day, "DATE_FORMAT"),
            "home_url": _absolute(reverse("dashboard")),
            "unsubscribe_url": unsubscribe,
            "base_url": _absolute(""),
        }
        subject = _("Your day in Rapport: %(day)s") % {"day": context["day"]}
        EmailMessage(
            subject=subject,
            body=render_to_string("notifications/emails/digest.txt", context),
            to=[user.email],
            headers={
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            },
        ).send()
    run.sent = True
    run.save(update_fields=["sent"])
    return True
