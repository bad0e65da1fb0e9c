"""Deals on the board: create, update, move between and within stages, delete."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.automation.hooks import record_changed
from crm.errors import CrmError
from crm.models import (
    AuditAction,
    Contact,
    Deal,
    DealContact,
    ObjectType,
    Pipeline,
    Stage,
    StageKind,
    StageTransition,
    Tag,
)
from crm.notifications import hooks as notification_hooks
from crm.services.audit import audit_record
from crm.services.common import ensure_can_write, record_create, record_delete, record_update
from tenants.users.models import User

DEAL_FIELDS = (
    "title", "company", "amount", "currency", "expected_close_on", "probability", "owner",
    "lost_reason", "custom", "pipeline", "stage", "position", "won_at", "lost_at",
)  # fmt: skip
#: Fields a caller may set through ``deal_update``; the stage changes through ``deal_move``.
DEAL_EDITABLE_FIELDS = (
    "title", "company", "amount", "currency", "expected_close_on", "probability", "owner",
    "lost_reason", "custom",
)  # fmt: skip
#: Below this gap between neighbours a column is renumbered before a move.
_MIN_GAP = 1e-6


def default_pipeline() -> Pipeline:
    pipeline = Pipeline.objects.order_by("position", "id").first()
    if pipeline is None:
        raise CrmError(_("There is no pipeline yet. An admin can create one in Settings."))
    return pipeline


def first_open_stage(pipeline: Pipeline) -> Stage:
    stage = pipeline.stages.filter(kind=StageKind.OPEN).order_by("position", "id").first()
    if stage is None:
        stage = pipeline.stages.order_by("position", "id").first()
    if stage is None:
        raise CrmError(_("The pipeline %(name)s has no stages.") % {"name": pipeline.name})
    return stage


def _top_position(stage: Stage, exclude: Deal | None = None) -> float:
    deals = Deal.objects.filter(stage=stage)
    if exclude is not None:
        deals = deals.exclude(pk=exclude.pk)
    lowest = deals.aggregate(lowest=Min("position"))["lowest"]
    return 0.0 if lowest is None else float(lowest) - 1.0


def _closing_dates(stage: Stage, deal: Deal) -> dict[str, Any]:
    """Won/lost dates follow the stage kind: set on arrival, cleared on reopening."""
    now = timezone.now()
    return {
        "won_at": (deal.won_at or now) if stage.kind == StageKind.WON else None,
        "lost_at": (deal.lost_at or now) if stage.kind == StageKind.LOST else None,
    }


@transaction.atomic
def deal_create(
    *,
    by: User,
    fields: Mapping[str, Any],
    stage: Stage | None = None,
    tags: Iterable[Tag] = (),
    contacts: Iterable[Contact] = (),
) -> Deal:
    """Create a deal at the top of its stage (the pipeline's first open stage by default)."""
    values = dict(fields)
    if stage is None:
        pipeline = values.get("pipeline") or default_pipeline()
        stage = first_open_stage(pipeline)
    values.update(
        pipeline=stage.pipeline,
        stage=stage,
        position=_top_position(stage),
        **_closing_dates(stage, Deal()),
    )
    values.setdefault("owner", by)
    deal = record_create(
        Deal, object_type=ObjectType.DEAL, allowed=DEAL_FIELDS, by=by, fields=values, tags=tags
    )
    StageTransition.objects.create(
        deal=deal, from_stage=None, to_stage=stage, moved_by=by, amount=deal.amount
    )
    DealContact.objects.bulk_create(
        [DealContact(deal=deal, contact=contact) for contact in contacts]
    )
    return deal


@transaction.atomic
def deal_update(
    *, deal: Deal, by: User, fields: Mapping[str, Any], tags: Iterable[Tag] | None = None
) -> Deal:
    return record_update(
        deal,
        object_type=ObjectType.DEAL,
        allowed=DEAL_EDITABLE_FIELDS,
        by=by,
        fields=fields,
        tags=tags,
    )


def _renumber(stage: Stage) -> None:
    """Spread a column's positions out again after many moves into the same gap."""
    ids = list(
        Deal.objects.filter(stage=stage).order_by("position", "id").values_list("pk", flat=True)
    )
    Deal.objects.bulk_update(
        [Deal(pk=pk, position=float(index)) for index, pk in enumerate(ids)], ["position"]
    )


def _position_between(stage: Stage, deal: Deal, above: Deal | None, below: Deal | None) -> float:
    if above is not None and below is not None:
        if below.position - above.position < _MIN_GAP:
            _renumber(stage)
            above.refresh_from_db(fields=["position"])
            below.refresh_from_db(fields=["position"])
        return (above.position + below.position) / 2
    if above is not None:
        return above.position + 1.0
    if below is not None:
        return below.position - 1.0
    if deal.stage_id == stage.pk:
        return deal.position
    return _top_position(stage, exclude=deal)


@transaction.atomic
def deal_move(
    *,
    deal: Deal,
    stage: Stage,
    by: User,
    above: Deal | None = None,
    below: Deal | None = None,
    lost_reason: str | None = None,
) -> Deal:
    """Put ``deal`` in ``stage`` between the cards ``above`` and ``below`` (top by default).

    A change of stage stores a :class:`StageTransition` with the amount at the time, resets
    the idle clock, sets or clears the won/lost date and writes an audit entry. Reordering
    within a stage only changes the position. Neighbours are given instead of an index
    because the board may show a filtered subset of the column.
    """
    ensure_can_write(by)
    deal = Deal.objects.select_for_update().select_related("stage").get(pk=deal.pk)
    if stage.pipeline_id != deal.pipeline_id:
        raise CrmError(_("A deal moves only between stages of its own pipeline."))
    for neighbour in (above, below):
        if neighbour is not None and (neighbour.stage_id != stage.pk or neighbour.pk == deal.pk):
            above, below = None, None
            break
    deal.position = _position_between(stage, deal, above, below)
    update_fields = ["position", "updated_at"]
    old_stage = deal.stage
    if old_stage.pk != stage.pk:
        deal.stage = stage
        deal.stage_entered_at = timezone.now()
        for name, value in _closing_dates(stage, deal).items():
            setattr(deal, name, value)
        update_fields += ["stage", "stage_entered_at", "won_at", "lost_at"]
        changes: dict[str, list[Any]] = {"stage": [old_stage.name, stage.name]}
        if stage.kind == StageKind.LOST and lost_reason is not None:
            changes["lost_reason"] = [deal.lost_reason, lost_reason]
            deal.lost_reason = lost_reason
            update_fields.append("lost_reason")
        deal.save(update_fields=update_fields)
        StageTransition.objects.create(
            deal=deal, from_stage=old_stage, to_stage=stage, moved_by=by, amount=deal.amount
        )
        audit_record(
            actor=by,
            action=AuditAction.MOVE,
            object_type=ObjectType.DEAL,
            object_id=int(deal.pk),
            object_repr=str(deal),
            changes=changes,
        )
        if stage.kind == StageKind.WON:
            notification_hooks.deal_won(deal=deal, by=by)
        record_changed(
            object_type=ObjectType.DEAL,
            object_id=int(deal.pk),
            event="stage_entered",
            stage_id=int(stage.pk),
        )
    else:
        deal.save(update_fields=update_fields)
    return deal


@transaction.atomic
def deal_delete(*, deal: Deal, by: User) -> None:
    record_delete(deal, object_type=ObjectType.DEAL, by=by)


@transaction.atomic
def deal_contact_add(*, deal: Deal, contact: Contact, role: str, by: User) -> DealContact:
    ensure_can_write(by)
    link, _created = DealContact.objects.update_or_create(
        deal=deal, contact=contact, defaults={"role": role}
    )
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        object_type=ObjectType.DEAL,
        object_id=int(deal.pk),
        object_repr=str(deal),
        changes={"contacts": [None, f"{contact} ({link.get_role_display()})"]},
    )
    return link


@transaction.atomic
def deal_contact_remove(*, link: DealContact, by: User) -> None:
    """Take a person off a deal; the contact itself and its history stay."""
    ensure_can_write(by)
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        object_type=ObjectType.DEAL,
        object_id=int(link.deal_id),
        object_repr=str(link.deal),
        changes={"contacts": [f"{link.contact} ({link.get_role_display()})", None]},
    )
    link.delete()


def stage_bottom_position(stage: Stage) -> float:
    highest = Deal.objects.filter(stage=stage).aggregate(highest=Max("position"))["highest"]
    return 0.0 if highest is None else float(highest) + 1.0
