"""A cache whose keys deliberately do not carry the workspace, for counters that span them all.

The default cache's ``KEY_FUNCTION`` (``django_tenants.cache.make_key``) puts the connection's
schema in front of every key, so whatever one workspace stores is invisible to the others.
That is right for data and wrong for abuse counters: a per-IP count of failed sign-ins kept
there restarts on every workspace host, so one IP gets a full budget on each workspace.

:func:`global_cache` is the default cache (same backend, server, prefix and version) with keys
of the form ``global:<prefix>:<version>:<key>``. ``global`` is never a schema name (schemas
are generated as ``t_…``, besides ``public``), so these keys cannot collide with a workspace's,
and the per-run clean-up of the test harness, which matches on the prefix, covers them too.

It is built from the settings rather than declared as a second ``CACHES`` alias so that it
always follows the default cache wherever that points (per-environment overrides included).
Only counters that must span workspaces belong here; anything holding workspace data goes
through the default cache.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from django.conf import settings
from django.core.cache import DEFAULT_CACHE_ALIAS, BaseCache
from django.utils.module_loading import import_string

#: Stands where the default key function puts the schema name.
GLOBAL_KEY_SCOPE = "global"


def global_make_key(key: str, key_prefix: str, version: int) -> str:
    """Cache key without the schema: the same in every workspace and on the public site."""
    return f"{GLOBAL_KEY_SCOPE}:{key_prefix}:{version}:{key}"


@cache
def global_cache() -> BaseCache:
    """The default cache's backend with :func:`global_make_key` (one instance per process).

    Redis connection pools are thread-safe, so one instance serves every thread.
    """
    params: dict[str, Any] = {**settings.CACHES[DEFAULT_CACHE_ALIAS]}
    backend = import_string(params.pop("BACKEND"))
    location = params.pop("LOCATION", "")
    params["KEY_FUNCTION"] = global_make_key
    instance: BaseCache = backend(location, params)
    # Callers of the global cache guard abuse budgets: they must see an outage (and fall back
    # to the database) rather than read every counter as zero.
    if hasattr(instance, "fail_silently"):
        instance.fail_silently = False
    return instance
