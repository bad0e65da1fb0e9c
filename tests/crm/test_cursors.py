"""List cursors: only what the lists write decodes; anything else means the first page."""

from __future__ import annotations

import base64
import datetime
from decimal import Decimal

import pytest

from crm.models import Activity, Contact, Deal
from crm.selectors.lists import (
    CURSOR_MAX_LENGTH,
    capped_count,
    decode_cursor,
    encode_cursor,
)
from tests.crm.factories import ContactFactory


def token(json_text: str) -> str:
    """A cursor token carrying ``json_text``, encoded as the lists encode theirs."""
    return base64.urlsafe_b64encode(json_text.encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    ("model", "column", "value", "pk"),
    [
        (Contact, "full_name", "Anna Smith", 7),
        (Deal, "amount", Decimal("1500.50"), 7),
        (Deal, "expected_close_on", datetime.date(2031, 5, 6), 7),
        (Deal, "expected_close_on", None, 7),
        (Activity, "due_at", datetime.datetime(2031, 5, 6, 7, 8, tzinfo=datetime.UTC), 7),
        (Contact, "full_name", "Anna", 2**63 - 1),
    ],
)
def test_a_cursor_the_lists_write_decodes_to_its_typed_value(model, column, value, pk) -> None:
    """Names, amounts, dates (also empty ones) and the largest id survive the round trip."""
    assert decode_cursor(model, column, encode_cursor(value, pk)) == (value, pk)


FORGED = {
    '["a", Infinity]': token('["a", Infinity]'),
    "1e999": token("1e999"),
    "[1e999, 1]": token("[1e999, 1]"),
    '["a", 1e999]': token('["a", 1e999]'),
    '["a", NaN]': token('["a", NaN]'),
    "an id beyond bigint": token(f'["a", {2**63}]'),
    "a negative id": token('["a", -1]'),
    "a boolean id": token('["a", true]'),
    "a text id": token('["a", "1"]'),
    "a number for a name": token("[12, 1]"),
    "an object for a name": token('[{"a": 1}, 1]'),
    "a nul byte in the name": token('["a\\u0000b", 1]'),
    "no name where one is required": token("[null, 1]"),
    "three items": token('["a", 1, 2]'),
    "not a list": token('{"a": 1}'),
    "not JSON": token("not json"),
    "not UTF-8": base64.urlsafe_b64encode(b"\xff\xfe").decode(),
    "another alphabet": "!!!not*base64~",
    "overlong": token('["' + "a" * 2000 + '", 1]'),
}


@pytest.mark.parametrize("forged", FORGED.values(), ids=FORGED.keys())
def test_a_forged_cursor_on_a_name_column_is_not_a_cursor(forged) -> None:
    """Infinity, 1e999, wrong JSON types, NUL, ids beyond bigint: ``None``, never an error."""
    assert decode_cursor(Contact, "full_name", forged) is None


@pytest.mark.parametrize(
    ("column", "json_text"),
    [
        ("amount", '["NaN", 1]'),
        ("amount", '["Infinity", 1]'),
        ("amount", '["1e999", 1]'),
        ("amount", "[1500.5, 1]"),
        ("expected_close_on", '["99999-12-31", 1]'),
        ("expected_close_on", "[20310506, 1]"),
        ("updated_at", '["2031-02-30T00:00:00", 1]'),
    ],
)
def test_a_cursor_of_the_wrong_type_for_its_column_is_not_a_cursor(column, json_text) -> None:
    """A sort value must have the column's type: a finite decimal, a real date."""
    assert decode_cursor(Deal, column, token(json_text)) is None


def test_a_cursor_on_the_longest_name_of_four_byte_characters_decodes(crm) -> None:
    """The longest sortable text, in emoji, still makes a cursor the lists accept."""
    email = "\U0001f600" * 254
    cursor = encode_cursor(email, 7)
    assert len(cursor) <= CURSOR_MAX_LENGTH
    assert decode_cursor(Contact, "email", cursor) == (email, 7)


def test_a_cursor_of_infinity_on_the_list_page_shows_the_first_page(crm, admin, client_as):
    """The list answers a crafted ``["a", Infinity]`` cursor with its first page, not a 500."""
    ContactFactory.create(owner=admin, last_name="Visible")
    response = client_as(admin).get("/contacts/", {"after": token('["a", Infinity]')})
    assert response.status_code == 200
    assert "Visible" in response.text


def test_an_empty_selection_counts_zero(crm) -> None:
    """Counting a selection that matches nothing by construction (``none()``) gives 0."""
    assert capped_count(Contact.objects.none(), 100) == (0, False)
