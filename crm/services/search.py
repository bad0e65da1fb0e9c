"""Search columns: written with every record, and filled in for rows written without them.

The record services call :func:`search_columns_set` before they save, so a record is found
by what it is called the moment it exists. Rows that arrive another way (a bulk ``COPY``,
an older release still running during a deployment, the migration that added the columns)
hold the empty defaults until :func:`search_backfill` fills them: the migration runs it in
every workspace schema, and ``manage.py all_tenants_command search_backfill`` runs it again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

from django.db import connection, models, transaction

from crm.search_index import (
    SearchColumns,
    company_search_columns,
    contact_search_columns,
    deal_search_columns,
    lead_search_columns,
)

#: Per model: the fields its search columns are computed from, and how.
SOURCES: dict[str, tuple[tuple[str, ...], Callable[[Mapping[str, Any]], SearchColumns]]] = {
    "contact": (
        (
            "first_name",
            "last_name",
            "email",
            "extra_emails",
            "phone",
            "mobile",
            "extra_phones",
            "title",
        ),
        lambda v: contact_search_columns(
            first_name=v["first_name"] or "",
            last_name=v["last_name"] or "",
            emails=[v["email"] or "", *(v["extra_emails"] or [])],
            phones=[v["phone"] or "", v["mobile"] or "", *(v["extra_phones"] or [])],
            title=v["title"] or "",
        ),
    ),
    "company": (
        ("name", "domain", "phone", "city"),
        lambda v: company_search_columns(
            name=v["name"] or "",
            domain=v["domain"] or "",
            phone=v["phone"] or "",
            city=v["city"] or "",
        ),
    ),
    "lead": (
        ("name", "company_name", "email", "phone"),
        lambda v: lead_search_columns(
            name=v["name"] or "",
            company_name=v["company_name"] or "",
            email=v["email"] or "",
            phone=v["phone"] or "",
        ),
    ),
    "deal": (("title",), lambda v: deal_search_columns(title=v["title"] or "")),
}
#: Rows read and written per transaction by :func:`search_backfill`.
BACKFILL_BATCH = 2000


def _has_phones(model: type[models.Model]) -> bool:
    return any(field.name == "search_phones" for field in model._meta.concrete_fields)


def search_columns_of(record: models.Model) -> SearchColumns:
    """The search columns ``record`` should hold for its current field values."""
    fields, compute = SOURCES[record._meta.model_name or ""]
    return compute({name: getattr(record, name) for name in fields})


def search_columns_set(record: models.Model) -> None:
    """Set ``record``'s search columns from its fields (if its type has any); the caller saves."""
    if record._meta.model_name not in SOURCES:
        return
    values = search_columns_of(record).as_dict(phones=_has_phones(type(record)))
    for name, value in values.items():
        setattr(record, name, value)


def search_backfill(
    model: type[models.Model], *, every_row: bool = False, batch_size: int = BACKFILL_BATCH
) -> int:
    """Fill the search columns of ``model``'s rows in the current schema; returns the count.

    Only rows that never had them (an empty ``search_text``: every record has a name) unless
    ``every_row``, which recomputes all of them (after the way they are computed changed).
    Rows are read by ascending id, ``batch_size`` at a time, and each batch is written with
    one ``UPDATE`` in its own transaction, so a large table never holds its locks or its rows
    in memory for long. ``model`` may be a migration's historical model.
    """
    fields, compute = SOURCES[model._meta.model_name or ""]
    phones = _has_phones(model)
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ["search_text", "search_keys", "search_typos", *(["search_phones"] if phones else [])]
    types = {"search_keys": "text[]", "search_typos": "text[]"}
    record_type = ", ".join(["id bigint", *(f"{c} {types.get(c, 'text')}" for c in columns)])
    assignments = ", ".join(f"{c} = v.{c}" for c in columns)
    statement = (
        f"UPDATE {table} AS t SET {assignments} "  # noqa: S608 -- table and columns are ours
        f"FROM jsonb_to_recordset(%s::jsonb) AS v({record_type}) WHERE t.id = v.id"
    )
    rows = model._default_manager.order_by("pk")
    if not every_row:
        rows = rows.filter(search_text="")
    written, last_id = 0, 0
    while True:
        with transaction.atomic():
            batch = list(rows.filter(pk__gt=last_id).values("pk", *fields)[:batch_size])
            if not batch:
                return written
            payload = [{"id": row["pk"], **compute(row).as_dict(phones=phones)} for row in batch]
            with connection.cursor() as cursor:
                cursor.execute(statement, [json.dumps(payload, ensure_ascii=False)])
        written += len(batch)
        last_id = batch[-1]["pk"]
