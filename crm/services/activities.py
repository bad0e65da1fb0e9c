"""Activities: schedule, log, complete (and offer the next one), delete."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from crm.errors import CrmError
from crm.models import Activity, ActivityKind, AuditAction, ObjectType
from crm.notifications import hooks as notification_hooks
from crm.notifications.services import reminder_reschedule, reminder_set
from crm.services.audit import audit_record
from crm.services.common import ensure_can_write, record_create, record_delete, record_update
from tenants.users.models import User

ACTIVITY_FIELDS = (
    "kind", "subject", "body", "due_at", "done_at", "outcome", "duration_minutes", "owner",
    "contact", "company", "deal", "lead",
)  # fmt: skip
#: Kinds that record something that already happened: they are done when logged.
LOGGED_KINDS = (ActivityKind.NOTE, ActivityKind.EMAIL)


@transaction.atomic
def activity_create(*, by: User, fields: Mapping[str, Any], remind: int | None = None) -> Activity:
    """Schedule or log an activity; notes and logged emails are done when written.

    ``remind``: minutes before the due time to remind the owner (``-1``: no reminder;
    ``None``: leave as it is).
    """
    values = {"owner": by, **fields}
    if values.get("kind") in LOGGED_KINDS and not values.get("done_at"):
        values["done_at"] = timezone.now()
    activity = record_create(
        Activity, object_type=ObjectType.ACTIVITY, allowed=ACTIVITY_FIELDS, by=by, fields=values
    )
    notification_hooks.activity_mentions(activity=activity, by=by)
    if remind is not None:
        reminder_set(activity=activity, minutes_before=remind)
    return activity


@transaction.atomic
def activity_update(
    *, activity: Activity, by: User, fields: Mapping[str, Any], remind: int | None = None
) -> Activity:
    activity = record_update(
        activity, object_type=ObjectType.ACTIVITY, allowed=ACTIVITY_FIELDS, by=by, fields=fields
    )
    notification_hooks.activity_mentions(activity=activity, by=by)
    if remind is not None:
        reminder_set(activity=activity, minutes_before=remind)
    else:
        reminder_reschedule(activity=activity)
    return activity


@transaction.atomic
def activity_complete(*, activity: Activity, by: User, outcome: str = "") -> Activity:
    """Mark the activity done now, with its outcome. Completing twice is refused."""
    ensure_can_write(by)
    activity = Activity.objects.select_for_update().get(pk=activity.pk)
    if activity.done_at is not None:
        raise CrmError(_("This activity is already done."))
    activity.done_at = timezone.now()
    activity.outcome = outcome or activity.outcome
    activity.save(update_fields=["done_at", "outcome", "updated_at"])
    audit_record(
        actor=by,
        action=AuditAction.COMPLETE,
        object_type=ObjectType.ACTIVITY,
        object_id=int(activity.pk),
        object_repr=str(activity),
        changes={"outcome": [None, activity.outcome]} if activity.outcome else {},
    )
    return activity


def activity_follow_up_initial(activity: Activity) -> dict[str, Any]:
    """What the "schedule the next activity" form starts with after completing ``activity``."""
    return {
        "kind": activity.kind if activity.kind not in LOGGED_KINDS else ActivityKind.CALL,
        "subject": "",
        "contact": activity.contact_id,
        "company": activity.company_id,
        "deal": activity.deal_id,
        "lead": activity.lead_id,
    }


@transaction.atomic
def activity_delete(*, activity: Activity, by: User) -> None:
    record_delete(activity, object_type=ObjectType.ACTIVITY, by=by)
