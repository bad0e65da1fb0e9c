"""Forms of the list pages: filters, saved views, bulk actions."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from crm.custom_fields import form_field_name
from crm.forms.base import CrmForm
from crm.forms.query import RecordIdField, SearchTextField
from crm.forms.widgets import active_users, style_fields
from crm.models import (
    ActivityKind,
    CustomFieldDefinition,
    FieldType,
    LeadSource,
    LeadStatus,
    ListType,
    Pipeline,
    Stage,
    StageKind,
    Tag,
)
from crm.selectors.lists import CURSOR_MAX_LENGTH
from tenants.users.models import User

#: Longest value a text filter on a custom field takes.
CUSTOM_FILTER_MAX_LENGTH = 100


def custom_filter_field(definition: CustomFieldDefinition) -> forms.Field:
    """The field that parses a list's filter on one custom field (``?cf_<key>=``).

    Users are filtered by id and dates by day; everything else by text (exact for choices,
    a substring for free text), bounded like every query parameter.
    """
    label = definition.label
    match definition.field_type:
        case FieldType.USER:
            return RecordIdField(label=label)
        case FieldType.DATE:
            return forms.DateField(required=False, label=label)
        case _:
            return forms.CharField(required=False, max_length=CUSTOM_FILTER_MAX_LENGTH, label=label)


class ListFilterForm(CrmForm):
    """Search, owner, tag, date and custom-field filters shared by every list; sort and page.

    Every parameter a list page reads goes through this form, so a list, its export and its
    saved views refuse the same malformed values. Cursors (``after``, ``before``) are only
    bounded here: one that does not decode is ignored by the list, which starts from the
    first page (``crm.selectors.lists.decode_cursor``).
    """

    q = SearchTextField()
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
    after = forms.CharField(required=False, max_length=CURSOR_MAX_LENGTH)
    before = forms.CharField(required=False, max_length=CURSOR_MAX_LENGTH)
    view = RecordIdField(label=_("Saved view"))
    #: The export's file type (the list page itself ignores it).
    format = forms.ChoiceField(
        required=False,
        choices=[("", "CSV"), ("csv", "CSV"), ("xlsx", "Excel")],
        label=_("Export format"),
    )

    #: Query parameters that move through a list rather than filter it.
    PAGING = ("after", "before", "page", "view")

    def __init__(
        self, *args: Any, definitions: Iterable[CustomFieldDefinition] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.definitions = list(definitions)
        for definition in self.definitions:
            self.fields[form_field_name(definition)] = custom_filter_field(definition)
        owners = [(user.pk, str(user)) for user in active_users().only("full_name", "email")]
        self.fields["owner"].choices = [("", _("Any owner")), *owners]  # type: ignore[attr-defined]
        if "tag" in self.fields:
            tags = list(Tag.objects.order_by("name").values_list("pk", "name"))
            self.fields["tag"].choices = [("", _("Any tag")), *tags]  # type: ignore[attr-defined]
        self.owner_choices = owners
        style_fields(self)

    def custom_filters(self) -> dict[str, Any]:
        """The given custom-field filters of a valid form, by field key."""
        values = {d.key: self.cleaned_data.get(form_field_name(d)) for d in self.definitions}
        return {key: value for key, value in values.items() if value not in (None, "")}


class DealFilterForm(ListFilterForm):
    pipeline = forms.ModelChoiceField(
        queryset=Pipeline.objects.all(), required=False, empty_label=_("Any pipeline")
    )
    # Choices of ids, loaded once like owner and tag: the select and the chosen stage's
    # validation share one query.
    stage = forms.TypedChoiceField(coerce=int, required=False, empty_value=None, label=_("Stage"))
    status = forms.ChoiceField(choices=[("", _("Any status")), *StageKind.choices], required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        stages = Stage.objects.select_related("pipeline").order_by(
            "pipeline__position", "pipeline_id", "position", "id"
        )
        self.fields["stage"].choices = [  # type: ignore[attr-defined]
            ("", _("Any stage")),
            *((stage.pk, f"{stage.pipeline} · {stage}") for stage in stages),
        ]
        style_fields(self)


class LeadFilterForm(ListFilterForm):
    status = forms.ChoiceField(choices=[("", _("Any status")), *LeadStatus.choices], required=False)
    source = forms.ChoiceField(choices=[("", _("Any source")), *LeadSource.choices], required=False)


class ActivityFilterForm(ListFilterForm):
    tag = None  # type: ignore[assignment]  # activities carry no tags
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


class SavedViewForm(CrmForm):
    """Name the current filters of a list; ``query`` is the list's query string."""

    list_type = forms.ChoiceField(choices=ListType.choices, widget=forms.HiddenInput)
    query = forms.CharField(required=False, max_length=1000, widget=forms.HiddenInput)
    name = forms.CharField(max_length=80, label=_("View name"))
    shared = forms.BooleanField(required=False, label=_("Share with the workspace"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        style_fields(self)


class BulkActionForm(CrmForm):
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
