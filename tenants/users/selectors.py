"""Reads about workspace users: the team, sessions, pending address changes, preferences."""

from __future__ import annotations

import functools
import zoneinfo
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from tenants.selectors import current_workspace_row
from tenants.users.models import (
    EmailConfirmation,
    EmailConfirmationPurpose,
    Invitation,
    User,
    UserSession,
)
from tenants.users.notifications import NOTIFICATION_KINDS_BY_KEY


def workspace_users() -> QuerySet[User]:
    return User.objects.order_by("-is_active", "full_name", "email")


def pending_invitations() -> QuerySet[Invitation]:
    return Invitation.objects.pending().select_related("invited_by")


def users_receiving(key: str) -> QuerySet[User]:
    """Active users who get emails of notification kind ``key`` (everyone, if always on)."""
    users = User.objects.filter(is_active=True)
    if NOTIFICATION_KINDS_BY_KEY[key].optional:
        users = users.exclude(notification_settings__contains={key: False})
    return users


def user_sessions(user: User) -> QuerySet[UserSession]:
    """``user``'s signed-in browsers whose session is still valid, most recently seen first."""
    live = Session.objects.filter(
        session_key=OuterRef("session_key"), expire_date__gt=timezone.now()
    )
    return UserSession.objects.filter(user=user).filter(Exists(live)).order_by("-last_seen_at")


def pending_email_change(user: User) -> EmailConfirmation | None:
    """The new address ``user`` asked for and has not confirmed yet, if its link still works."""
    return (
        EmailConfirmation.objects.usable()
        .filter(user=user, purpose=EmailConfirmationPurpose.CHANGE)
        .order_by("-created_at")
        .first()
    )


def email_taken(email: str, *, by_other_than: User) -> bool:
    """Whether another account of this workspace uses ``email`` (compared case-insensitively)."""
    return User.objects.filter(email__iexact=email).exclude(pk=by_other_than.pk).exists()


@functools.cache
def time_zone_names() -> tuple[str, ...]:
    """Every IANA zone this machine knows, sorted; read once (the scan takes ~0.15 s)."""
    return tuple(sorted(zoneinfo.available_timezones() | {settings.TIME_ZONE}))


def workspace_time_zone_name() -> str:
    """The time zone of people who chose none: the current workspace's own."""
    name = str(getattr(current_workspace_row(), "time_zone", "") or "")
    return name if name in time_zone_names() else str(settings.TIME_ZONE)


def workspace_language() -> str:
    """The language of people who chose none: the current workspace's default."""
    return str(getattr(current_workspace_row(), "language", "") or settings.LANGUAGE_CODE)


def recipient_language(user: User) -> str:
    """The language an e-mail to ``user`` is written in: theirs, else the workspace's."""
    return user_language(user) or workspace_language()


def user_time_zone(user: User) -> ZoneInfo:
    """The zone dates are shown in for ``user``: their choice, else the workspace's."""
    name = user.time_zone if user.time_zone in time_zone_names() else ""
    return ZoneInfo(name or workspace_time_zone_name())


def user_language(user: User) -> str | None:
    """The language ``user`` chose, or ``None`` for the workspace's default (or one retired)."""
    codes = {code for code, _name in settings.LANGUAGES}
    return user.language if user.language in codes else None
