"""The global cache: one key for every workspace, beside the schema-scoped default cache."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django_tenants.utils import schema_context

from tenants.global_cache import global_cache
from tests.conftest import Workspace


def test_a_value_written_in_one_workspace_is_read_in_another(
    alpha: Workspace, beta: Workspace
) -> None:
    """Keys of the global cache do not carry the schema: alpha's write is beta's read."""
    with schema_context(alpha.schema):
        global_cache().set("probe", 41)
    with schema_context(beta.schema):
        assert global_cache().get("probe") == 41


def test_the_default_cache_still_keeps_workspaces_apart(alpha: Workspace, beta: Workspace) -> None:
    """The default cache keeps its schema-scoped keys; only the global cache spans workspaces."""
    with schema_context(alpha.schema):
        cache.set("probe", 41)
    with schema_context(beta.schema):
        assert cache.get("probe") is None


def test_global_keys_carry_the_run_prefix_so_test_clean_up_covers_them(db: None) -> None:
    """The global cache shares the default cache's prefix (per-run in tests)."""
    prefix = settings.CACHES["default"]["KEY_PREFIX"]
    assert global_cache().make_key("probe") == f"global:{prefix}:1:probe"
