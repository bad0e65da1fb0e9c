"""List pages: filtering, sorting and pagination that stay fast on 100k rows."""

from __future__ import annotations

import base64
import binascii
import datetime
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import EmptyResultSet, FieldDoesNotExist, ValidationError
from django.db import connection, models
from django.db.models import Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from crm.custom_fields import filter_condition
from crm.models import (
    MAX_RECORD_ID,
    Activity,
    Company,
    Contact,
    CustomFieldDefinition,
    Deal,
    Lead,
    OwnedQuerySet,
)
from crm.selectors.search import text_search

#: Sort keys a list accepts, and the index-backed ordering each one means. ``-key`` reverses.
SORTS: dict[type[models.Model], dict[str, tuple[str, ...]]] = {
    Contact: {
        "name": ("full_name", "id"),
        "updated": ("updated_at", "id"),
        "created": ("created_at", "id"),
        "email": ("email", "id"),
    },
    Company: {
        "name": ("name", "id"),
        "updated": ("updated_at", "id"),
        "created": ("created_at", "id"),
        "city": ("city", "id"),
    },
    Lead: {
        "name": ("name", "id"),
        "created": ("created_at", "id"),
        "updated": ("updated_at", "id"),
        "status": ("status", "id"),
    },
    Deal: {
        "title": ("title", "id"),
        "amount": ("amount", "id"),
        "close": ("expected_close_on", "id"),
        "updated": ("updated_at", "id"),
        "created": ("created_at", "id"),
    },
    Activity: {
        "due": ("due_at", "id"),
        "created": ("created_at", "id"),
        "subject": ("subject", "id"),
    },
}
DEFAULT_SORT: dict[type[models.Model], str] = {
    Contact: "name",
    Company: "name",
    Lead: "-created",
    Deal: "-updated",
    Activity: "due",
}


def ordering(model: type[models.Model], sort: str) -> tuple[str, ...]:
    """The ``order_by`` for a sort key, falling back to the list's default."""
    key = sort.removeprefix("-")
    columns = SORTS[model].get(key)
    if columns is None:
        return ordering(model, DEFAULT_SORT[model])
    if sort.startswith("-"):
        return tuple(f"-{c}" for c in columns)
    return columns


def filtered(
    queryset: OwnedQuerySet[Any],
    *,
    params: Mapping[str, Any],
    definitions: Iterable[CustomFieldDefinition] = (),
    custom_filters: Mapping[str, Any] | None = None,
) -> OwnedQuerySet[Any]:
    """Apply a list's filters (already validated by its form) to a visible queryset.

    ``custom_filters`` holds the parsed custom-field filters by field key.
    """
    if text := params.get("q"):
        queryset = text_search(queryset, text)
    if owner := params.get("owner"):
        queryset = queryset.filter(owner=owner)
    if tag := params.get("tag"):
        queryset = queryset.filter(tags=tag)
    # Days as ranges of moments (midnight in the current time zone), not ``__date``: a
    # condition on the column itself is what its index serves.
    if created_from := params.get("created_from"):
        queryset = queryset.filter(created_at__gte=start_of_day(created_from))
    if created_to := params.get("created_to"):
        queryset = queryset.filter(created_at__lt=start_of_day(created_to, days_later=1))
    if stage := params.get("stage"):
        queryset = queryset.filter(stage=stage)
    if pipeline := params.get("pipeline"):
        queryset = queryset.filter(pipeline=pipeline)
    if status := params.get("status"):
        queryset = _status_filter(queryset, status)
    if kind := params.get("kind"):
        queryset = queryset.filter(kind=kind)
    if source := params.get("source"):
        queryset = queryset.filter(source=source)
    for definition in definitions:
        value = (custom_filters or {}).get(definition.key)
        if value not in (None, ""):
            queryset = queryset.filter(filter_condition(definition, value))
    return queryset


def start_of_day(day: datetime.date, *, days_later: int = 0) -> datetime.datetime:
    """Midnight starting ``day`` (plus ``days_later`` days) in the current time zone."""
    moment = datetime.datetime.combine(day + datetime.timedelta(days=days_later), datetime.time())
    return timezone.make_aware(moment)


def _status_filter(queryset: OwnedQuerySet[Any], status: str) -> OwnedQuerySet[Any]:
    model = queryset.model
    if model is Deal:
        return queryset.filter(stage__kind=status)
    if model is Activity:
        now = timezone.now()
        if status == "open":
            return queryset.filter(done_at__isnull=True)
        if status == "done":
            return queryset.filter(done_at__isnull=False)
        if status == "overdue":
            return queryset.filter(done_at__isnull=True, due_at__lt=now)
        if status == "today":
            start = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
            return queryset.filter(
                done_at__isnull=True, due_at__gte=start, due_at__lt=start + datetime.timedelta(1)
            )
        return queryset
    return queryset.filter(status=status)


@dataclass(frozen=True)
class PageSlice:
    """One page of a list. ``total`` stops counting at ``count_cap`` (shown as "10,000+")."""

    items: list[Any]
    number: int
    per_page: int
    total: int
    total_is_capped: bool

    @property
    def start_index(self) -> int:
        return (self.number - 1) * self.per_page + 1 if self.items else 0

    @property
    def end_index(self) -> int:
        return (self.number - 1) * self.per_page + len(self.items)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.end_index < self.total or (self.total_is_capped and bool(self.items))

    @property
    def previous_page_number(self) -> int:
        return self.number - 1

    @property
    def next_page_number(self) -> int:
        return self.number + 1

    @property
    def last_page_number(self) -> int | None:
        if self.total_is_capped:
            return None
        return max(1, -(-self.total // self.per_page))


def capped_count_sql(queryset: models.QuerySet[Any], cap: int) -> RawSQL | None:
    """``COUNT(*)`` over at most ``cap + 1`` rows of ``queryset``, as SQL to run or embed;
    ``None`` when the condition matches nothing (such as ``none()``)."""
    inner = queryset.order_by().values("pk")[: cap + 1]
    try:
        sql, params = inner.query.sql_with_params()
    except EmptyResultSet:
        return None
    return RawSQL(f"SELECT COUNT(*) FROM ({sql}) AS capped", params)  # noqa: S611, S608 -- sql is Django-compiled, values are bound parameters


def _bounded(count: int, cap: int) -> tuple[int, bool]:
    return (min(count, cap), count > cap)


def capped_count(queryset: models.QuerySet[Any], cap: int) -> tuple[int, bool]:
    """``COUNT(*)`` over at most ``cap + 1`` rows: exact for small lists, bounded for big ones."""
    counting = capped_count_sql(queryset, cap)
    if counting is None:
        return (0, False)
    with connection.cursor() as cursor:
        cursor.execute(counting.sql, counting.params)
        row = cursor.fetchone()
    return _bounded(int(row[0]) if row else 0, cap)


def paginate(
    queryset: models.QuerySet[Any], *, page: int, per_page: int = 25, count_cap: int = 10_000
) -> PageSlice:
    """An OFFSET page over an index-ordered queryset, with a bounded count."""
    page = max(1, page)
    total, capped = capped_count(queryset, count_cap)
    if not capped and total and (page - 1) * per_page >= total:
        page = max(1, -(-total // per_page))
    offset = (page - 1) * per_page
    items = list(queryset[offset : offset + per_page])
    return PageSlice(
        items=items, number=page, per_page=per_page, total=total, total_is_capped=capped
    )


# --- Keyset ("seek") pagination ----------------------------------------------------------------


def encode_cursor(value: Any, pk: int) -> str:
    """A URL-safe token for "the row with this sort value and id"."""
    if isinstance(value, datetime.datetime | datetime.date):
        value = value.isoformat()
    elif isinstance(value, Decimal):
        value = str(value)
    raw = json.dumps([value, pk], separators=(",", ":"), ensure_ascii=False).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


#: Longest cursor token read: the lists' own stay below it, even for a sort value of 254
#: four-byte characters (an email address of emoji), which encodes to about 1,400.
CURSOR_MAX_LENGTH = 2000
_BASE64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")


def _not_a_number(constant: str) -> Any:
    """JSON's ``Infinity``, ``-Infinity`` and ``NaN`` are no sort value."""
    raise ValueError(constant)


def _json_types(field: models.Field[Any, Any]) -> tuple[type, ...]:
    """The JSON types :func:`encode_cursor` writes for a column of this field."""
    internal = field.get_internal_type()
    if internal.endswith(("IntegerField", "AutoField")):
        return (int,)
    if internal == "FloatField":
        return (int, Decimal)
    return (str,)  # text, and dates, times and decimals as ISO / decimal strings


def _sort_value(field: models.Field[Any, Any], value: Any) -> Any:
    """``value`` typed as the column, or ``ValueError``/``ValidationError`` if it is not one."""
    if value is None:
        if not field.null:
            raise ValueError("null")
        return None
    if type(value) not in _json_types(field):  # type(), so that true is not the integer 1
        raise ValueError(type(value).__name__)
    if isinstance(value, str) and "\x00" in value:
        raise ValueError("NUL")
    typed = field.to_python(value)
    if not isinstance(field, models.CharField | models.TextField):
        # Integer ranges and decimal digits: what the database cannot compare with. Text is
        # compared as it is, even where stored rows would fail today's form validation.
        field.run_validators(typed)
    if isinstance(typed, float) and not math.isfinite(typed):
        raise ValueError("not finite")
    if isinstance(typed, datetime.datetime) and timezone.is_naive(typed):
        typed = timezone.make_aware(typed, datetime.UTC)
    return typed


def decode_cursor(model: type[models.Model], column: str, token: str) -> tuple[Any, int] | None:
    """The sort value (typed as the column) and id of a cursor; ``None`` when it is not one.

    A cursor is the URL-safe base64 of the JSON ``[value, id]`` that :func:`encode_cursor`
    writes. Anything else is not one, and the list starts from its first page: another
    alphabet or shape, numbers JSON parsers accept but a column cannot hold (``Infinity``,
    ``1e999``), a value of another JSON type than the column's (a number for a name, a
    boolean for an id), text with NUL, an id outside ``bigint``.
    """
    if not token or len(token) > CURSOR_MAX_LENGTH or not _BASE64URL.fullmatch(token):
        return None
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        decoded = json.loads(raw, parse_constant=_not_a_number, parse_float=Decimal)
        if not isinstance(decoded, list) or len(decoded) != 2:
            return None
        value, pk = decoded
        if type(pk) is not int or not 1 <= pk <= MAX_RECORD_ID:
            return None
        field = model._meta.get_field(column)
        field = getattr(field, "output_field", None) or field
        return _sort_value(field, value), pk  # type: ignore[arg-type]
    except (ValueError, binascii.Error, ValidationError, FieldDoesNotExist):
        return None


def seek_ranges(
    column: str, *, descending: bool, value: Any, pk: int, nullable: bool = True
) -> list[Q]:
    """Rows after ``(value, pk)`` in ``ORDER BY column, id``, as index ranges to read in turn.

    NULLs sort last ascending and first descending (PostgreSQL's defaults, which ``order_by``
    keeps), so the rows after a cursor can be two ranges of the index: the values after it,
    then the NULLs (ascending), or the NULLs after it, then every value (descending). Each
    range is its own condition, read only when the one before runs out: joined by ``OR`` they
    would make PostgreSQL filter the index from its first row (270 ms a chunk deep into 300k
    activities by due date). ``column >= value`` is kept as its own term so the index scan
    starts at the cursor.
    """
    gt, gte = ("lt", "lte") if descending else ("gt", "gte")
    if value is None:
        nulls_after = Q(**{f"{column}__isnull": True, f"id__{gt}": pk})
        return [nulls_after, Q(**{f"{column}__isnull": False})] if descending else [nulls_after]
    after = Q(**{f"{column}__{gte}": value}) & (
        Q(**{f"{column}__{gt}": value}) | Q(**{column: value, f"id__{gt}": pk})
    )
    if nullable and not descending:
        return [after, Q(**{f"{column}__isnull": True})]
    return [after]


def read_ranges(rows: models.QuerySet[Any], ranges: list[Q], limit: int) -> list[Any]:
    """Up to ``limit`` rows of ``rows`` (ordered) from each range in turn: one query, or two
    where the first range ends within the limit."""
    items: list[Any] = []
    for condition in ranges:
        items += rows.filter(condition)[: limit - len(items)]
        if len(items) >= limit:
            break
    return items


def is_nullable(model: type[models.Model], column: str) -> bool:
    return bool(getattr(model._meta.get_field(column), "null", False))


@dataclass(frozen=True)
class SeekPage:
    """One page of a keyset-paginated list.

    Pages are reached by cursors (the sort value and id of a boundary row) rather than by
    number, so a page deep in a 100k-row list costs what the first one does. ``total`` stops
    counting at the cap (shown as "more than 10,000").
    """

    items: list[Any]
    per_page: int
    total: int
    total_is_capped: bool
    is_first: bool
    next_cursor: str | None
    previous_cursor: str | None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def end_index(self) -> int:
        return len(self.items)


def seek_page(
    queryset: models.QuerySet[Any],
    *,
    order: tuple[str, ...],
    after: str | None = "",
    before: str | None = "",
    per_page: int = 25,
    count_cap: int = 10_000,
    count: bool = True,
) -> SeekPage:
    """The page after the ``after`` cursor (or before ``before``) of ``queryset`` in ``order``.

    ``order`` is ``(column, "id")`` or ``("-column", "-id")``, as :func:`ordering` returns.
    One query: the page (one row more tells if another page follows) with the bounded count
    as a column PostgreSQL computes once (an InitPlan), which saves a round trip on every
    list page. A second query counts when the page is empty, or reads the NULLs where a
    nullable sort column passes to them.
    """
    descending = order[0].startswith("-")
    column = order[0].removeprefix("-")
    model = queryset.model
    counting = capped_count_sql(queryset, count_cap) if count else None
    given = before or after or ""
    cursor = decode_cursor(model, column, given) if given else None
    backwards = bool(before) and cursor is not None
    rows = queryset.annotate(list_total=counting) if counting is not None else queryset
    if backwards:
        reversed_order = tuple(c.removeprefix("-") if descending else f"-{c}" for c in order)
        rows = rows.order_by(*reversed_order)
    else:
        rows = rows.order_by(*order)
    if cursor is not None:
        value, pk = cursor
        ranges = seek_ranges(
            column,
            descending=descending != backwards,
            value=value,
            pk=pk,
            nullable=is_nullable(model, column),
        )
        items = read_ranges(rows, ranges, per_page + 1)
    else:
        items = list(rows[: per_page + 1])
    more = len(items) > per_page
    items = items[:per_page]
    if counting is None:
        total, capped = 0, False
    elif items:
        total, capped = _bounded(items[0].list_total, count_cap)
    else:
        total, capped = capped_count(queryset, count_cap)
    if backwards:
        items.reverse()
    first_row, last_row = (items[0], items[-1]) if items else (None, None)

    def token(row: Any) -> str:
        return encode_cursor(getattr(row, column), row.pk)

    if backwards:
        has_next, has_previous = True, more
    else:
        has_next, has_previous = more, cursor is not None
    return SeekPage(
        items=items,
        per_page=per_page,
        total=total,
        total_is_capped=capped,
        is_first=not has_previous,
        next_cursor=token(last_row) if has_next and last_row is not None else None,
        previous_cursor=token(first_row) if has_previous and first_row is not None else None,
    )
