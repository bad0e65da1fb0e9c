"""Background work for workspace users: e-mails that must go out, and session clean-up.

Each is a job (:mod:`core.jobs`): recorded in the caller's transaction and finished by the
sweeper if its message is lost. Tenant jobs run in the workspace that enqueued them and fail
closed without one. E-mail is at-least-once: a worker killed after the mail server took a
message and before "done" committed sends it again on the next attempt.
"""

from __future__ import annotations

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from core.jobs.models import JobQueue
from core.jobs.registry import job_handler
from tenants.selectors import current_tenant
from tenants.users.models import Invitation


@job_handler(
    "users.password_reset_email_send", queue=JobQueue.INTERACTIVE, tenant=True, atomic=False
)
def password_reset_email_job(*, email: str) -> None:
    """Email a reset link if the workspace has an account with this address."""
    from tenants.users.services import password_reset_email_send

    password_reset_email_send(email=email)


@job_handler("users.login_lockout_email_send", queue=JobQueue.INTERACTIVE, atomic=False)
def login_lockout_email_job(*, schema_name: str, user_id: int) -> None:
    """Tell the user sign-in to their account is paused; the schema comes as an argument
    because ops staff (public schema) get this email too."""
    from tenants.users.services import login_lockout_email_send

    login_lockout_email_send(schema_name=schema_name, user_id=user_id)


@job_handler("users.invitation_email_send", queue=JobQueue.INTERACTIVE, tenant=True, atomic=False)
def invitation_email_job(*, invitation_id: int, accept_url: str) -> None:
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


@job_handler("users.welcome_email_send", queue=JobQueue.INTERACTIVE, tenant=True)
def welcome_email_job(*, user_id: int) -> bool:
    """Welcome a new workspace's founding admin, with a link verifying their address (once)."""
    from tenants.users.services import welcome_email_send

    return welcome_email_send(user_id=user_id)


@job_handler("users.email_confirmation_send", queue=JobQueue.INTERACTIVE, tenant=True)
def email_confirmation_job(*, confirmation_id: int) -> bool:
    """Email the link of an address verification or change, while it can still be used."""
    from tenants.users.services import email_confirmation_send

    return email_confirmation_send(confirmation_id=confirmation_id)


@job_handler("users.sessions_clear_expired", queue=JobQueue.BULK, tenant=True, timeout=300)
def sessions_clear_expired_job() -> int:
    """Periodic, per workspace: delete the workspace's expired sessions (Django keeps them)."""
    from django.contrib.sessions.models import Session
    from django.utils import timezone

    deleted, _rows = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted
