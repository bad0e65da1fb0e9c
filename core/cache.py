"""A Redis cache that degrades instead of failing while Redis is away.

Everything Rapport keeps in the cache can be recomputed or is a hint (a "last seen" marker,
a lockout counter, a rate-limit window), so a page must not answer 500 because the cache
does not answer. :class:`ResilientRedisCache` is Django's ``RedisCache`` whose reads return
their default and whose writes do nothing when Redis cannot be reached, with one log line
per ``LOG_EVERY_SECONDS`` per process. Combined with short connect and socket timeouts
(``CACHE_CONNECT_TIMEOUT_SECONDS``, ``CACHE_SOCKET_TIMEOUT_SECONDS``) a request loses at most
about a second to an unreachable Redis.

Code that must *know* the cache failed (the sign-in budget, which falls back to a database
counter) uses a strict instance: ``instance.fail_silently = False``.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.redis import RedisCache
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

#: What "Redis is away" looks like to a client: refused or reset connections, timeouts.
CACHE_UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (RedisError, OSError)
LOG_EVERY_SECONDS = 30.0

T = TypeVar("T")
_last_logged = 0.0


def cache_unavailable_log(operation: str, error: BaseException) -> None:
    """Log that the cache is away, at most once per ``LOG_EVERY_SECONDS`` per process."""
    global _last_logged
    now = time.monotonic()
    if now - _last_logged >= LOG_EVERY_SECONDS:
        _last_logged = now
        logger.warning(
            "Cache unavailable (%s: %s: %s); answering without it", operation,
            type(error).__name__, error,
        )  # fmt: skip


class ResilientRedisCache(RedisCache):
    """Django's Redis cache; reads give their default and writes are skipped while Redis is
    unreachable (see the module docstring)."""

    fail_silently = True

    def _guard(self, operation: str, call: Callable[[], T], fallback: T) -> T:
        if not self.fail_silently:
            return call()
        try:
            return call()
        except CACHE_UNAVAILABLE_ERRORS as error:
            cache_unavailable_log(operation, error)
            return fallback

    def add(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> bool:
        return self._guard(
            "add", lambda: super(ResilientRedisCache, self).add(key, value, timeout, version),
            False,
        )  # fmt: skip

    def get(self, key: Any, default: Any = None, version: Any = None) -> Any:
        return self._guard(
            "get", lambda: super(ResilientRedisCache, self).get(key, default, version), default
        )

    def set(
        self, key: Any, value: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None
    ) -> None:
        self._guard(
            "set", lambda: super(ResilientRedisCache, self).set(key, value, timeout, version),
            None,
        )  # fmt: skip

    def touch(self, key: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> bool:
        return self._guard(
            "touch", lambda: super(ResilientRedisCache, self).touch(key, timeout, version),
            False,
        )  # fmt: skip

    def delete(self, key: Any, version: Any = None) -> bool:
        return self._guard(
            "delete", lambda: super(ResilientRedisCache, self).delete(key, version), False
        )

    def get_many(self, keys: Any, version: Any = None) -> dict[Any, Any]:
        return self._guard(
            "get_many", lambda: super(ResilientRedisCache, self).get_many(keys, version), {}
        )

    def has_key(self, key: Any, version: Any = None) -> bool:
        return self._guard(
            "has_key", lambda: super(ResilientRedisCache, self).has_key(key, version), False
        )

    def incr(self, key: Any, delta: int = 1, version: Any = None) -> int:
        """While Redis is away a counter reads as just started (``delta``)."""
        return self._guard(
            "incr", lambda: super(ResilientRedisCache, self).incr(key, delta, version), delta
        )

    def set_many(self, data: Any, timeout: Any = DEFAULT_TIMEOUT, version: Any = None) -> list[Any]:
        return self._guard(
            "set_many",
            lambda: super(ResilientRedisCache, self).set_many(data, timeout, version),
            [],
        )

    def delete_many(self, keys: Any, version: Any = None) -> None:
        self._guard(
            "delete_many", lambda: super(ResilientRedisCache, self).delete_many(keys, version), None
        )

    def clear(self) -> None:
        self._guard("clear", lambda: super(ResilientRedisCache, self).clear(), None)
