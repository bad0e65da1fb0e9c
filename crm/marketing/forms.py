"""Forms of the marketing pages: the web form builder, segments, call queues."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from crm.custom_fields import form_field_name
from crm.forms.base import CrmForm, CrmModelForm
from crm.forms.lists import ListFilterForm, custom_filter_field
from crm.forms.query import RecordIdField, SearchTextField
from crm.forms.widgets import active_users, style_fields
from crm.insights.flags import segment_choices as value_segment_choices
from crm.mailing.models import EmailTemplate
from crm.marketing.models import (
    Assignment,
    CallOutcome,
    CallQueue,
    Campaign,
    CampaignStatus,
    Segment,
    WebForm,
)
from crm.marketing.webforms import WORKSPACE_LANGUAGES, CatalogueField
from crm.models import CustomFieldDefinition
from crm.selectors.lists import CURSOR_MAX_LENGTH
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


class SegmentForm(CrmModelForm):
    """A segment's name and type; what it selects is :class:`SegmentFilterForm`'s part."""

    class Meta:
        model = Segment
        fields = ["name", "kind"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            # A list's members or a filter's meaning would be lost by switching.
            self.fields["kind"].disabled = True
        style_fields(self)


class SegmentFilterForm(ListFilterForm):
    """The list filters of contacts or companies, plus deal history and activity recency.

    The same parameters as the lists (search, owner, tag, created, custom fields), so a
    segment selects what the list shows for the same values.
    """

    sort = None  # type: ignore[assignment]
    after = None  # type: ignore[assignment]
    before = None  # type: ignore[assignment]
    view = None  # type: ignore[assignment]
    format = None  # type: ignore[assignment]
    has_won_deal = forms.BooleanField(required=False, label=_("Has a won deal"))
    won_value_above = forms.DecimalField(
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=2,
        label=_("Won deals worth more than"),
        help_text=_("In the workspace's base currency; other currencies at the rates in force."),
    )
    no_activity_days = forms.IntegerField(
        required=False,
        min_value=1,
        max_value=3650,
        label=_("No activity for (days)"),
    )
    value_segment = forms.ChoiceField(
        required=False,
        choices=[("", _("Any segment")), *value_segment_choices()],
        label=_("Customer segment (RFM)"),
        help_text=_("From the customer values, recomputed every hour."),
    )
    value_at_risk = forms.BooleanField(required=False, label=_("Customer at risk"))
    value_top = forms.BooleanField(required=False, label=_("In the top 20 %"))

    def stored(self) -> dict[str, str]:
        """The given parameters of a valid form, as the query strings that select them."""
        return {
            name: str(self.data.get(name)).strip()
            for name in self.fields
            if self.cleaned_data.get(name) not in (None, "", False)
        }


class SegmentQueryForm(CrmForm):
    """Reads a saved segment's filter without loading the owner and tag pickers.

    The same parameters as :class:`SegmentFilterForm`, so a segment is evaluated in one
    query for its custom fields and one ``COUNT`` (an owner or tag deleted since matches
    nobody).
    """

    q = SearchTextField()
    owner = RecordIdField()
    tag = RecordIdField()
    created_from = forms.DateField(required=False)
    created_to = forms.DateField(required=False)
    has_won_deal = forms.BooleanField(required=False)
    won_value_above = forms.DecimalField(
        required=False, min_value=0, max_digits=16, decimal_places=2
    )
    no_activity_days = forms.IntegerField(required=False, min_value=1, max_value=3650)
    value_segment = forms.ChoiceField(required=False, choices=[("", ""), *value_segment_choices()])
    value_at_risk = forms.BooleanField(required=False)
    value_top = forms.BooleanField(required=False)

    def __init__(
        self, *args: Any, definitions: Iterable[CustomFieldDefinition] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.definitions = list(definitions)
        for definition in self.definitions:
            self.fields[form_field_name(definition)] = custom_filter_field(definition)

    def custom_filters(self) -> dict[str, Any]:
        values = {d.key: self.cleaned_data.get(form_field_name(d)) for d in self.definitions}
        return {key: value for key, value in values.items() if value not in (None, "")}


class CallQueueForm(CrmModelForm):
    class Meta:
        model = CallQueue
        fields = ["name", "segment", "is_shared", "daily_target", "retry_minutes", "max_attempts"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        segment = self.fields["segment"]
        segment.queryset = Segment.objects.filter(record_type="contact").order_by("name")  # type: ignore[attr-defined]
        segment.required = True
        self.fields["daily_target"].validators.append(MinValueValidator(1))
        self.fields["max_attempts"].validators.append(MinValueValidator(1))
        style_fields(self)


class CallOutcomeForm(CrmForm):
    outcome = forms.ChoiceField(choices=CallOutcome.choices)
    note = forms.CharField(
        required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    call_back_at = forms.DateTimeField(
        required=False,
        label=_("Call back at"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("outcome") == CallOutcome.CALL_BACK and not data.get("call_back_at"):
            self.add_error("call_back_at", _("Choose when to call back."))
        return data


class CampaignForm(CrmModelForm):
    """A campaign's segment and message: a template, or its own subject and text."""

    class Meta:
        model = Campaign
        fields = ["name", "segment", "template", "subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        segment = self.fields["segment"]
        segment.queryset = Segment.objects.filter(record_type="contact").order_by("name")  # type: ignore[attr-defined]
        segment.required = True
        self.fields["template"].queryset = EmailTemplate.objects.order_by("name")  # type: ignore[attr-defined]
        style_fields(self)


class CampaignSendForm(CrmForm):
    send_at = forms.DateTimeField(
        required=False,
        label=_("Send at (empty: now)"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )


class CampaignFilterForm(CrmForm):
    """Every parameter the campaign list (and its export) reads."""

    q = SearchTextField()
    status = forms.ChoiceField(
        choices=[("", _("Any status")), *CampaignStatus.choices], required=False
    )
    sort = forms.CharField(required=False, max_length=30)
    after = forms.CharField(required=False, max_length=CURSOR_MAX_LENGTH)
    before = forms.CharField(required=False, max_length=CURSOR_MAX_LENGTH)
    format = forms.ChoiceField(
        required=False, choices=[("", "CSV"), ("csv", "CSV"), ("xlsx", "Excel")]
    )
    view = RecordIdField(label=_("Saved view"))

    PAGING = ("after", "before", "view")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)
