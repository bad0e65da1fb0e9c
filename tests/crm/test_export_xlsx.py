"""Excel export: the same selection and columns as the CSV, numbers as numbers, and text
that looks like a formula escaped exactly as in the CSV."""

from __future__ import annotations

import io
from decimal import Decimal

from django.test import Client
from django_tenants.utils import schema_context
from openpyxl import load_workbook

from crm.models import Deal
from crm.selectors.exports import export_xlsx, safe_cell, xlsx_cell
from tests.conftest import Workspace, sign_in
from tests.crm.factories import ContactFactory, DealFactory
from tests.factories import AdminFactory


def _rows(data: bytes) -> list[list[object]]:
    sheet = load_workbook(io.BytesIO(data), read_only=True).worksheets[0]
    return [list(row) for row in sheet.iter_rows(values_only=True)]


def test_formula_text_is_escaped_like_the_csv_and_numbers_stay_numbers() -> None:
    """``=1+1`` becomes ``'=1+1`` (as :func:`safe_cell` makes it); 1500.5 stays a number."""
    assert xlsx_cell("=1+1") == safe_cell("=1+1") == "'=1+1"
    assert xlsx_cell(Decimal("1500.5")) == Decimal("1500.5")
    assert xlsx_cell("a\x00b") == "ab"


def test_the_contacts_workbook_holds_the_visible_rows_escaped(alpha: Workspace) -> None:
    """The list's Excel export: header, then each contact, a formula-looking name escaped."""
    with schema_context(alpha.schema):
        admin = AdminFactory.create(email="xlsx@alpha.example")
        ContactFactory.create(first_name="=HYPERLINK(1)", last_name="Smith", owner=admin)
        response = sign_in(Client(HTTP_HOST=alpha.host), alpha, admin).get(
            "/contacts/export/?format=xlsx"
        )
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    rows = _rows(b"".join(response.streaming_content))  # type: ignore[attr-defined]
    assert rows[0][:4] == ["ID", "Name", "Given name", "Family name"]
    assert rows[1][2:4] == ["'=HYPERLINK(1)", "Smith"]


def test_amounts_export_as_numbers(alpha: Workspace) -> None:
    """A deal amount is a number cell a spreadsheet can sum."""
    with schema_context(alpha.schema):
        admin = AdminFactory.create(email="xlsx2@alpha.example")
        DealFactory.create(title="Big", amount=Decimal("1500.50"), owner=admin)
        output = export_xlsx(
            Deal.objects.all(), kind="deal", order=("id",), definitions=[], sheet_title="Deals"
        )
        rows = _rows(output.read())
    amount = rows[0].index("Amount")
    assert rows[1][amount] == 1500.5
