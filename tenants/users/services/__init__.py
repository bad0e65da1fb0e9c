"""Writes about users, one module per sub-domain; everything is re-exported here."""

from tenants.users.services.email_addresses import (
    email_change_cancel,
    email_change_request,
    email_confirm,
    email_confirmation_for_token,
    email_confirmation_send,
    email_confirmation_token,
    email_verification_resend,
    welcome_email_enqueue,
    welcome_email_send,
)
from tenants.users.services.passwords import (
    RESET_ADDRESS_SCOPE,
    RESET_IP_SCOPE,
    login_lockout_email_send,
    password_reset_email_send,
    password_reset_ip_admit,
    password_reset_request,
)
from tenants.users.services.profile import (
    user_name_change,
    user_notifications_change,
    user_password_change,
    user_preferences_change,
)
from tenants.users.services.sessions import (
    user_session_end,
    user_session_forget,
    user_session_record,
    user_session_seen,
    user_sessions_end_others,
)
from tenants.users.services.team import (
    invitation_accept,
    invitation_create,
    invitation_for_token,
    invitation_revoke,
    invitation_token_hash,
    user_change_role,
    user_deactivate,
    user_reactivate,
)

__all__ = [
    "RESET_ADDRESS_SCOPE",
    "RESET_IP_SCOPE",
    "email_change_cancel",
    "email_change_request",
    "email_confirm",
    "email_confirmation_for_token",
    "email_confirmation_send",
    "email_confirmation_token",
    "email_verification_resend",
    "invitation_accept",
    "invitation_create",
    "invitation_for_token",
    "invitation_revoke",
    "invitation_token_hash",
    "login_lockout_email_send",
    "password_reset_email_send",
    "password_reset_ip_admit",
    "password_reset_request",
    "user_change_role",
    "user_deactivate",
    "user_name_change",
    "user_notifications_change",
    "user_password_change",
    "user_preferences_change",
    "user_reactivate",
    "user_session_end",
    "user_session_forget",
    "user_session_record",
    "user_session_seen",
    "user_sessions_end_others",
    "welcome_email_enqueue",
    "welcome_email_send",
]
