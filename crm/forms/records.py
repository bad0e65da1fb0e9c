"""Forms that create and change CRM records, their links and activities."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.locales import currency_choices
from core.phones import phone_normalise
from crm.custom_fields import form_field_for, form_field_name, to_form_input, to_storage
from crm.forms.base import CrmForm, CrmModelForm
from crm.forms.widgets import RecordSelect, TagNamesField, active_users, style_fields
from crm.models import (
    Activity,
    ActivityKind,
    Company,
    Contact,
    ContactRole,
    CustomFieldDefinition,
    Deal,
    DealContactRole,
    Lead,
    LeadStatus,
    Pipeline,
    Stage,
    StageKind,
)
from crm.models.records import PERIOD_OUT_OF_ORDER, period_in_order
from crm.models.validation import DURATION, MAX_DURATION_MINUTES, NEGATIVE_AMOUNT, PERCENTAGE
from crm.names import compose_full_name
from crm.notifications.forms import ReminderField


class RecordForm(CrmModelForm):
    """A record's fields plus its custom fields (``cf_<key>``) and its tags."""

    object_type: str = ""

    tag_names = TagNamesField()

    def __init__(
        self, *args: Any, definitions: list[CustomFieldDefinition] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.definitions = list(definitions or [])
        custom = self.instance.custom if self.instance and self.instance.pk else {}
        for definition in self.definitions:
            field = form_field_for(definition)
            field.initial = to_form_input(definition, custom.get(definition.key))
            self.fields[form_field_name(definition)] = field
        if "owner" in self.fields:
            self.fields["owner"].queryset = active_users()  # type: ignore[attr-defined]
        if self.instance and self.instance.pk and hasattr(self.instance, "tags"):
            self.fields["tag_names"].initial = ", ".join(t.name for t in self.instance.tags.all())
        style_fields(self)

    #: Phone number fields, stored in E.164 (the workspace's country is the default region).
    phone_fields: tuple[str, ...] = ("phone", "mobile")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for name in self.phone_fields:
            if name in self.fields and data.get(name):
                try:
                    data[name] = phone_normalise(data[name])
                except ValidationError as error:
                    self.add_error(name, error)
        return data

    @property
    def custom_fields(self) -> list[forms.BoundField]:
        return [self[form_field_name(d)] for d in self.definitions]

    @property
    def standard_fields(self) -> list[forms.BoundField]:
        names = {form_field_name(d) for d in self.definitions} | {"tag_names"}
        return [f for f in self if f.name not in names]

    def custom_values(self) -> dict[str, Any]:
        return {
            d.key: to_storage(d, self.cleaned_data.get(form_field_name(d)))
            for d in self.definitions
        }

    def record_fields(self) -> dict[str, Any]:
        """The model fields to hand to the service, custom values included."""
        values = {name: self.cleaned_data[name] for name in self._meta.fields or []}
        values["custom"] = self.custom_values()
        return values


class CompanyForm(RecordForm):
    object_type = "company"

    class Meta:
        model = Company
        fields = [
            "name", "domain", "industry", "size", "phone", "address", "city", "country", "owner",
        ]  # fmt: skip
        widgets = {"name": forms.TextInput(attrs={"autofocus": True})}


class ContactForm(RecordForm):
    object_type = "contact"

    company = forms.ModelChoiceField(
        queryset=Company.objects.none(),
        required=False,
        label=_("Company"),
        widget=RecordSelect("/lookup/companies/"),
    )
    company_role = forms.ChoiceField(
        choices=ContactRole.choices, initial=ContactRole.EMPLOYEE, label=_("Role at the company")
    )

    class Meta:
        model = Contact
        fields = [
            "full_name", "first_name", "last_name", "title", "email", "phone", "mobile",
            "address", "city", "country", "birthday", "email_opt_out", "phone_opt_out", "owner",
        ]  # fmt: skip
        widgets = {
            "full_name": forms.TextInput(attrs={"autofocus": True}),
            "birthday": forms.DateInput(attrs={"type": "date"}),
        }
        help_texts = {
            "full_name": _("As the person writes it: 张伟, Mary Smith or a single name."),
            "first_name": _("Optional, for greetings and letters."),
        }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["company"].queryset = Company.objects.visible_to(user)  # type: ignore[attr-defined]
        if self.instance and self.instance.pk:
            del self.fields["company"], self.fields["company_role"]
        self.__init_name_field()

    def __init_name_field(self) -> None:
        """The name is required unless its parts are given (it is then composed from them)."""
        self.fields["full_name"].required = False

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not (data.get("full_name") or "").strip():
            composed = compose_full_name(data.get("first_name") or "", data.get("last_name") or "")
            if not composed:
                self.add_error("full_name", _("Enter the person's name."))
            data["full_name"] = composed
            self.instance.full_name = composed
        return data

    def record_fields(self) -> dict[str, Any]:
        values = super().record_fields()
        values.pop("company", None)
        values.pop("company_role", None)
        return values


class LeadForm(RecordForm):
    object_type = "lead"

    class Meta:
        model = Lead
        fields = ["name", "company_name", "email", "phone", "source", "status", "owner"]
        widgets = {"name": forms.TextInput(attrs={"autofocus": True})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            c for c in LeadStatus.choices if c[0] != LeadStatus.CONVERTED
        ]


class DealForm(RecordForm):
    object_type = "deal"

    stage = forms.ModelChoiceField(queryset=Stage.objects.none(), label=_("Stage"))
    currency = forms.ChoiceField(label=_("Currency"), choices=currency_choices)

    class Meta:
        model = Deal
        fields = [
            "title", "company", "amount", "currency", "expected_close_on", "probability", "owner",
            "lost_reason",
        ]  # fmt: skip
        widgets = {
            "title": forms.TextInput(attrs={"autofocus": True}),
            "company": RecordSelect("/lookup/companies/"),
            "amount": forms.NumberInput(attrs={"min": "0", "step": "any"}),
            "expected_close_on": forms.DateInput(attrs={"type": "date"}),
        }
        error_messages = {
            "probability": {"min_value": PERCENTAGE, "max_value": PERCENTAGE},
        }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["company"].queryset = Company.objects.visible_to(user)  # type: ignore[attr-defined]
        if self.instance and self.instance.pk:
            del self.fields["stage"]
        else:
            self.fields["stage"].queryset = Stage.objects.select_related("pipeline").order_by(  # type: ignore[attr-defined]
                "pipeline__position", "pipeline_id", "position"
            )
            self.fields["stage"].label_from_instance = lambda s: f"{s.pipeline} · {s}"  # type: ignore[attr-defined]
            style_fields(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk is None and data.get("stage") is not None:
            # The stage decides which date rules apply (open deals only): the model's own
            # validation, which runs next, needs it.
            self.instance.stage = data["stage"]
        return data


class ActivityForm(CrmModelForm):
    class Meta:
        model = Activity
        fields = [
            "kind", "subject", "due_at", "duration_minutes", "body", "outcome", "owner",
            "contact", "company", "deal", "lead",
        ]  # fmt: skip
        widgets = {
            "subject": forms.TextInput(attrs={"autofocus": True}),
            "due_at": forms.DateTimeInput(
                attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"
            ),
            "duration_minutes": forms.NumberInput(
                attrs={"min": "1", "max": str(MAX_DURATION_MINUTES)}
            ),
            "body": forms.Textarea(attrs={"rows": 4}),
            "contact": RecordSelect("/lookup/contacts/"),
            "company": RecordSelect("/lookup/companies/"),
            "deal": RecordSelect("/lookup/deals/"),
            "lead": RecordSelect("/lookup/leads/"),
        }
        error_messages = {"duration_minutes": {"min_value": DURATION, "max_value": DURATION}}

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_users()  # type: ignore[attr-defined]
        if user is not None:
            for name, model in (
                ("contact", Contact),
                ("company", Company),
                ("deal", Deal),
                ("lead", Lead),
            ):
                self.fields[name].queryset = model.objects.visible_to(user)  # type: ignore[attr-defined]
        self.fields["remind"] = ReminderField(
            required=False, empty_value=None, initial=self._remind_initial(user)
        )
        style_fields(self)

    def _remind_initial(self, user: Any) -> int | None:
        """The activity's reminder, else the user's default for a new one."""
        from crm.notifications.models import Reminder, ReminderOffset
        from crm.notifications.services import reminder_default_minutes

        if self.instance.pk:
            current = Reminder.objects.filter(activity=self.instance).first()
            return current.minutes_before if current else int(ReminderOffset.NONE)
        return reminder_default_minutes(user) if user is not None else None


class QuickAddForm(CrmForm):
    """The one-line note/call/task box on a detail page."""

    kind = forms.ChoiceField(
        choices=[
            (ActivityKind.NOTE, ActivityKind.NOTE.label),
            (ActivityKind.CALL, ActivityKind.CALL.label),
            (ActivityKind.TASK, ActivityKind.TASK.label),
            (ActivityKind.MEETING, ActivityKind.MEETING.label),
            (ActivityKind.EMAIL, ActivityKind.EMAIL.label),
        ],
        initial=ActivityKind.NOTE,
    )
    subject = forms.CharField(max_length=200, label=_("What happened or needs doing?"))
    body = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    due_at = forms.DateTimeField(
        required=False,
        label=_("Due"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    done = forms.BooleanField(required=False, label=_("Already done"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


class CompleteForm(CrmForm):
    outcome = forms.CharField(max_length=200, required=False, label=_("Outcome"))


class LostReasonForm(CrmForm):
    """Why a deal was lost, asked when it is dropped on a lost stage."""

    stage = forms.ModelChoiceField(queryset=Stage.objects.none(), widget=forms.HiddenInput)
    lost_reason = forms.CharField(max_length=200, label=_("Why was this deal lost?"))
    above = forms.IntegerField(required=False, widget=forms.HiddenInput)
    below = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, deal: Deal, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].queryset = Stage.objects.filter(  # type: ignore[attr-defined]
            pipeline_id=deal.pipeline_id, kind=StageKind.LOST
        )
        self.fields["lost_reason"].widget.attrs["autofocus"] = True
        style_fields(self)


class DealContactForm(CrmForm):
    """Add a person to a deal, in a role."""

    contact = forms.ModelChoiceField(
        queryset=Contact.objects.none(),
        label=_("Contact"),
        widget=RecordSelect("/lookup/contacts/"),
    )
    role = forms.ChoiceField(
        choices=DealContactRole.choices, initial=DealContactRole.DECISION_MAKER, label=_("Role")
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["contact"].queryset = Contact.objects.visible_to(user)  # type: ignore[attr-defined]
        style_fields(self)


class ContactCompanyForm(CrmForm):
    """Link a contact to a company, in a role and over a period."""

    company = forms.ModelChoiceField(
        queryset=Company.objects.none(),
        label=_("Company"),
        widget=RecordSelect("/lookup/companies/"),
    )
    role = forms.ChoiceField(
        choices=ContactRole.choices, initial=ContactRole.EMPLOYEE, label=_("Role")
    )
    started_on = forms.DateField(
        required=False, label=_("Since"), widget=forms.DateInput(attrs={"type": "date"})
    )
    ended_on = forms.DateField(
        required=False, label=_("Until"), widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = Company.objects.visible_to(user)  # type: ignore[attr-defined]
        style_fields(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not period_in_order(data.get("started_on"), data.get("ended_on")):
            self.add_error("ended_on", PERIOD_OUT_OF_ORDER)
        return data


class MergeForm(CrmForm):
    primary = forms.IntegerField(widget=forms.HiddenInput)
    duplicate = forms.IntegerField(widget=forms.HiddenInput)


class LeadConvertForm(CrmForm):
    create_deal = forms.BooleanField(required=False, initial=True, label=_("Create a deal"))
    deal_title = forms.CharField(required=False, max_length=200, label=_("Deal title"))
    deal_amount = forms.DecimalField(
        required=False,
        max_digits=14,
        decimal_places=2,
        min_value=0,
        label=_("Deal amount"),
        error_messages={"min_value": NEGATIVE_AMOUNT},
    )
    pipeline = forms.ModelChoiceField(
        queryset=Pipeline.objects.all(),
        required=False,
        label=_("Pipeline"),
        empty_label=_("Default pipeline"),
    )
    company = forms.ModelChoiceField(
        queryset=Company.objects.none(),
        required=False,
        label=_("Existing company"),
        empty_label=_("New company from the lead"),
        help_text=_("Leave empty to create a company from the lead's company name."),
        widget=RecordSelect("/lookup/companies/"),
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["company"].queryset = Company.objects.visible_to(user)  # type: ignore[attr-defined]
        style_fields(self)
