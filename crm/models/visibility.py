"""Who sees which records: the chainable permission filters every CRM query starts from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models

from tenants.users.models import Role

if TYPE_CHECKING:
    from tenants.users.models import User

_M = TypeVar("_M", bound=models.Model)

#: Attribute on the user object that memoises the workspace's rep policy for one request.
_POLICY_MEMO = "_crm_reps_see_all"


def reps_see_all(user: Any) -> bool:
    """The workspace's "reps see every record" flag, read once per user object (request)."""
    memo = getattr(user, _POLICY_MEMO, None)
    if memo is None:
        from crm.models.base import CrmSettings

        memo = bool(CrmSettings.objects.filter(pk=1).values_list("reps_see_all", flat=True).first())
        setattr(user, _POLICY_MEMO, memo)
    return bool(memo)


def forget_policy(user: Any) -> None:
    """Drop the memoised policy, after the setting changed."""
    if hasattr(user, _POLICY_MEMO):
        delattr(user, _POLICY_MEMO)


def sees_everything(user: User | Any) -> bool:
    """Admins, managers and read-only users see all records; reps only if the workspace allows."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return False
    if user.role == Role.REP:
        return reps_see_all(user)
    return user.role in (Role.ADMIN, Role.MANAGER, Role.READ_ONLY)


class OwnedQuerySet(models.QuerySet[_M]):
    """Records with an ``owner``: visibility follows the user's role and the workspace policy."""

    def visible_to(self, user: User | Any) -> OwnedQuerySet[_M]:
        if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
            return self.none()
        if user.role == Role.REP and not reps_see_all(user):
            return self.filter(owner=user)
        if user.role not in (Role.ADMIN, Role.MANAGER, Role.READ_ONLY, Role.REP):
            return self.none()
        return self

    def editable_by(self, user: User | Any) -> OwnedQuerySet[_M]:
        """Records the user may change: the visible ones, for any role but read-only."""
        if not getattr(user, "can_write", False):
            return self.none()
        return self.visible_to(user)

    def owned_by(self, user: User | Any) -> OwnedQuerySet[_M]:
        return self.filter(owner=user)
