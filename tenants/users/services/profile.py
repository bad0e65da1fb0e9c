"""A person's own settings: name, language and time zone, notification choices, password."""

from __future__ import annotations

from django.contrib.auth import update_session_auth_hash
from django.db import transaction
from django.http import HttpRequest

from tenants.users.models import User
from tenants.users.notifications import NOTIFICATION_KINDS_BY_KEY
from tenants.users.services.sessions import user_sessions_end_others


def user_name_change(*, user: User, full_name: str) -> User:
    user.full_name = full_name.strip()
    user.save(update_fields=["full_name"])
    return user


def user_preferences_change(*, user: User, language: str, time_zone: str) -> User:
    """Store the language and time zone (empty: the workspace's default); the next page uses
    them (``core.middleware.WorkspaceLocaleMiddleware``)."""
    user.language = language
    user.time_zone = time_zone
    user.save(update_fields=["language", "time_zone"])
    return user


def user_notifications_change(*, user: User, enabled: dict[str, bool]) -> User:
    """Store which optional emails ``user`` wants; always-on and unknown kinds are ignored.

    Only opt-outs are stored, so a kind added later starts on for everyone.
    """
    settings = {
        key: False
        for key, wanted in enabled.items()
        if key in NOTIFICATION_KINDS_BY_KEY
        and NOTIFICATION_KINDS_BY_KEY[key].optional
        and not wanted
    }
    user.notification_settings = settings
    user.save(update_fields=["notification_settings"])
    return user


@transaction.atomic
def user_password_change(*, request: HttpRequest, user: User, password: str) -> int:
    """Set a new password: this browser stays signed in, every other one is signed out.

    Django's ``update_session_auth_hash`` gives this browser a new session key and the new
    password's hash; the sessions of other browsers are deleted outright (they would also
    fail the hash check on their next request). Returns how many browsers were signed out.
    """
    user.set_password(password)
    user.save(update_fields=["password"])
    previous_key = request.session.session_key
    update_session_auth_hash(request, user)
    return user_sessions_end_others(
        user=user,
        keep_session_key=str(request.session.session_key),
        previous_session_key=previous_key,
    )
