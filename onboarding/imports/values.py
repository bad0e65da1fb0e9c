"""Cells as values: dates, numbers and money, yes/no, choices, e-mail, phone and web domains.

Each parser takes a cell as read (text from a CSV, or a typed XLSX cell) and returns the
value, or raises :class:`CellError` with the reason a person can act on.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

import phonenumbers
from dateutil import parser as date_parser
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from core.phones import phone_parse
from crm.selectors.exports import FORMULA_START

#: Excel counts days from 30 December 1899 (its 1900 leap-year bug included).
EXCEL_EPOCH = datetime.date(1899, 12, 30)
#: Serial numbers of dates between 1900 and 2200; other numbers are not dates.
EXCEL_SERIALS = range(1, 109_574)
#: Providers of personal addresses: their domain says nothing about a company.
FREE_MAIL_DOMAINS = frozenset(
    [
        "gmail.com",
        "googlemail.com",
        "outlook.com",
        "hotmail.com",
        "live.com",
        "msn.com",
        "yahoo.com",
        "yahoo.com.tw",
        "yahoo.com.hk",
        "yahoo.co.jp",
        "icloud.com",
        "me.com",
        "mac.com",
        "aol.com",
        "proton.me",
        "protonmail.com",
        "gmx.de",
        "gmx.net",
        "web.de",
        "mail.ru",
        "yandex.ru",
        "qq.com",
        "foxmail.com",
        "163.com",
        "126.com",
        "yeah.net",
        "sina.com",
        "sina.cn",
        "sohu.com",
        "aliyun.com",
        "139.com",
        "189.cn",
        "hinet.net",
        "msa.hinet.net",
        "netvigator.com",
        "naver.com",
    ]
)
#: Currency symbols and words stripped from amounts (a code such as USD is read apart).
CURRENCY_MARKS = re.compile(r"(NT\$|HK\$|US\$|S\$|A\$|C\$|RMB|[$€£¥￥₩₹₽元圆块円])", re.IGNORECASE)
_CURRENCY_CODE = re.compile(r"(?<![A-Z])([A-Z]{3})(?![A-Z])")
_SYMBOL_CURRENCIES = {
    "nt$": "TWD",
    "hk$": "HKD",
    "us$": "USD",
    "s$": "SGD",
    "a$": "AUD",
    "c$": "CAD",
    "€": "EUR",
    "£": "GBP",
    "rmb": "CNY",
    "元": "CNY",
    "₩": "KRW",
    "₹": "INR",
}
_CJK_DATE = re.compile(r"^\s*(\d{2,4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*[日号號]?\s*$")
_YEAR_FIRST = re.compile(r"^\s*(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T\s].*)?$")
_NUMERIC_DATE = re.compile(r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{2}|\d{4})\s*$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")
_SPACES = re.compile(r"[\s\u00a0\u202f']")
TRUE_WORDS = frozenset(
    [
        "1",
        "y",
        "yes",
        "true",
        "x",
        "on",
        "ja",
        "oui",
        "si",
        "sí",
        "是",
        "是的",
        "對",
        "对",
        "有",
        "✓",
        "✔",
    ]
)
FALSE_WORDS = frozenset(
    ["0", "n", "no", "false", "off", "nein", "non", "否", "不", "不是", "無", "无", "没有", "沒有"]
)


class CellError(ValueError):
    """A cell that cannot become the value its column needs; the message says why."""


def text(cell: Any) -> str:
    """A cell as text, trimmed. A text that starts with an apostrophe before a formula sign
    (how Rapport's exports protect such cells) is read without the apostrophe."""
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "yes" if cell else "no"
    value = str(cell).strip()
    if len(value) > 1 and value[0] == "'" and value[1] in FORMULA_START:
        return value[1:]
    return value


def parse_date(cell: Any, *, day_first: bool) -> datetime.date:
    """A date from ISO 8601, ``1985/3/7``, ``7/3/1985`` (``day_first``) or ``3/7/1985``,
    ``1985年3月7日``, ``7 March 1985``, an Excel date cell or an Excel serial number."""
    if isinstance(cell, datetime.datetime):
        return cell.date()
    if isinstance(cell, datetime.date):
        return cell
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        if int(cell) in EXCEL_SERIALS:
            return EXCEL_EPOCH + datetime.timedelta(days=int(cell))
        raise CellError(_("%(value)s is not a date.") % {"value": cell})
    value = unicodedata.normalize("NFKC", text(cell))
    if not value:
        raise CellError(_("The date is empty."))
    if value.isdigit() and int(value) in EXCEL_SERIALS and len(value) == 5:
        return EXCEL_EPOCH + datetime.timedelta(days=int(value))
    parts: tuple[int, int, int] | None = None
    if match := _CJK_DATE.match(value) or _YEAR_FIRST.match(value):
        parts = (int(match.group(1)), int(match.group(2)), int(match.group(3)))
    elif match := _NUMERIC_DATE.match(value):
        first, second, year = (int(group) for group in match.groups())
        day, month = (first, second) if day_first else (second, first)
        parts = (_four_digit_year(year), month, day)
    if parts is not None:
        year, month, day = parts
        try:
            return datetime.date(year, month, day)
        except ValueError:
            raise CellError(
                _("%(value)s is not a date (there is no such day).") % {"value": value}
            ) from None
    try:
        parsed = date_parser.parse(value, dayfirst=day_first, fuzzy=False)
    except (ValueError, OverflowError):
        raise CellError(_("%(value)s is not a date.") % {"value": value}) from None
    return parsed.date()


def _four_digit_year(year: int) -> int:
    """Two-digit years: 00–69 are 2000–2069, 70–99 are 1970–1999 (as spreadsheets read them)."""
    if year >= 100:
        return year
    return 2000 + year if year < 70 else 1900 + year


def parse_decimal(cell: Any) -> Decimal:
    """A number from ``1,234.56``, ``1.234,56``, ``1 234,56``, ``¥12,000``, ``NT$1,200``,
    ``(500)`` or ``1.5万``; a number cell as it is."""
    if isinstance(cell, bool):
        raise CellError(_("%(value)s is not a number.") % {"value": cell})
    if isinstance(cell, int):
        return Decimal(cell)
    if isinstance(cell, float):
        return Decimal(repr(cell))
    value = unicodedata.normalize("NFKC", text(cell))
    original = value
    value = CURRENCY_MARKS.sub("", value)
    value = _CURRENCY_CODE.sub("", value.upper())
    value = _SPACES.sub("", value)
    negative = False
    if value.startswith("(") and value.endswith(")"):
        negative, value = True, value[1:-1]
    if value.endswith("-"):
        negative, value = True, value[:-1]
    scale = Decimal(1)
    for mark, factor in (("万", Decimal(10_000)), ("萬", Decimal(10_000)), ("亿", Decimal(10**8))):
        if value.endswith(mark):
            scale, value = factor, value[: -len(mark)]
    value = _decimal_point(value)
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise CellError(_("%(value)s is not a number.") % {"value": original}) from None
    if not number.is_finite():
        raise CellError(_("%(value)s is not a number.") % {"value": original})
    number *= scale
    return -number if negative else number


def _decimal_point(value: str) -> str:
    """``1.234,56`` and ``1,234.56`` as ``1234.56``: the last separator followed by other than
    three digits, or the only kind present once with one or two decimals, is the point."""
    commas, dots = value.count(","), value.count(".")
    if commas and dots:
        point = "," if value.rfind(",") > value.rfind(".") else "."
        thousands = "." if point == "," else ","
        return value.replace(thousands, "").replace(point, ".")
    if commas:
        head, _sep, tail = value.rpartition(",")
        if commas == 1 and len(tail) != 3:
            return f"{head}.{tail}"
        return value.replace(",", "")
    if dots > 1:
        return value.replace(".", "")
    return value


def money_currency(cell: Any) -> str:
    """The ISO 4217 code an amount is written with (``USD 1,200``, ``NT$1,200``), or ""."""
    if not isinstance(cell, str):
        return ""
    value = unicodedata.normalize("NFKC", cell).strip()
    if match := _CURRENCY_CODE.search(value.upper()):
        return match.group(1)
    if mark := CURRENCY_MARKS.search(value):
        return _SYMBOL_CURRENCIES.get(mark.group(1).lower(), "")
    return ""


def parse_bool(cell: Any) -> bool:
    """Yes/no in English, Chinese and the usual spreadsheet marks."""
    if isinstance(cell, bool):
        return cell
    value = unicodedata.normalize("NFKC", text(cell)).casefold()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS or not value:
        return False
    raise CellError(_("%(value)s is not yes or no.") % {"value": text(cell)})


def choice_key(label: str) -> str:
    """Labels and values compared without case, spaces or punctuation (NFKC first)."""
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", label).casefold())


def parse_choice(cell: Any, lookup: Mapping[str, str], *, labels: Iterable[str]) -> str:
    """The stored value of a choice written as its value or its label in any language."""
    value = text(cell)
    found = lookup.get(choice_key(value))
    if found is None:
        raise CellError(
            _("%(value)s is not one of: %(choices)s.")
            % {"value": value, "choices": ", ".join(labels)}
        )
    return found


#: Plain ASCII addresses that Django's ``validate_email`` accepts too (a strict subset: dot-atom
#: local part without quoting, host labels without a leading or trailing hyphen, a letter TLD).
#: Most rows of a file match it, and skip the validator's slower checks; anything else —
#: IDN, quoted or IP-literal addresses, and every invalid one — goes through the validator.
PLAIN_EMAIL = re.compile(
    r"[a-z0-9_%+-]+(?:\.[a-z0-9_%+-]+)*@(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}"
)


def email_is_valid(value: str) -> bool:
    """Whether Django's ``validate_email`` accepts ``value`` (a fast path for plain addresses)."""
    if len(value) <= 254 and PLAIN_EMAIL.fullmatch(value):
        return True
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def normalise_email(cell: Any) -> str:
    """An e-mail address trimmed and case-folded (``mailto:`` dropped), or an error."""
    value = text(cell).removeprefix("mailto:").strip().lower()
    if not email_is_valid(value):
        raise CellError(_("%(value)s is not a valid e-mail address.") % {"value": text(cell)})
    return value


def phone_text(cell: Any) -> str:
    """A phone number as written (a number cell loses its ``.0``)."""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return text(cell)


def phone_tokens_of(number: str, *, region: str) -> set[str]:
    """The digit strings a stored contact's number may be for a row's ``number``: its E.164
    digits (how numbers are stored), and its national number with and without the trunk 0
    (numbers stored before they were normalised)."""
    national = phone_identity(number, region=region)
    if not national:
        return set()
    tokens = {national, f"0{national}"}
    parts = _phone_parts(number, region)
    if parts is not None:
        tokens.add(f"{parts[1]}{national}")
    return tokens


@lru_cache(maxsize=4096)
def _phone_parts(number: str, region: str) -> tuple[str, int] | None:
    """The national significant number and country code of ``number`` (``None``: it does
    not parse), from the parse the CRM keeps when it stores the number."""
    parsed = phone_parse(number, region or None)
    if parsed is None:
        return None
    return phonenumbers.national_significant_number(parsed), int(parsed.country_code or 0)


def phone_identity(number: str, *, region: str) -> str:
    """The national significant number of a phone (E.164 without the country code), with
    the workspace's country as the default; "" when it is too short to identify anyone."""
    parts = _phone_parts(number, region)
    if parts is None:
        digits = re.sub(r"\D", "", number)
        return digits if len(digits) >= 7 else ""
    national = parts[0]
    return national if len(national) >= 7 else ""


def domain_of(cell: Any) -> str:
    """The bare domain of a web address or an e-mail address:
    ``https://www.Acme.example/about`` and ``sales@acme.example`` are ``acme.example``."""
    value = text(cell).lower()
    if "@" in value:
        value = value.rpartition("@")[2]
    value = re.sub(r"^[a-z][a-z0-9+.-]*://", "", value)
    value = value.split("/")[0].split("?")[0].split("#")[0].split(":")[0]
    value = value.removeprefix("www.").strip(". ")
    return value if "." in value and " " not in value else ""


def company_domain_of_email(email: str) -> str:
    """The company domain an address shows, unless it is a personal mail provider's."""
    domain = domain_of(email)
    return "" if domain in FREE_MAIL_DOMAINS else domain
