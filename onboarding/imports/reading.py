"""Reading spreadsheets as rows: CSV in any encoding and dialect, XLSX with typed cells.

Files are read as streams, a block at a time, so memory stays flat however long the file
is. Each row carries the line a person would count for it: for CSV, the line in a text
editor where the record starts (a quoted value with a line break spans two lines); for XLSX,
the Excel row number.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import re
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any

import charset_normalizer
from django.utils.translation import gettext as _

from onboarding.imports.errors import DataImportError

CSV = "csv"
XLSX = "xlsx"
#: Bytes read to detect the encoding and sniff the delimiter.
DETECT_BYTES = 256 * 1024
#: Delimiters the sniffer may choose from (Excel's list separator is ``;`` in many locales).
DELIMITERS = ",;\t|"
#: Encodings offered when detection guessed wrong, by what people call them.
ENCODINGS: list[tuple[str, str]] = [
    ("utf-8", "UTF-8"),
    ("utf-8-sig", "UTF-8 with BOM"),
    ("gb18030", "GB18030 / GBK / GB2312 (简体中文)"),
    ("big5hkscs", "Big5 / Big5-HKSCS (繁體中文)"),
    ("cp1252", "Windows-1252 / Latin-1"),
    ("utf-16", "UTF-16 (Excel Unicode text)"),
    ("shift_jis", "Shift_JIS"),
    ("euc-kr", "EUC-KR"),
    ("cp1250", "Windows-1250"),
]
#: Detected encodings read with their superset: GB2312 and GBK files may hold characters only
#: GB18030 has (WPS and Excel write "GBK" for any of them); Big5 files from Hong Kong carry
#: HKSCS characters; ISO-8859-1 text is CP1252's printable subset.
SUPERSETS = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "hz": "gb18030",
    "big5": "big5hkscs",
    "cp950": "big5hkscs",
    "latin_1": "cp1252",
    "iso8859_1": "cp1252",
    "ascii": "utf-8",
}
#: Chinese encodings: preferred over a detector's other guesses for a short sample (a few
#: names in GBK also decode as Thai or Korean, and the customers here write Chinese).
CHINESE_CODECS = frozenset({"gb2312", "gbk", "gb18030", "big5", "cp950", "big5hkscs", "hz"})
#: Latin single-byte code pages a detector may confuse with each other on short samples.
_LATIN_CODEPAGES = re.compile(r"^(cp125\d|iso8859_\d+|latin_\d|mac_\w+|cp8\d\d)$")


@dataclass(frozen=True)
class Row:
    """One row of the file: the line a person counts it at, and its cells as read."""

    line: int
    cells: list[Any]


def detect_format(head: bytes) -> str:
    """XLSX files are ZIP archives; everything else is read as delimited text."""
    return XLSX if head[:4] == b"PK\x03\x04" else CSV


def _codec_name(name: str) -> str:
    try:
        return codecs.lookup(name).name.replace("-", "_")
    except LookupError:
        return name


def detect_encoding(head: bytes) -> str:
    """The encoding of a text file from its first bytes.

    A byte-order mark decides (UTF-8, or UTF-16 as Excel's "Unicode text" writes it); text
    that is valid UTF-8 is UTF-8; otherwise charset-normalizer lists the encodings the bytes
    can be, a plausible Chinese one is preferred, then CP1252 when a Latin code page fits (what
    Excel on Windows writes in the West), and the choice is read with its superset (GB18030
    for GB2312/GBK, Big5-HKSCS for Big5).
    """
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _looks_like_utf16le(head):
        return "utf-16-le"
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    matches = list(charset_normalizer.from_bytes(head))
    chinese = [m for m in matches if _codec_name(m.encoding) in CHINESE_CODECS and m.chaos < 0.2]
    best: charset_normalizer.CharsetMatch | None
    if chinese:
        best = min(chinese, key=lambda m: m.chaos)
    elif any(_LATIN_CODEPAGES.match(_codec_name(m.encoding)) for m in matches) and _decodes(
        head, "cp1252"
    ):
        return "cp1252"
    else:
        best = matches[0] if matches else None
    name = _codec_name(best.encoding) if best is not None else "cp1252"
    return SUPERSETS.get(name, name).replace("_", "-")


def _looks_like_utf16le(head: bytes) -> bool:
    """UTF-16 without a byte-order mark: ASCII text has a zero in every second byte."""
    sample = head[:2000]
    return len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 2 * 0.9


def _decodes(data: bytes, encoding: str) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)().decode(data, final=False)
    except UnicodeDecodeError:
        return False
    return True


def sniff_delimiter(sample: str) -> str:
    """The delimiter of a CSV from its first lines: ``csv.Sniffer`` among ``, ; tab |``,
    else the character among them that splits the first line most, else a comma."""
    lines = sample.splitlines()
    # The last line of a sample may be cut short; leave it out when there are others.
    text = "\n".join(lines[:-1] if len(lines) > 2 else lines)
    try:
        return csv.Sniffer().sniff(text, delimiters=DELIMITERS).delimiter
    except csv.Error:
        pass
    first = lines[0] if lines else ""
    counts = {delimiter: first.count(delimiter) for delimiter in DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


class BlockStream(io.RawIOBase):
    """A read-only binary stream over blocks of bytes fetched one at a time."""

    def __init__(self, blocks: Iterable[bytes]) -> None:
        self._blocks = iter(blocks)
        self._current = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self._current:
            block = next(self._blocks, None)
            if block is None:
                return 0
            self._current = memoryview(bytes(block))
        size = min(len(buffer), len(self._current))
        buffer[:size] = self._current[:size]
        self._current = self._current[size:]
        return size


def csv_rows(stream: IO[bytes], *, encoding: str, delimiter: str) -> Iterator[Row]:
    """Every non-blank record of a CSV stream, the header first.

    Quoted values may hold delimiters, quotes (doubled) and line breaks (RFC 4180). Lines
    that are blank or hold only delimiters (what spreadsheets leave at the end) are skipped,
    but still counted, so line numbers stay those of the file.
    """
    text = io.TextIOWrapper(stream, encoding=encoding, newline="")
    reader = csv.reader(text, delimiter=delimiter or ",", quotechar='"', doublequote=True)
    last_line = 0
    try:
        for cells in reader:
            line, last_line = last_line + 1, reader.line_num
            if line == 1 and cells and cells[0].startswith("\ufeff"):
                cells[0] = cells[0][1:]  # a BOM left by an encoding chosen by hand
            if any(cell.strip() for cell in cells):
                yield Row(line, cells)
    except UnicodeDecodeError as error:
        raise DataImportError(
            _(
                "The file cannot be read as %(encoding)s after line %(line)d. "
                "Choose the file's encoding and try again."
            )
            % {"encoding": encoding, "line": last_line}
        ) from error
    except csv.Error as error:
        raise DataImportError(
            _("The file is not a readable CSV at line %(line)d: %(reason)s")
            % {"line": last_line + 1, "reason": error}
        ) from error


@contextmanager
def _spooled(stream: IO[bytes]) -> Iterator[IO[bytes]]:
    """A seekable copy of ``stream`` (ZIP archives are read from their end), on disk when big."""
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as copy:
        while block := stream.read(1024 * 1024):
            copy.write(block)
        copy.seek(0)
        yield copy


def _workbook(stream: IO[bytes]) -> Any:
    from openpyxl import load_workbook

    try:
        return load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        raise DataImportError(
            _("Rapport cannot read this file as an Excel workbook. Save it as .xlsx or CSV.")
        ) from error


def xlsx_sheets(stream: IO[bytes]) -> list[str]:
    """The names of a workbook's sheets, in order."""
    with _spooled(stream) as copy:
        workbook = _workbook(copy)
        try:
            return list(workbook.sheetnames)
        finally:
            workbook.close()


def xlsx_cell(value: Any) -> Any:
    """A cell as JSON keeps it: dates in ISO 8601, numbers as numbers, the rest as text."""
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def xlsx_rows(stream: IO[bytes], *, sheet: str = "") -> Iterator[Row]:
    """Every non-empty row of a workbook's sheet (the first by default), with its Excel row
    number. Date cells arrive as dates and number cells as numbers, as Excel stores them."""
    with _spooled(stream) as copy:
        workbook = _workbook(copy)
        try:
            if sheet and sheet not in workbook.sheetnames:
                raise DataImportError(
                    _("The workbook has no sheet called “%(sheet)s”.") % {"sheet": sheet}
                )
            worksheet = workbook[sheet] if sheet else workbook.worksheets[0]
            worksheet.reset_dimensions()  # some writers record wrong sheet sizes
            for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
                cells = [xlsx_cell(value) for value in values]
                while cells and cells[-1] == "":
                    cells.pop()
                if any(cell != "" for cell in cells):
                    yield Row(number, cells)
        finally:
            workbook.close()


def rows(
    stream: IO[bytes], *, file_format: str, encoding: str, delimiter: str, sheet: str
) -> Iterator[Row]:
    """The rows of a stored file as its import reads it, the header row first."""
    if file_format == XLSX:
        return xlsx_rows(stream, sheet=sheet)
    return csv_rows(stream, encoding=encoding, delimiter=delimiter)


def decoded_sample(head: bytes, encoding: str) -> str:
    """The start of a file as text (an incomplete character at the cut is left out)."""
    try:
        return codecs.getincrementaldecoder(encoding)().decode(head, final=False)
    except (UnicodeDecodeError, LookupError):
        return ""
