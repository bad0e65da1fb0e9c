"""Workspace user pages, one module per area; everything is re-exported here."""

from tenants.users.views.sign_in import (
    OpsLoginView,
    ThrottledLoginView,
    WorkspaceLoginView,
    WorkspacePasswordResetConfirmView,
    WorkspacePasswordResetView,
)
from tenants.users.views.team import (
    invitation_accept,
    invitation_create,
    invitation_revoke,
    user_change_role,
    user_deactivate,
    user_reactivate,
    users_settings,
)

__all__ = [
    "OpsLoginView",
    "ThrottledLoginView",
    "WorkspaceLoginView",
    "WorkspacePasswordResetConfirmView",
    "WorkspacePasswordResetView",
    "invitation_accept",
    "invitation_create",
    "invitation_revoke",
    "user_change_role",
    "user_deactivate",
    "user_reactivate",
    "users_settings",
]
