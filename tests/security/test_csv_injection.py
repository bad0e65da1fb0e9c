"""CSV exports never hand a spreadsheet a formula: one escaping function for every cell."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from typing import Any

import pytest
from django.db import models
from django.http import StreamingHttpResponse
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from crm.models import Company, Contact, Deal, Lead, Tag
from crm.selectors.exports import safe_cell
from crm.service.models import Category, Queue
from crm.service.services import case_create
from crm.views.kinds import KINDS
from tests.crm.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    CustomFieldFactory,
    DealFactory,
    LeadFactory,
)
from tests.factories import UserFactory

#: Text a spreadsheet runs: every start the export must neutralise, ASCII and full-width.
FORMULA_PREFIXES = {
    "equals": "=1+1",
    "plus": "+1+1",
    "minus": "-1+1",
    "at": "@SUM(1)",
    "tab": "\t=1+1",
    "carriage return": "\r=1+1",
    "pipe": "|cmd",
    "semicolon equals": ";=1+1",
    "full-width equals": "\uff1d1+1",
    "full-width plus": "\uff0b1+1",
    "full-width minus": "\uff0d1+1",
    "full-width at": "\uff20SUM(1)",
    "small equals": "\ufe661+1",
}


@pytest.mark.parametrize("text", FORMULA_PREFIXES.values(), ids=FORMULA_PREFIXES.keys())
def test_text_starting_like_a_formula_is_quoted(text: str) -> None:
    """Each formula start, also full-width, is prefixed with an apostrophe (shown as text)."""
    assert safe_cell(text) == f"'{text}"


@pytest.mark.parametrize(
    ("number", "written"),
    [(Decimal("-1500.00"), "-1500.00"), (-5, "-5"), (-0.5, "-0.5"), (Decimal("12.5"), "12.5")],
)
def test_numbers_stay_numbers_even_when_negative(number: Any, written: str) -> None:
    """A negative amount is written as a number, not quoted as text."""
    assert safe_cell(number) == written


def test_text_that_looks_like_a_negative_number_is_quoted() -> None:
    """Text is text: ``-5`` typed into a name field is quoted like any other formula start."""
    assert safe_cell("-5") == "'-5"


def test_a_number_that_is_not_finite_is_written_as_quoted_text() -> None:
    """``Decimal('-Infinity')`` is no number a spreadsheet holds; it is text, so quoted."""
    assert safe_cell(Decimal("-Infinity")) == "'-Infinity"


@pytest.mark.parametrize("text", ["Anna Smith", "5 units", "", "a=b", "x-1"])
def test_ordinary_text_is_written_as_it_is(text: str) -> None:
    """Only the first character matters; ordinary text is untouched."""
    assert safe_cell(text) == text


# --- Through the export pages ------------------------------------------------------------------


def rows_of(response: Any) -> list[list[str]]:
    assert isinstance(response, StreamingHttpResponse)
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[arg-type]
    return list(csv.reader(io.StringIO(text)))


def test_a_custom_field_label_in_the_header_is_quoted(crm, admin, client_as) -> None:
    """Admins name custom fields; the header row is escaped like every other row."""
    CustomFieldFactory.create(object_type="contact", key="evil", label="=HYPERLINK(1)")
    header = rows_of(client_as(admin).get("/contacts/export/"))[0]
    assert header[-1] == "'=HYPERLINK(1)"


def test_a_negative_custom_number_exports_as_a_number(crm, admin, client_as) -> None:
    """Custom numbers are stored as decimal strings and exported as numbers."""
    CustomFieldFactory.create(object_type="contact", key="score", field_type="number")
    ContactFactory.create(owner=admin, custom={"score": "-12.5"})
    assert rows_of(client_as(admin).get("/contacts/export/"))[1][-1] == "-12.5"


def test_a_negative_amount_exports_as_a_number(crm, admin, client_as) -> None:
    """A negative money value (a discount field) stays a number in the deal export.

    Deal amounts themselves cannot be negative (``crm_deal_amount_not_negative``).
    """
    CustomFieldFactory.create(
        object_type="deal", key="discount", label="Discount", field_type="money"
    )
    DealFactory.create(owner=admin, custom={"discount": "-250.00"})
    header, row = rows_of(client_as(admin).get("/deals/export/"))
    assert row[header.index("Discount")] == "-250.00"


def test_every_field_is_quoted_so_semicolon_spreadsheets_keep_cells_whole(
    crm, admin, client_as
) -> None:
    """A spreadsheet splitting on ``;`` cannot cut ``a;=1+1`` into a formula cell."""
    ContactFactory.create(owner=admin, last_name="a;=1+1")
    response = client_as(admin).get("/contacts/export/")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert '"a;=1+1"' in text


# --- Generated: every export route, every text the records hold ----------------------------------

#: What the guard below calls dangerous: a first character a spreadsheet runs, unless the
#: whole cell is a plain number.
DANGEROUS_FIRST = set("=+-@\t\r|;") | set("\uff1d\uff0b\uff0d\uff20\uff5c\uff1b\ufe66")
PLAIN_NUMBER = re.compile(r"-?\d+(\.\d+)?")


def runs_as_formula(cell: str) -> bool:
    return bool(cell) and cell[0] in DANGEROUS_FIRST and not PLAIN_NUMBER.fullmatch(cell)


def _export_routes() -> list[str]:
    """The names of every export route of the workspace URL conf."""

    def walk(patterns: list[Any], namespace: str = "") -> list[str]:
        names = []
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                names += walk(entry.url_patterns, inner)
            elif isinstance(entry, URLPattern) and entry.name and entry.name.endswith("_export"):
                names.append(f"{namespace}{entry.name}")
        return sorted(names)

    return walk(get_resolver("config.urls_tenant").url_patterns)


EXPORTS = _export_routes()
PAYLOADS = list(FORMULA_PREFIXES.values())


def _poison(record: models.Model, offset: int) -> None:
    """Every free-text field of ``record`` starts like a formula, a different one each."""
    fields = [
        field
        for field in record._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField)
        and not field.choices
        and not field.generated
        and field.editable
    ]
    for index, field in enumerate(fields):
        payload = PAYLOADS[(index + offset) % len(PAYLOADS)]
        setattr(record, field.attname, payload[: field.max_length or None])
    record.save()


def _poisoned_workspace(admin: Any) -> None:
    """One record of each list whose every text, owner, tag, link and custom field is a formula."""
    owner = UserFactory.create(full_name="=owner()")
    tag = Tag.objects.create(name="+tag")
    company = CompanyFactory.create(owner=owner)
    factories: list[Any] = [
        CompanyFactory,
        ContactFactory,
        LeadFactory,
        DealFactory,
        ActivityFactory,
    ]
    for offset, factory in enumerate(factories):
        extra = {"company": company} if factory in (DealFactory, ActivityFactory) else {}
        record = factory.create(owner=owner, **extra)
        _poison(record, offset)
        if isinstance(record, Company | Contact | Lead | Deal):
            record.tags.add(tag)
    _poison(company, 7)
    for kind in ("company", "contact", "lead", "deal"):
        CustomFieldFactory.create(object_type=kind, key="note", label="@label")
    for model in (Company, Contact, Lead, Deal):
        model.objects.update(custom={"note": "\uff1dnote"})
    queue = Queue.objects.create(name="=queue()")
    category = Category.objects.create(name="-category")
    case = case_create(
        by=admin,
        fields={
            "subject": "x",
            "contact": Contact.objects.first(),
            "company": company,
            "assignee": owner,
            "queue": queue,
            "category": category,
        },
    )
    _poison(case, 3)
    from crm.sales.models import Product

    _poison(Product.objects.create(sku="sku", name="name"), 5)
    from crm.marketing.models import Campaign, Segment

    segment = Segment.objects.create(name="segment", owner=owner)
    _poison(segment, 2)
    _poison(Campaign.objects.create(name="c", segment=segment, sender=owner), 4)


#: Exports of lists outside the generic record kinds, by route name.
OTHER_EXPORTS = ["marketing:campaign_export", "product_export", "service_case_export"]


def test_the_export_routes_are_found() -> None:
    """The walk finds one export per list."""
    assert sorted([*(f"{key}_export" for key in KINDS), *OTHER_EXPORTS]) == EXPORTS


@pytest.mark.parametrize("name", EXPORTS)
def test_no_exported_cell_runs_as_a_formula(crm, admin, client_as, name) -> None:
    """Header and rows of every export: no cell a spreadsheet would run as a formula."""
    _poisoned_workspace(admin)
    rows = rows_of(client_as(admin).get(reverse(name), {"status": ""}))
    cells = [cell for row in rows for cell in row]
    assert len(rows) > 1
    assert any(cell.startswith("'") for cell in cells)
    assert [cell for cell in cells if runs_as_formula(cell)] == []
