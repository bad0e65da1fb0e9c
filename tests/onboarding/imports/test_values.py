"""Cells as values: each date and number form, choices, yes/no, addresses and domains."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest

from onboarding.imports import values
from onboarding.imports.values import CellError

MARCH_7 = datetime.date(1985, 3, 7)


@pytest.mark.parametrize(
    "cell",
    [
        "1985-03-07",
        "1985/3/7",
        "1985.3.7",
        "1985年3月7日",
        "１９８５年３月７日",
        "7 March 1985",
        "March 7, 1985",
        "1985-03-07T00:00:00",
        31113,
        "31113",
    ],
)
def test_each_date_form_reads_as_7_march_1985(cell: object) -> None:
    """ISO, year-first with slashes, Chinese, words, Excel serials: all the same day."""
    assert values.parse_date(cell, day_first=True) == MARCH_7


def test_a_day_first_workspace_reads_7_3_1985_as_7_march() -> None:
    """Most of the world writes the day first."""
    assert values.parse_date("7/3/1985", day_first=True) == MARCH_7


def test_a_month_first_workspace_reads_3_7_1985_as_7_march() -> None:
    """The US writes the month first."""
    assert values.parse_date("3/7/1985", day_first=False) == MARCH_7


def test_an_impossible_date_is_refused_with_the_reason() -> None:
    """2023-02-30 is no day at all."""
    with pytest.raises(CellError, match="no such day"):
        values.parse_date("2023-02-30", day_first=True)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("1,234.56", "1234.56"),
        ("1.234,56", "1234.56"),
        ("1 234,56", "1234.56"),
        ("¥12,000", "12000"),
        ("NT$1,200", "1200"),
        ("USD 1,200.50", "1200.50"),
        ("€ 99,90", "99.90"),
        ("1.5万", "15000.0"),
        ("(500)", "-500"),
        (1234.5, "1234.5"),
        (42, "42"),
    ],
)
def test_numbers_and_money_with_separators_and_symbols(cell: object, expected: str) -> None:
    """Thousands separators, decimal commas, currency marks and 万 are read as people mean."""
    assert values.parse_decimal(cell) == Decimal(expected)


def test_a_non_numeric_amount_is_refused() -> None:
    """ "about 5k" is not a number."""
    with pytest.raises(CellError, match="not a number"):
        values.parse_decimal("about 5k")


def test_the_currency_written_with_an_amount_is_recognised() -> None:
    """NT$ is the Taiwan dollar, a code is a code."""
    assert (values.money_currency("NT$1,200"), values.money_currency("1200 USD")) == ("TWD", "USD")


def test_yes_and_no_in_english_and_chinese() -> None:
    """是/否 and yes/no and spreadsheet booleans."""
    assert [values.parse_bool(v) for v in ("是", "否", "Yes", "0", True)] == [
        True,
        False,
        True,
        False,
        True,
    ]


def test_a_web_address_and_an_email_give_the_same_bare_domain() -> None:
    """``https://www.Acme.example/`` and ``sales@acme.example`` are both acme.example."""
    assert (
        values.domain_of("https://www.Acme.example/")
        == values.domain_of("sales@acme.example")
        == "acme.example"
    )


def test_a_free_mail_domain_is_no_company_domain() -> None:
    """A qq.com address says nothing about the person's company."""
    assert values.company_domain_of_email("wei@qq.com") == ""


def test_phone_identity_is_the_national_number_with_the_workspace_country() -> None:
    """+86 138 0013 8000 and 138-0013-8000 (in China) are one number."""
    assert values.phone_identity("+86 138 0013 8000", region="CN") == values.phone_identity(
        "138-0013-8000", region="CN"
    )


def test_an_email_is_trimmed_and_case_folded() -> None:
    """`` Mary@Acme.Example `` is mary@acme.example."""
    assert values.normalise_email(" Mary@Acme.Example ") == "mary@acme.example"


def test_an_exported_formula_escape_is_read_back_as_the_text() -> None:
    """Rapport's exports write ``'=1+1``; importing the file again stores ``=1+1``."""
    assert values.text("'=1+1") == "=1+1"


@pytest.mark.parametrize(
    "address",
    [
        "mary@acme.example",
        "li.wei+news@mail.example.cn",
        "a_b%c-d@sub-domain.example.co",
        "x@a.io",
        ".mary@acme.example",
        "mary.@acme.example",
        "ma..ry@acme.example",
        "mary@-acme.example",
        "mary@acme-.example",
        "mary@acme.e",
        "mary@acme.123",
        "mary@localhost",
        "mary@[127.0.0.1]",
        '"mary smith"@acme.example',
        "mary@bücher.example",
        "mary@@acme.example",
        "mary@acme..example",
        "m" * 64 + "@" + "d" * 63 + ".example",
        "m" * 200 + "@" + "d" * 60 + ".example",
        "",
    ],
)
def test_the_fast_email_check_agrees_with_djangos_validator(address: str) -> None:
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    try:
        validate_email(address)
        django_accepts = True
    except ValidationError:
        django_accepts = False
    assert values.email_is_valid(address) is django_accepts
