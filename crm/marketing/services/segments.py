"""Segments: save a filter or a list, add and remove list members."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from crm.errors import CrmError
from crm.marketing.models import Segment, SegmentKind, SegmentMember
from crm.models import AuditAction, Contact, ObjectType
from crm.services.audit import audit_record
from crm.services.common import ensure_can_write
from tenants.users.models import Role, User


def can_manage(user: User, segment: Segment) -> bool:
    """Its creator, managers and admins change or delete a segment; everyone uses it."""
    return bool(
        user.is_active
        and user.can_write
        and (segment.owner_id == user.pk or user.role in (Role.ADMIN, Role.MANAGER))
    )


def _ensure_can_manage(user: User, segment: Segment) -> None:
    if not can_manage(user, segment):
        raise CrmError(_("Only its creator, managers and admins can change this segment."))


def _audit(by: User, segment: Segment, action: AuditAction, changes: Mapping[str, Any]) -> None:
    audit_record(
        actor=by,
        action=action,
        object_type=ObjectType.SETTINGS,
        object_id=int(segment.pk),
        object_repr=_("Segment %(name)s") % {"name": segment.name},
        changes=changes,
    )


@transaction.atomic
def segment_save(
    *,
    by: User,
    name: str,
    kind: str,
    record_type: str,
    filters: Mapping[str, str],
    segment: Segment | None = None,
) -> Segment:
    """Create a segment, or rename it / change its filter (its type stays)."""
    ensure_can_write(by)
    if segment is None:
        segment = Segment(owner=by, kind=kind, record_type=record_type)
        action = AuditAction.CREATE
        before: dict[str, Any] = {}
    else:
        _ensure_can_manage(by, segment)
        action = AuditAction.UPDATE
        before = {"name": segment.name, "filters": segment.filters}
    segment.name = name
    segment.filters = {} if segment.kind == SegmentKind.STATIC else dict(filters)
    segment.full_clean()
    segment.save()
    after = {"name": segment.name, "filters": segment.filters}
    changes = {k: [before.get(k), v] for k, v in after.items() if before.get(k) != v}
    _audit(by, segment, action, changes)
    return segment


@transaction.atomic
def segment_delete(*, by: User, segment: Segment) -> None:
    _ensure_can_manage(by, segment)
    _audit(by, segment, AuditAction.DELETE, {})
    segment.delete()


@transaction.atomic
def segment_members_add(*, by: User, segment: Segment, contacts: Iterable[Contact]) -> int:
    """Put contacts on a static list (those already on it stay once); returns how many new."""
    ensure_can_write(by)
    if not segment.is_static:
        raise CrmError(_("Contacts are added to static lists only; a dynamic segment filters."))
    ids = {int(contact.pk) for contact in contacts}
    existing = set(
        SegmentMember.objects.filter(segment=segment, contact_id__in=ids).values_list(
            "contact_id", flat=True
        )
    )
    new = [SegmentMember(segment=segment, contact_id=pk) for pk in sorted(ids - existing)]
    SegmentMember.objects.bulk_create(new, ignore_conflicts=True)
    if new:
        _audit(by, segment, AuditAction.UPDATE, {"members_added": [None, len(new)]})
    return len(new)


@transaction.atomic
def segment_members_remove(*, by: User, segment: Segment, contacts: Iterable[Contact]) -> int:
    ensure_can_write(by)
    ids = [int(contact.pk) for contact in contacts]
    removed, _rows = SegmentMember.objects.filter(segment=segment, contact_id__in=ids).delete()
    if removed:
        _audit(by, segment, AuditAction.UPDATE, {"members_removed": [None, removed]})
    return int(removed)
