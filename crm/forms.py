"""Forms of the CRM pages: records with their custom fields, filters, bulk actions, settings."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.custom_fields import form_field_for, form_field_name, to_form_input, to_storage
from crm.models import (
    Activity,
    ActivityKind,
    Colour,
    Company,
    Contact,
    ContactRole,
    CrmSettings,
    CustomFieldDefinition,
    Deal,
    DealContactRole,
    Lead,
    LeadSource,
    LeadStatus,
    ListType,
    Pipeline,
    Stage,
    StageKind,
    Tag,
)
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


class RecordForm(forms.ModelForm):
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
            "first_name", "last_name", "title", "email", "phone", "mobile", "address", "city",
            "country", "birthday", "email_opt_out", "phone_opt_out", "owner",
        ]  # fmt: skip
        widgets = {
            "first_name": forms.TextInput(attrs={"autofocus": True}),
            "birthday": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["company"].queryset = Company.objects.visible_to(user)  # type: ignore[attr-defined]
        if self.instance and self.instance.pk:
            del self.fields["company"], self.fields["company_role"]

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

    class Meta:
        model = Deal
        fields = [
            "title", "company", "amount", "currency", "expected_close_on", "probability", "owner",
            "lost_reason",
        ]  # fmt: skip
        widgets = {
            "title": forms.TextInput(attrs={"autofocus": True}),
            "company": RecordSelect("/lookup/companies/"),
            "expected_close_on": forms.DateInput(attrs={"type": "date"}),
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


class ActivityForm(forms.ModelForm):
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
            "body": forms.Textarea(attrs={"rows": 4}),
            "contact": RecordSelect("/lookup/contacts/"),
            "company": RecordSelect("/lookup/companies/"),
            "deal": RecordSelect("/lookup/deals/"),
            "lead": RecordSelect("/lookup/leads/"),
        }

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
        style_fields(self)


class QuickAddForm(forms.Form):
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


class CompleteForm(forms.Form):
    outcome = forms.CharField(max_length=200, required=False, label=_("Outcome"))


class ListFilterForm(forms.Form):
    """Search, owner, tag and date filters shared by every list; sort and page."""

    q = forms.CharField(required=False, max_length=100, label=_("Search"))
    # Plain choices of ids, loaded once: validating a chosen owner or tag and rendering the
    # selects (twice, with the bulk bar) then costs no further queries.
    owner = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label=_("Owner"))
    tag = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label=_("Tag"))
    created_from = forms.DateField(
        required=False, label=_("Created from"), widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        required=False, label=_("Created until"), widget=forms.DateInput(attrs={"type": "date"})
    )
    sort = forms.CharField(required=False, max_length=30)
    after = forms.CharField(required=False, max_length=400)
    before = forms.CharField(required=False, max_length=400)

    #: Query parameters that move through a list rather than filter it.
    PAGING = ("after", "before", "page", "view")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        owners = [(user.pk, str(user)) for user in active_users().only("full_name", "email")]
        tags = list(Tag.objects.order_by("name").values_list("pk", "name"))
        self.fields["owner"].choices = [("", _("Any owner")), *owners]  # type: ignore[attr-defined]
        self.fields["tag"].choices = [("", _("Any tag")), *tags]  # type: ignore[attr-defined]
        self.owner_choices = owners
        style_fields(self)


class DealFilterForm(ListFilterForm):
    pipeline = forms.ModelChoiceField(
        queryset=Pipeline.objects.all(), required=False, empty_label=_("Any pipeline")
    )
    stage = forms.ModelChoiceField(
        queryset=Stage.objects.select_related("pipeline"),
        required=False,
        empty_label=_("Any stage"),
    )
    status = forms.ChoiceField(choices=[("", _("Any status")), *StageKind.choices], required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["stage"].label_from_instance = lambda s: f"{s.pipeline} · {s}"  # type: ignore[attr-defined]
        style_fields(self)


class LeadFilterForm(ListFilterForm):
    status = forms.ChoiceField(choices=[("", _("Any status")), *LeadStatus.choices], required=False)
    source = forms.ChoiceField(choices=[("", _("Any source")), *LeadSource.choices], required=False)


class ActivityFilterForm(ListFilterForm):
    kind = forms.ChoiceField(choices=[("", _("Any type")), *ActivityKind.choices], required=False)
    status = forms.ChoiceField(
        choices=[
            ("open", _("Open")),
            ("overdue", _("Overdue")),
            ("today", _("Due today")),
            ("done", _("Done")),
            ("", _("All")),
        ],
        required=False,
    )


class CompanyFilterForm(ListFilterForm):
    pass


class ContactFilterForm(ListFilterForm):
    pass


class SavedViewForm(forms.Form):
    """Name the current filters of a list; ``query`` is the list's query string."""

    list_type = forms.ChoiceField(choices=ListType.choices, widget=forms.HiddenInput)
    query = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)
    name = forms.CharField(max_length=80, label=_("View name"))
    shared = forms.BooleanField(required=False, label=_("Share with the workspace"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


class LostReasonForm(forms.Form):
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


class DealContactForm(forms.Form):
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


class ContactCompanyForm(forms.Form):
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
        started, ended = data.get("started_on"), data.get("ended_on")
        if started and ended and ended < started:
            self.add_error("ended_on", _("The end date cannot be before the start date."))
        return data


class BulkActionForm(forms.Form):
    ACTIONS = [("assign", _("Assign owner")), ("tag", _("Add tag")), ("delete", _("Delete"))]

    action = forms.ChoiceField(choices=ACTIONS)
    ids = forms.TypedMultipleChoiceField(coerce=int, choices=[], required=True)
    owner = forms.ModelChoiceField(queryset=User.objects.none(), required=False)
    tag_name = forms.CharField(required=False, max_length=60)
    confirmed = forms.BooleanField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = active_users()  # type: ignore[attr-defined]
        raw_ids = self.data.getlist("ids") if hasattr(self.data, "getlist") else []
        self.fields["ids"].choices = [(i, i) for i in raw_ids if str(i).isdigit()]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == "assign" and not data.get("owner"):
            self.add_error("owner", _("Choose the new owner."))
        if data.get("action") == "tag" and not data.get("tag_name"):
            self.add_error("tag_name", _("Name the tag to add."))
        return data


class MergeForm(forms.Form):
    primary = forms.IntegerField(widget=forms.HiddenInput)
    duplicate = forms.IntegerField(widget=forms.HiddenInput)


class LeadConvertForm(forms.Form):
    create_deal = forms.BooleanField(required=False, initial=True, label=_("Create a deal"))
    deal_title = forms.CharField(required=False, max_length=200, label=_("Deal title"))
    deal_amount = forms.DecimalField(
        required=False, max_digits=14, decimal_places=2, label=_("Deal amount")
    )
    pipeline = forms.ModelChoiceField(queryset=Pipeline.objects.all(), required=False)
    company = forms.ModelChoiceField(
        queryset=Company.objects.none(),
        required=False,
        label=_("Existing company"),
        help_text=_("Leave empty to create a company from the lead's company name."),
        widget=RecordSelect("/lookup/companies/"),
    )

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if user is not None:
            self.fields["company"].queryset = Company.objects.visible_to(user)  # type: ignore[attr-defined]
        style_fields(self)


class ReassignForm(forms.Form):
    from_user = forms.ModelChoiceField(queryset=User.objects.all(), label=_("From"))
    to_user = forms.ModelChoiceField(queryset=User.objects.none(), label=_("To"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["from_user"].queryset = User.objects.order_by("full_name")  # type: ignore[attr-defined]
        self.fields["to_user"].queryset = active_users()  # type: ignore[attr-defined]
        style_fields(self)


class CrmSettingsForm(forms.ModelForm):
    class Meta:
        model = CrmSettings
        fields = ["reps_see_all", "default_currency"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


class PipelineForm(forms.Form):
    name = forms.CharField(max_length=100, label=_("Pipeline name"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


class StageForm(forms.ModelForm):
    class Meta:
        model = Stage
        fields = ["name", "probability", "kind", "rotting_days", "colour"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["colour"].choices = Colour.choices  # type: ignore[attr-defined]
        style_fields(self)


class CustomFieldForm(forms.ModelForm):
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
