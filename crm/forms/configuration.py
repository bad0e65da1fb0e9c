"""Forms of the CRM settings pages (admins): reassign, visibility, pipelines, custom fields."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from core.locales import currency_choices
from crm.forms.base import CrmForm, CrmModelForm
from crm.forms.widgets import active_users, style_fields
from crm.models import (
    Colour,
    CrmSettings,
    CustomFieldDefinition,
    Stage,
)
from crm.models.validation import PERCENTAGE, ROTTING_DAYS
from tenants.users.models import User


class ReassignForm(CrmForm):
    from_user = forms.ModelChoiceField(queryset=User.objects.all(), label=_("From"))
    to_user = forms.ModelChoiceField(queryset=User.objects.none(), label=_("To"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_user"].queryset = User.objects.order_by("full_name")  # type: ignore[attr-defined]
        self.fields["to_user"].queryset = active_users()  # type: ignore[attr-defined]
        style_fields(self)


class CrmSettingsForm(CrmModelForm):
    class Meta:
        model = CrmSettings
        fields = ["reps_see_all"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


class PipelineForm(CrmForm):
    name = forms.CharField(max_length=100, label=_("Pipeline name"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


class StageForm(CrmModelForm):
    class Meta:
        model = Stage
        fields = ["name", "probability", "kind", "rotting_days", "colour", "guidance"]
        error_messages = {
            "probability": {"min_value": PERCENTAGE, "max_value": PERCENTAGE},
            "rotting_days": {"min_value": ROTTING_DAYS},
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["colour"].choices = Colour.choices  # type: ignore[attr-defined]
        style_fields(self)


class CustomFieldForm(CrmModelForm):
    choices_text = forms.CharField(
        required=False,
        label=_("Choices"),
        help_text=_("One per line, for choice fields."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    class Meta:
        model = CustomFieldDefinition
        fields = ["object_type", "label", "field_type", "required", "show_in_list"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["choices_text"].initial = "\n".join(self.instance.choices or [])
            del self.fields["object_type"], self.fields["field_type"]
        style_fields(self)

    def definition_fields(self) -> dict[str, Any]:
        values = {
            k: v for k, v in self.cleaned_data.items() if k not in ("choices_text", "object_type")
        }
        values["choices"] = [
            line.strip() for line in self.cleaned_data.get("choices_text", "").splitlines()
        ]
        return values


class ExchangeRateForm(CrmForm):
    """A rate to the base currency, valid from a day (today by default)."""

    currency = forms.ChoiceField(label=_("Currency"), choices=currency_choices)
    rate = forms.DecimalField(
        label=_("Rate"),
        min_value=Decimal("0.00000001"),
        max_digits=20,
        decimal_places=8,
        widget=forms.NumberInput(attrs={"step": "any", "min": "0"}),
    )
    valid_from = forms.DateField(
        label=_("Valid from"), widget=forms.DateInput(attrs={"type": "date"})
    )
