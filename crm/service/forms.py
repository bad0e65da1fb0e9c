"""Forms of customer service: cases, replies, filters, settings, articles, the public pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.forms.base import CrmForm, CrmModelForm
from crm.forms.query import RecordIdField, SearchTextField
from crm.forms.widgets import RecordSelect, active_users, style_fields
from crm.models import Company, Contact, Deal
from crm.selectors.lists import CURSOR_MAX_LENGTH
from crm.service.models import (
    Article,
    Case,
    CaseStatus,
    Category,
    Channel,
    Priority,
    Queue,
    ServiceSettings,
)


class CaseForm(CrmModelForm):
    class Meta:
        model = Case
        fields = [
            "subject", "description", "contact", "company", "deal", "priority", "channel",
            "category", "assignee", "queue",
        ]  # fmt: skip
        widgets = {
            "subject": forms.TextInput(attrs={"autofocus": True}),
            "description": forms.Textarea(attrs={"rows": 5}),
            "contact": RecordSelect("/lookup/contacts/"),
            "company": RecordSelect("/lookup/companies/"),
            "deal": RecordSelect("/lookup/deals/"),
        }

    def __init__(self, *args: Any, user: Any = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assignee"].queryset = active_users()  # type: ignore[attr-defined]
        if user is not None:
            for name, model in (("contact", Contact), ("company", Company), ("deal", Deal)):
                self.fields[name].queryset = model.objects.visible_to(user)  # type: ignore[attr-defined]
        style_fields(self)


class ReplyForm(CrmForm):
    KINDS = [("reply", _("Reply to the customer")), ("note", _("Internal note"))]

    kind = forms.ChoiceField(choices=KINDS, initial="reply", widget=forms.RadioSelect)
    body = forms.CharField(
        max_length=20_000, label=_("Message"), widget=forms.Textarea(attrs={"rows": 4})
    )
    status = forms.ChoiceField(
        choices=[("", _("Keep the status")), *CaseStatus.choices],
        required=False,
        label=_("Then set status"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


class StatusForm(CrmForm):
    status = forms.ChoiceField(choices=CaseStatus.choices)


class CaseFilterForm(CrmForm):
    """Every parameter the case list (and its export) reads."""

    q = SearchTextField()
    status = forms.ChoiceField(
        choices=[("", _("Any status")), ("active", _("Active")), *CaseStatus.choices],
        required=False,
    )
    priority = forms.ChoiceField(
        choices=[("", _("Any priority")), *Priority.choices], required=False
    )
    channel = forms.ChoiceField(choices=[("", _("Any channel")), *Channel.choices], required=False)
    category = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    queue = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    assignee = forms.TypedChoiceField(coerce=int, required=False, empty_value=None)
    sla = forms.ChoiceField(
        choices=[("", _("Any SLA state")), ("at_risk", _("At risk")), ("breached", _("Breached"))],
        required=False,
    )
    opened_from = forms.DateField(required=False, label=_("Opened from"))
    opened_to = forms.DateField(required=False, label=_("Opened to"))
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
        self.fields["category"].choices = [  # type: ignore[attr-defined]
            ("", _("Any category")),
            *Category.objects.values_list("pk", "name"),
        ]
        self.fields["queue"].choices = [  # type: ignore[attr-defined]
            ("", _("Any queue")),
            *Queue.objects.values_list("pk", "name"),
        ]
        users = [(u.pk, str(u)) for u in active_users().only("full_name", "email")]
        self.fields["assignee"].choices = [("", _("Any assignee")), *users]  # type: ignore[attr-defined]
        style_fields(self)


class ReportForm(CrmForm):
    group = forms.ChoiceField(
        choices=[
            ("week", _("Week")),
            ("month", _("Month")),
            ("priority", _("Priority")),
            ("assignee", _("Assignee")),
        ],
        required=False,
    )
    days = forms.TypedChoiceField(
        coerce=int,
        choices=[(30, _("Last 30 days")), (90, _("Last 90 days")), (365, _("Last 12 months"))],
        required=False,
        empty_value=None,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


class ServiceSettingsForm(CrmModelForm):
    DAYS = [
        (0, _("Monday")),
        (1, _("Tuesday")),
        (2, _("Wednesday")),
        (3, _("Thursday")),
        (4, _("Friday")),
        (5, _("Saturday")),
        (6, _("Sunday")),
    ]
    work_days = forms.TypedMultipleChoiceField(
        coerce=int, choices=DAYS, widget=forms.CheckboxSelectMultiple, label=_("Working days")
    )

    class Meta:
        model = ServiceSettings
        fields = [
            "work_days", "work_starts", "work_ends", "warning_percent", "escalate_to",
            "web_form_enabled", "help_center_enabled",
        ]  # fmt: skip
        widgets = {
            "work_starts": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            "work_ends": forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["escalate_to"].queryset = active_users()  # type: ignore[attr-defined]
        style_fields(self)

    def clean_warning_percent(self) -> int:
        value = int(self.cleaned_data["warning_percent"])
        if not 1 <= value <= 99:
            raise forms.ValidationError(_("Choose 1 to 99 percent."))
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("work_starts"), data.get("work_ends")
        if starts and ends and starts >= ends:
            self.add_error("work_ends", _("The working day must end after it starts."))
        return data


class SlaPolicyForm(CrmForm):
    """The four priorities' targets, in hours, on one form."""

    def __init__(self, *args: Any, targets: dict[str, tuple[int, int]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for priority, label in Priority.choices:
            first, resolution = targets[priority]
            self.fields[f"{priority}_first"] = forms.DecimalField(
                min_value=0.25, max_value=2000, decimal_places=2, initial=first / 60, label=label
            )
            self.fields[f"{priority}_resolution"] = forms.DecimalField(
                min_value=0.25, max_value=5000, decimal_places=2, initial=resolution / 60
            )
        style_fields(self)

    def rows(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [
            (str(label), self[f"{priority}_first"], self[f"{priority}_resolution"])
            for priority, label in Priority.choices
        ]


class QueueForm(CrmModelForm):
    class Meta:
        model = Queue
        fields = ["name", "manager"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["manager"].queryset = active_users()  # type: ignore[attr-defined]
        style_fields(self)


class CategoryForm(CrmModelForm):
    class Meta:
        model = Category
        fields = ["name", "position"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


class ArticleForm(CrmModelForm):
    class Meta:
        model = Article
        fields = ["title", "body", "body_format", "visibility", "language"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14})}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


class SuggestForm(CrmForm):
    subject = forms.CharField(required=False, max_length=200)


class CsatForm(CrmForm):
    score = forms.TypedChoiceField(
        coerce=int,
        choices=[(n, str(n)) for n in range(1, 6)],
        widget=forms.RadioSelect,
        label=_("How satisfied are you with how we handled your request?"),
    )
    comment = forms.CharField(
        required=False,
        max_length=2000,
        label=_("Anything you would like to tell us?"),
        widget=forms.Textarea(attrs={"rows": 4, "class": "form-control"}),
    )


class WebCaseForm(CrmForm):
    """The public form: bounded sizes, a signed key instead of CSRF, and a honeypot."""

    form_key = forms.CharField(max_length=200, widget=forms.HiddenInput)
    #: Left empty by people (hidden from them); bots fill every field.
    website = forms.CharField(required=False, max_length=200, label=_("Leave this empty"))
    name = forms.CharField(max_length=200, label=_("Your name"))
    email = forms.EmailField(max_length=254, label=_("Your e-mail"))
    subject = forms.CharField(max_length=200, label=_("Subject"))
    description = forms.CharField(
        max_length=5000, label=_("How can we help?"), widget=forms.Textarea(attrs={"rows": 6})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)
