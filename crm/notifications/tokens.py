"""Signed links in e-mails: open a reminder, turn the daily digest off.

Each token names the workspace's schema and the user, so a link works only in its own
workspace and only for the person it was sent to (the views require that person to be
signed in).
"""

from __future__ import annotations

from django.core import signing
from django.db import connection

REMINDER_SALT = "notifications.reminder"
UNSUBSCRIBE_SALT = "notifications.digest_unsubscribe"
#: E-mailed links stop working after this long.
LINK_MAX_AGE = 60 * 60 * 24 * 30


def _schema() -> str:
    return str(getattr(connection, "schema_name", ""))


def token_make(*, salt: str, user_id: int, object_id: int = 0) -> str:
    return signing.dumps({"s": _schema(), "u": user_id, "o": object_id}, salt=salt, compress=True)


def token_read(token: str, *, salt: str, user_id: int) -> int | None:
    """The object id the token names, if it is valid here and for ``user_id``; else ``None``."""
    try:
        data = signing.loads(token, salt=salt, max_age=LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("s") != _schema() or data.get("u") != user_id:
        return None
    return int(data.get("o") or 0)


def token_owner(token: str, *, salt: str) -> int | None:
    """The user id a token was made for, if it is valid in this workspace; else ``None``.

    For links that must work without signing in (an e-mail's unsubscribe link is clicked
    from any device): the signature, the salt and the workspace's schema are the proof.
    """
    try:
        data = signing.loads(token, salt=salt, max_age=LINK_MAX_AGE)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or data.get("s") != _schema():
        return None
    user_id = data.get("u")
    return user_id if isinstance(user_id, int) else None
