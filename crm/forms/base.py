"""What every CRM form shares: meaningful, translated labels for "nothing chosen".

Django offers ``---------`` as the empty option of every select it builds: model fields with
choices, foreign keys, optional choice fields. In the CRM an optional select says
"— None —" and a required one "Choose…", in the user's language. Labels a form sets on
purpose ("Any owner", "Default pipeline") are left as they are.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django import forms
from django.db.models.fields import BLANK_CHOICE_DASH
from django.utils.translation import gettext_lazy as _

#: The label Django gives the empty choice when nobody chose a better one.
DJANGO_EMPTY_LABEL = BLANK_CHOICE_DASH[0][1]
#: The empty option of an optional select: choosing it leaves the field empty.
EMPTY_LABEL_OPTIONAL = _("— None —")
#: The empty option of a required select: a prompt, not a value.
EMPTY_LABEL_REQUIRED = _("Choose…")


def empty_label_for(field: forms.Field) -> Any:
    return EMPTY_LABEL_REQUIRED if field.required else EMPTY_LABEL_OPTIONAL


def label_empty_choice(field: forms.Field) -> None:
    """Replace Django's ``---------`` empty option of ``field``, if it has one."""
    if isinstance(field, forms.ModelChoiceField):
        # Only the attribute: iterating a model field's choices would query the database.
        if field.empty_label == DJANGO_EMPTY_LABEL:
            field.empty_label = empty_label_for(field)
    elif isinstance(field, forms.ChoiceField):
        # Evaluated once per form; rendering and cleaning read them anyway.
        choices = list(cast(Iterable[tuple[Any, Any]], field.choices))
        if any(value == "" and label == DJANGO_EMPTY_LABEL for value, label in choices):
            field.choices = [
                (value, empty_label_for(field) if value == "" else label)
                for value, label in choices
            ]


class CrmFormMixin:
    """Labels the empty option of each select when the field is first bound.

    Binding happens when the field is rendered or cleaned, so fields a form adds or changes
    in its own ``__init__`` (custom fields, narrowed querysets) are labelled too.
    """

    fields: dict[str, forms.Field]
    _bound_fields_cache: dict[str, forms.BoundField]

    def __getitem__(self, name: str) -> forms.BoundField:
        if name not in self._bound_fields_cache and name in self.fields:
            label_empty_choice(self.fields[name])
        return super().__getitem__(name)  # type: ignore[misc]


class CrmForm(CrmFormMixin, forms.Form):
    """A plain form of the CRM."""


class CrmModelForm(CrmFormMixin, forms.ModelForm):
    """A model form of the CRM."""
