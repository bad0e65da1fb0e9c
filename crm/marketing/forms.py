"""Forms of the marketing pages: the web form builder, segments, call queues."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.forms.base import CrmForm, CrmModelForm
from crm.forms.widgets import active_users, style_fields
from crm.marketing.models import Assignment, WebForm
from crm.marketing.webforms import WORKSPACE_LANGUAGES, CatalogueField
from tenants.users.models import Role

LABEL_MAX_LENGTH = 120


class WebFormSettingsForm(CrmModelForm):
    """A web form's settings, and for each field of the catalogue: asked, required, labels."""

    class Meta:
        model = WebForm
        fields = [
            "name", "is_active", "title", "thank_you_message", "redirect_url", "assignment",
            "owner", "round_robin_users", "auto_reply", "auto_reply_subject", "auto_reply_body",
            "double_opt_in",
        ]  # fmt: skip
        widgets = {
            "thank_you_message": forms.Textarea(attrs={"rows": 3}),
            "auto_reply_body": forms.Textarea(attrs={"rows": 4}),
            "round_robin_users": forms.CheckboxSelectMultiple,
        }

    redirect_url = forms.URLField(
        required=False,
        assume_scheme="https",
        label=_("Redirect after submitting"),
        help_text=_("Leave empty to show the thank-you message."),
    )

    def __init__(self, *args: Any, catalogue: dict[str, CatalogueField], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.catalogue = catalogue
        writers = active_users().exclude(role=Role.READ_ONLY)
        self.fields["owner"].queryset = writers  # type: ignore[attr-defined]
        self.fields["round_robin_users"].queryset = writers  # type: ignore[attr-defined]
        self.fields["round_robin_users"].required = False
        chosen: dict[str, tuple[int, dict[str, Any]]] = {
            str(e.get("key")): (i, e) for i, e in enumerate(self.instance.fields or [])
        }
        if not self.instance.pk:
            chosen = {
                "name": (0, {"key": "name", "required": True}),
                "email": (1, {"key": "email", "required": True}),
            }
        self.rows: list[dict[str, Any]] = []
        for key, field in catalogue.items():
            position, entry = chosen.get(key, (None, {}))
            labels = entry.get("labels") or {}
            self.fields[f"use:{key}"] = forms.BooleanField(
                required=False, initial=position is not None, label=str(field.label)
            )
            self.fields[f"req:{key}"] = forms.BooleanField(
                required=False, initial=bool(entry.get("required")), label=_("Required")
            )
            self.fields[f"pos:{key}"] = forms.IntegerField(
                required=False,
                min_value=0,
                max_value=999,
                initial=(position + 1) * 10 if position is not None else None,
                label=_("Sort order"),
            )
            for code in WORKSPACE_LANGUAGES:
                self.fields[f"label:{code}:{key}"] = forms.CharField(
                    required=False,
                    max_length=LABEL_MAX_LENGTH,
                    initial=labels.get(code, ""),
                    label=_("Label (%(language)s)") % {"language": code},
                )
            self.rows.append({"key": key, "field": field})
        style_fields(self)
        for row in self.rows:
            key = row["key"]
            row["use"] = self[f"use:{key}"]
            row["required"] = self[f"req:{key}"]
            row["position"] = self[f"pos:{key}"]
            row["labels"] = [self[f"label:{code}:{key}"] for code in WORKSPACE_LANGUAGES]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("assignment") == Assignment.ROUND_ROBIN and not data.get("round_robin_users"):
            self.add_error("round_robin_users", _("Choose who takes turns."))
        if data.get("auto_reply") and not data.get("auto_reply_body"):
            self.add_error("auto_reply_body", _("Write the reply, or turn the reply off."))
        chosen = []
        for index, key in enumerate(self.catalogue):
            if data.get(f"use:{key}"):
                position = data.get(f"pos:{key}")
                labels = {
                    code: data[f"label:{code}:{key}"].strip()
                    for code in WORKSPACE_LANGUAGES
                    if data.get(f"label:{code}:{key}", "").strip()
                }
                entry = {"key": key, "required": bool(data.get(f"req:{key}")), "labels": labels}
                chosen.append((position if position is not None else 1000 + index, index, entry))
        if not chosen:
            raise forms.ValidationError(_("Choose at least one field to ask."))
        if not any(entry["key"] in ("email", "phone") for _p, _i, entry in chosen):
            raise forms.ValidationError(
                _("Ask for an e-mail address or a phone number, so the team can answer.")
            )
        data["chosen_fields"] = [entry for _p, _i, entry in sorted(chosen, key=lambda c: c[:2])]
        return data

    def settings_values(self) -> dict[str, Any]:
        data = self.cleaned_data
        values = {name: data[name] for name in self.Meta.fields if name != "round_robin_users"}
        values["fields"] = data["chosen_fields"]
        return values


class SnippetLanguageForm(CrmForm):
    language = forms.ChoiceField(
        required=False, choices=[(code, code) for code in WORKSPACE_LANGUAGES]
    )
