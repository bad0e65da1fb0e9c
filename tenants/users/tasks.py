"""Background work for workspace users: each task loads by id and calls one service."""

from __future__ import annotations

from celery import shared_task
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from tenants.selectors import current_tenant
from tenants.tasks import TenantTask
from tenants.users.models import Invitation


@shared_task(name="users.password_reset_email_send", base=TenantTask)
def password_reset_email_task(email: str) -> None:
    """Email a reset link if the workspace has an account with this address."""
    from tenants.users.services import password_reset_email_send

    password_reset_email_send(email=email)


@shared_task(name="users.login_lockout_email_send")
def login_lockout_email_task(schema_name: str, user_id: int) -> None:
    """Tell the user sign-in to their account is paused; the schema comes as an argument
    because ops staff (public schema) get this email too."""
    from tenants.users.services import login_lockout_email_send

    login_lockout_email_send(schema_name=schema_name, user_id=user_id)


@shared_task(name="users.invitation_email_send", base=TenantTask)
def invitation_email_send(invitation_id: int, accept_url: str) -> None:
    """Email the invitation link. Runs in the inviting workspace's schema."""
    invitation = Invitation.objects.select_related("invited_by").get(pk=invitation_id)
    tenant = current_tenant()
    context = {"invitation": invitation, "accept_url": accept_url, "workspace": tenant}
    send_mail(
        subject=_("You are invited to %(workspace)s on Rapport") % {"workspace": tenant.name},
        message=render_to_string("users/emails/invitation.txt", context),
        from_email=None,
        recipient_list=[invitation.email],
    )


@shared_task(name="users.welcome_email_send", base=TenantTask)
def welcome_email_task(user_id: int) -> bool:
    """Welcome a new workspace's founding admin, with a link verifying their address (once)."""
    from tenants.users.services import welcome_email_send

    return welcome_email_send(user_id=user_id)


@shared_task(name="users.email_confirmation_send", base=TenantTask)
def email_confirmation_send_task(confirmation_id: int) -> bool:
    """Email the link of an address verification or change, while it can still be used."""
    from tenants.users.services import email_confirmation_send

    return email_confirmation_send(confirmation_id=confirmation_id)
