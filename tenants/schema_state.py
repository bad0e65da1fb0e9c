"""Is a schema's migration history current? One query answers it for many schemas.

``migrate_schemas`` takes ~0.07 s per schema even when nothing is pending; reading every
schema's ``django_migrations`` table in one query answers "anything pending?" in milliseconds.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from psycopg2 import sql


def expected_tenant_migrations() -> set[tuple[str, str]]:
    """Every (app label, migration name) a fully migrated workspace schema has applied."""
    loader = MigrationLoader(None, ignore_no_migrations=True, load=True)
    tenant_labels = {
        config.label for config in apps.get_app_configs() if config.name in settings.TENANT_APPS
    }
    return {key for key in loader.graph.nodes if key[0] in tenant_labels}


def applied_migrations(schema_names: Iterable[str]) -> dict[str, set[tuple[str, str]]]:
    """The applied migrations of each schema, read in one round trip."""
    names = list(schema_names)
    applied: dict[str, set[tuple[str, str]]] = {name: set() for name in names}
    if not names:
        return applied
    existing = set(schemas_with_table(names, "django_migrations"))
    parts = [
        sql.SQL("SELECT {literal}, app, name FROM {table}").format(
            literal=sql.Literal(name), table=sql.Identifier(name, "django_migrations")
        )
        for name in names
        if name in existing
    ]
    if not parts:
        return applied
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL(" UNION ALL ").join(parts).as_string(cursor.cursor))
        for schema_name, app_label, migration_name in cursor.fetchall():
            applied[schema_name].add((app_label, migration_name))
    return applied


def schemas_with_table(schema_names: list[str], table: str) -> list[str]:
    """Those of ``schema_names`` that hold ``table`` (one catalog query)."""
    if not schema_names:
        return []
    with connection.cursor() as cursor:
        # pg_catalog, not information_schema: the latter slows with the whole catalog.
        cursor.execute(
            "SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relname = %s AND c.relkind = 'r' AND n.nspname = ANY(%s)",
            [table, schema_names],
        )
        return [row[0] for row in cursor.fetchall()]


def schemas_behind(schema_names: Iterable[str]) -> dict[str, set[tuple[str, str]]]:
    """Schemas that miss at least one tenant migration, with what they miss."""
    expected = expected_tenant_migrations()
    return {
        schema: missing
        for schema, done in applied_migrations(schema_names).items()
        if (missing := expected - done)
    }
