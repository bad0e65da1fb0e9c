"""CSV exports of the lists: the visible, filtered records, read in keyset chunks."""

from __future__ import annotations

import csv
import unicodedata
from collections.abc import Callable, Iterator
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import models
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from crm.custom_fields import display_value
from crm.models import ContactCompany, CustomFieldDefinition, FieldType
from crm.selectors.lists import is_nullable, seek_condition
from tenants.users.models import User

#: Rows read per query; memory stays flat however long the list is.
EXPORT_CHUNK = 1000
#: First characters that make a spreadsheet read a text cell as a formula or a command: the
#: formula signs, tab and carriage return (OWASP's list), ``|`` (DDE commands in older
#: spreadsheets), ``;`` (a spreadsheet that splits on semicolons starts a new cell there).
#: Compatibility forms count too: full-width ``U+FF1D`` is ``=`` once normalised (NFKC).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "|", ";")

Cell = Callable[[Any], Any]


def _tags(record: Any) -> str:
    return ", ".join(tag.name for tag in record.tags.all())


def _date(value: Any) -> str:
    return value.isoformat() if value else ""


def _current_companies(contact: Any) -> list[str]:
    """The companies a contact works with today, in the order of the contact's page: roles
    that ended are history, not a company to export the contact under."""
    today = timezone.localdate()
    names = [
        link.company.name
        for link in contact.company_links.all()
        if link.ended_on is None or link.ended_on >= today
    ]
    return list(dict.fromkeys(names))


def _primary_company(contact: Any) -> str:
    companies = _current_companies(contact)
    return companies[0] if companies else ""


def _other_companies(contact: Any) -> str:
    return ", ".join(_current_companies(contact)[1:])


#: The columns of each list's export: header and how to read the cell from a record.
COLUMNS: dict[str, list[tuple[Any, Cell]]] = {
    "contact": [
        (_("ID"), lambda r: r.pk),
        (_("First name"), lambda r: r.first_name),
        (_("Last name"), lambda r: r.last_name),
        (_("Job title"), lambda r: r.title),
        (_("Company"), _primary_company),
        (_("Other companies"), _other_companies),
        (_("Email"), lambda r: r.email),
        (_("Phone"), lambda r: r.phone),
        (_("Mobile"), lambda r: r.mobile),
        (_("City"), lambda r: r.city),
        (_("Country"), lambda r: r.country),
        (_("No marketing emails"), lambda r: r.email_opt_out),
        (_("No calls"), lambda r: r.phone_opt_out),
        (_("Owner"), lambda r: r.owner),
        (_("Tags"), _tags),
        (_("Created"), lambda r: _date(r.created_at)),
        (_("Updated"), lambda r: _date(r.updated_at)),
    ],
    "company": [
        (_("ID"), lambda r: r.pk),
        (_("Name"), lambda r: r.name),
        (_("Website domain"), lambda r: r.domain),
        (_("Industry"), lambda r: r.industry),
        (_("Size"), lambda r: r.size),
        (_("Phone"), lambda r: r.phone),
        (_("Address"), lambda r: r.address),
        (_("City"), lambda r: r.city),
        (_("Country"), lambda r: r.country),
        (_("Owner"), lambda r: r.owner),
        (_("Tags"), _tags),
        (_("Created"), lambda r: _date(r.created_at)),
        (_("Updated"), lambda r: _date(r.updated_at)),
    ],
    "lead": [
        (_("ID"), lambda r: r.pk),
        (_("Name"), lambda r: r.name),
        (_("Company name"), lambda r: r.company_name),
        (_("Email"), lambda r: r.email),
        (_("Phone"), lambda r: r.phone),
        (_("Source"), lambda r: r.get_source_display()),
        (_("Status"), lambda r: r.get_status_display()),
        (_("Owner"), lambda r: r.owner),
        (_("Tags"), _tags),
        (_("Created"), lambda r: _date(r.created_at)),
    ],
    "deal": [
        (_("ID"), lambda r: r.pk),
        (_("Title"), lambda r: r.title),
        (_("Company"), lambda r: r.company or ""),
        (_("Stage"), lambda r: r.stage),
        (_("Amount"), lambda r: r.amount),
        (_("Currency"), lambda r: r.currency),
        (_("Probability (%)"), lambda r: r.effective_probability),
        (_("Expected close"), lambda r: _date(r.expected_close_on)),
        (_("Owner"), lambda r: r.owner),
        (_("Lost reason"), lambda r: r.lost_reason),
        (_("Tags"), _tags),
        (_("Created"), lambda r: _date(r.created_at)),
        (_("Updated"), lambda r: _date(r.updated_at)),
    ],
    "activity": [
        (_("ID"), lambda r: r.pk),
        (_("Type"), lambda r: r.get_kind_display()),
        (_("Subject"), lambda r: r.subject),
        (_("Due"), lambda r: _date(r.due_at)),
        (_("Done"), lambda r: _date(r.done_at)),
        (_("Outcome"), lambda r: r.outcome),
        (_("Owner"), lambda r: r.owner),
        (_("Contact"), lambda r: r.contact or ""),
        (_("Company"), lambda r: r.company or ""),
        (_("Deal"), lambda r: r.deal or ""),
        (_("Lead"), lambda r: r.lead or ""),
    ],
}


#: Related rows the columns of a kind read, fetched once per chunk.
PREFETCH: dict[str, tuple[Prefetch, ...]] = {
    "contact": (
        Prefetch(
            "company_links",
            queryset=ContactCompany.objects.select_related("company").only(
                "contact_id", "ended_on", "started_on", "company__name"
            ),
        ),
    ),
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
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float | Decimal) and _is_finite(value):
        return str(value)
    text = str(value)
    return f"'{text}" if starts_like_a_formula(text) else text


def starts_like_a_formula(text: str) -> bool:
    """Whether a spreadsheet would read ``text`` typed into a cell as a formula or command."""
    return unicodedata.normalize("NFKC", text[:1]).startswith(FORMULA_START)


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


def export_header(kind: str, definitions: list[CustomFieldDefinition]) -> list[str]:
    """The header row: the list's columns, then its custom fields (labels admins choose)."""
    labels = [label for label, _cell in COLUMNS[kind]] + [d.label for d in definitions]
    return [safe_cell(str(label)) for label in labels]


def export_rows(
    queryset: models.QuerySet[Any],
    *,
    kind: str,
    order: tuple[str, ...],
    definitions: list[CustomFieldDefinition],
    chunk: int = EXPORT_CHUNK,
) -> Iterator[list[str]]:
    """Every record of ``queryset`` (already visible-filtered) as CSV cells, in ``order``.

    Records are read ``chunk`` at a time, each chunk seeking past the last row of the one
    before (no OFFSET, no long-open cursor), so a 100k-row export holds one chunk in memory.
    """
    columns = COLUMNS[kind]
    users: dict[int, Any] = {}
    if any(d.field_type == FieldType.USER for d in definitions):
        users = {user.pk: user for user in User.objects.all()}
    descending = order[0].startswith("-")
    column = order[0].removeprefix("-")
    rows = queryset.order_by(*order).prefetch_related(*PREFETCH.get(kind, ()))
    last: Any = None
    while True:
        page = rows
        if last is not None:
            page = rows.filter(
                seek_condition(
                    column,
                    descending=descending,
                    value=getattr(last, column),
                    pk=last.pk,
                    nullable=is_nullable(rows.model, column),
                )
            )
        records = list(page[:chunk])
        for record in records:
            cells = [cell(record) for _label, cell in columns]
            cells += [_custom_cell(d, (record.custom or {}).get(d.key), users) for d in definitions]
            yield [safe_cell(value) for value in cells]
        if len(records) < chunk:
            return
        last = records[-1]


class _Echo:
    """A file-like object whose ``write`` hands back the line, for ``csv.writer`` streaming."""

    def write(self, value: str) -> str:
        return value


def export_lines(
    queryset: models.QuerySet[Any],
    *,
    kind: str,
    order: tuple[str, ...],
    definitions: list[CustomFieldDefinition],
) -> Iterator[str]:
    """The CSV file of an export, line by line: a byte-order mark, the header, the rows.

    Every cell comes from :func:`export_header` or :func:`export_rows`, so through
    :func:`safe_cell`. Every field is quoted, so a separator inside a cell (a semicolon, for
    spreadsheets that split on it) stays inside it instead of starting a new cell there.
    """
    writer = csv.writer(_Echo(), quoting=csv.QUOTE_ALL)
    yield "\ufeff" + writer.writerow(export_header(kind, definitions))  # BOM: read as UTF-8
    for row in export_rows(queryset, kind=kind, order=order, definitions=definitions):
        yield writer.writerow(row)
