"""Signed-in browsers: recorded at every sign-in, seen now and then, signed out on request.

Sessions are Django's database sessions in the workspace's own schema; a
:class:`~tenants.users.models.UserSession` row beside each one says whose it is, from which
browser, and when it was last used. Signing a browser out deletes its ``django_session`` row
(the cookie then opens nothing) and its ``UserSession`` row.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.crypto import salted_hmac

from tenants.users.browsers import Browser
from tenants.users.models import User, UserSession

#: "Last seen" is written at most this often per session, so browsing costs no extra writes.
SESSION_SEEN_EVERY = timedelta(minutes=5)


def session_seen_cache_key(session_key: str) -> str:
    """The cache (keys carry the schema) holds an HMAC, never the session key itself."""
    return f"users:session-seen:{salted_hmac('rapport.session-seen', session_key).hexdigest()}"


def _ended_sessions_of(user: User) -> list[int]:
    live = Session.objects.filter(
        session_key=OuterRef("session_key"), expire_date__gt=timezone.now()
    )
    return list(
        UserSession.objects.filter(user=user).exclude(Exists(live)).values_list("pk", flat=True)
    )


@transaction.atomic
def user_session_record(*, user: User, session_key: str, browser: Browser) -> UserSession:
    """Note a sign-in: ``session_key`` now belongs to ``user`` on ``browser``.

    Rows of the user's sessions that ended meanwhile (expired, or replaced by another sign-in)
    are forgotten here, so the table holds about one row per browser in use.
    """
    UserSession.objects.filter(pk__in=_ended_sessions_of(user)).delete()
    now = timezone.now()
    row, _created = UserSession.objects.update_or_create(
        session_key=session_key,
        defaults={
            "user": user,
            "user_agent": browser.user_agent,
            "ip_address": browser.ip_address,
            "created_at": now,
            "last_seen_at": now,
        },
    )
    cache.set(session_seen_cache_key(session_key), 1, timeout=SESSION_SEEN_EVERY.total_seconds())
    return row


def user_session_seen(*, user: User, session_key: str, browser: Browser) -> bool:
    """Note that a signed-in browser is in use; writes at most once per ``SESSION_SEEN_EVERY``.

    A session signed in before sessions were recorded gets its row now (its "signed in" time
    is then the first time it was seen). Returns whether anything was written.
    """
    if not cache.add(
        session_seen_cache_key(session_key), 1, timeout=SESSION_SEEN_EVERY.total_seconds()
    ):
        return False
    now = timezone.now()
    values = {"user_agent": browser.user_agent, "ip_address": browser.ip_address}
    updated = UserSession.objects.filter(session_key=session_key, user=user).update(
        last_seen_at=now, **values
    )
    if not updated:
        UserSession.objects.get_or_create(
            session_key=session_key,
            defaults={"user": user, "created_at": now, "last_seen_at": now, **values},
        )
    return True


def user_session_forget(*, session_key: str) -> None:
    """The browser signed out (its Django session is being flushed)."""
    UserSession.objects.filter(session_key=session_key).delete()


@transaction.atomic
def user_session_end(*, user_session: UserSession) -> None:
    """Sign one browser out: its cookie opens nothing any more."""
    Session.objects.filter(session_key=user_session.session_key).delete()
    user_session.delete()


@transaction.atomic
def user_sessions_end_others(
    *, user: User, keep_session_key: str, previous_session_key: str | None = None
) -> int:
    """Sign ``user`` out of every browser but the one holding ``keep_session_key``.

    ``previous_session_key`` is the key this browser had just before (a password change
    rotates it); its row moves to the new key so the browser stays listed. Sessions signed in
    before sessions were recorded have no row: they are found by reading the workspace's
    live sessions that have none. Returns how many browsers were signed out.
    """
    if previous_session_key and previous_session_key != keep_session_key:
        UserSession.objects.filter(session_key=previous_session_key, user=user).update(
            session_key=keep_session_key
        )
    others = UserSession.objects.filter(user=user).exclude(session_key=keep_session_key)
    keys = set(others.values_list("session_key", flat=True))
    unrecorded = (
        Session.objects.filter(expire_date__gt=timezone.now())
        .exclude(session_key=keep_session_key)
        .exclude(session_key__in=UserSession.objects.values("session_key"))
    )
    for session in unrecorded.iterator():
        if str(session.get_decoded().get(SESSION_KEY)) == str(user.pk):
            keys.add(session.session_key)
    ended = Session.objects.filter(session_key__in=keys).delete()[0]
    others.delete()
    return int(ended)
