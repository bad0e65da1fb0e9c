"""Writes of the insights app: quotas (admins only, audited)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction

from crm.insights.models import Quota
from crm.models import AuditAction, ObjectType
from crm.selectors.money import workspace_currency
from crm.services.audit import audit_record
from crm.services.common import ensure_admin
from tenants.users.models import User


@transaction.atomic
def quota_set(*, by: User, owner: User, month: datetime.date, amount: Decimal) -> Quota:
    """The rep's quota for the month of ``month`` (replacing one set before)."""
    ensure_admin(by)
    quota, _created = Quota.objects.update_or_create(
        owner=owner,
        month=month.replace(day=1),
        defaults={"amount": amount, "currency": workspace_currency()},
    )
    quota.full_clean()
    audit_record(
        actor=by,
        action=AuditAction.UPDATE,
        object_type=ObjectType.SETTINGS,
        object_id=int(quota.pk),
        object_repr=str(quota),
    )
    return quota


@transaction.atomic
def quota_delete(*, by: User, quota: Quota) -> None:
    ensure_admin(by)
    audit_record(
        actor=by,
        action=AuditAction.DELETE,
        object_type=ObjectType.SETTINGS,
        object_id=int(quota.pk),
        object_repr=str(quota),
    )
    quota.delete()
