"""Forms of the rule and care-touch settings: one rule form, rows of conditions and actions."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from crm.automation.models import (
    VALUELESS_OPERATORS,
    ActionKind,
    Audience,
    CareKind,
    CareTouch,
    Operator,
    Rule,
    RuleObjectType,
    Trigger,
)
from crm.automation.rules import field_choices, field_known
from crm.automation.webhooks import WebhookRefusedError, webhook_url_check
from crm.models import ActivityKind, LeadSource, Stage, Tag

#: Blank rows offered below the saved conditions and actions.
EXTRA_ROWS = 2


def _grouped_fields(*, settable: bool = False) -> list[tuple[Any, Any]]:
    choices: list[tuple[Any, Any]] = [("", "—")]
    for value, label in RuleObjectType.choices:
        choices.append((label, field_choices(value, settable=settable)))
    return choices


def _choice(form: forms.BaseForm, name: str) -> forms.ChoiceField:
    return cast(forms.ChoiceField, form.fields[name])


def _active_users() -> list[tuple[int, str]]:
    from tenants.users.models import User

    return [(u.pk, str(u)) for u in User.objects.filter(is_active=True).order_by("email")]


def _email_templates() -> list[tuple[int, str]]:
    from crm.mailing.models import EmailTemplate

    return [(t.pk, str(t)) for t in EmailTemplate.objects.order_by("name", "pk")]


class RuleForm(forms.ModelForm):
    class Meta:
        model = Rule
        fields = [
            "name", "is_active", "object_type", "trigger", "trigger_field", "trigger_stage",
            "trigger_days", "trigger_source", "trigger_hour", "match",
        ]  # fmt: skip
        help_texts = {
            "trigger_field": _("For “Field changed”: the field to watch."),
            "trigger_stage": _("For “Deal entered a stage”."),
            "trigger_days": _("For “Deal idle”: days in the same stage."),
            "trigger_source": _("For “Lead from a source”."),
            "trigger_hour": _("For “Every day”: the hour (0-23) in the workspace's time zone."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["trigger_field"] = forms.ChoiceField(
            label=_("Field"),
            choices=_grouped_fields(),
            required=False,
            help_text=self.Meta.help_texts["trigger_field"],
        )
        self.fields["trigger_source"] = forms.ChoiceField(
            label=_("Lead source"),
            choices=[("", "—"), *LeadSource.choices],
            required=False,
            help_text=self.Meta.help_texts["trigger_source"],
        )
        stage_field = self.fields["trigger_stage"]
        stage_field.queryset = Stage.objects.select_related("pipeline").order_by(  # type: ignore[attr-defined]
            "pipeline__position", "pipeline_id", "position"
        )
        stage_field.label_from_instance = lambda s: f"{s.pipeline.name} / {s.name}"  # type: ignore[attr-defined]
        self.fields["trigger_hour"].widget.attrs.update(min=0, max=23)
        self.fields["trigger_days"].widget.attrs.update(min=1)

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        trigger, object_type = data.get("trigger"), data.get("object_type")
        if not trigger or not object_type:
            return data
        deal_only = (Trigger.STAGE_ENTERED, Trigger.DEAL_IDLE)
        if trigger in deal_only and object_type != RuleObjectType.DEAL:
            self.add_error("trigger", _("This trigger is for deals."))
        if trigger == Trigger.LEAD_SOURCE and object_type != RuleObjectType.LEAD:
            self.add_error("trigger", _("This trigger is for leads."))
        required = {
            Trigger.FIELD_CHANGED: "trigger_field",
            Trigger.STAGE_ENTERED: "trigger_stage",
            Trigger.DEAL_IDLE: "trigger_days",
            Trigger.LEAD_SOURCE: "trigger_source",
            Trigger.SCHEDULE: "trigger_hour",
        }
        needed = required.get(trigger)
        if needed and data.get(needed) in (None, ""):
            self.add_error(needed, _("This trigger needs it."))
        field = data.get("trigger_field")
        if trigger == Trigger.FIELD_CHANGED and field and not field_known(object_type, field):
            self.add_error("trigger_field", _("Not a field of this record type."))
        if data.get("trigger_hour") is not None and data["trigger_hour"] > 23:
            self.add_error("trigger_hour", _("Give an hour from 0 to 23."))
        if data.get("trigger_days") is not None and data["trigger_days"] < 1:
            self.add_error("trigger_days", _("Give at least one day."))
        for name in required.values():  # parameters of other triggers are not kept
            if name != needed:
                data[name] = (
                    None if name in ("trigger_stage", "trigger_days", "trigger_hour") else ""
                )
        return data


class ConditionForm(forms.Form):
    field = forms.ChoiceField(label=_("Field"), required=False)
    operator = forms.ChoiceField(label=_("Comparison"), choices=Operator.choices, required=False)
    value = forms.CharField(label=_("Value"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choice(self, "field").choices = _grouped_fields()

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if not data.get("field"):
            return data
        if not data.get("operator"):
            self.add_error("operator", _("Choose a comparison."))
        elif data["operator"] not in VALUELESS_OPERATORS and data.get("value", "") == "":
            self.add_error("value", _("Give the value to compare with."))
        return data

    def as_condition(self) -> dict[str, Any] | None:
        data: dict[str, Any] = self.cleaned_data
        if not data.get("field"):
            return None
        value = "" if data["operator"] in VALUELESS_OPERATORS else data.get("value", "")
        return {"field": data["field"], "operator": data["operator"], "value": value}


class ActionForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Action"), choices=[("", "—"), *ActionKind.choices], required=False
    )
    activity_kind = forms.ChoiceField(
        label=_("Activity type"),
        choices=[
            (kind.value, kind.label)
            for kind in (ActivityKind.TASK, ActivityKind.CALL, ActivityKind.MEETING)
        ],
        required=False,
    )  # fmt: skip
    title = forms.CharField(label=_("Title"), max_length=200, required=False)
    due_days = forms.IntegerField(
        label=_("Due in (days)"), min_value=0, max_value=365, required=False
    )
    mode = forms.ChoiceField(
        label=_("Owner"),
        choices=[("fixed", _("A fixed user")), ("round_robin", _("In turn among users"))],
        required=False,
    )
    user = forms.TypedChoiceField(label=_("User"), coerce=int, required=False, empty_value=None)
    users = forms.TypedMultipleChoiceField(label=_("Users in turn"), coerce=int, required=False)
    field = forms.ChoiceField(label=_("Field to set"), required=False)
    value = forms.CharField(label=_("Value"), max_length=200, required=False)
    tag = forms.CharField(label=_("Tag"), max_length=60, required=False)
    template = forms.TypedChoiceField(
        label=_("E-mail template"), coerce=int, required=False, empty_value=None
    )
    url = forms.URLField(
        label=_("Webhook URL"), max_length=500, required=False, assume_scheme="https"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users = _active_users()
        _choice(self, "user").choices = [("", "—"), *users]
        _choice(self, "users").choices = users
        _choice(self, "field").choices = _grouped_fields(settable=True)
        _choice(self, "template").choices = [("", "—"), *_email_templates()]
        self.fields["tag"].widget.attrs["list"] = "automation-tags"

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        kind = data.get("kind")
        needs: list[str] = {
            str(ActionKind.CREATE_ACTIVITY): ["title"],
            str(ActionKind.SET_FIELD): ["field"],
            str(ActionKind.ADD_TAG): ["tag"],
            str(ActionKind.SEND_EMAIL): ["template"],
            str(ActionKind.WEBHOOK): ["url"],
        }.get(str(kind), [])
        for name in needs:
            if data.get(name) in (None, ""):
                self.add_error(name, _("This action needs it."))
        if kind == ActionKind.ASSIGN_OWNER:
            if data.get("mode") == "round_robin":
                if len(data.get("users") or []) < 2:
                    self.add_error("users", _("Choose at least two users to take turns."))
            elif not data.get("user"):
                self.add_error("user", _("Choose the user."))
        if kind == ActionKind.WEBHOOK and data.get("url"):
            try:
                webhook_url_check(data["url"], resolve=False)
            except WebhookRefusedError as error:
                self.add_error("url", str(error))
        return data

    def as_action(self) -> dict[str, Any] | None:
        data: dict[str, Any] = self.cleaned_data
        kind = data.get("kind")
        if not kind:
            return None
        if kind == ActionKind.CREATE_ACTIVITY:
            return {
                "kind": kind,
                "activity_kind": data.get("activity_kind") or ActivityKind.TASK,
                "title": data["title"],
                "due_days": data.get("due_days") or 0,
            }
        if kind == ActionKind.ASSIGN_OWNER:
            if data.get("mode") == "round_robin":
                return {"kind": kind, "mode": "round_robin", "users": list(data["users"])}
            return {"kind": kind, "mode": "fixed", "user": data["user"]}
        if kind == ActionKind.SET_FIELD:
            return {"kind": kind, "field": data["field"], "value": data.get("value", "")}
        if kind == ActionKind.ADD_TAG:
            return {"kind": kind, "tag": data["tag"].strip()}
        if kind == ActionKind.SEND_EMAIL:
            return {"kind": kind, "template": data["template"]}
        return {"kind": kind, "url": data["url"]}


ConditionFormSet = formset_factory(ConditionForm, extra=EXTRA_ROWS, max_num=10, absolute_max=10)
ActionFormSet = formset_factory(ActionForm, extra=EXTRA_ROWS, max_num=10, absolute_max=10)


def rule_forms(data: Any = None, *, rule: Rule | None = None) -> tuple[RuleForm, Any, Any]:
    """The rule form and its rows of conditions and actions, bound or filled from ``rule``."""
    conditions = rule.conditions if rule else []
    actions = rule.actions if rule else []
    return (
        RuleForm(data, instance=rule),
        ConditionFormSet(data, prefix="cond", initial=None if data else conditions),
        ActionFormSet(
            data,
            prefix="act",
            initial=None if data else [{"mode": "fixed", **a} for a in actions],
        ),
    )


def rule_definition(form: RuleForm, conditions: Any, actions: Any) -> dict[str, Any] | None:
    """The rule's fields when every form is valid and each row fits the record type."""
    if not (form.is_valid() and conditions.is_valid() and actions.is_valid()):
        return None
    object_type = form.cleaned_data["object_type"]
    valid = True
    for row in conditions:
        path = row.cleaned_data.get("field")
        if path and not field_known(object_type, path):
            row.add_error("field", _("Not a field of this record type."))
            valid = False
    for row in actions:
        path = row.cleaned_data.get("field")
        sets = row.cleaned_data.get("kind") == ActionKind.SET_FIELD
        if sets and path and not field_known(object_type, path, settable=True):
            row.add_error("field", _("This field cannot be set on this record type."))
            valid = False
    action_list = [a for a in (row.as_action() for row in actions) if a]
    if not action_list:
        form.add_error(None, _("Add at least one action."))
        valid = False
    if not valid:
        return None
    return {
        **form.cleaned_data,
        "conditions": [c for c in (row.as_condition() for row in conditions) if c],
        "actions": action_list,
    }


class CareTouchForm(forms.ModelForm):
    holidays = forms.MultipleChoiceField(
        label=_("Holidays"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None chosen: every public holiday of the customer's country."),
    )

    class Meta:
        model = CareTouch
        fields = [
            "is_active", "audience", "audience_tag", "audience_min_value", "audience_segment",
            "days", "holidays",
        ]  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from crm.automation.care import HOLIDAY_GROUPS

        super().__init__(*args, **kwargs)
        self.fields["audience_tag"].queryset = Tag.objects.order_by("name")  # type: ignore[attr-defined]
        _choice(self, "holidays").choices = [
            (key, label) for key, (label, _words) in HOLIDAY_GROUPS.items()
        ]
        kind = self.instance.kind
        self.fields["days"].label = {
            CareKind.KEEP_IN_TOUCH: _("Days without activity"),
            CareKind.AFTER_WON: _("Days after the win"),
        }.get(kind, _("Days before"))
        self.fields["days"].widget.attrs.update(min=0, max=365)
        if kind != CareKind.HOLIDAY:
            del self.fields["holidays"]

    def clean(self) -> dict[str, Any]:
        data: dict[str, Any] = super().clean() or {}
        if data.get("audience") == Audience.TAG and not data.get("audience_tag"):
            self.add_error("audience_tag", _("Choose the tag."))
        if data.get("audience") == Audience.WON_VALUE and data.get("audience_min_value") is None:
            self.add_error("audience_min_value", _("Give the amount."))
        if data.get("audience") == Audience.VALUE_SEGMENT and not data.get("audience_segment"):
            self.add_error("audience_segment", _("Choose the segment."))
        if (data.get("days") or 0) > 365:
            self.add_error("days", _("At most 365 days."))
        if self.instance.kind == CareKind.KEEP_IN_TOUCH and not data.get("days"):
            self.add_error("days", _("Give at least one day."))
        return data
