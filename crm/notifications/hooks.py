"""What the CRM's services tell people: each a small call made where the change happens.

The calls run in the service's transaction: a change that rolls back tells nobody, and one
that commits has told everyone it concerns. Nobody is told about their own actions.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from django.db import models
from django.utils.translation import gettext as _

from crm.notifications.mentions import mentioned_users
from crm.notifications.models import NotificationKind
from crm.notifications.services import in_language_of, notify
from tenants.users.models import User

_muted: ContextVar[bool] = ContextVar("notifications_muted", default=False)


@contextlib.contextmanager
def muted() -> Iterator[None]:
    """Tell nobody about the changes made inside (an import writing thousands of records
    says so once, when it finishes, instead of once per row)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


#: Record types whose owner change is "assigned to you", with the name of the type.
ASSIGNABLE = ("contact", "company", "lead", "deal", "activity")


def _type_label(object_type: str) -> str:
    from crm.models import ObjectType

    return str(ObjectType(object_type).label).lower()


def _url(record: models.Model) -> str:
    getter = getattr(record, "get_absolute_url", None)
    return str(getter()) if getter else ""


def record_assigned(*, record: Any, object_type: str, by: User) -> None:
    """Tell the record's owner someone else gave it to them."""
    owner = getattr(record, "owner", None)
    if (
        _muted.get()
        or object_type not in ASSIGNABLE
        or owner is None
        or owner.pk == by.pk
        or not owner.is_active
    ):
        return
    with in_language_of(owner):
        message = _("%(actor)s assigned the %(type)s “%(record)s” to you") % {
            "actor": by,
            "type": _type_label(object_type),
            "record": record,
        }
    notify(
        recipient=owner,
        kind=NotificationKind.ASSIGNED,
        message=message,
        url=_url(record),
        actor=by,
        target_type=object_type,
        target_id=int(record.pk),
    )


def records_assigned(*, records: list[Any], object_type: str, owner: User, by: User) -> None:
    """After a bulk assignment: one notification naming the record, or the count."""
    if len(records) == 1:
        records[0].owner = owner
        record_assigned(record=records[0], object_type=object_type, by=by)
        return
    if _muted.get() or not records or owner.pk == by.pk or not owner.is_active:
        return
    from crm.models import ObjectType

    with in_language_of(owner):
        message = _("%(actor)s assigned %(count)d records (%(type)s) to you") % {
            "actor": by,
            "count": len(records),
            "type": str(ObjectType(object_type).label),
        }
    notify(
        recipient=owner,
        kind=NotificationKind.ASSIGNED,
        message=message,
        actor=by,
        target_type=object_type,
    )


def activity_mentions(*, activity: Any, by: User) -> None:
    """Tell each user an activity's text ``@mentions`` (once per activity and person)."""
    if _muted.get():
        return
    for user in mentioned_users(f"{activity.subject}\n{activity.body}"):
        if user.pk == by.pk:
            continue
        with in_language_of(user):
            message = _("%(actor)s mentioned you in “%(activity)s”") % {
                "actor": by,
                "activity": activity,
            }
        notify(
            recipient=user,
            kind=NotificationKind.MENTIONED,
            message=message,
            url=_url(activity),
            actor=by,
            target_type="activity",
            target_id=int(activity.pk),
            dedupe_key=f"mention:{activity.pk}",
        )


def deal_won(*, deal: Any, by: User) -> None:
    """Tell a deal's owner someone else moved it to a won stage."""
    owner = deal.owner
    if _muted.get() or owner.pk == by.pk or not owner.is_active:
        return
    with in_language_of(owner):
        message = _("%(actor)s moved your deal “%(deal)s” to %(stage)s") % {
            "actor": by,
            "deal": deal,
            "stage": deal.stage,
        }
    notify(
        recipient=owner,
        kind=NotificationKind.DEAL_WON,
        message=message,
        url=_url(deal),
        actor=by,
        target_type="deal",
        target_id=int(deal.pk),
    )
