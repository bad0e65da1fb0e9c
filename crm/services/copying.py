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
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from operator import attrgetter
from typing import Any, TypeVar

from django.contrib.postgres.fields import ArrayField
from django.db import connection, models
from django.utils import timezone

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
        kind = value.__class__
        if kind is str:
            return str(value).translate(_ESCAPES)
        if value is None:
            return NULL
        if kind is int:
            return str(value)
        return _scalar(value).translate(_ESCAPES)

    if (
        isinstance(model_field, ArrayField | models.ForeignKey)
        or model_field.get_internal_type() in _PLAIN
    ):
        return as_text

    def prepared(value: Any) -> str:
        return as_text(model_field.get_db_prep_save(value, connection))

    return prepared


def _reader(model_field: models.Field[Any, Any]) -> Callable[[models.Model], Any]:
    """How a field's value is read from a new object (``pre_save``: defaults are set by the
    model's ``__init__``; ``auto_now`` stamps here)."""
    if type(model_field).pre_save is models.Field.pre_save:
        return attrgetter(model_field.attname)
    return lambda obj: model_field.pre_save(obj, True)


def _default(model_field: Any) -> Any:
    """A field's value when a row does not give one (time stamps: now)."""
    if getattr(model_field, "auto_now", False) or getattr(model_field, "auto_now_add", False):
        now = timezone.now()
        return now if isinstance(model_field, models.DateTimeField) else timezone.localdate(now)
    return model_field.get_default()


def _next_ids(model: type[models.Model], count: int) -> list[int]:
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
            [connection.ops.quote_name(table), column, count],
        )
        return [int(row[0]) for row in cursor.fetchall()]


def _copy(model: type[models.Model], fields: list[Any], lines: Iterable[str]) -> None:
    buffer = io.StringIO()
    buffer.writelines(lines)
    buffer.seek(0)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    statement = f"COPY {quote(model._meta.db_table)} ({columns}) FROM STDIN"
    # The raw cursor's errors become Django's (``IntegrityError``, ``DataError`` …), as for
    # any query, so callers catch them the usual way.
    with connection.cursor() as cursor, connection.wrap_database_errors:
        cursor.cursor.copy_expert(statement, buffer)


def _fields(model: type[models.Model]) -> list[Any]:
    pk = model._meta.pk
    return [f for f in model._meta.concrete_fields if f is not pk]


def rows_copy(model: type[_M], objects: Sequence[_M]) -> list[_M]:
    """Insert ``objects`` (new, unsaved) with one ``COPY``; they get their ids as with
    ``bulk_create``. Returns them."""
    if not objects:
        return list(objects)
    fields = _fields(model)
    steps = [(_reader(f), _encoder(f)) for f in fields]
    ids = _next_ids(model, len(objects))
    lines = []
    for obj, new_id in zip(objects, ids, strict=True):
        obj.pk = new_id
        cells = [str(new_id), *(encode(read(obj)) for read, encode in steps)]
        lines.append("\t".join(cells) + "\n")
        obj._state.adding = False
        obj._state.db = connection.alias
    _copy(model, [model._meta.pk, *fields], lines)
    return list(objects)


def values_copy(model: type[models.Model], rows: Sequence[Mapping[str, Any]]) -> list[int]:
    """Insert rows given as ``{attname: value}`` (the rest take their fields' defaults) with
    one ``COPY``, without making a model object for each (audit entries, links); their ids."""
    if not rows:
        return []
    fields = _fields(model)
    encoders = [_encoder(f) for f in fields]
    defaults = {f.attname: _default(f) for f in fields}
    ids = _next_ids(model, len(rows))
    lines = []
    for row, new_id in zip(rows, ids, strict=True):
        cells = [str(new_id)]
        for model_field, encode in zip(fields, encoders, strict=True):
            name = model_field.attname
            cells.append(encode(row[name] if name in row else defaults[name]))
        lines.append("\t".join(cells) + "\n")
    _copy(model, [model._meta.pk, *fields], lines)
    return ids
