"""What a web form can ask, its public key, and the Django form that reads a submission.

A form's public key is its id with an HMAC over the workspace's schema and the id
(``SECRET_KEY``-derived): a key is valid only on the host of the workspace that made it, so
a key of one workspace is a 404 on another's host, and ids cannot be guessed into keys.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from django import forms
from django.conf import settings
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.functional import Promise
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from crm.custom_fields import form_field_for
from crm.marketing.models import WebForm
from crm.models import CustomFieldDefinition, ObjectType
from tenants.connection import current_schema_name

#: The hidden field bots fill in and people never see.
HONEYPOT_FIELD = "website_url"
UTM_FIELDS = ("utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content")
#: Hidden fields the hosted page and the embed snippet send besides the form's own fields.
CONTEXT_FIELDS = (*UTM_FIELDS, "page_url", "referrer")
WORKSPACE_LANGUAGES = [code for code, _name in settings.LANGUAGES]
_KEY = re.compile(r"^(?P<pk>[1-9][0-9]{0,17})-(?P<mac>[0-9a-f]{32})$")


@dataclass(frozen=True)
class CatalogueField:
    """A field a form may ask: a standard lead/contact field or a custom field."""

    key: str
    label: str | Promise
    #: ``lead``: stored on a new lead; ``contact``: on a matched contact; ``both``.
    target: str
    definition: CustomFieldDefinition | None = None

    def form_field(self) -> forms.Field:
        if self.definition is not None:
            field = form_field_for(self.definition)
            field.required = False
            if isinstance(field, forms.CharField) and not field.max_length:
                field.max_length = 500
            return field
        match self.key:
            case "email":
                return forms.EmailField(max_length=254, required=False)
            case "phone":
                return forms.CharField(max_length=50, required=False)
            case "message":
                return forms.CharField(
                    max_length=5000, required=False, widget=forms.Textarea(attrs={"rows": 4})
                )
            case _:
                return forms.CharField(max_length=200, required=False)


STANDARD_FIELDS = (
    CatalogueField("name", _("Name"), "both"),
    CatalogueField("email", _("Email"), "both"),
    CatalogueField("phone", _("Phone"), "both"),
    CatalogueField("company_name", _("Company"), "lead"),
    CatalogueField("message", _("Message"), "both"),
)


def field_catalogue() -> dict[str, CatalogueField]:
    """Every field a form may ask, by key: standard fields, then the leads' and the
    contacts' custom fields (``lead.<key>``, ``contact.<key>``). One query."""
    catalogue = {field.key: field for field in STANDARD_FIELDS}
    definitions = CustomFieldDefinition.objects.filter(
        object_type__in=[ObjectType.LEAD, ObjectType.CONTACT]
    ).order_by("object_type", "position", "id")
    for definition in definitions:
        key = f"{definition.object_type}.{definition.key}"
        catalogue[key] = CatalogueField(key, definition.label, definition.object_type, definition)
    return catalogue


def form_key(form: WebForm) -> str:
    """The public key of ``form`` in the current workspace."""
    return f"{form.pk}-{_mac(int(form.pk))}"


def _mac(pk: int) -> str:
    return salted_hmac("rapport.marketing.webform", f"{current_schema_name()}:{pk}").hexdigest()[
        :32
    ]


def form_id_from_key(key: str) -> int | None:
    """The form id a key names in the current workspace, or ``None`` for any other key."""
    match = _KEY.match(key or "")
    if match is None:
        return None
    pk = int(match["pk"])
    return pk if constant_time_compare(match["mac"], _mac(pk)) else None


def field_label(entry: dict[str, Any], catalogue_field: CatalogueField | None) -> str:
    """The label in the visitor's language, else English, else the field's own name."""
    labels = entry.get("labels") or {}
    language = get_language() or "en"
    for code in (language, language.split("-")[0], "en", *WORKSPACE_LANGUAGES):
        if labels.get(code):
            return str(labels[code])
    return str(catalogue_field.label) if catalogue_field else str(entry.get("key", ""))


class PublicWebForm(forms.Form):
    """A visitor's submission: the form's chosen fields plus context and the honeypot."""

    def __init__(
        self,
        *args: Any,
        web_form: WebForm,
        catalogue: dict[str, CatalogueField],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.web_form = web_form
        self.catalogue = catalogue
        for entry in web_form.fields:
            catalogue_field = catalogue.get(str(entry.get("key")))
            if catalogue_field is None:
                continue  # a custom field deleted since: the form stops asking it
            field = catalogue_field.form_field()
            field.required = bool(entry.get("required"))
            field.label = field_label(entry, catalogue_field)
            attrs = field.widget.attrs
            attrs.setdefault(
                "class", "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            )
            if isinstance(field.widget, forms.CheckboxInput):
                attrs["class"] = "form-check-input"
            self.fields[self.field_name(catalogue_field.key)] = field
        for name in CONTEXT_FIELDS:
            self.fields[name] = forms.CharField(
                required=False,
                max_length=1000 if name in ("page_url", "referrer") else 200,
                widget=forms.HiddenInput,
            )
        self.fields[HONEYPOT_FIELD] = forms.CharField(required=False, max_length=200)

    @staticmethod
    def field_name(key: str) -> str:
        """HTML names use ``__`` for the dot of custom-field keys (safe in any form)."""
        return key.replace(".", "__")

    def visible_fields_in_order(self) -> list[forms.BoundField]:
        hidden = {*CONTEXT_FIELDS, HONEYPOT_FIELD}
        return [self[name] for name in self.fields if name not in hidden]

    def is_spam(self) -> bool:
        return bool(str(self.data.get(HONEYPOT_FIELD, "")).strip())

    def values(self) -> dict[str, Any]:
        """The cleaned values of the form's own fields, by catalogue key (empty ones left out)."""
        values: dict[str, Any] = {}
        for entry in self.web_form.fields:
            key = str(entry.get("key"))
            name = self.field_name(key)
            if name in self.cleaned_data and self.cleaned_data[name] not in (None, "", [], False):
                values[key] = self.cleaned_data[name]
        return values

    def context_values(self) -> dict[str, str]:
        return {name: str(self.cleaned_data.get(name) or "") for name in CONTEXT_FIELDS}


def utm_from_url(url: str) -> dict[str, str]:
    """UTM parameters carried by a page address (the embed's referrer, the hosted page)."""
    try:
        query = parse_qs(urlsplit(url).query)
    except ValueError:
        return {}
    return {name: query[name][0][:200] for name in UTM_FIELDS if query.get(name)}


def chosen_fields(entries: Iterable[dict[str, Any]]) -> list[str]:
    return [str(entry.get("key")) for entry in entries]


_SNIPPET_SCRIPT = """<script>
(function (form) {
  var query = new URLSearchParams(window.location.search);
  form.elements.page_url.value = window.location.href;
  form.elements.referrer.value = document.referrer;
  ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"].forEach(function (name) {
    form.elements[name].value = query.get(name) || "";
  });
})(document.currentScript.previousElementSibling);
</script>"""


def _snippet_input(field: forms.BoundField) -> str:
    """One field as plain HTML (no classes: the customer's site styles it)."""
    name = field.html_name
    widget = field.field.widget
    required = " required" if field.field.required else ""
    max_length = getattr(field.field, "max_length", None)
    limit = f' maxlength="{max_length}"' if max_length else ""
    element_id = f"rapport-{name}"
    if isinstance(widget, forms.CheckboxInput):
        return f'<input type="checkbox" id="{element_id}" name="{name}" value="on"{required}>'
    if isinstance(widget, forms.Textarea):
        return f'<textarea id="{element_id}" name="{name}" rows="4"{limit}{required}></textarea>'
    if isinstance(widget, forms.Select | forms.SelectMultiple):
        choices: Any = getattr(field.field, "choices", [])
        options = "".join(
            format_html('<option value="{}">{}</option>', value, label) for value, label in choices
        )
        multiple = " multiple" if isinstance(widget, forms.SelectMultiple) else ""
        return f'<select id="{element_id}" name="{name}"{multiple}{required}>{options}</select>'
    input_type = getattr(widget, "input_type", "text") or "text"
    return f'<input type="{input_type}" id="{element_id}" name="{name}"{limit}{required}>'


def embed_snippet_html(form: PublicWebForm, *, action: str, language: str) -> str:
    """The HTML form a customer pastes into their site: the form's fields with their labels
    in ``language``, the honeypot, hidden context fields and a small script filling them in.
    It posts to ``action`` (the workspace host)."""
    lines: list[str] = [
        format_html(
            '<form method="post" action="{}" accept-charset="UTF-8" lang="{}" class="{}">',
            action,
            language,
            "rapport-form",
        )
    ]
    for field in form.visible_fields_in_order():
        star = " *" if field.field.required else ""
        lines.append(
            format_html(
                '  <p><label for="rapport-{}">{}{}</label><br>{}</p>',
                field.html_name,
                field.label,
                star,
                mark_safe(_snippet_input(field)),  # noqa: S308 -- names and limits are ours
            )
        )
    lines.append(
        '  <div style="position:absolute;left:-10000px" aria-hidden="true">'
        f'<input type="text" name="{HONEYPOT_FIELD}" tabindex="-1" autocomplete="off"></div>'
    )
    lines += [f'  <input type="hidden" name="{name}">' for name in CONTEXT_FIELDS]
    lines.append(format_html('  <button type="submit">{}</button>', gettext("Send")))
    lines.append("</form>")
    lines.append(_SNIPPET_SCRIPT)
    return "\n".join(lines)
