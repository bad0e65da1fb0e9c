"""Many new rows into one table with PostgreSQL's ``COPY`` (imports).

``bulk_create`` compiles one ``INSERT`` placeholder and one adapted parameter per value in
Python, which costs more than PostgreSQL's work for wide rows. ``COPY … FROM STDIN`` takes
the rows as text in one stream. Ids are drawn from the table's own sequence first (one
query), so the objects know their primary keys before the rows exist, exactly as after
``bulk_create``; field defaults and ``auto_now``/``auto_now_add`` stamps are applied the same
way (``Field.pre_save``). Constraints, triggers and indexes apply as to any insert: a refused
row makes the whole ``COPY`` fail, inside the caller's transaction.
"""

from __future__ import annotations

import datetime
import io
import json
import uuid
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, TypeVar

from django.contrib.postgres.fields import ArrayField
from django.db import connection, models

_M = TypeVar("_M", bound=models.Model)

#: How ``COPY``'s text format writes NULL.
NULL = "\\N"
#: Fields whose Python value is written as it is (the rest go through ``get_db_prep_save``).
_PLAIN = frozenset(
    {
        "CharField", "TextField", "EmailField", "SlugField", "URLField", "BooleanField",
        "DateField", "DateTimeField", "IntegerField", "BigIntegerField", "SmallIntegerField",
        "PositiveIntegerField", "PositiveBigIntegerField", "PositiveSmallIntegerField",
    }
)  # fmt: skip
_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _array_item(value: Any) -> str:
    if value is None:
        return "NULL"
    text = _scalar(value)
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _scalar(value: Any) -> str:
    """One value as PostgreSQL reads it from text (before COPY's own escaping)."""
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, int | float | Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return "{" + ",".join(_array_item(item) for item in value) + "}"
    return str(value)


def _encoder(model_field: models.Field[Any, Any]) -> Callable[[Any], str]:
    """How a field's Python value becomes a ``COPY`` text cell."""
    if isinstance(model_field, models.JSONField):
        encoder = model_field.encoder

        def as_json(value: Any) -> str:
            if value is None:
                return NULL
            return json.dumps(value, cls=encoder, ensure_ascii=False).translate(_ESCAPES)

        return as_json

    def as_text(value: Any) -> str:
        return NULL if value is None else _scalar(value).translate(_ESCAPES)

    if (
        isinstance(model_field, ArrayField | models.ForeignKey)
        or model_field.get_internal_type() in _PLAIN
    ):
        return as_text

    def prepared(value: Any) -> str:
        return as_text(model_field.get_db_prep_save(value, connection))

    return prepared


def _next_ids(model: type[models.Model], count: int) -> list[int]:
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(table), column, count],
        )
        return [int(row[0]) for row in cursor.fetchall()]


def rows_copy(model: type[_M], objects: Sequence[_M]) -> list[_M]:
    """Insert ``objects`` (new, unsaved) with one ``COPY``; they get their ids as with
    ``bulk_create``. Returns them."""
    if not objects:
        return list(objects)
    pk = model._meta.pk
    fields = [f for f in model._meta.concrete_fields if f is not pk]
    encoders = [_encoder(f) for f in fields]
    ids = _next_ids(model, len(objects))
    buffer = io.StringIO()
    write = buffer.write
    for obj, new_id in zip(objects, ids, strict=True):
        obj.pk = new_id
        cells = [str(new_id)]
        for model_field, encode in zip(fields, encoders, strict=True):
            cells.append(encode(model_field.pre_save(obj, True)))
        write("\t".join(cells))
        write("\n")
        obj._state.adding = False
        obj._state.db = connection.alias
    buffer.seek(0)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in [pk, *fields])
    statement = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    with connection.cursor() as cursor:
        cursor.cursor.copy_expert(statement, buffer)  # type: ignore[attr-defined]
    return list(objects)
