"""Widgets and helpers shared by the CRM forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from tenants.users.models import User


def active_users() -> Any:
    return User.objects.filter(is_active=True).order_by("full_name", "email")


class RecordSelect(forms.Select):
    """A select that renders only the chosen option; ``crm.js`` searches the rest by typing.

    Lists of 100k contacts cannot be rendered as options; the lookup endpoint returns matches
    the user may see.
    """

    def __init__(self, lookup: str, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs={"data-lookup": lookup, **(attrs or {})})

    def optgroups(self, name: str, value: list[Any], attrs: dict[str, Any] | None = None) -> Any:
        chosen = {str(v) for v in value if v not in (None, "")}
        groups = []
        for index, (option_value, label) in enumerate(self.choices):
            key = str(getattr(option_value, "value", option_value))
            if key in chosen or key == "":
                option = self.create_option(name, option_value, str(label), key in chosen, index)
                groups.append((None, [option], index))
            if len(groups) > len(chosen):
                break
        return groups


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
