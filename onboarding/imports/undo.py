"""Undo an import: remove what it created, restore what it updated, undo its links.

A record someone changed after the import is kept as it is now, and the summary says which
and why: undo never throws away work done since. Undo runs in pages, each one transaction
that also forgets the notes it handled, so it resumes where a killed worker left it.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crm import services as crm
from crm.models import Company, ContactCompany, Deal, DealContact, Stage, Tag
from onboarding.imports.errors import DataImportError
from onboarding.imports.models import (
    ImportBatch,
    ImportedRecord,
    ImportStatus,
    PendingReference,
    RecordAction,
    SourceRecord,
)
from onboarding.imports.rows import MODELS
from onboarding.imports.services import ensure_may_import
from tenants.users.models import User

#: Notes handled per transaction.
UNDO_PAGE = 200
#: Kept records listed in the summary (the counts cover all).
KEPT_LISTED = 100


@transaction.atomic
def import_undo_start(*, batch: ImportBatch, by: User) -> ImportBatch:
    """Ask for an import to be undone; a worker does it in pages."""
    from onboarding.imports.tasks import import_undo_job

    ensure_may_import(by)
    batch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if batch.status != ImportStatus.DONE:
        raise DataImportError(_("Only a finished import can be undone."))
    batch.status = ImportStatus.UNDOING
    batch.heartbeat_at = timezone.now()
    batch.undo_summary = {"removed": 0, "restored": 0, "unlinked": 0, "kept": [], "kept_count": 0}
    batch.save()
    import_undo_job.enqueue(batch_id=batch.pk, dedupe_key=f"imports.undo:{batch.pk}")
    return batch


def import_undo_step(batch_id: int) -> bool:
    """Undo one page of the import's notes, newest first; whether more remain."""
    with transaction.atomic():
        batch = (
            ImportBatch.objects.select_for_update(skip_locked=True)
            .select_related("created_by")
            .filter(pk=batch_id)
            .first()
        )
        if batch is None or batch.status != ImportStatus.UNDOING:
            return False
        notes = list(batch.records.order_by("-id")[:UNDO_PAGE])
        summary = dict(batch.undo_summary)
        for note in notes:
            _undo(batch, note, summary)
        ImportedRecord.objects.filter(pk__in=[n.pk for n in notes]).delete()
        more = batch.records.exists()
        batch.undo_summary = summary
        batch.heartbeat_at = timezone.now()
        if not more:
            PendingReference.objects.filter(batch=batch).delete()
            batch.status = ImportStatus.UNDONE
            batch.finished_at = timezone.now()
        batch.save()
        return more


def import_undo(batch_id: int) -> None:
    while import_undo_step(batch_id):
        pass


def _keep(summary: dict[str, Any], note: ImportedRecord, record: Any, reason: str) -> None:
    summary["kept_count"] = summary.get("kept_count", 0) + 1
    if len(summary["kept"]) < KEPT_LISTED:
        summary["kept"].append(
            {"type": note.object_type, "id": note.object_id, "name": str(record), "reason": reason}
        )


def _changed_since(note: ImportedRecord, record: Any) -> bool:
    stamp = getattr(record, "updated_at", None)
    return stamp is not None and note.updated_at is not None and stamp > note.updated_at


def _undo(batch: ImportBatch, note: ImportedRecord, summary: dict[str, Any]) -> None:
    by = batch.created_by
    if note.action == RecordAction.LINKED:
        link_model: type[models.Model] = (
            ContactCompany if note.object_type == "contact_company" else DealContact
        )
        link = link_model._default_manager.filter(pk=note.object_id).first()
        if link is not None:
            if isinstance(link, ContactCompany):
                crm.contact_company_unlink(link=link, by=by)
            elif isinstance(link, DealContact):
                crm.deal_contact_remove(link=link, by=by)
            summary["unlinked"] += 1
        return
    model = MODELS[note.object_type]
    record = model._default_manager.filter(pk=note.object_id).first()
    if record is None:
        return  # deleted since: nothing left to undo
    if _changed_since(note, record):
        _keep(summary, note, record, _("changed after the import"))
        return
    if note.action == RecordAction.CREATED:
        reason = _referenced_elsewhere(batch, note, record)
        if reason:
            _keep(summary, note, record, reason)
            return
        _delete(note.object_type, record, by)
        SourceRecord.objects.filter(object_type=note.object_type, object_id=note.object_id).delete()
        summary["removed"] += 1
    else:
        _restore(note, record, by)
        summary["restored"] += 1


def _referenced_elsewhere(batch: ImportBatch, note: ImportedRecord, record: Any) -> str:
    """Why a created company must stay: people or deals added to it by others since."""
    if not isinstance(record, Company):
        return ""
    created = batch.records.filter(action=RecordAction.CREATED)
    own_contacts = created.filter(object_type="contact").values("object_id")
    own_deals = created.filter(object_type="deal").values("object_id")
    own_links = batch.records.filter(object_type="contact_company").values("object_id")
    others = ContactCompany.objects.filter(company=record).exclude(
        Q(contact_id__in=own_contacts) | Q(pk__in=own_links)
    )
    if others.exists() or Deal.objects.filter(company=record).exclude(pk__in=own_deals).exists():
        return _("other records refer to it")
    return ""


def _delete(object_type: str, record: Any, by: User) -> None:
    match object_type:
        case "company":
            crm.company_delete(company=record, by=by)
        case "contact":
            crm.contact_delete(contact=record, by=by)
        case "lead":
            crm.lead_delete(lead=record, by=by)
        case _:
            crm.deal_delete(deal=record, by=by)


def _python_value(record: models.Model, name: str, stored: Any) -> Any:
    """A value noted before the import, as the record's field holds it."""
    field = record._meta.get_field(name)
    if stored is None:
        return None
    if field.is_relation:
        return field.related_model._default_manager.filter(pk=stored).first()  # type: ignore[union-attr]
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        return datetime.date.fromisoformat(stored)
    if isinstance(field, models.DecimalField):
        return Decimal(stored)
    return stored


def _restore(note: ImportedRecord, record: Any, by: User) -> None:
    before = dict(note.before)
    stage_id = before.pop("stage", None)
    tag_ids = before.pop("tags", None)
    fields = {name: _python_value(record, name, value) for name, value in before.items()}
    if "custom" in fields:
        # The update service merges custom values; restoring replaces them whole.
        record.custom = {}
    tags = list(Tag.objects.filter(pk__in=tag_ids)) if tag_ids is not None else None
    match note.object_type:
        case "company":
            crm.company_update(company=record, by=by, fields=fields, tags=tags)
        case "contact":
            crm.contact_update(contact=record, by=by, fields=fields, tags=tags)
        case "lead":
            crm.lead_update(lead=record, by=by, fields=fields, tags=tags)
        case _:
            if fields or tags is not None:
                crm.deal_update(deal=record, by=by, fields=fields, tags=tags)
            stage = Stage.objects.filter(pk=stage_id).first() if stage_id else None
            if stage is not None and record.stage_id != stage.pk:
                crm.deal_move(deal=record, stage=stage, by=by)
