"""A cloned workspace schema is structurally identical to the template, names included."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django_tenants.utils import schema_context

from tenants.schema_clone import schema_clone, template_unsupported_objects
from tenants.services import generate_schema_name
from tenants.users.models import User

TEMPLATE = "t_template"


def _structure(schema: str) -> dict[str, set[tuple[object, ...]]]:
    """Columns, constraints and indexes of ``schema`` with the schema name taken out."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
                   a.attidentity, a.attgenerated, pg_get_expr(d.adbin, d.adrelid),
                   a.attstattarget
              FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
              LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
             WHERE c.relnamespace = %s::regnamespace AND c.relkind = 'r'
               AND a.attnum > 0 AND NOT a.attisdropped
            """,
            [schema],
        )
        columns = set(cursor.fetchall())
        cursor.execute(
            "SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE connamespace = %s::regnamespace",
            [schema],
        )
        constraints = {(n, t, d.replace(f"{schema}.", "")) for n, t, d in cursor.fetchall()}
        cursor.execute(
            "SELECT indexname, replace(indexdef, %s, '') FROM pg_indexes WHERE schemaname = %s",
            [f"{schema}.", schema],
        )
        indexes = set(cursor.fetchall())
    return {"columns": columns, "constraints": constraints, "indexes": indexes}


@pytest.fixture
def clone(db: None) -> str:
    target = generate_schema_name()
    schema_clone(source=TEMPLATE, target=target)
    return target


def test_clone_has_the_same_columns(clone: str) -> None:
    assert _structure(clone)["columns"] == _structure(TEMPLATE)["columns"]


def test_clone_keeps_column_statistics_targets(clone: str) -> None:
    """Search columns sampled with a larger statistics target keep it in a clone."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstattarget FROM pg_attribute WHERE attrelid = %s::regclass "
            "AND attname = 'search_text'",
            [f'"{clone}".crm_contact'],
        )
        assert cursor.fetchone()[0] == 1000


def test_clone_keeps_constraint_names_and_definitions(clone: str) -> None:
    assert _structure(clone)["constraints"] == _structure(TEMPLATE)["constraints"]


def test_clone_keeps_index_names_and_definitions(clone: str) -> None:
    expected = _structure(TEMPLATE)["indexes"]
    assert len(expected) > 20
    assert _structure(clone)["indexes"] == expected


def test_clone_copies_rows(clone: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f'SELECT count(*) FROM "{TEMPLATE}".django_migrations')  # noqa: S608 -- fixed name
        expected = cursor.fetchone()[0]
        cursor.execute(f'SELECT count(*) FROM "{clone}".django_migrations')  # noqa: S608 -- generated name
        assert cursor.fetchone()[0] == expected > 0


def test_clone_identity_continues_after_copied_rows(clone: str) -> None:
    with schema_context(clone):
        first = User.objects.create_user("first@example.com", "x", full_name="First")
        second = User.objects.create_user("second@example.com", "x", full_name="Second")
    assert second.pk == first.pk + 1


def test_clone_foreign_keys_point_into_the_clone(clone: str) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_constraint con JOIN pg_class ref ON ref.oid = con.confrelid "
            "WHERE con.connamespace = %s::regnamespace AND con.contype = 'f' "
            "AND ref.relnamespace <> con.connamespace",
            [clone],
        )
        assert cursor.fetchone()[0] == 0


def test_template_holds_nothing_the_clone_cannot_copy(db: None) -> None:
    assert settings.TENANT_BASE_SCHEMA == TEMPLATE
    assert template_unsupported_objects(TEMPLATE) == []
