"""Writes of the insights app: quotas (admins only, audited)."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext as _

from crm.errors import CrmError
from crm.insights.models import Quota, SavedReport
from crm.models import AuditAction, ObjectType
from crm.selectors.money import workspace_currency
from crm.services.audit import audit_record
from crm.services.common import ensure_admin, ensure_can_write
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


@transaction.atomic
def saved_report_create(
    *, by: User, name: str, query: str, shared: bool, frequency: str, hour: int
) -> SavedReport:
    """Keep a report of the builder (its query string), shared or not, e-mailed or not."""
    ensure_can_write(by)
    report = SavedReport(
        owner=by, name=name, query=query, shared=shared, frequency=frequency, hour=hour
    )
    report.full_clean()
    report.save()
    return report


@transaction.atomic
def saved_report_delete(*, by: User, report: SavedReport) -> None:
    """Its owner or an admin removes a saved report."""
    ensure_can_write(by)
    if report.owner_id != by.pk and not by.is_workspace_admin:
        raise CrmError(_("Only its owner or an admin can delete this report."))
    report.delete()
