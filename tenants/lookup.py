"""'Find my workspace': tells a person by email which workspaces their address belongs to."""

from __future__ import annotations

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from tenants.selectors import public_url, workspace_url, workspaces_for_email


def workspace_lookup_email_send(*, email: str) -> int:
    """Send the list of workspaces (or a short 'none found' note); returns how many matched.

    The email goes to the address itself, so only its owner learns where it has accounts.
    """
    workspaces = workspaces_for_email(email)
    links = [(tenant.name, workspace_url(tenant, "/login/")) for tenant in workspaces]
    send_mail(
        subject=_("Your Rapport workspaces"),
        message=render_to_string(
            "public/emails/workspace_lookup.txt",
            {"links": links, "signup_url": public_url("/signup/")},
        ),
        from_email=None,
        recipient_list=[email],
    )
    return len(links)
