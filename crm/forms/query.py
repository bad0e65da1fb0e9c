"""Query-string forms: the one place where CRM pages read their GET parameters.

A query string is typed by hand, pasted, saved in views and bookmarks, and crafted by
attackers, so every parameter is parsed by a bounded field before any selector sees it:
text refuses NUL characters and has a maximum length (Django's ``CharField`` does both),
ids are ASCII-digit integers in the range of a ``bigint`` primary key, page numbers are
bounded, choices are choices. A page whose query selects what it shows (a list, its export,
a search, the board, the audit log) answers an invalid one with a 400 that names the
parameter (``crm.views.helpers.bad_query``); a page whose query only pre-fills a form keeps
the valid values and drops the others (:func:`valid_values`).
"""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from crm.models import MAX_RECORD_ID, ActivityKind, ObjectType

#: Search text is compared with names and words; more than this is not a search.
SEARCH_MAX_LENGTH = 100
#: Page numbers of OFFSET-paged lists; deeper pages would only make the database skip rows.
MAX_PAGE = 100_000
_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")


def parse_record_id(raw: Any) -> int | None:
    """``raw`` as a record id when it is one (1 to 19 ASCII digits within ``bigint``)."""
    if not isinstance(raw, str) or not _ASCII_DIGITS.fullmatch(raw):
        return None
    value = int(raw)
    return value if 1 <= value <= MAX_RECORD_ID else None


class DigitsField(forms.IntegerField):
    """A whole number in ASCII digits (at most 19): superscripts, ``1e999``, ``-1`` are invalid."""

    def __init__(self, *, min_value: int, max_value: int, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        super().__init__(min_value=min_value, max_value=max_value, **kwargs)

    def to_python(self, value: Any) -> int | None:
        if value in self.empty_values:
            return None
        text = str(value).strip()
        if not _ASCII_DIGITS.fullmatch(text):
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return int(text)


class RecordIdField(DigitsField):
    """An optional record id, within ``bigint``."""

    default_error_messages = {"invalid": _("Enter the id of a record.")}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=MAX_RECORD_ID, **kwargs)


class PageNumberField(DigitsField):
    """An optional page number from 1 to ``MAX_PAGE``."""

    default_error_messages = {"invalid": _("Enter a page number.")}

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(min_value=1, max_value=MAX_PAGE, **kwargs)


class SearchTextField(forms.CharField):
    """Optional search text: stripped, at most ``SEARCH_MAX_LENGTH`` characters, no NUL."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Search"))
        super().__init__(max_length=SEARCH_MAX_LENGTH, **kwargs)


class SearchForm(forms.Form):
    """``?q=``: global search and the record pickers' lookups."""

    q = SearchTextField()


class BoardFilterForm(forms.Form):
    """The deal board's quick filters, and the board column's "show more" position."""

    owner = RecordIdField(label=_("Owner"))
    tag = RecordIdField(label=_("Tag"))
    after = RecordIdField(label=_("Last card shown"))
    left = DigitsField(min_value=0, max_value=MAX_RECORD_ID, label=_("Cards left"))


class AuditFilterForm(forms.Form):
    """The audit log's record type, actor and page."""

    type = forms.ChoiceField(
        choices=[("", _("All records")), *ObjectType.choices],
        required=False,
        label=_("Record type"),
    )
    actor = RecordIdField(label=_("Who"))
    page = PageNumberField(label=_("Page"))


class ActivityPrefillForm(forms.Form):
    """What a link may pre-fill on the new-activity form: the records it concerns, its type."""

    follow_up = RecordIdField()
    contact = RecordIdField()
    company = RecordIdField()
    deal = RecordIdField()
    lead = RecordIdField()
    kind = forms.ChoiceField(choices=ActivityKind.choices, required=False)


class RecordPrefillForm(forms.Form):
    """What a link may pre-fill on a new record's form."""

    company = RecordIdField()


class LostPrefillForm(forms.Form):
    """The lost stage and board neighbours a dropped card suggests to the lost-reason form."""

    stage = RecordIdField()
    above = RecordIdField()
    below = RecordIdField()


def valid_values(form: forms.Form) -> dict[str, Any]:
    """The fields of ``form`` that are valid and given; invalid ones are left out."""
    form.is_valid()
    return {name: value for name, value in form.cleaned_data.items() if value not in (None, "")}
