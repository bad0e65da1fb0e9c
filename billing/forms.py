"""Forms of the billing pages, the sandbox pages and the operations console."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from billing.features import FEATURES
from billing.models import BillingInterval, Plan


class PlanChoiceForm(forms.Form):
    plan = forms.ModelChoiceField(
        label=_("Plan"), queryset=Plan.objects.public(), to_field_name="slug"
    )
    interval = forms.ChoiceField(
        label=_("Billing"), choices=BillingInterval.choices, initial=BillingInterval.MONTH
    )


class CardForm(forms.Form):
    card_number = forms.CharField(
        label=_("Card number"),
        max_length=30,
        widget=forms.TextInput(
            attrs={
                "autocomplete": "cc-number",
                "inputmode": "numeric",
                "placeholder": "4242 4242 4242 4242",
            }
        ),
    )
    expiry = forms.CharField(label=_("Expiry (MM/YY)"), max_length=7, required=False)
    cvc = forms.CharField(label=_("CVC"), max_length=4, required=False)


class TrialExtendForm(forms.Form):
    days = forms.IntegerField(label=_("Extra days"), min_value=1, max_value=365)
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class ComplimentaryGrantForm(forms.Form):
    plan = forms.ModelChoiceField(
        label=_("Plan"), queryset=Plan.objects.all(), to_field_name="slug"
    )
    reason = forms.CharField(
        label=_("Reason"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class SandboxClockForm(forms.Form):
    ACTIONS = [
        ("end_trial", _("End the trial now")),
        ("renew", _("Renew (bill the next period)")),
        ("fail_payment", _("Renew with a failing payment")),
    ]
    action = forms.ChoiceField(label=_("Advance the clock"), choices=ACTIONS)
    reason = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )


class PlanForm(forms.ModelForm):
    """Provider ops edit plans as data; prices reach the gateway with ``billing_sync_plans``."""

    features = forms.MultipleChoiceField(
        label=_("Features"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only features that exist can be sold; everything else is in every plan."),
    )

    class Meta:
        model = Plan
        fields = [
            "name",
            "tagline",
            "currency",
            "monthly_price",
            "yearly_price",
            "seat_limit",
            "is_public",
            "sort_order",
        ]

    #: The plan's name and tagline in each other language: (field, language, attribute).
    TRANSLATED = (
        ("name_zh_hans", "zh-hans", "name"),
        ("tagline_zh_hans", "zh-hans", "tagline"),
        ("name_zh_hant", "zh-hant", "name"),
        ("tagline_zh_hant", "zh-hant", "tagline"),
    )
    name_zh_hans = forms.CharField(label=_("Name (简体中文)"), max_length=80, required=False)
    tagline_zh_hans = forms.CharField(label=_("Tagline (简体中文)"), max_length=200, required=False)
    name_zh_hant = forms.CharField(label=_("Name (繁體中文)"), max_length=80, required=False)
    tagline_zh_hant = forms.CharField(label=_("Tagline (繁體中文)"), max_length=200, required=False)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        translations = self.instance.translations or {}
        for field, language, attribute in self.TRANSLATED:
            self.fields[field].initial = translations.get(language, {}).get(attribute, "")
        features_field = self.fields["features"]
        assert isinstance(features_field, forms.MultipleChoiceField)  # noqa: S101 -- declared above
        features_field.choices = [(key, feature.label) for key, feature in FEATURES.items()]
        if self.instance.pk:
            features_field.initial = [
                key for key in self.instance.features or [] if key in FEATURES
            ]

    def clean_features(self) -> list[str]:
        chosen = set(self.cleaned_data.get("features") or [])
        return [key for key in FEATURES if key in chosen]

    def translations(self) -> dict[str, dict[str, str]]:
        """The translated names and taglines as the plan stores them (empty ones left out)."""
        result: dict[str, dict[str, str]] = {}
        for field, language, attribute in self.TRANSLATED:
            value = str(self.cleaned_data.get(field) or "").strip()
            if value:
                result.setdefault(language, {})[attribute] = value
        return result
