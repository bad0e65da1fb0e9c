"""``@name`` mentions in activity notes: who a mention names, and how it is shown.

A mention names a workspace user by the local part of their e-mail address (``@li.wei``),
their full name written without spaces (``@LiWei``, ``@李伟``) or their first name
(``@Li``) when no other user shares it. Comparisons ignore case; ambiguous names name nobody.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from tenants.users.models import User

#: ``@`` not preceded by a word character (so ``li@example.com`` is not a mention).
MENTION_RE = re.compile(r"(?<![\w.@])@([\w][\w.\-]*\w|\w)", re.UNICODE)


def mention_tokens(text: str) -> list[str]:
    """The names after each ``@`` in ``text``, lower-cased, in order, without repeats."""
    seen: dict[str, None] = {}
    for match in MENTION_RE.finditer(text or ""):
        seen.setdefault(match.group(1).casefold(), None)
    return list(seen)


def _keys(user: User) -> set[str]:
    keys = {user.email.split("@", 1)[0].casefold()}
    if user.full_name:
        keys.add("".join(user.full_name.split()).casefold())
    return keys


def _first_name(user: User) -> str:
    return user.full_name.split()[0].casefold() if user.full_name.strip() else ""


def mentioned_users(text: str, users: Iterable[User] | None = None) -> list[User]:
    """Active workspace users the mentions in ``text`` name (see the module docstring)."""
    tokens = mention_tokens(text)
    if not tokens:
        return []
    candidates = list(users if users is not None else User.objects.filter(is_active=True))
    exact: dict[str, list[User]] = {}
    first: dict[str, list[User]] = {}
    for user in candidates:
        for key in _keys(user):
            exact.setdefault(key, []).append(user)
        if _first_name(user):
            first.setdefault(_first_name(user), []).append(user)
    found: dict[int, User] = {}
    for token in tokens:
        matches = exact.get(token) or first.get(token) or []
        if len(matches) == 1:
            found.setdefault(int(matches[0].pk), matches[0])
    return list(found.values())


def mentions_html(text: str) -> SafeString:
    """``text`` escaped, each ``@mention`` set off as a badge."""
    escaped = str(escape(text or ""))
    return mark_safe(  # noqa: S308 -- the text is escaped above; only our own span is added
        MENTION_RE.sub(
            lambda m: f'<span class="crm-mention text-azure fw-medium">@{m.group(1)}</span>',
            escaped,
        )
    )
