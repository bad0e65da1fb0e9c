"""Workspace CRM configuration by admins: the visibility policy, custom fields, tags."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from billing.features import feature_ensure
from crm.errors import CrmError
from crm.models import (
    AuditAction,
    CrmSettings,
    CustomFieldDefinition,
    ExchangeRate,
    FieldType,
    ObjectType,
    Tag,
)
from crm.models.visibility import forget_policy
from crm.selectors.money import workspace_currency
from crm.services.audit import audit_record
from crm.services.common import ensure_admin, ensure_can_write, record_update
from tenants.users.models import User

CUSTOM_FIELD_FIELDS = ("label", "field_type", "choices", "required", "show_in_list", "position")
#: Types whose values come from a list of choices.
CHOICE_TYPES = (FieldType.CHOICE, FieldType.MULTI_CHOICE)


def crm_settings() -> CrmSettings:
    settings, _created = CrmSettings.objects.get_or_create(pk=1)
    return settings


@transaction.atomic
def crm_settings_update(*, by: User, fields: Mapping[str, Any]) -> CrmSettings:
    ensure_admin(by)
    settings = record_update(
        crm_settings(),
        object_type=ObjectType.SETTINGS,
        allowed=("reps_see_all",),
        by=by,
        fields=fields,
    )
    forget_policy(by)
    return settings


def _clean_choices(field_type: str, choices: Any) -> list[str]:
    if field_type not in CHOICE_TYPES:
        return []
    cleaned = [str(c).strip() for c in choices or [] if str(c).strip()]
    if not cleaned:
        raise CrmError(_("A choice field needs at least one choice."))
    return list(dict.fromkeys(cleaned))


@transaction.atomic
def custom_field_create(
    *, by: User, object_type: str, fields: Mapping[str, Any]
) -> CustomFieldDefinition:
    """Define a new field; its key is derived from the label and never changes afterwards."""
    ensure_admin(by)
    feature_ensure("custom_fields")
    values = {k: v for k, v in fields.items() if k in CUSTOM_FIELD_FIELDS}
    values["choices"] = _clean_choices(values.get("field_type", ""), values.get("choices"))
    base = slugify(values.get("label", ""))[:40].replace("-", "_") or "field"
    key, n = base, 2
    while CustomFieldDefinition.objects.filter(object_type=object_type, key=key).exists():
        key, n = f"{base}_{n}", n + 1
    definition = CustomFieldDefinition(object_type=object_type, key=key, **values)
    definition.full_clean()
    definition.save()
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        object_type=ObjectType.CUSTOM_FIELD,
        object_id=int(definition.pk),
        object_repr=f"{definition.get_object_type_display()}: {definition.label}",
    )
    return definition


@transaction.atomic
def custom_field_update(
    *, definition: CustomFieldDefinition, by: User, fields: Mapping[str, Any]
) -> CustomFieldDefinition:
    """Change a field's label, choices or flags. Its type is fixed once values may exist."""
    ensure_admin(by)
    feature_ensure("custom_fields")
    values = {k: v for k, v in fields.items() if k in CUSTOM_FIELD_FIELDS and k != "field_type"}
    if "choices" in values:
        values["choices"] = _clean_choices(definition.field_type, values["choices"])
    return record_update(
        definition,
        object_type=ObjectType.CUSTOM_FIELD,
        allowed=CUSTOM_FIELD_FIELDS,
        by=by,
        fields=values,
    )


@transaction.atomic
def custom_field_delete(*, definition: CustomFieldDefinition, by: User) -> None:
    """Remove the definition; stored values stay in the records' JSON, hidden."""
    ensure_admin(by)
    audit_record(
        actor=by,
        action=AuditAction.DELETE,
        object_type=ObjectType.CUSTOM_FIELD,
        object_id=int(definition.pk),
        object_repr=f"{definition.get_object_type_display()}: {definition.label}",
    )
    definition.delete()


def tag_get_or_create(*, name: str, by: User) -> Tag:
    """The tag called ``name`` (case-insensitively), created when new."""
    ensure_can_write(by)
    name = name.strip()[:60]
    if not name:
        raise CrmError(_("A tag needs a name."))
    tag = Tag.objects.filter(name__iexact=name).first()
    return tag or Tag.objects.create(name=name)


@transaction.atomic
def exchange_rate_set(*, by: User, currency: str, rate: Any, valid_from: Any) -> ExchangeRate:
    """Record a rate to the workspace's base currency from a date (replacing that day's)."""
    ensure_admin(by)
    base = workspace_currency()
    currency = str(currency).upper()
    if currency == base:
        raise CrmError(_("The base currency needs no rate."))
    exchange_rate, _created = ExchangeRate.objects.update_or_create(
        base_currency=base,
        currency=currency,
        valid_from=valid_from,
        defaults={"rate": rate},
    )
    exchange_rate.full_clean()
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        object_type=ObjectType.SETTINGS,
        object_id=int(exchange_rate.pk),
        object_repr=str(exchange_rate),
    )
    return exchange_rate


@transaction.atomic
def exchange_rate_delete(*, by: User, exchange_rate: ExchangeRate) -> None:
    ensure_admin(by)
    audit_record(
        actor=by,
        action=AuditAction.DELETE,
        object_type=ObjectType.SETTINGS,
        object_id=int(exchange_rate.pk),
        object_repr=str(exchange_rate),
    )
    exchange_rate.delete()
