"""Shared mechanics of the record services: write checks, field updates with audit, tags."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TypeVar

from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils.translation import gettext as _

from billing.features import feature_enabled, feature_ensure, features_cached
from crm.automation.hooks import record_changed
from crm.custom_fields import custom_values_clean
from crm.errors import CrmError
from crm.models import AuditAction, CustomFieldDefinition, ObjectType, Tag
from crm.notifications import hooks as notification_hooks
from crm.services.audit import audit_record, changes_between, snapshot
from crm.services.search import search_columns_set
from tenants.users.models import User

_R = TypeVar("_R", bound=models.Model)


def ensure_can_write(user: User) -> None:
    """Read-only users and deactivated accounts change nothing."""
    if not user.is_active or not user.can_write:
        raise CrmError(_("Your role does not allow changes."))


def ensure_admin(user: User) -> None:
    if not user.is_active or not user.is_workspace_admin:
        raise CrmError(_("Only workspace admins can do this."))


def check_fields(allowed: Iterable[str], fields: Mapping[str, Any]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise CrmError(_("Unknown fields: %(names)s") % {"names": ", ".join(sorted(unknown))})


#: Custom field definitions read in a :func:`batch_writes` block, by (schema, record type).
_definitions: ContextVar[dict[tuple[str, str], list[CustomFieldDefinition]] | None] = ContextVar(
    "custom_definitions", default=None
)
#: Related rows (table, id) a :func:`batch_writes` block has already seen validated.
_related_seen: ContextVar[set[tuple[str, object]] | None] = ContextVar("related", default=None)


@contextmanager
def batch_writes() -> Iterator[None]:
    """A block writing many records (an import's chunk): the plan's features and the custom
    field definitions are read once for it instead of once per record."""
    token, seen = _definitions.set({}), _related_seen.set(set())
    try:
        with features_cached():
            yield
    finally:
        _definitions.reset(token)
        _related_seen.reset(seen)


def _relations(instance: models.Model) -> list[tuple[str, tuple[str, object]]]:
    """Each foreign key of ``instance`` holding a saved row without choice limits."""
    found = []
    for model_field in instance._meta.concrete_fields:
        if not isinstance(model_field, models.ForeignKey):
            continue
        if model_field.remote_field.limit_choices_to:
            continue
        related = getattr(instance, model_field.name, None)
        if isinstance(related, models.Model) and related.pk is not None:
            found.append((model_field.name, (related._meta.db_table, related.pk)))
    return found


def _full_clean(instance: models.Model) -> None:
    """``full_clean``; in a batch, a related row seen valid once is not queried again."""
    seen = _related_seen.get()
    if seen is None:
        instance.full_clean(validate_constraints=False)
        return
    relations = _relations(instance)
    known = [name for name, key in relations if key in seen]
    instance.full_clean(exclude=known, validate_constraints=False)
    seen.update(key for _name, key in relations)


def _definitions_for(object_type: ObjectType) -> list[CustomFieldDefinition]:
    cache = _definitions.get()
    key = (str(getattr(connection, "schema_name", "")), str(object_type))
    if cache is not None and key in cache:
        return cache[key]
    definitions = list(CustomFieldDefinition.objects.for_type(object_type))
    if cache is not None:
        cache[key] = definitions
    return definitions


def custom_clean(object_type: ObjectType, values: Mapping[str, Any]) -> dict[str, Any]:
    """Validated custom values; without the plan's feature none can be set (values stored
    before a downgrade stay, untouched)."""
    if not feature_enabled("custom_fields"):
        if any(value not in (None, "", []) for value in values.values()):
            feature_ensure("custom_fields")
        return {}
    return custom_values_clean(_definitions_for(object_type), values)


def tag_names(instance: models.Model) -> list[str]:
    return sorted(tag.name for tag in instance.tags.all())  # type: ignore[attr-defined]


def record_build(
    model: type[_R],
    *,
    object_type: ObjectType,
    allowed: Iterable[str],
    by: User,
    fields: Mapping[str, Any],
) -> _R:
    """A validated, unsaved record with its search columns set (raises ``ValidationError``)."""
    ensure_can_write(by)
    check_fields(allowed, fields)
    values = dict(fields)
    if "custom" in values:
        values["custom"] = custom_clean(object_type, values["custom"] or {})
    else:
        custom_clean(object_type, {})  # required custom fields must be given
    instance = model(**values)
    _full_clean(instance)
    search_columns_set(instance)
    return instance


def record_create(
    model: type[_R],
    *,
    object_type: ObjectType,
    allowed: Iterable[str],
    by: User,
    fields: Mapping[str, Any],
    tags: Iterable[Tag] = (),
) -> _R:
    """Validate and insert a record, set its tags, and audit the creation."""
    instance = record_build(model, object_type=object_type, allowed=allowed, by=by, fields=fields)
    instance.save()
    tag_list = list(tags)
    if tag_list:
        instance.tags.set(tag_list)  # type: ignore[attr-defined]
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        object_type=object_type,
        object_id=int(instance.pk),
        object_repr=str(instance),
    )
    if "owner" in fields:
        notification_hooks.record_assigned(record=instance, object_type=object_type, by=by)
    record_changed(object_type=str(object_type), object_id=int(instance.pk), event="created")
    return instance


def record_update(
    instance: _R,
    *,
    object_type: ObjectType,
    allowed: Iterable[str],
    by: User,
    fields: Mapping[str, Any],
    tags: Iterable[Tag] | None = None,
) -> _R:
    """Change fields and tags, auditing each field's old and new value (nothing if unchanged)."""
    ensure_can_write(by)
    check_fields(allowed, fields)
    values = dict(fields)
    if "custom" in values:
        current: dict[str, Any] = dict(instance.custom)  # type: ignore[attr-defined]
        current.update(custom_clean(object_type, values["custom"] or {}))
        values["custom"] = current
    before = snapshot(instance, values)
    for name, value in values.items():
        setattr(instance, name, value)
    try:
        instance.full_clean(validate_constraints=False)
    except ValidationError:
        instance.refresh_from_db()
        raise
    changes = changes_between(before, snapshot(instance, values))
    if tags is not None:
        old_tags = tag_names(instance)
        tag_list = list(tags)
        new_tags = sorted(tag.name for tag in tag_list)
        if old_tags != new_tags:
            instance.tags.set(tag_list)  # type: ignore[attr-defined]
            changes["tags"] = [old_tags, new_tags]
    if changes:
        search_columns_set(instance)
        instance.save()
        audit_record(
            actor=by,
            action=AuditAction.UPDATE,
            object_type=object_type,
            object_id=int(instance.pk),
            object_repr=str(instance),
            changes=changes,
        )
        if "owner" in changes:
            notification_hooks.record_assigned(record=instance, object_type=object_type, by=by)
        record_changed(
            object_type=str(object_type),
            object_id=int(instance.pk),
            event="updated",
            fields=changes,
        )
    return instance


def record_delete(instance: models.Model, *, object_type: ObjectType, by: User) -> None:
    ensure_can_write(by)
    audit_record(
        actor=by,
        action=AuditAction.DELETE,
        object_type=object_type,
        object_id=int(instance.pk),
        object_repr=str(instance),
    )
    instance.delete()
