"""Pipelines and stages, configured by workspace admins."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from billing.features import feature_ensure
from crm.errors import CrmError
from crm.models import AuditAction, ObjectType, Pipeline, Stage, StageKind
from crm.services.audit import audit_record
from crm.services.common import ensure_admin, record_update
from tenants.users.models import User

STAGE_FIELDS = ("name", "probability", "kind", "colour", "rotting_days", "guidance")

#: The pipeline every workspace starts with (created in English by crm/migrations/0002 and
#: cloned with the template): its names, marked for translation.
DEFAULT_PIPELINE_NAME = "Sales"
DEFAULT_STAGE_NAMES = ("Qualified", "Contact made", "Proposal", "Negotiation", "Won", "Lost")
_DEFAULT_NAMES_FOR_TRANSLATORS = (
    gettext_lazy("Sales"),
    gettext_lazy("Qualified"),
    gettext_lazy("Contact made"),
    gettext_lazy("Proposal"),
    gettext_lazy("Negotiation"),
    gettext_lazy("Won"),
    gettext_lazy("Lost"),
)

#: The stages a new pipeline starts with, so it is usable at once.
NEW_PIPELINE_STAGES = [
    (gettext_lazy("Qualified"), 10, StageKind.OPEN, "azure"),
    (gettext_lazy("Proposal"), 50, StageKind.OPEN, "indigo"),
    (gettext_lazy("Won"), 100, StageKind.WON, "green"),
    (gettext_lazy("Lost"), 0, StageKind.LOST, "red"),
]


@transaction.atomic
def pipeline_create(*, name: str, by: User) -> Pipeline:
    """A new pipeline with default stages; a second one needs the plan's feature."""
    ensure_admin(by)
    if Pipeline.objects.exists():
        feature_ensure("multiple_pipelines")
    position = (Pipeline.objects.aggregate(top=Max("position"))["top"] or 0) + 1
    pipeline = Pipeline.objects.create(name=name, position=position)
    for index, (stage_name, probability, kind, colour) in enumerate(NEW_PIPELINE_STAGES):
        Stage.objects.create(
            pipeline=pipeline,
            name=str(stage_name),
            probability=probability,
            kind=kind,
            colour=colour,
            position=index,
        )
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        object_type=ObjectType.PIPELINE,
        object_id=int(pipeline.pk),
        object_repr=pipeline.name,
    )
    return pipeline


@transaction.atomic
def pipeline_defaults_localize(*, language: str) -> int:
    """Name the default pipeline and its stages in the workspace's language, while nobody has
    renamed them yet (a new workspace). Returns how many names changed."""
    changed = 0
    with translation.override(language):
        pipeline = Pipeline.objects.filter(name=DEFAULT_PIPELINE_NAME).first()
        if pipeline is None:
            return 0
        renames = {english: _(english) for english in (DEFAULT_PIPELINE_NAME, *DEFAULT_STAGE_NAMES)}
        renames = {english: local for english, local in renames.items() if local != english}
        if DEFAULT_PIPELINE_NAME in renames:
            changed += Pipeline.objects.filter(pk=pipeline.pk).update(
                name=renames[DEFAULT_PIPELINE_NAME]
            )
        for english in DEFAULT_STAGE_NAMES:
            if english in renames:
                changed += Stage.objects.filter(pipeline=pipeline, name=english).update(
                    name=renames[english]
                )
    return changed


@transaction.atomic
def pipeline_rename(*, pipeline: Pipeline, name: str, by: User) -> Pipeline:
    ensure_admin(by)
    return record_update(
        pipeline, object_type=ObjectType.PIPELINE, allowed=("name",), by=by, fields={"name": name}
    )


@transaction.atomic
def pipeline_delete(*, pipeline: Pipeline, by: User) -> None:
    """Delete an empty pipeline; one with deals keeps them safe by refusing."""
    ensure_admin(by)
    if pipeline.deals.exists():
        raise CrmError(_("Move or delete this pipeline's deals before deleting it."))
    if Pipeline.objects.count() <= 1:
        raise CrmError(_("A workspace keeps at least one pipeline."))
    audit_record(
        actor=by,
        action=AuditAction.DELETE,
        object_type=ObjectType.PIPELINE,
        object_id=int(pipeline.pk),
        object_repr=pipeline.name,
    )
    pipeline.delete()


@transaction.atomic
def stage_create(*, pipeline: Pipeline, by: User, fields: Mapping[str, Any]) -> Stage:
    """Add a stage at the end of the pipeline's open stages (before won and lost)."""
    ensure_admin(by)
    values = {k: v for k, v in fields.items() if k in STAGE_FIELDS}
    stages = list(pipeline.stages.order_by("position", "id"))
    closing = [s for s in stages if s.kind != StageKind.OPEN]
    insert_at = (
        stages.index(closing[0])
        if closing and values.get("kind", "open") == "open"
        else len(stages)
    )
    stage = Stage(pipeline=pipeline, **values)
    stage.full_clean(exclude=["pipeline"])
    stages.insert(insert_at, stage)
    stage.position = insert_at
    stage.save()
    _positions_save(stages)
    audit_record(
        actor=by,
        action=AuditAction.CREATE,
        object_type=ObjectType.STAGE,
        object_id=int(stage.pk),
        object_repr=f"{pipeline.name}: {stage.name}",
    )
    return stage


@transaction.atomic
def stage_update(*, stage: Stage, by: User, fields: Mapping[str, Any]) -> Stage:
    """Rename, recolour or change the probability, kind or idle threshold of a stage."""
    ensure_admin(by)
    return record_update(
        stage, object_type=ObjectType.STAGE, allowed=STAGE_FIELDS, by=by, fields=fields
    )


def _positions_save(stages: Sequence[Stage]) -> None:
    for index, stage in enumerate(stages):
        stage.position = index
    Stage.objects.bulk_update(list(stages), ["position"])


@transaction.atomic
def stages_reorder(*, pipeline: Pipeline, stage_ids: Sequence[int], by: User) -> list[Stage]:
    """Put the pipeline's stages in the order of ``stage_ids`` (all of them, each once)."""
    ensure_admin(by)
    stages = {s.pk: s for s in pipeline.stages.select_for_update()}
    if sorted(stage_ids) != sorted(stages):
        raise CrmError(_("The new order must list each stage of the pipeline once."))
    ordered = [stages[pk] for pk in stage_ids]
    before = [s.name for s in sorted(stages.values(), key=lambda s: (s.position, s.pk))]
    _positions_save(ordered)
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        object_type=ObjectType.PIPELINE,
        object_id=int(pipeline.pk),
        object_repr=pipeline.name,
        changes={"stages": [before, [s.name for s in ordered]]},
    )
    return ordered


@transaction.atomic
def stage_delete(*, stage: Stage, by: User) -> None:
    """Delete a stage only when no deal is in it: deals are never lost by configuration."""
    ensure_admin(by)
    if stage.deals.exists():
        raise CrmError(
            _("Move the deals out of %(stage)s before deleting it.") % {"stage": stage.name}
        )
    if stage.pipeline.stages.count() <= 1:
        raise CrmError(_("A pipeline keeps at least one stage."))
    audit_record(
        actor=by,
        action=AuditAction.DELETE,
        object_type=ObjectType.STAGE,
        object_id=int(stage.pk),
        object_repr=f"{stage.pipeline.name}: {stage.name}",
    )
    pipeline = stage.pipeline
    stage.delete()
    _positions_save(list(pipeline.stages.order_by("position", "id")))
