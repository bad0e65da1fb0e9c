"""Bad rows are reported by line (as a text editor counts), column and reason, in the result
and in an error file ready to fix; every other row imports. Formula text stays text."""

from __future__ import annotations

import csv
import datetime
import io

from django.test import Client
from openpyxl import Workbook

from crm import services as crm
from crm.models import Contact, Deal
from crm.selectors.exports import export_lines
from onboarding.imports.models import ImportRowError
from tests.conftest import Workspace, sign_in
from tests.onboarding.imports.conftest import import_file


def _errors(batch) -> list[tuple[int, str, str]]:
    return [(e.line, e.column, e.reason) for e in ImportRowError.objects.filter(batch=batch)]


def test_an_invalid_email_is_reported_at_its_line_and_the_others_import(admin) -> None:
    """Line 3 has a broken address: it is listed, lines 2 and 4 are imported."""
    data = (
        b"Name,Email\nMary Smith,mary@acme.example\n"
        b"John Doe,john(at)acme\nAnn Lee,ann@acme.example\n"
    )
    batch = import_file(admin, data)
    assert [(line, column) for line, column, _reason in _errors(batch)] == [(3, "Email")]
    assert Contact.objects.count() == 2
    assert batch.error_count == 1


def test_an_impossible_date_is_reported_with_its_line(admin) -> None:
    """2023-02-30 in a birthday column: line 2, column Birthday, "no such day"."""
    batch = import_file(admin, b"Name,Birthday\nMary Smith,2023-02-30\nJohn Doe,1985-03-07\n")
    ((line, column, reason),) = _errors(batch)
    assert (line, column) == (2, "Birthday")
    assert "no such day" in reason


def test_a_non_numeric_amount_is_reported_with_its_line(admin) -> None:
    """A deal whose amount is "TBD" is not imported; its neighbour is."""
    batch = import_file(admin, b"Deal Name,Amount\nRenewal,TBD\nNew shop,2500\n", kind="deals")
    assert [(line, column) for line, column, _r in _errors(batch)] == [(2, "Amount")]
    assert list(Deal.objects.values_list("title", flat=True)) == ["New shop"]


def test_a_line_with_too_few_columns_is_reported(admin) -> None:
    """A line cut short (two cells under three headers) is not guessed at."""
    batch = import_file(
        admin, b"Name,Email,City\nMary Smith,mary@acme.example\nJohn Doe,john@acme.example,Paris\n"
    )
    ((line, _column, reason),) = _errors(batch)
    assert line == 2
    assert "2 columns" in reason


def test_a_missing_required_field_is_reported(admin) -> None:
    """A company row without a name has nothing to be called by."""
    batch = import_file(admin, b"Name,City\n,Paris\nAcme,Lyon\n", kind="companies")
    assert [(line, column) for line, column, _r in _errors(batch)] == [(2, "Name")]


def test_a_record_with_an_embedded_newline_shifts_the_next_line_numbers(admin) -> None:
    """After a two-line address on lines 2-3, the bad row is line 5, as an editor shows it."""
    data = (
        b'Name,Email,Address\nMary Smith,mary@acme.example,"1 High St\nLondon"\n'
        b"John Doe,john@acme.example,x\nAnn Lee,not-an-address,y\n"
    )
    batch = import_file(admin, data)
    assert [line for line, _c, _r in _errors(batch)] == [5]


def test_an_xlsx_bad_row_is_reported_by_its_excel_row_number(admin) -> None:
    """In a workbook the line is the row number Excel shows, empty rows counted."""
    workbook = Workbook()
    sheet = workbook.active
    for row in (
        ["Name", "Birthday"],
        ["Mary Smith", datetime.date(1985, 3, 7)],
        [],
        ["John Doe", "someday"],
    ):
        sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    batch = import_file(admin, output.getvalue(), name="people.xlsx")
    assert [line for line, _c, _r in _errors(batch)] == [4]
    assert Contact.objects.get().birthday == datetime.date(1985, 3, 7)


def test_the_error_file_holds_the_original_rows_with_line_and_reason(
    alpha: Workspace, admin
) -> None:
    """The download is the header plus each refused row as it was, then its line and reason."""
    batch = import_file(admin, b"Name,Email\nMary Smith,mary@acme.example\nJohn Doe,john(at)acme\n")
    client = sign_in(Client(HTTP_HOST=alpha.host), alpha, admin)
    response = client.get(f"/imports/{batch.pk}/errors.csv")
    text = b"".join(response.streaming_content).decode("utf-8-sig")  # type: ignore[attr-defined]
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["Name", "Email", "Line", "Reason"]
    assert rows[1][:3] == ["John Doe", "john(at)acme", "3"]
    assert rows[1][3].startswith("Email: ")


def test_formula_text_is_stored_as_text_and_exported_escaped(admin) -> None:
    """``=HYPERLINK(…)`` in a name is kept as typed, and the CSV export writes it with a
    leading apostrophe so no spreadsheet runs it."""
    formula = '=HYPERLINK("http://evil.example","x")'
    import_file(
        admin, f'Last Name,City\n"{formula.replace(chr(34), chr(34) * 2)}",@SUM(1)\n'.encode()
    )
    contact = Contact.objects.get()
    assert (contact.last_name, contact.city) == (formula, "@SUM(1)")
    exported = "".join(
        export_lines(Contact.objects.all(), kind="contact", order=("id",), definitions=[])
    )
    assert f"'{formula.replace(chr(34), chr(34) * 2)}" in exported
    assert "'@SUM(1)" in exported


def test_a_formula_in_the_error_file_is_escaped(alpha: Workspace, admin) -> None:
    """The error file is an export too: a refused row's formula text goes out escaped."""
    batch = import_file(admin, b"Name,Email\n=1+1,bad\n")
    client = sign_in(Client(HTTP_HOST=alpha.host), alpha, admin)
    response = client.get(f"/imports/{batch.pk}/errors.csv")
    text = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    assert "'=1+1" in text


def test_importing_an_export_with_escaped_formulas_stores_the_original_text(admin) -> None:
    """A file Rapport exported (``'=1+1``) imports back as ``=1+1``."""
    crm.contact_create(by=admin, fields={"last_name": "Existing"})
    import_file(admin, b"Last Name\n'=1+1\n")
    assert Contact.objects.filter(last_name="=1+1").exists()


def test_an_owner_who_is_not_a_user_is_reported_not_silently_replaced(admin) -> None:
    """A row naming an unknown owner is refused with the reason; a known owner is kept."""
    data = (
        "Name,Email,Owner\n"
        "Anna Li,anna@x.example,ghost@nowhere.example\n"
        "Bo Chen,bo@x.example,Ada Admin\n"
    )
    batch = import_file(admin, data.encode())
    error = batch.row_errors.get()
    assert (error.line, error.column) == (2, "Owner")
    assert "ghost@nowhere.example is not a user of this workspace" in error.reason
    assert Contact.objects.get().owner == admin
