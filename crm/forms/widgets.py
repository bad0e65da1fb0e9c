"""Widgets and helpers shared by the CRM forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from crm.forms.query import parse_record_id
from tenants.users.models import User


def active_users() -> Any:
    return User.objects.filter(is_active=True).order_by("full_name", "email")


class RecordSelect(forms.Select):
    """A record picker that renders only the chosen record; ``crm.js`` loads the rest on demand.

    A workspace holds 100k contacts: rendering them as options, or even building them as model
    instances to find the chosen one, costs seconds per form. The picker therefore reads its
    selected record(s) by primary key, one short query, and Tom Select fetches further options
    from the lookup endpoint (``data-lookup``) as the user types. Validation stays with the
    ``ModelChoiceField``, which checks a submitted id against the visible queryset by key, so
    any visible record is accepted, rendered or not.
    """

    def __init__(self, lookup: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"data-lookup": lookup, **(attrs or {})})

    def optgroups(self, name: str, value: list[Any], attrs: dict[str, Any] | None = None) -> Any:
        """The empty choice (when the field has one) and the selected records, nothing else."""
        choices = self.choices
        if not isinstance(choices, ModelChoiceIterator):  # plain choices: nothing to load
            return super().optgroups(name, value, attrs)
        ids = {pk for pk in (parse_record_id(str(v)) for v in value) if pk is not None}
        options: list[tuple[Any, str]] = []
        if choices.field.empty_label is not None:
            options.append(("", str(choices.field.empty_label)))
        if ids:
            options += [choices.choice(record) for record in choices.queryset.filter(pk__in=ids)]
        chosen = {str(pk) for pk in ids}
        return [
            (None, [self.create_option(name, key, label, str(key) in chosen, index)], index)
            for index, (key, label) in enumerate(options)
        ]


def style_fields(form: forms.BaseForm) -> None:
    """Tabler classes on every widget, so templates render ``{{ field }}`` as is."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            css = "form-check-input"
        elif isinstance(widget, forms.CheckboxSelectMultiple | forms.RadioSelect):
            css = ""
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            css = "form-select"
        else:
            css = "form-control"
        if css:
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()


class TagNamesField(forms.CharField):
    """Tags typed as a comma-separated list; new names become new tags."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Tags"))
        kwargs.setdefault("help_text", _("Separate tags with commas."))
        super().__init__(max_length=500, **kwargs)

    def clean(self, value: Any) -> list[str]:
        text = super().clean(value) or ""
        return list(dict.fromkeys(n.strip()[:60] for n in text.split(",") if n.strip()))
