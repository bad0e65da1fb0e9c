"""CSV exports of the lists: the visible, filtered records, read in keyset chunks as values."""

from __future__ import annotations

import csv
import io
import re
import tempfile
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from operator import itemgetter
from typing import IO, Any

from django.contrib.postgres.expressions import ArraySubquery
from django.db import models
from django.db.models import F, OuterRef, Q
from django.db.models.fields.json import KeyTextTransform, KeyTransform
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.custom_fields import display_value
from crm.models import (
    ActivityKind,
    ContactCompany,
    CustomFieldDefinition,
    FieldType,
    LeadSource,
    LeadStatus,
)
from crm.selectors.lists import is_nullable, read_ranges, seek_ranges
from tenants.users.models import User

#: Rows read per query; memory stays flat however long the list is.
EXPORT_CHUNK = 5000
#: First characters that make a spreadsheet read a text cell as a formula or a command: the
#: formula signs, tab and carriage return (OWASP's list), ``|`` (DDE commands in older
#: spreadsheets), ``;`` (a spreadsheet that splits on semicolons starts a new cell there).
#: Compatibility forms count too: full-width ``U+FF1D`` is ``=`` once normalised (NFKC).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "|", ";")

#: Characters an XLSX cell cannot hold (XML 1.0 forbids most control characters).
ILLEGAL_XML_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: Characters a sheet's name cannot hold.
ILLEGAL_SHEET_CHARACTERS = re.compile(r"[\\/*?:\[\]]")

#: One database row of an export, as ``values_list`` reads it.
Row = tuple[Any, ...]
#: Reads one cell's value from a row.
Getter = Callable[[Row], Any]


@dataclass(frozen=True)
class Column:
    """One column of an export: its header, the values it reads, and how they make the cell.

    Columns read plain values (``values_list``), names of related records through joins and
    subqueries, never model instances: 100k rows then cost seconds of Python, not half a
    minute.
    """

    label: Any
    #: Field paths (``owner__email``) or names of ``annotations``, read for the cell.
    reads: tuple[str, ...]
    #: The cell from the values read, in the order of ``reads``; the first value as it is
    #: when there is none.
    cell: Callable[..., Any] | None = None
    #: Values the database computes per row, by name: ``{name: expression(model)}``.
    annotations: Mapping[str, Callable[[type[models.Model]], Any]] = field(default_factory=dict)
    #: The stored value is one of these choices; the cell shows its label.
    choices: type[models.TextChoices] | None = None

    def getter(self, position: Mapping[str, int]) -> Getter:
        """A function reading this column's cell from a row (labels translated once, now)."""
        indexes = [position[name] for name in self.reads]
        first = indexes[0]
        if self.choices is not None:
            labels = {value: str(label) for value, label in self.choices.choices}
            return lambda row: labels.get(row[first], row[first])
        cell = self.cell
        if cell is None:
            return itemgetter(first)
        if len(indexes) == 1:
            return lambda row: cell(row[first])
        return lambda row: cell(*(row[i] for i in indexes))


def plain(label: Any, name: str) -> Column:
    """The stored value as it is (ids, text, numbers, yes/no)."""
    return Column(label, (name,))


def iso_date(label: Any, name: str) -> Column:
    """A date or moment in ISO 8601, which spreadsheets read as one."""
    return Column(label, (name,), lambda stored: stored.isoformat() if stored else "")


def choice_label(label: Any, name: str, choices: type[models.TextChoices]) -> Column:
    """The label of a stored choice, as the pages show it; an unknown value as stored."""
    return Column(label, (name,), choices=choices)


def related_name(label: Any, name: str) -> Column:
    """The name of a related record, read through a join (``company__name``); blank if none."""
    return Column(label, (name,), lambda stored: stored.strip() if stored else "")


def user_name(label: Any, name: str) -> Column:
    """A user as the pages name them: full name, else email."""
    return Column(
        label, (f"{name}__full_name", f"{name}__email"), lambda full, email: full or email or ""
    )


def related_names(label: Any, name: str) -> Column:
    """The ``name``s of the record's many-to-many related records (tags), sorted, joined by commas.

    Read by a subquery per row through the link table's index: no query per record or chunk.
    """

    def names(model: type[models.Model]) -> ArraySubquery:
        relation = model._meta.get_field(name)
        link = relation.remote_field.through  # type: ignore[union-attr]
        source = relation.m2m_field_name()  # type: ignore[union-attr]
        target = f"{relation.m2m_reverse_field_name()}__name"  # type: ignore[union-attr]
        links = link._default_manager.filter(**{source: OuterRef("pk")})
        return ArraySubquery(links.order_by(target).values(target))

    alias = f"export_{name}"
    return Column(label, (alias,), lambda names: ", ".join(names), annotations={alias: names})


def _current_company_names(model: type[models.Model]) -> ArraySubquery:
    """The companies a contact works with today, in the order of the contact's page: roles
    that ended are history, not a company to export the contact under."""
    today = timezone.localdate()
    links = (
        ContactCompany.objects.filter(contact=OuterRef("pk"))
        .filter(Q(ended_on__isnull=True) | Q(ended_on__gte=today))
        .order_by(F("started_on").desc(nulls_last=True), "id")
    )
    return ArraySubquery(links.values("company__name"))


CURRENT_COMPANIES = "export_current_companies"


def _primary_company(names: list[str]) -> str:
    return names[0] if names else ""


def _other_companies(names: list[str]) -> str:
    first = _primary_company(names)
    return ", ".join(name for name in dict.fromkeys(names) if name != first)


def company_columns() -> list[Column]:
    """A contact's main company and the others it works with today (one subquery)."""
    annotations = {CURRENT_COMPANIES: _current_company_names}
    return [
        Column(_("Company"), (CURRENT_COMPANIES,), _primary_company, annotations=annotations),
        Column(
            _("Other companies"), (CURRENT_COMPANIES,), _other_companies, annotations=annotations
        ),
    ]


def _probability(own: int | None, stage: int) -> int:
    return own if own is not None else stage


#: The columns of each list's export.
COLUMNS: dict[str, list[Column]] = {
    "contact": [
        plain(_("ID"), "id"),
        plain(_("Name"), "full_name"),
        plain(_("Given name"), "first_name"),
        plain(_("Family name"), "last_name"),
        plain(_("Job title"), "title"),
        *company_columns(),
        plain(_("Email"), "email"),
        plain(_("Phone"), "phone"),
        plain(_("Mobile"), "mobile"),
        plain(_("City"), "city"),
        plain(_("Country"), "country"),
        plain(_("No marketing emails"), "email_opt_out"),
        plain(_("No calls"), "phone_opt_out"),
        user_name(_("Owner"), "owner"),
        related_names(_("Tags"), "tags"),
        iso_date(_("Created"), "created_at"),
        iso_date(_("Updated"), "updated_at"),
    ],
    "company": [
        plain(_("ID"), "id"),
        plain(_("Name"), "name"),
        plain(_("Website domain"), "domain"),
        plain(_("Industry"), "industry"),
        plain(_("Size"), "size"),
        plain(_("Phone"), "phone"),
        plain(_("Address"), "address"),
        plain(_("City"), "city"),
        plain(_("Country"), "country"),
        user_name(_("Owner"), "owner"),
        related_names(_("Tags"), "tags"),
        iso_date(_("Created"), "created_at"),
        iso_date(_("Updated"), "updated_at"),
    ],
    "lead": [
        plain(_("ID"), "id"),
        plain(_("Name"), "name"),
        plain(_("Company name"), "company_name"),
        plain(_("Email"), "email"),
        plain(_("Phone"), "phone"),
        choice_label(_("Source"), "source", LeadSource),
        choice_label(_("Status"), "status", LeadStatus),
        user_name(_("Owner"), "owner"),
        related_names(_("Tags"), "tags"),
        iso_date(_("Created"), "created_at"),
    ],
    "deal": [
        plain(_("ID"), "id"),
        plain(_("Title"), "title"),
        related_name(_("Company"), "company__name"),
        related_name(_("Stage"), "stage__name"),
        plain(_("Amount"), "amount"),
        plain(_("Currency"), "currency"),
        Column(_("Probability (%)"), ("probability", "stage__probability"), _probability),
        iso_date(_("Expected close"), "expected_close_on"),
        user_name(_("Owner"), "owner"),
        plain(_("Lost reason"), "lost_reason"),
        related_names(_("Tags"), "tags"),
        iso_date(_("Created"), "created_at"),
        iso_date(_("Updated"), "updated_at"),
    ],
    "activity": [
        plain(_("ID"), "id"),
        choice_label(_("Type"), "kind", ActivityKind),
        plain(_("Subject"), "subject"),
        iso_date(_("Due"), "due_at"),
        iso_date(_("Done"), "done_at"),
        plain(_("Outcome"), "outcome"),
        user_name(_("Owner"), "owner"),
        related_name(_("Contact"), "contact__full_name"),
        related_name(_("Company"), "company__name"),
        related_name(_("Deal"), "deal__title"),
        related_name(_("Lead"), "lead__name"),
    ],
}


def safe_cell(value: Any) -> str:
    """A cell as a spreadsheet shows it, never as a formula it would run.

    Every exported cell goes through here, the header included. Finite numbers stay numbers
    (a negative amount is ``-1500.00``, not text). Text that starts like a formula, in any
    compatibility form (full-width U+FF1D is ``=``), is prefixed with an apostrophe, which
    spreadsheets read as "the rest is text": a name ``-Smith`` exports as ``'-Smith``.
    """
    if value is None:
        return ""
    if type(value) is str:  # most cells: the checks of starts_like_a_formula, inlined
        first = value[:1]
        if first.isascii():  # NFKC maps every ASCII character to itself
            return f"'{value}" if first in FORMULA_START else value
        return f"'{value}" if starts_like_a_formula(value) else value
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal) and _is_finite(value):
        return str(value)
    text = str(value)
    return f"'{text}" if starts_like_a_formula(text) else text


def starts_like_a_formula(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` typed into a cell as a formula or command."""
    first = text[:1]
    if first.isascii():  # NFKC maps every ASCII character to itself
        return first in FORMULA_START
    return unicodedata.normalize("NFKC", first).startswith(FORMULA_START)


def _is_finite(number: int | float | Decimal) -> bool:
    return isinstance(number, int) or Decimal(number).is_finite()


def _number_or_text(stored: Any) -> Any:
    """A stored decimal string as a number, so it exports as one; anything else as it is."""
    try:
        return Decimal(str(stored))
    except InvalidOperation:
        return stored


def _custom_cell(definition: CustomFieldDefinition, stored: Any, users: dict[int, Any]) -> Any:
    """Numbers and dates as stored (ISO, dot decimals), so spreadsheets read them as such."""
    if stored is None:
        return None
    if definition.field_type in (FieldType.NUMBER, FieldType.MONEY):
        return _number_or_text(stored)
    if definition.field_type == FieldType.DATE:
        return stored
    return display_value(definition, stored, users)


#: Custom field types whose stored JSON is no string (lists, booleans, user ids).
_JSON_TYPED = (FieldType.MULTI_CHOICE, FieldType.CHECKBOX, FieldType.USER)


def _custom_column(definition: CustomFieldDefinition, index: int, users: dict[int, Any]) -> Column:
    """A custom field's column: its one key of the JSON column, read by the database (as text
    where the value is stored as a string, so no JSON is decoded per row)."""
    alias = f"export_custom_{index}"
    transform = KeyTransform if definition.field_type in _JSON_TYPED else KeyTextTransform

    def key(model: type[models.Model]) -> KeyTransform:
        return transform(definition.key, "custom")

    return Column(
        definition.label,
        (alias,),
        lambda stored: _custom_cell(definition, stored, users),
        annotations={alias: key},
    )


def export_header(kind: str, definitions: list[CustomFieldDefinition]) -> list[str]:
    """The header row: the list's columns, then its custom fields (labels admins choose)."""
    labels = [column.label for column in COLUMNS[kind]] + [d.label for d in definitions]
    return [safe_cell(str(label)) for label in labels]


def _export_chunks(
    queryset: models.QuerySet[Any],
    *,
    kind: str,
    order: tuple[str, ...],
    definitions: list[CustomFieldDefinition],
    chunk: int,
    cell: Callable[[Any], Any] = safe_cell,
) -> Iterator[list[list[Any]]]:
    """The rows of an export (cells through :func:`safe_cell`, or ``cell``, which must
    escape text the same way), one list per chunk read."""
    columns = COLUMNS[kind]
    model = queryset.model
    descending = order[0].startswith("-")
    sort_column = order[0].removeprefix("-")
    users: dict[int, Any] = {}
    if any(d.field_type == FieldType.USER for d in definitions):
        users = {user.pk: user for user in User.objects.all()}
    columns = [*columns, *(_custom_column(d, index, users) for index, d in enumerate(definitions))]
    reads = list(dict.fromkeys(["id", sort_column, *(n for c in columns for n in c.reads)]))
    position = {name: index for index, name in enumerate(reads)}
    getters = [column.getter(position) for column in columns]
    annotations = {
        name: expression(model) for c in columns for name, expression in c.annotations.items()
    }
    at_id, at_sort = position["id"], position[sort_column]
    nullable = is_nullable(model, sort_column)
    rows = queryset.select_related(None).prefetch_related(None).order_by(*order)
    rows = rows.annotate(**annotations).values_list(*reads)
    last: Row | None = None
    while True:
        if last is None:
            records = list(rows[:chunk])
        else:
            ranges = seek_ranges(
                sort_column,
                descending=descending,
                value=last[at_sort],
                pk=last[at_id],
                nullable=nullable,
            )
            records = read_ranges(rows, ranges, chunk)
        if not records:
            return
        yield [[cell(get(record)) for get in getters] for record in records]
        if len(records) < chunk:
            return
        last = records[-1]


def export_rows(
    queryset: models.QuerySet[Any],
    *,
    kind: str,
    order: tuple[str, ...],
    definitions: list[CustomFieldDefinition],
    chunk: int = EXPORT_CHUNK,
) -> Iterator[list[str]]:
    """Every record of ``queryset`` (already visible-filtered) as CSV cells, in ``order``.

    Records are read ``chunk`` at a time as plain values, each chunk seeking past the last
    row of the one before (no OFFSET, no long-open cursor), so a 100k-row export holds one
    chunk in memory and builds no model instance. Related names come from joins and
    subqueries of the same query.
    """
    for lines in _export_chunks(
        queryset, kind=kind, order=order, definitions=definitions, chunk=chunk
    ):
        yield from lines


def export_lines(
    queryset: models.QuerySet[Any],
    *,
    kind: str,
    order: tuple[str, ...],
    definitions: list[CustomFieldDefinition],
    chunk: int = EXPORT_CHUNK,
) -> Iterator[str]:
    """The CSV file of an export: a byte-order mark and the header, then a block of rows per chunk.

    Every cell comes from :func:`export_header` or :func:`export_rows`' chunks, so through
    :func:`safe_cell`. Every field is quoted, so a separator inside a cell (a semicolon, for
    spreadsheets that split on it) stays inside it instead of starting a new cell there.
    Rows leave in blocks, one per chunk: the server writes a few pieces, not one per row.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_ALL)
    writer.writerow(export_header(kind, definitions))
    yield "\ufeff" + buffer.getvalue()  # BOM: spreadsheets read the file as UTF-8
    for lines in _export_chunks(
        queryset, kind=kind, order=order, definitions=definitions, chunk=chunk
    ):
        buffer.seek(0)
        buffer.truncate()
        writer.writerows(lines)
        yield buffer.getvalue()


def xlsx_cell(value: Any) -> Any:
    """A cell of an Excel export: finite numbers stay numbers, everything else is the text
    :func:`safe_cell` makes of it (formula-looking text escaped), without the control
    characters a workbook cannot hold."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return value if _is_finite(value) else str(value)
    text = safe_cell(value)
    return ILLEGAL_XML_CHARACTERS.sub("", text) if text else None


def export_xlsx(
    queryset: models.QuerySet[Any],
    *,
    kind: str,
    order: tuple[str, ...],
    definitions: list[CustomFieldDefinition],
    sheet_title: str,
    chunk: int = EXPORT_CHUNK,
) -> IO[bytes]:
    """The export as an Excel workbook in a temporary file (rewound, deleted once closed).

    The same rows and columns as the CSV, read in the same keyset chunks; the workbook is
    written in openpyxl's write-only mode, which streams rows to disk, so memory stays flat.
    """
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=ILLEGAL_SHEET_CHARACTERS.sub(" ", sheet_title)[:31])
    sheet.append([xlsx_cell(label) for label in export_header(kind, definitions)])
    for lines in _export_chunks(
        queryset, kind=kind, order=order, definitions=definitions, chunk=chunk, cell=xlsx_cell
    ):
        for line in lines:
            sheet.append(line)
    output = tempfile.TemporaryFile()  # noqa: SIM115 -- handed to the response, which closes it
    workbook.save(output)
    output.seek(0)
    return output
