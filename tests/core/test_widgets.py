"""The long select renders what Django's select renders, in one pass."""

from __future__ import annotations

from django import forms
from django.test.html import parse_html

from core.widgets import LongSelect

CHOICES = [
    ("", "Workspace default (Asia/Shanghai)"),
    ("Asia/Taipei", "Asia/Taipei"),
    ("A&B", "<b>"),
]


def _both(value: str | None) -> tuple[object, object]:
    attrs = {"class": "form-select", "id": "id_time_zone"}
    fast = LongSelect(attrs=attrs, choices=CHOICES).render("time_zone", value)
    slow = forms.Select(attrs=attrs, choices=CHOICES).render("time_zone", value)
    return parse_html(fast), parse_html(slow)


def test_the_same_markup_as_djangos_select_with_the_value_selected() -> None:
    fast, slow = _both("Asia/Taipei")
    assert fast == slow


def test_the_same_markup_without_a_value_and_values_escaped() -> None:
    fast, slow = _both(None)
    assert fast == slow
    assert "&lt;b&gt;" in str(LongSelect(choices=CHOICES).render("time_zone", None))


def test_grouped_choices_fall_back_to_djangos_rendering() -> None:
    grouped = [("Asia", [("Asia/Taipei", "Taipei")]), ("", "Default")]
    fast = LongSelect(choices=grouped).render("tz", "Asia/Taipei")
    assert parse_html(fast) == parse_html(forms.Select(choices=grouped).render("tz", "Asia/Taipei"))
