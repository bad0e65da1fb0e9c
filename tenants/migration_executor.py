"""django-tenants' migration executors, minus workspaces whose schema has been purged.

A closed workspace keeps its tenant row after the retention purge drops its schema (its ops
audit trail and billing history hang off that row). django-tenants' ``migrate_schemas`` would
try to migrate that missing schema and stop every later deployment, so the executor set with
``GET_EXECUTOR_FUNCTION`` skips schemas that do not exist.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from django.db import connection
from django_tenants.migration_executors import get_executor as django_tenants_executor

logger = logging.getLogger(__name__)


def existing_schemas(schema_names: Iterable[str]) -> list[str]:
    """``schema_names`` in their order, without those that do not exist (one query)."""
    names = list(schema_names)
    with connection.cursor() as cursor:
        cursor.execute("SELECT nspname FROM pg_namespace WHERE nspname = ANY(%s)", [names])
        present = {row[0] for row in cursor.fetchall()}
    missing = [name for name in names if name not in present]
    if missing:
        logger.info("Skipping %d purged workspace schema(s): %s", len(missing), missing)
    return [name for name in names if name in present]


def get_executor(codename: str | None = None) -> Any:
    base: Any = django_tenants_executor(codename)

    class SkipPurgedSchemasExecutor(base):
        def run_migrations(self, tenants: Iterable[str] | None = None) -> Any:
            return super().run_migrations(tenants=existing_schemas(tenants or []))

    return SkipPurgedSchemasExecutor
