"""Index operations build concurrently on live tables, and plainly inside a transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.apps import apps
from django.db import connection, connections, models
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import ProjectState

from core.migration_operations import AddIndexOnline, RemoveIndexOnline

INDEX = models.Index(fields=["domain", "id"], name="crm_company_test_domain_idx")
REMOVE = RemoveIndexOnline(model_name="company", name="crm_company_name_idx")


def collected_sql(operation: Operation) -> str:
    """The SQL ``operation`` would run on a workspace's company table, collected, not run."""
    before = ProjectState.from_apps(apps)
    after = before.clone()
    operation.state_forwards("crm", after)
    with connection.schema_editor(collect_sql=True, atomic=False) as editor:
        operation.database_forwards("crm", editor, before, after)
    return " ".join(editor.collected_sql)


@contextmanager
def outside_any_transaction() -> Iterator[None]:
    """As ``migrate_schemas`` runs a non-atomic migration (only SQL is collected meanwhile)."""
    wrapper = connections["default"]
    saved = wrapper.in_atomic_block
    wrapper.in_atomic_block = False
    try:
        yield
    finally:
        wrapper.in_atomic_block = saved


def test_outside_a_transaction_the_index_builds_concurrently(in_alpha) -> None:
    """A deployment's migration builds the index without blocking the table's writes."""
    with outside_any_transaction():
        sql = collected_sql(AddIndexOnline(model_name="company", index=INDEX))
    assert "CREATE INDEX CONCURRENTLY" in sql


def test_inside_a_transaction_the_index_builds_plainly(in_alpha) -> None:
    """A schema migrated in a transaction (new and empty) gets a plain CREATE INDEX."""
    sql = collected_sql(AddIndexOnline(model_name="company", index=INDEX))
    assert ("CREATE INDEX" in sql, "CONCURRENTLY" in sql) == (True, False)


def test_outside_a_transaction_an_index_is_dropped_concurrently(in_alpha) -> None:
    """Dropping a replaced index does not block the table either."""
    with outside_any_transaction():
        sql = collected_sql(REMOVE)
    assert "DROP INDEX CONCURRENTLY" in sql


def test_inside_a_transaction_an_index_is_dropped_plainly(in_alpha) -> None:
    """Inside a transaction PostgreSQL refuses CONCURRENTLY; the plain DROP INDEX runs."""
    sql = collected_sql(REMOVE)
    assert ("DROP INDEX" in sql, "CONCURRENTLY" in sql) == (True, False)
