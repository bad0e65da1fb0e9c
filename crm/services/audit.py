"""Audit entries, written by each service inside its own transaction."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from django.db import models

from crm.models import AuditAction, AuditEntry, ObjectType
from crm.services.copying import values_copy
from tenants.users.models import User


def audit_value(value: Any) -> Any:
    """A field value in the JSON form stored in ``changes`` (a readable, stable rendering)."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date):
        return value.isoformat()
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, list | tuple):
        return [audit_value(v) for v in value]
    if isinstance(value, dict):
        return {str(k): audit_value(v) for k, v in value.items()}
    return str(value)


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The audit-form values of ``fields``; foreign keys are rendered by their ``str``."""
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        if isinstance(field, models.ForeignKey):
            values[name] = audit_value(getattr(instance, name))
        elif getattr(field, "choices", None):
            values[name] = audit_value(getattr(instance, f"get_{name}_display")())
        else:
            values[name] = audit_value(getattr(instance, name))
    return values


def changes_between(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{field: [old, new]}`` for each field that differs. ``custom`` is split per key."""
    changes: dict[str, list[Any]] = {}
    for name in after:
        old, new = before.get(name), after[name]
        if name == "custom" and isinstance(old, dict) and isinstance(new, dict):
            for key in sorted(set(old) | set(new)):
                if old.get(key) != new.get(key):
                    changes[f"custom.{key}"] = [old.get(key), new.get(key)]
        elif old != new:
            changes[name] = [old, new]
    return changes


def audit_record(
    *,
    actor: User | None,
    action: AuditAction,
    object_type: ObjectType,
    object_id: int,
    object_repr: str,
    changes: Mapping[str, Any] | None = None,
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:200],
        changes=dict(changes or {}),
    )


def audit_many(
    *,
    actor: User | None,
    action: AuditAction,
    object_type: ObjectType,
    records: Iterable[models.Model],
    changes: Mapping[str, Any] | None = None,
) -> int:
    """One entry per record, in one ``COPY`` (bulk actions, imports)."""
    entry = {
        "actor_id": actor.pk if actor is not None else None,
        "action": str(action),
        "object_type": str(object_type),
        "changes": dict(changes or {}),
    }
    rows = [
        {**entry, "object_id": int(record.pk), "object_repr": str(record)[:200]}
        for record in records
    ]
    values_copy(AuditEntry, rows)
    return len(rows)
