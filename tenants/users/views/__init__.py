"""Workspace user pages, one module per area; everything is re-exported here."""

from tenants.users.views.profile import (
    email_confirm,
    email_verification_resend,
    profile,
    profile_email,
    profile_email_cancel,
    profile_name,
    profile_notifications,
    profile_password,
    profile_preferences,
    session_end,
    sessions_end_others,
    verification_banner_hide,
)
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
    "email_confirm",
    "email_verification_resend",
    "invitation_accept",
    "invitation_create",
    "invitation_revoke",
    "profile",
    "profile_email",
    "profile_email_cancel",
    "profile_name",
    "profile_notifications",
    "profile_password",
    "profile_preferences",
    "session_end",
    "sessions_end_others",
    "user_change_role",
    "user_deactivate",
    "user_reactivate",
    "users_settings",
    "verification_banner_hide",
]
