"""Workspace-wide CRM building blocks: settings, tags, custom field definitions, the audit log."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

#: The largest id a ``BigAutoField`` primary key holds (PostgreSQL ``bigint``).
MAX_RECORD_ID = 2**63 - 1


class ObjectType(models.TextChoices):
    """The record types that carry owners, tags, custom fields and audit entries."""

    COMPANY = "company", _("Company")
    CONTACT = "contact", _("Contact")
    LEAD = "lead", _("Lead")
    DEAL = "deal", _("Deal")
    ACTIVITY = "activity", _("Activity")
    PIPELINE = "pipeline", _("Pipeline")
    STAGE = "stage", _("Stage")
    CUSTOM_FIELD = "custom_field", _("Custom field")
    SETTINGS = "settings", _("Settings")


class Colour(models.TextChoices):
    """Tabler's named colours, used for stages and tags."""

    BLUE = "blue", _("Blue")
    AZURE = "azure", _("Azure")
    INDIGO = "indigo", _("Indigo")
    PURPLE = "purple", _("Purple")
    PINK = "pink", _("Pink")
    RED = "red", _("Red")
    ORANGE = "orange", _("Orange")
    YELLOW = "yellow", _("Yellow")
    LIME = "lime", _("Lime")
    GREEN = "green", _("Green")
    TEAL = "teal", _("Teal")
    CYAN = "cyan", _("Cyan")
    GREY = "secondary", _("Grey")


class CrmSettings(models.Model):
    """The workspace's CRM policy: one row (``pk=1``) per schema."""

    reps_see_all = models.BooleanField(
        _("sales reps see all records"),
        default=False,
        help_text=_("When off, sales reps see only the records they own."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("CRM settings")
        verbose_name_plural = _("CRM settings")

    def __str__(self) -> str:
        return str(_("CRM settings"))


class Tag(models.Model):
    """A label users put on companies, contacts, leads and deals to group and filter them."""

    name = models.CharField(_("name"), max_length=60)
    colour = models.CharField(
        _("colour"), max_length=20, choices=Colour.choices, default=Colour.BLUE
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        constraints = [models.UniqueConstraint(Lower("name"), name="crm_tag_name_ci_unique")]

    def __str__(self) -> str:
        return self.name


class FieldType(models.TextChoices):
    TEXT = "text", _("Text")
    LONG_TEXT = "long_text", _("Long text")
    NUMBER = "number", _("Number")
    MONEY = "money", _("Money")
    DATE = "date", _("Date")
    CHOICE = "choice", _("Choice")
    MULTI_CHOICE = "multi_choice", _("Multiple choice")
    CHECKBOX = "checkbox", _("Checkbox")
    URL = "url", _("URL")
    EMAIL = "email", _("Email")
    USER = "user", _("User")


#: Record types that can carry custom fields.
CUSTOMISABLE_TYPES = [
    (ObjectType.COMPANY.value, ObjectType.COMPANY.label),
    (ObjectType.CONTACT.value, ObjectType.CONTACT.label),
    (ObjectType.LEAD.value, ObjectType.LEAD.label),
    (ObjectType.DEAL.value, ObjectType.DEAL.label),
]


class CustomFieldDefinitionQuerySet(models.QuerySet["CustomFieldDefinition"]):
    def for_type(self, object_type: str) -> CustomFieldDefinitionQuerySet:
        return self.filter(object_type=object_type).order_by("position", "id")


class CustomFieldDefinition(models.Model):
    """A typed field a workspace admin adds to one record type.

    Values live in the record's ``custom`` JSON column under ``key``: strings for text, URL,
    email and dates (ISO 8601), numbers as strings of decimals, lists for multiple choice,
    booleans for checkboxes and user ids for users.
    """

    object_type = models.CharField(_("record type"), max_length=20, choices=CUSTOMISABLE_TYPES)
    key = models.SlugField(_("key"), max_length=50)
    label = models.CharField(_("label"), max_length=80)
    field_type = models.CharField(_("type"), max_length=20, choices=FieldType.choices)
    choices = models.JSONField(_("choices"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    show_in_list = models.BooleanField(_("show as a list column"), default=False)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CustomFieldDefinitionQuerySet.as_manager()

    class Meta:
        ordering = ["object_type", "position", "id"]
        verbose_name = _("custom field")
        verbose_name_plural = _("custom fields")
        constraints = [
            models.UniqueConstraint(
                fields=["object_type", "key"], name="crm_customfield_key_unique"
            )
        ]

    def __str__(self) -> str:
        return self.label


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    MERGE = "merge", _("Merged")
    CONVERT = "convert", _("Converted")
    MOVE = "move", _("Moved")
    REASSIGN = "reassign", _("Reassigned")
    COMPLETE = "complete", _("Completed")


class AuditEntry(models.Model):
    """Who changed what on a CRM record, with each field's old and new value.

    ``changes`` maps a field name to ``[old, new]`` in display form. Entries outlive their
    records: the object is referenced by type and id, and its name at the time is kept.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=20, choices=AuditAction.choices)
    object_type = models.CharField(_("record type"), max_length=20, choices=ObjectType.choices)
    object_id = models.BigIntegerField(_("record id"))
    object_repr = models.CharField(_("record"), max_length=200, blank=True)
    changes: models.JSONField[dict[str, Any], dict[str, Any]] = models.JSONField(
        _("changes"), default=dict, blank=True
    )
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [
            models.Index(
                fields=["object_type", "object_id", "-created_at"], name="crm_audit_object_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type} {self.object_id}"
