"""Forms of e-mail from the CRM: a template, a message, a preview's record."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.forms.widgets import RecordSelect, style_fields
from crm.mailing.merge import merge_errors
from crm.mailing.models import EmailTemplate
from crm.models import Contact


def _merge_clean(value: str) -> str:
    errors = merge_errors(value)
    if errors:
        raise forms.ValidationError(errors)
    return value


class EmailTemplateForm(forms.ModelForm):
    class Meta:
        model = EmailTemplate
        fields = ["name", "language", "subject", "body"]
        widgets = {"body": forms.Textarea(attrs={"rows": 10})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)

    def clean_subject(self) -> str:
        return _merge_clean(self.cleaned_data["subject"])

    def clean_body(self) -> str:
        return _merge_clean(self.cleaned_data["body"])


class ComposeForm(forms.Form):
    template = forms.ModelChoiceField(
        queryset=EmailTemplate.objects.all(), required=False, label=_("Template")
    )
    subject = forms.CharField(max_length=200, label=_("Subject"))
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 10}), label=_("Message"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)

    def clean_subject(self) -> str:
        return _merge_clean(self.cleaned_data["subject"])

    def clean_body(self) -> str:
        return _merge_clean(self.cleaned_data["body"])


class PreviewForm(forms.Form):
    contact = forms.ModelChoiceField(
        queryset=Contact.objects.none(),
        required=False,
        label=_("Preview for"),
        widget=RecordSelect("/lookup/contacts/"),
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.visible_to(user)  # type: ignore[attr-defined]
        style_fields(self)
