"""Rate limits for abuse-prone forms, read from settings at request time.

Two kinds:

- django-ratelimit decorators for forms of the public site (signup, "find my workspace").
  Its counters live in the default cache, whose keys carry the schema; on the public host
  that is always ``public``, so they count per IP for the whole site. While Redis is away
  these fail open (the resilient cache reads every counter as new, with a log line): a
  signup or a lookup e-mail is worth more than the limit for the minutes of an outage.
- Budgets for forms that exist on every workspace host (sign-in, password reset). Counted in
  the default cache, an IP would get a fresh budget on each workspace; these are counted in
  :func:`tenants.global_cache.global_cache` instead, once across all workspaces and the
  public site. While Redis is away they fall back to a counter in PostgreSQL (one upsert per
  attempt), so sign-in and reset stay limited through an outage.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import BaseCache
from django.db import connection
from django.http import HttpRequest
from django.utils.crypto import salted_hmac
from django_ratelimit.core import _get_ip
from django_ratelimit.decorators import ratelimit

from core.cache import CACHE_UNAVAILABLE_ERRORS, cache_unavailable_log
from tenants.global_cache import global_cache

_RATE = re.compile(r"^(?P<limit>\d+)/(?P<multiplier>\d*)(?P<unit>[smhd])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 60 * 60, "d": 24 * 60 * 60}


def _setting_rate(name: str) -> Callable[[str, HttpRequest], str]:
    def rate(group: str, request: HttpRequest) -> str:
        return str(getattr(settings, name))

    return rate


signup_rate_limit = ratelimit(
    key="ip", rate=_setting_rate("SIGNUP_RATE_LIMIT"), method="POST", block=True
)
lookup_rate_limit = ratelimit(
    key="ip", rate=_setting_rate("LOOKUP_RATE_LIMIT"), method="POST", block=True
)


@dataclass(frozen=True)
class Rate:
    """``limit`` events per ``period_seconds``, parsed from django-ratelimit's ``"30/10m"``."""

    limit: int
    period_seconds: int

    @classmethod
    def from_setting(cls, name: str) -> Rate:
        text = str(getattr(settings, name))
        match = _RATE.match(text)
        if match is None:
            raise ValueError(f"{name}={text!r} is not a rate such as '30/10m'.")
        multiplier = int(match["multiplier"] or 1)
        return cls(int(match["limit"]), multiplier * _UNIT_SECONDS[match["unit"]])


def client_ip(request: HttpRequest) -> str:
    """The client address the other limits see too (``RATELIMIT_IP_META_KEY``, IPv6 as /64).

    django-ratelimit 4.1 is pinned; reusing its reader keeps one definition of "the client".
    """
    return str(_get_ip(request))


def _budget_key(scope: str, value: str) -> str:
    """Keyed by an HMAC of the value, so the cache never holds addresses in clear."""
    return f"budget:{scope}:{salted_hmac('rapport.budget', value).hexdigest()}"


def _counter_add(cache: BaseCache, key: str, delta: int, period_seconds: int) -> int:
    """Add ``delta`` to a counter that lives ``period_seconds`` from its first hit.

    Django's ``incr`` recreates a key that expired between its existence check and the
    increment, without an expiry; a count at or below one re-arms the expiry, so no counter
    can outlive its window for good.
    """
    if delta > 0 and cache.add(key, delta, timeout=period_seconds):
        return delta
    try:
        count = int(cache.incr(key, delta))
    except ValueError:  # expired meanwhile: the window starts again
        if delta <= 0:
            return 0
        cache.set(key, delta, timeout=period_seconds)
        return delta
    if count <= 1:
        cache.touch(key, timeout=period_seconds)
    return count


def _database_counter_add(key: str, delta: int, period_seconds: int) -> int:
    """The same fixed-window counter in PostgreSQL, for while the cache is unreachable.

    One upsert: a window that ended starts again with ``delta``.
    """
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO tenants_ratelimitcounter AS counter (key, count, expires_at)
            VALUES (
                %(key)s, GREATEST(%(delta)s, 0),
                clock_timestamp() + %(period)s * interval '1 second'
            )
            ON CONFLICT (key) DO UPDATE SET
                count = CASE
                    WHEN counter.expires_at <= clock_timestamp() THEN GREATEST(%(delta)s, 0)
                    ELSE GREATEST(counter.count + %(delta)s, 0) END,
                expires_at = CASE
                    WHEN counter.expires_at <= clock_timestamp() THEN EXCLUDED.expires_at
                    ELSE counter.expires_at END
            RETURNING count
            """,
            {"key": key, "delta": delta, "period": period_seconds},
        )
        return int(cursor.fetchone()[0])


def _budget_add(scope: str, value: str, delta: int, rate: Rate) -> int:
    """Count in the global cache; while it is unreachable, in PostgreSQL (with a log line).

    The two windows are separate: during an outage the budget starts again in the database,
    so a limit can let through at most twice its size around an outage, never unlimited.
    """
    key = _budget_key(scope, value)
    try:
        return _counter_add(global_cache(), key, delta, rate.period_seconds)
    except CACHE_UNAVAILABLE_ERRORS as error:
        cache_unavailable_log(f"rate limit {scope}, counted in the database", error)
        return _database_counter_add(key, delta, rate.period_seconds)


def budget_spend(*, scope: str, value: str, rate: Rate) -> bool:
    """Take one from ``value``'s budget in ``scope``; ``False`` once the budget is spent.

    The window is fixed: it starts at the first hit and lasts ``rate.period_seconds``. While
    Redis is away the budget is kept in PostgreSQL, so sign-in and password reset stay
    limited.
    """
    return _budget_add(scope, value, 1, rate) <= rate.limit


def budget_refund(*, scope: str, value: str, rate: Rate) -> None:
    """Give one back, e.g. for a sign-in that turned out to be right."""
    _budget_add(scope, value, -1, rate)


def expired_counters_delete() -> int:
    """Forget database windows that ended (the sweeper calls it)."""
    from django.utils import timezone

    from tenants.models import RateLimitCounter

    deleted, _rows = RateLimitCounter.objects.filter(expires_at__lte=timezone.now()).delete()
    return deleted
