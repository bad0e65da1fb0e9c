"""Actions on many records at once: assign an owner, add a tag, delete, reassign a user's work."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import CrmError
from crm.models import (
    Activity,
    AuditAction,
    Company,
    Contact,
    Deal,
    Lead,
    ObjectType,
    Tag,
)
from crm.notifications import hooks as notification_hooks
from crm.services.audit import audit_many, audit_record
from crm.services.common import ensure_admin, ensure_can_write
from tenants.users.models import User

#: The most records one bulk action may touch; larger changes go through reassign or import.
BULK_LIMIT = 1000


def _rows(queryset: models.QuerySet[models.Model]) -> list[models.Model]:
    rows = list(queryset[: BULK_LIMIT + 1])
    if len(rows) > BULK_LIMIT:
        raise CrmError(_("Select at most %(limit)d records at a time.") % {"limit": BULK_LIMIT})
    return rows


@transaction.atomic
def records_assign_owner(
    *, queryset: models.QuerySet[models.Model], object_type: ObjectType, owner: User, by: User
) -> int:
    """Give the selected records (already limited to what ``by`` may edit) a new owner."""
    ensure_can_write(by)
    if not owner.is_active:
        raise CrmError(_("Records can only be assigned to active users."))
    rows = [r for r in _rows(queryset) if r.owner_id != owner.pk]  # type: ignore[attr-defined]
    if not rows:
        return 0
    queryset.model._default_manager.filter(pk__in=[r.pk for r in rows]).update(
        owner=owner, updated_at=timezone.now()
    )
    audit_many(
        actor=by,
        action=AuditAction.UPDATE,
        object_type=object_type,
        records=rows,
        changes={"owner": [None, str(owner)]},
    )
    notification_hooks.records_assigned(records=rows, object_type=object_type, owner=owner, by=by)
    return len(rows)


@transaction.atomic
def records_add_tag(
    *, queryset: models.QuerySet[models.Model], object_type: ObjectType, tag: Tag, by: User
) -> int:
    ensure_can_write(by)
    rows = _rows(queryset)
    through = queryset.model.tags.through  # type: ignore[attr-defined]
    source = f"{queryset.model._meta.model_name}_id"
    through.objects.bulk_create(
        [through(**{source: r.pk, "tag_id": tag.pk}) for r in rows], ignore_conflicts=True
    )
    audit_many(
        actor=by,
        action=AuditAction.UPDATE,
        object_type=object_type,
        records=rows,
        changes={"tags": [None, f"+ {tag.name}"]},
    )
    return len(rows)


@transaction.atomic
def records_delete(
    *, queryset: models.QuerySet[models.Model], object_type: ObjectType, by: User
) -> int:
    ensure_can_write(by)
    rows = _rows(queryset)
    audit_many(actor=by, action=AuditAction.DELETE, object_type=object_type, records=rows)
    queryset.model._default_manager.filter(pk__in=[r.pk for r in rows]).delete()
    return len(rows)


@dataclass(frozen=True)
class Reassignment:
    companies: int
    contacts: int
    leads: int
    deals: int
    activities: int

    @property
    def total(self) -> int:
        return self.companies + self.contacts + self.leads + self.deals + self.activities


@transaction.atomic
def records_reassign(*, from_user: User, to_user: User, by: User) -> Reassignment:
    """Move every record and every open activity of ``from_user`` to ``to_user``.

    Done activities keep their owner: they record who did the work.
    """
    ensure_admin(by)
    if from_user.pk == to_user.pk:
        raise CrmError(_("Choose two different users."))
    if not to_user.is_active:
        raise CrmError(_("Records can only be reassigned to an active user."))
    now = timezone.now()
    counts = {
        name: model.objects.filter(owner=from_user).update(owner=to_user, updated_at=now)
        for name, model in (
            ("companies", Company),
            ("contacts", Contact),
            ("leads", Lead),
            ("deals", Deal),
        )
    }
    counts["activities"] = (
        Activity.objects.open().filter(owner=from_user).update(owner=to_user, updated_at=now)
    )
    result = Reassignment(**counts)
    audit_record(
        actor=by,
        action=AuditAction.REASSIGN,
        object_type=ObjectType.SETTINGS,
        object_id=int(from_user.pk),
        object_repr=_("%(from)s → %(to)s") % {"from": from_user, "to": to_user},
        changes={
            "owner": [str(from_user), str(to_user)],
            **{k: [None, v] for k, v in counts.items()},
        },
    )
    return result
