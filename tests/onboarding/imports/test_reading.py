"""Reading files: encodings detected (and overridable), CSV dialects, line numbers, XLSX cells.

Every fixture is made here, as the programs people use write them.
"""

from __future__ import annotations

import codecs
import datetime
import io

from openpyxl import Workbook

from crm.models import Contact
from onboarding.imports import reading
from tests.onboarding.imports.conftest import import_file, upload

CHINESE = "姓名,手机,公司\n张三,13800138000,深圳华强\n"


def _rows(data: bytes, encoding: str, delimiter: str = ",") -> list[reading.Row]:
    return list(reading.csv_rows(io.BytesIO(data), encoding=encoding, delimiter=delimiter))


def test_gb18030_with_characters_outside_gb2312_is_detected_and_decodes(admin) -> None:
    """A WPS/Excel "GBK" file holding 䶮 and 𠀾 (GB18030 only) is read as GB18030."""
    data = "姓名,公司\n李䶮,鎔基集团\n王𠀾,喆喆科技\n".encode("gb18030")
    batch = upload(admin, data)
    assert batch.encoding == "gb18030"
    assert [r.cells for r in _rows(data, batch.encoding)][1:] == [
        ["李䶮", "鎔基集团"],
        ["王𠀾", "喆喆科技"],
    ]


def test_gbk_is_read_with_its_superset_gb18030(admin) -> None:
    """A plain GBK file is read as GB18030, which decodes every GBK byte the same way."""
    data = (
        "姓名,邮箱,公司\n张伟,zhang@example.cn,北京科技有限公司\n刘洋,liu@example.cn,上海贸易公司\n"
    ).encode("gbk")
    assert upload(admin, data).encoding == "gb18030"


def test_big5_with_backslash_second_bytes_imports_whole_names(admin) -> None:
    """許功蓋 end in 0x5C ("\\") in Big5; the names arrive whole, the comma after them intact."""
    data = (
        "姓名,電話,公司\n許功蓋,0912345678,台北資訊股份有限公司\n陳大文,0223456789,高雄貿易\n"
    ).encode("big5")
    assert "許".encode("big5")[1:] == b"\\"
    batch = import_file(admin, data)
    assert batch.encoding == "big5hkscs"
    assert set(Contact.objects.values_list("last_name", flat=True)) == {"許功蓋", "陳大文"}


def test_utf16_unicode_text_from_excel_is_tab_delimited_and_detected(admin) -> None:
    """Excel's "Unicode text" is UTF-16 LE with a BOM and tabs between cells."""
    data = codecs.BOM_UTF16_LE + "Name\tEmail\r\nZoë Brown\tzoe@example.com\r\n".encode("utf-16-le")
    batch = import_file(admin, data, name="people.txt")
    assert (batch.encoding, batch.delimiter) == ("utf-16", "\t")
    assert Contact.objects.get().email == "zoe@example.com"


def test_cp1252_accents_are_read_as_windows_1252(admin) -> None:
    """Accents a Western Excel writes (è, à, ü, €) come out right, not as another code page."""
    data = "Name,City\nRenè Dupont,Besançon\nJürgen à Wald,Zürich €\n".encode("cp1252")
    batch = upload(admin, data)
    assert batch.encoding == "cp1252"
    assert _rows(data, batch.encoding)[2].cells == ["Jürgen à Wald", "Zürich €"]


def test_utf8_with_a_byte_order_mark_leaves_no_mark_in_the_first_header(admin) -> None:
    """Excel's "CSV UTF-8" starts with a BOM; the first header is still "First Name"."""
    data = codecs.BOM_UTF8 + b"First Name,Last Name\nMary,Smith\n"
    batch = upload(admin, data)
    assert batch.encoding == "utf-8-sig"
    assert batch.headers == ["First Name", "Last Name"]
    assert batch.mapping == ["first_name", "last_name"]


def test_utf8_without_a_byte_order_mark_is_detected(admin) -> None:
    """Plain UTF-8 (what most tools write) needs no choice."""
    assert upload(admin, CHINESE.encode()).encoding == "utf-8"


def test_the_encoding_can_be_chosen_when_detection_guesses_wrong(admin) -> None:
    """An encoding chosen on upload is the one the rows are read with."""
    data = "Name\nRenè\n".encode("cp1252")
    assert upload(admin, data, encoding="cp1250").encoding == "cp1250"


def test_a_semicolon_separated_file_is_sniffed(admin) -> None:
    """European Excel writes ``;`` between cells and ``,`` in numbers."""
    batch = upload(admin, b"Name;Amount\nAcme;1.234,50\nJade;99,00\n", kind="companies")
    assert batch.delimiter == ";"


def test_a_quoted_value_with_a_line_break_counts_two_lines() -> None:
    """RFC 4180: the record after a two-line address starts at line 4, as an editor shows."""
    data = b'Name,Address\nMary,"1 High St\nLondon"\nJohn,"2 Low St"\n'
    assert [(r.line, r.cells) for r in _rows(data, "utf-8")] == [
        (1, ["Name", "Address"]),
        (2, ["Mary", "1 High St\nLondon"]),
        (4, ["John", "2 Low St"]),
    ]


def test_blank_and_delimiter_only_trailing_lines_are_skipped() -> None:
    """What spreadsheets leave at the end (``,,,`` and empty lines) is not a row."""
    data = b"Name,Email,City\nMary,m@x.example,Paris\n,,\n\n ,  ,\n"
    assert [r.line for r in _rows(data, "utf-8")] == [1, 2]


def _workbook(sheets: dict[str, list[list[object]]]) -> bytes:
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def test_xlsx_date_and_number_cells_arrive_typed_with_excel_row_numbers() -> None:
    """A date cell is a date and a number cell a number; an empty row keeps the numbering."""
    data = _workbook(
        {
            "People": [
                ["Name", "Born", "Score"],
                ["Mary", datetime.date(1985, 3, 7), 12.5],
                [],
                ["John", None, 3],
            ]
        }
    )
    rows = list(reading.xlsx_rows(io.BytesIO(data)))
    assert [(r.line, r.cells) for r in rows] == [
        (1, ["Name", "Born", "Score"]),
        (2, ["Mary", "1985-03-07", 12.5]),
        (4, ["John", "", 3]),
    ]


def test_the_sheet_to_import_can_be_chosen(admin) -> None:
    """The first sheet by default; another one when picked."""
    data = _workbook({"Notes": [["Note"], ["hello"]], "People": [["Last Name"], ["Smith"]]})
    batch = upload(admin, data, name="crm.xlsx", sheet="People")
    assert (batch.file_format, batch.sheets, batch.sheet) == ("xlsx", ["Notes", "People"], "People")
    assert batch.headers == ["Last Name"]
