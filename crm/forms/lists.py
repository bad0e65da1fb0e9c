"""Forms of the list pages: filters, saved views, bulk actions."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.forms.widgets import active_users, style_fields
from crm.models import (
    ActivityKind,
    LeadSource,
    LeadStatus,
    ListType,
    Pipeline,
    Stage,
    StageKind,
    Tag,
)
from tenants.users.models import User


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
