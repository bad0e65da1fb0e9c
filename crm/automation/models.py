"""Workflow rules, their run log, and the customer-care touches a workspace chooses."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from crm.insights.models import Segment as ValueSegment


class RuleObjectType(models.TextChoices):
    """The records a rule watches (the CRM's ``ObjectType`` values)."""

    CONTACT = "contact", _("Contact")
    COMPANY = "company", _("Company")
    LEAD = "lead", _("Lead")
    DEAL = "deal", _("Deal")


class Trigger(models.TextChoices):
    CREATED = "created", _("Record created")
    FIELD_CHANGED = "field_changed", _("Field changed")
    STAGE_ENTERED = "stage_entered", _("Deal entered a stage")
    DEAL_IDLE = "deal_idle", _("Deal idle for some days")
    LEAD_SOURCE = "lead_source", _("Lead from a source")
    SCHEDULE = "schedule", _("Every day at an hour")


#: Triggers that fire from a record's change; the others are checked by the hourly job.
EVENT_TRIGGERS = (
    Trigger.CREATED,
    Trigger.FIELD_CHANGED,
    Trigger.STAGE_ENTERED,
    Trigger.LEAD_SOURCE,
)


class Match(models.TextChoices):
    ALL = "all", _("All conditions (AND)")
    ANY = "any", _("Any condition (OR)")


class Operator(models.TextChoices):
    EQUALS = "equals", _("equals")
    NOT_EQUALS = "not_equals", _("does not equal")
    CONTAINS = "contains", _("contains")
    GREATER = "gt", _("is greater than")
    LESS = "lt", _("is less than")
    EMPTY = "empty", _("is empty")
    NOT_EMPTY = "not_empty", _("is not empty")


#: Operators that take no value.
VALUELESS_OPERATORS = (Operator.EMPTY, Operator.NOT_EMPTY)


class ActionKind(models.TextChoices):
    CREATE_ACTIVITY = "create_activity", _("Create an activity for the owner")
    ASSIGN_OWNER = "assign_owner", _("Assign an owner")
    SET_FIELD = "set_field", _("Set a field")
    ADD_TAG = "add_tag", _("Add a tag")
    SEND_EMAIL = "send_email", _("Send an e-mail template")
    WEBHOOK = "webhook", _("Call a webhook")


class Rule(models.Model):
    """A workflow rule: when ``trigger`` happens to a record and the conditions hold, act.

    ``conditions`` is ``[{"field": "custom.size", "operator": "gt", "value": "10"}, ...]``
    combined by ``match``; ``actions`` is ``[{"kind": "add_tag", "tag": "VIP"}, ...]`` run in
    order (see :mod:`crm.automation.rules`). ``rotation`` holds the round-robin position of
    each assign action (by its index), so the next record goes to the next person.
    """

    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(_("active"), default=True)
    object_type = models.CharField(_("record type"), max_length=20, choices=RuleObjectType.choices)
    trigger = models.CharField(_("trigger"), max_length=20, choices=Trigger.choices)
    trigger_field = models.CharField(_("field"), max_length=80, blank=True)
    trigger_stage = models.ForeignKey(
        "crm.Stage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("stage"),
    )
    trigger_days = models.PositiveIntegerField(_("days"), null=True, blank=True)
    trigger_source = models.CharField(_("lead source"), max_length=20, blank=True)
    trigger_hour = models.PositiveSmallIntegerField(_("hour of the day"), null=True, blank=True)
    match = models.CharField(_("match"), max_length=3, choices=Match.choices, default=Match.ALL)
    conditions: models.JSONField[list[dict[str, Any]], list[dict[str, Any]]] = models.JSONField(
        _("conditions"), default=list, blank=True
    )
    actions: models.JSONField[list[dict[str, Any]], list[dict[str, Any]]] = models.JSONField(
        _("actions"), default=list, blank=True
    )
    rotation: models.JSONField[dict[str, int], dict[str, int]] = models.JSONField(
        default=dict, blank=True
    )
    #: Signs webhook bodies (HMAC-SHA256); shown to the admin once, when made.
    webhook_secret = models.CharField(max_length=64, blank=True)
    #: The day the scheduled trigger last ran (workspace time zone): once a day at most.
    last_scheduled_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("workflow rule")
        verbose_name_plural = _("workflow rules")
        indexes = [
            models.Index(
                fields=["object_type", "trigger"],
                condition=Q(is_active=True),
                name="automation_rule_active_idx",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("automation:rule_detail", args=[self.pk])


class RunStatus(models.TextChoices):
    DONE = "done", _("Done")
    NOT_MATCHED = "not_matched", _("Conditions not met")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")


#: Statuses that count against the workspace's rate limit (the rule acted, or tried to).
COUNTED_STATUSES = (RunStatus.DONE, RunStatus.FAILED)


class RuleRun(models.Model):
    """One evaluation of a rule for one record: the rule's run log."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="runs")
    object_type = models.CharField(_("record type"), max_length=20)
    object_id = models.BigIntegerField(_("record id"))
    object_repr = models.CharField(_("record"), max_length=200, blank=True)
    status = models.CharField(_("result"), max_length=20, choices=RunStatus.choices)
    #: What the actions did, one line each.
    result = models.TextField(_("details"), blank=True)
    error = models.TextField(_("error"), blank=True)
    #: How many rules' actions led here (0: a person's change or the schedule).
    depth = models.PositiveSmallIntegerField(default=0)
    #: For once-per-occasion triggers (idle deals): the occasion, unique per rule and record.
    occasion = models.CharField(max_length=80, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("rule run")
        verbose_name_plural = _("rule runs")
        indexes = [models.Index(fields=["rule", "-created_at"], name="automation_run_rule_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "object_id", "occasion"],
                condition=~Q(occasion=""),
                name="automation_run_once_per_occasion",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} {self.object_type}#{self.object_id} {self.status}"


class CareKind(models.TextChoices):
    BIRTHDAY = "birthday", _("Birthdays")
    ANNIVERSARY = "anniversary", _("Customer anniversaries")
    HOLIDAY = "holiday", _("Public holidays")
    KEEP_IN_TOUCH = "keep_in_touch", _("Keep in touch")
    AFTER_WON = "after_won", _("Thank you after a won deal")


class Audience(models.TextChoices):
    ALL = "all", _("Everyone")
    TAG = "tag", _("Customers with a tag")
    WON_VALUE = "won_value", _("Customers whose won deals reach an amount")
    VALUE_SEGMENT = "value_segment", _("Customers in a value segment (RFM)")
    AT_RISK = "at_risk", _("Customers at risk")
    TOP_CUSTOMERS = "top_customers", _("Customers in the top 20 %")


#: Audiences read from the precomputed customer values (``crm.insights.flags``).
VALUE_AUDIENCES = (Audience.VALUE_SEGMENT, Audience.AT_RISK, Audience.TOP_CUSTOMERS)


class CareTouch(models.Model):
    """A kind of customer-care touch the workspace turned on, and for whom.

    ``days`` means: days before the occasion (birthdays, anniversaries, holidays), days
    without activity (keep in touch), or days after the win (thank you).
    """

    kind = models.CharField(_("occasion"), max_length=20, choices=CareKind.choices, unique=True)
    is_active = models.BooleanField(_("on"), default=False)
    audience = models.CharField(
        _("for"), max_length=20, choices=Audience.choices, default=Audience.ALL
    )
    audience_tag = models.ForeignKey(
        "crm.Tag",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tag"),
    )
    audience_min_value = models.DecimalField(
        _("won deals of at least"), max_digits=14, decimal_places=2, null=True, blank=True
    )
    #: For the value-segment audience: the RFM segment (``insights.Segment``).
    audience_segment = models.CharField(
        _("segment"), max_length=12, choices=ValueSegment.choices, blank=True, default=""
    )
    days = models.PositiveIntegerField(_("days"), default=3)
    #: Holiday groups to include (``crm.automation.care.HOLIDAY_GROUPS`` keys); empty: all.
    holidays: models.JSONField[list[str], list[str]] = models.JSONField(
        _("holidays"), default=list, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kind"]
        verbose_name = _("care touch")
        verbose_name_plural = _("care touches")

    def __str__(self) -> str:
        return str(self.get_kind_display())


class CareTouchRecord(models.Model):
    """A touch made: one per kind, customer and occasion, so a re-run never makes a second."""

    kind = models.CharField(max_length=20, choices=CareKind.choices)
    object_type = models.CharField(max_length=20)
    object_id = models.BigIntegerField()
    #: e.g. ``birthday:2028``, ``holiday:CN:chinese new year (spring festival):2028``.
    occasion = models.CharField(max_length=160)
    activity = models.ForeignKey(
        "crm.Activity", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "object_type", "object_id", "occasion"],
                name="automation_care_once_per_occasion",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.object_type}#{self.object_id} {self.occasion}"
