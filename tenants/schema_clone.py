"""Copy the template schema into a new workspace schema, fast at any number of schemas.

django-tenants' ``clone_schema`` PL/pgSQL function reads ``information_schema`` for every
table; those views slow down with the size of the whole catalog, so a clone that takes 0.8 s
in a fresh database took over 13 s once ~150 workspace schemas existed. This copy reads only
``pg_catalog`` rows of the template's own namespace (index lookups by namespace oid) and keeps
every object name, so later migrations that refer to an index or constraint by name work on
clones exactly as on migrated schemas.

Copied: tables (columns, defaults, identity, generated columns, NOT NULL and CHECK
constraints via ``LIKE … INCLUDING``), per-column statistics targets (which ``LIKE``
leaves out), rows, identity sequence positions, primary keys, unique constraints, indexes,
and foreign keys. The template holds no views, functions or
triggers; :func:`template_unsupported_objects` reports any, and the clone refuses them rather
than producing a partial copy.
"""

from __future__ import annotations

from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from psycopg2 import sql

from tenants.errors import WorkspaceError


def template_unsupported_objects(source: str) -> list[str]:
    """Objects in ``source`` this copy does not reproduce (views, functions, triggers…)."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT 'relation ' || relname || ' (kind ' || relkind::text || ')' FROM pg_class
             WHERE relnamespace = %(ns)s::regnamespace AND relkind NOT IN ('r', 'i', 'S')
            UNION ALL
            SELECT 'function ' || proname FROM pg_proc WHERE pronamespace = %(ns)s::regnamespace
            UNION ALL
            SELECT 'trigger ' || tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
             WHERE c.relnamespace = %(ns)s::regnamespace AND NOT t.tgisinternal
            """,
            {"ns": source},
        )
        return [row[0] for row in cursor.fetchall()]


@transaction.atomic
def schema_clone(*, source: str, target: str) -> None:
    """Create schema ``target`` as a copy of ``source`` (structure and rows)."""
    unsupported = template_unsupported_objects(source)
    if unsupported:
        raise WorkspaceError(f"The template holds objects a clone cannot copy: {unsupported}")
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL search_path TO pg_catalog")
        cursor.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(target)))
        tables = _tables(cursor, source)
        for table in tables:
            cursor.execute(
                sql.SQL(
                    "CREATE TABLE {target} (LIKE {source} INCLUDING DEFAULTS INCLUDING IDENTITY "
                    "INCLUDING GENERATED INCLUDING CONSTRAINTS INCLUDING STORAGE "
                    "INCLUDING COMMENTS)"
                ).format(target=sql.Identifier(target, table), source=sql.Identifier(source, table))
            )
        for statement in _statistics_statements(cursor, source, target):
            cursor.execute(statement)
        for table in tables:
            _copy_rows(cursor, source, target, table)
        for statement in _constraint_and_index_statements(cursor, source, target):
            cursor.execute(statement)
        cursor.execute("SET LOCAL search_path TO DEFAULT")


def _tables(cursor: CursorWrapper, source: str) -> list[str]:
    cursor.execute(
        "SELECT relname FROM pg_class WHERE relnamespace = %s::regnamespace AND relkind = 'r' "
        "ORDER BY relname",
        [source],
    )
    return [row[0] for row in cursor.fetchall()]


def _statistics_statements(cursor: CursorWrapper, source: str, target: str) -> list[str]:
    """``SET STATISTICS`` for every column a migration gave its own statistics target.

    Columns left at the default hold ``-1`` (``NULL`` from PostgreSQL 17) and are skipped.
    """
    cursor.execute(
        """
        SELECT c.relname, a.attname, a.attstattarget FROM pg_attribute a
          JOIN pg_class c ON c.oid = a.attrelid
         WHERE c.relnamespace = %s::regnamespace AND c.relkind = 'r' AND a.attnum > 0
           AND NOT a.attisdropped AND a.attstattarget >= 0
         ORDER BY c.relname, a.attnum
        """,
        [source],
    )
    return [
        sql.SQL("ALTER TABLE {table} ALTER COLUMN {column} SET STATISTICS {target}")
        .format(
            table=sql.Identifier(target, table),
            column=sql.Identifier(column),
            target=sql.Literal(int(statistics)),
        )
        .as_string(cursor.cursor)
        for table, column, statistics in cursor.fetchall()
    ]


def _copy_rows(cursor: CursorWrapper, source: str, target: str, table: str) -> None:
    """Copy rows (generated columns are recomputed) and move identity sequences past them."""
    cursor.execute(
        """
        SELECT attname, attidentity <> '' FROM pg_attribute
         WHERE attrelid = %s::regclass AND attnum > 0 AND NOT attisdropped AND attgenerated = ''
         ORDER BY attnum
        """,
        [f'"{source}"."{table}"'],
    )
    columns = cursor.fetchall()
    names = sql.SQL(", ").join(sql.Identifier(name) for name, _ in columns)
    cursor.execute(
        sql.SQL(
            "INSERT INTO {target} ({names}) OVERRIDING SYSTEM VALUE SELECT {names} FROM {source}"
        ).format(
            target=sql.Identifier(target, table), source=sql.Identifier(source, table), names=names
        )
    )
    for name, is_identity in columns:
        if is_identity:
            cursor.execute(
                sql.SQL(
                    "SELECT setval(pg_get_serial_sequence({qualified}, {column}), "
                    "coalesce(max({ident}), 0) + 1, false) FROM {table}"
                ).format(
                    qualified=sql.Literal(f'"{target}"."{table}"'),
                    column=sql.Literal(name),
                    ident=sql.Identifier(name),
                    table=sql.Identifier(target, table),
                )
            )


def _constraint_and_index_statements(cursor: CursorWrapper, source: str, target: str) -> list[str]:
    """Primary/unique/exclusion constraints, then plain indexes, then foreign keys, by name."""
    cursor.execute(
        """
        SELECT c.relname, con.conname, pg_get_constraintdef(con.oid), con.contype
          FROM pg_constraint con JOIN pg_class c ON c.oid = con.conrelid
         WHERE con.connamespace = %s::regnamespace AND con.contype IN ('p', 'u', 'x', 'f')
         ORDER BY con.contype = 'f', c.relname, con.conname
        """,
        [source],
    )
    constraints = cursor.fetchall()
    cursor.execute(
        """
        SELECT pg_get_indexdef(i.indexrelid)
          FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
         WHERE ic.relnamespace = %s::regnamespace
           AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid
                                                          AND con.contype IN ('p', 'u', 'x'))
         ORDER BY ic.relname
        """,
        [source],
    )
    indexes = [row[0] for row in cursor.fetchall()]
    quoted_target = sql.Identifier(target).as_string(cursor.cursor)

    def retarget(definition: str) -> str:
        for prefix in (f'"{source}".', f"{source}."):
            definition = definition.replace(prefix, f"{quoted_target}.")
        return definition

    key_statements = [
        sql.SQL("ALTER TABLE {table} ADD CONSTRAINT {name} ")
        .format(table=sql.Identifier(target, table), name=sql.Identifier(name))
        .as_string(cursor.cursor)
        + retarget(definition)
        for table, name, definition, kind in constraints
        if kind != "f"
    ]
    foreign_keys = [
        sql.SQL("ALTER TABLE {table} ADD CONSTRAINT {name} ")
        .format(table=sql.Identifier(target, table), name=sql.Identifier(name))
        .as_string(cursor.cursor)
        + retarget(definition)
        for table, name, definition, kind in constraints
        if kind == "f"
    ]
    return [*key_statements, *(retarget(index) for index in indexes), *foreign_keys]
