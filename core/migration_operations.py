"""Migration operations that every workspace schema can run on a live table.

``migrate_schemas`` migrates each workspace schema in turn while the product keeps serving
them, so an index added to a table that already holds a workspace's records must not block
its writes while it builds.
"""

from __future__ import annotations

from typing import Any

from django.contrib.postgres.operations import AddIndexConcurrently, RemoveIndexConcurrently
from django.db.migrations.operations import AddIndex, RemoveIndex


class AddIndexOnline(AddIndexConcurrently):
    """``CREATE INDEX CONCURRENTLY`` on a live table; a plain ``CREATE INDEX`` in a transaction.

    Deployments migrate outside any transaction (the migration sets ``atomic = False``), so
    the index builds while the table keeps taking writes. A schema migrated inside a
    transaction (built from scratch by a provisioning fallback, or in a test) is new and
    empty: there PostgreSQL refuses ``CONCURRENTLY``, and the plain statement is instant.
    """

    def database_forwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.in_atomic_block:
            AddIndex.database_forwards(self, app_label, schema_editor, *args)
        else:
            super().database_forwards(app_label, schema_editor, *args)

    def database_backwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.in_atomic_block:
            AddIndex.database_backwards(self, app_label, schema_editor, *args)
        else:
            super().database_backwards(app_label, schema_editor, *args)


class RemoveIndexOnline(RemoveIndexConcurrently):
    """``DROP INDEX CONCURRENTLY`` outside a transaction, a plain ``DROP INDEX`` inside one."""

    def database_forwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.in_atomic_block:
            RemoveIndex.database_forwards(self, app_label, schema_editor, *args)
        else:
            super().database_forwards(app_label, schema_editor, *args)

    def database_backwards(self, app_label: str, schema_editor: Any, *args: Any) -> None:
        if schema_editor.connection.in_atomic_block:
            RemoveIndex.database_backwards(self, app_label, schema_editor, *args)
        else:
            super().database_backwards(app_label, schema_editor, *args)
