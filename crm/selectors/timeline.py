"""The unified timeline of a record: activities, stage changes and field changes, newest first."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext as _

from crm.models import (
    LINK_FIELDS,
    Activity,
    AuditAction,
    AuditEntry,
    Company,
    Contact,
    CustomFieldDefinition,
    Deal,
    Lead,
    ObjectType,
    StageTransition,
)

OBJECT_TYPES: dict[type[models.Model], ObjectType] = {
    Contact: ObjectType.CONTACT,
    Company: ObjectType.COMPANY,
    Deal: ObjectType.DEAL,
    Lead: ObjectType.LEAD,
}
MODELS_BY_TYPE: dict[str, type[models.Model]] = {v.value: k for k, v in OBJECT_TYPES.items()}


@dataclass(frozen=True)
class Change:
    label: str
    old: Any
    new: Any


@dataclass(frozen=True)
class TimelineItem:
    kind: str  # "activity", "stage" or "audit"
    when: datetime.datetime
    obj: Any
    changes: list[Change] = field(default_factory=list)


def _field_label(model: type[models.Model] | None, name: str, custom_labels: dict[str, str]) -> str:
    if name.startswith("custom."):
        return custom_labels.get(name.removeprefix("custom."), name.removeprefix("custom."))
    if model is not None:
        try:
            return str(getattr(model._meta.get_field(name), "verbose_name", name)).capitalize()
        except FieldDoesNotExist:
            pass
    return name.replace("_", " ").capitalize()


def _display(value: Any) -> Any:
    if value in (None, "", []):
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) or "—"
    return value


def describe_changes(
    entries: Iterable[AuditEntry], custom_labels: dict[str, dict[str, str]] | None = None
) -> list[tuple[AuditEntry, list[Change]]]:
    """Each entry with its changes as readable (label, old, new) rows."""
    labels = custom_labels if custom_labels is not None else custom_field_labels()
    described = []
    for entry in entries:
        model = MODELS_BY_TYPE.get(str(entry.object_type))
        rows = [
            Change(
                label=_field_label(model, name, labels.get(str(entry.object_type), {})),
                old=_display(pair[0] if isinstance(pair, list) and pair else None),
                new=_display(pair[1] if isinstance(pair, list) and len(pair) > 1 else pair),
            )
            for name, pair in (entry.changes or {}).items()
        ]
        described.append((entry, rows))
    return described


def custom_field_labels() -> dict[str, dict[str, str]]:
    labels: dict[str, dict[str, str]] = {}
    for object_type, key, label in CustomFieldDefinition.objects.values_list(
        "object_type", "key", "label"
    ):
        labels.setdefault(object_type, {})[key] = label
    return labels


def record_timeline(*, record: models.Model, limit: int = 50) -> list[TimelineItem]:
    """Activities, stage changes (deals) and audited field changes of ``record``, newest first.

    At most four queries whatever the history's length: each source is read newest first up to
    ``limit`` and the sources are merged.
    """
    model = type(record)
    activities = (
        Activity.objects.filter(**{LINK_FIELDS[model]: record})
        .select_related("owner")
        .order_by("-created_at", "-id")[:limit]
    )
    items = [TimelineItem("activity", a.when, a) for a in activities]
    skip_actions = [AuditAction.MOVE] if model is Deal else []
    if model is Deal:
        transitions = (
            StageTransition.objects.filter(deal_id=record.pk)
            .select_related("from_stage", "to_stage", "moved_by")
            .order_by("-moved_at", "-id")[:limit]
        )
        items += [TimelineItem("stage", t.moved_at, t) for t in transitions]
    entries = list(
        AuditEntry.objects.filter(object_type=OBJECT_TYPES[model], object_id=record.pk)
        .exclude(action__in=skip_actions)
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )
    if any(str(name).startswith("custom.") for e in entries for name in e.changes):
        labels = custom_field_labels()
    else:
        labels = {}
    items += [
        TimelineItem("audit", entry.created_at, entry, rows)
        for entry, rows in describe_changes(entries, labels)
    ]
    items.sort(key=lambda item: item.when, reverse=True)
    return items[:limit]
