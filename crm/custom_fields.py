"""Typed custom fields: form fields, validation, storage in the ``custom`` JSON column, display.

Stored values are JSON-friendly: strings for text, URL, email, choices and dates (ISO 8601),
decimal strings for numbers and money, lists of strings for multiple choice, booleans for
checkboxes and user ids for users.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.db.models.fields import BLANK_CHOICE_DASH
from django.utils.formats import localize
from django.utils.translation import gettext as _

from crm.models import CustomFieldDefinition, FieldType
from tenants.users.models import User

FORM_PREFIX = "cf_"


def form_field_name(definition: CustomFieldDefinition) -> str:
    return f"{FORM_PREFIX}{definition.key}"


def form_field_for(definition: CustomFieldDefinition) -> forms.Field:
    """The Django form field that edits and validates one custom field."""
    common: dict[str, Any] = {"label": definition.label, "required": definition.required}
    choices = [(c, c) for c in definition.choices or []]
    match definition.field_type:
        case FieldType.LONG_TEXT:
            return forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), **common)
        case FieldType.NUMBER:
            return forms.DecimalField(max_digits=18, decimal_places=6, **common)
        case FieldType.MONEY:
            return forms.DecimalField(max_digits=14, decimal_places=2, **common)
        case FieldType.DATE:
            return forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), **common)
        case FieldType.CHOICE:
            return forms.ChoiceField(choices=[*BLANK_CHOICE_DASH, *choices], **common)
        case FieldType.MULTI_CHOICE:
            return forms.MultipleChoiceField(
                choices=choices, widget=forms.CheckboxSelectMultiple, **common
            )
        case FieldType.CHECKBOX:
            return forms.BooleanField(label=definition.label, required=definition.required)
        case FieldType.URL:
            return forms.URLField(assume_scheme="https", **common)
        case FieldType.EMAIL:
            return forms.EmailField(**common)
        case FieldType.USER:
            return forms.ModelChoiceField(
                queryset=User.objects.filter(is_active=True).order_by("full_name"), **common
            )
        case _:
            return forms.CharField(max_length=500, **common)


def to_storage(definition: CustomFieldDefinition, value: Any) -> Any:
    """A cleaned form value as stored in JSON; ``None`` for empty."""
    if value in (None, "", [], ()):
        return False if definition.field_type == FieldType.CHECKBOX else None
    match definition.field_type:
        case FieldType.NUMBER:
            return format(Decimal(value).normalize(), "f")
        case FieldType.MONEY:
            return str(value)
        case FieldType.DATE:
            return value.isoformat()
        case FieldType.MULTI_CHOICE:
            return [str(v) for v in value]
        case FieldType.CHECKBOX:
            return bool(value)
        case FieldType.USER:
            return int(value.pk)
        case _:
            return str(value)


def to_form_input(definition: CustomFieldDefinition, stored: Any) -> Any:
    """A stored value as a form's initial / raw input."""
    if stored is None:
        return None
    if definition.field_type == FieldType.MULTI_CHOICE:
        return list(stored) if isinstance(stored, list) else [stored]
    return stored


def custom_values_clean(
    definitions: Iterable[CustomFieldDefinition], values: Mapping[str, Any]
) -> dict[str, Any]:
    """Validate raw values keyed by field key; the result is ready to store.

    Raises ``ValidationError`` keyed by the field's form name, naming the field in the message.
    """
    by_key = {d.key: d for d in definitions}
    unknown = set(values) - set(by_key)
    if unknown:
        raise ValidationError(
            _("Unknown custom fields: %(keys)s") % {"keys": ", ".join(sorted(unknown))}
        )
    cleaned: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key, definition in by_key.items():
        if key not in values:
            if definition.required:
                errors[form_field_name(definition)] = [
                    _("%(label)s is required.") % {"label": definition.label}
                ]
            continue
        field = form_field_for(definition)
        raw = values[key]
        if definition.field_type == FieldType.USER and isinstance(raw, User):
            raw = raw.pk
        try:
            cleaned[key] = to_storage(definition, field.clean(raw))
        except ValidationError as error:
            errors[form_field_name(definition)] = [
                f"{definition.label}: {message}" for message in error.messages
            ]
    if errors:
        raise ValidationError(errors)
    return cleaned


def display_value(
    definition: CustomFieldDefinition, stored: Any, users: Mapping[int, Any] | None = None
) -> str:
    """A stored value as shown on detail pages and list columns."""
    if stored in (None, "", []):
        return ""
    match definition.field_type:
        case FieldType.CHECKBOX:
            return _("Yes") if stored else _("No")
        case FieldType.MULTI_CHOICE:
            return ", ".join(stored)
        case FieldType.DATE:
            try:
                return str(localize(datetime.date.fromisoformat(stored)))
            except (TypeError, ValueError):
                return str(stored)
        case FieldType.NUMBER | FieldType.MONEY:
            return str(localize(Decimal(stored)))
        case FieldType.USER:
            user = (users or {}).get(int(stored))
            return str(user) if user else f"#{stored}"
        case _:
            return str(stored)


def filter_condition(definition: CustomFieldDefinition, value: Any) -> Q:
    """A list filter on one custom field: exact for typed values, substring for text.

    ``value`` comes from the list's filter form: an id for users, a date for dates, text
    (without NUL, bounded) for the others.
    """
    key = definition.key
    match definition.field_type:
        case FieldType.MULTI_CHOICE:
            return Q(custom__contains={key: [str(value)]})
        case FieldType.CHECKBOX:
            return Q(custom__contains={key: str(value).lower() in ("1", "true", "yes", "on")})
        case FieldType.USER:
            return Q(custom__contains={key: int(value)})
        case FieldType.DATE:
            iso = value.isoformat() if isinstance(value, datetime.date) else str(value)
            return Q(custom__contains={key: iso})
        case FieldType.CHOICE:
            return Q(custom__contains={key: str(value)})
        case _:
            return Q(**{f"custom__{key}__icontains": str(value)})
