"""Merge fields of e-mail templates: a closed list, filled in without any template engine.

``{{ contact.first_name }}`` and the other fields of :data:`MERGE_FIELDS` are replaced by
plain values; nothing else in the text is interpreted, so a template can reach no other
attribute, method or setting. Unknown fields are refused when a template is saved.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

#: ``{{ object.field }}`` with optional spaces.
FIELD_RE = re.compile(r"\{\{\s*([A-Za-z_][\w]*)\.([A-Za-z_][\w]*)\s*\}\}")
#: Anything that looks like template syntax but is not a merge field.
STRAY_RE = re.compile(r"\{\{|\}\}|\{%|%\}")


@dataclass(frozen=True)
class MergeContext:
    """The records a message is written about (any may be missing) and who sends it."""

    contact: Any = None
    company: Any = None
    deal: Any = None
    sender: Any = None


def _attr(name: str) -> Callable[[Any], str]:
    return lambda obj: str(getattr(obj, name, "") or "")


MERGE_FIELDS: dict[str, dict[str, Callable[[Any], str]]] = {
    "contact": {
        "first_name": lambda c: str(c.first_name or c.greeting_name or ""),
        "last_name": _attr("last_name"),
        "full_name": lambda c: str(c),
        "title": _attr("title"),
        "email": _attr("email"),
        "city": _attr("city"),
    },
    "company": {
        "name": _attr("name"),
        "city": _attr("city"),
        "country": _attr("country"),
        "domain": _attr("domain"),
    },
    "deal": {
        "name": _attr("title"),
        "title": _attr("title"),
        "expected_close": lambda d: str(d.expected_close_on or ""),
    },
    "sender": {
        "name": lambda u: str(u.full_name or u.email),
        "first_name": lambda u: str(u.get_short_name()),
        "email": _attr("email"),
    },
}


def merge_field_names() -> list[str]:
    """Every field as written in a template, for the editor's help."""
    return [f"{{{{ {obj}.{name} }}}}" for obj, fields in MERGE_FIELDS.items() for name in fields]


def merge_errors(text: str) -> list[str]:
    """What is wrong with the merge fields of ``text``: unknown fields and stray braces."""
    errors = []
    for match in FIELD_RE.finditer(text or ""):
        obj, name = match.groups()
        if name not in MERGE_FIELDS.get(obj, {}):
            errors.append(_("Unknown merge field %(field)s.") % {"field": match.group(0)})
    if STRAY_RE.search(FIELD_RE.sub("", text or "")):
        errors.append(_("Only merge fields such as {{ contact.first_name }} may use braces."))
    return errors


def merge_render(text: str, context: MergeContext) -> str:
    """``text`` with each merge field replaced by its value (empty when the record is missing)."""

    def value(match: re.Match[str]) -> str:
        obj, name = match.groups()
        getter = MERGE_FIELDS.get(obj, {}).get(name)
        record = getattr(context, obj, None)
        if getter is None or record is None:
            return ""
        return getter(record)

    return FIELD_RE.sub(value, text or "")
