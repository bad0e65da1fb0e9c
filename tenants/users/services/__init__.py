"""Writes about users, one module per sub-domain; everything is re-exported here."""

from tenants.users.services.passwords import (
    RESET_ADDRESS_SCOPE,
    RESET_IP_SCOPE,
    login_lockout_email_send,
    password_reset_email_send,
    password_reset_ip_admit,
    password_reset_request,
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
    "user_reactivate",
]
