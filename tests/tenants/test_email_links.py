"""Links in emails come from the configured site address, never from the request's Host."""

from __future__ import annotations

from django.core import mail
from django.test import Client, TestCase

from tenants.users.models import User
from tests.conftest import Workspace, sign_in


def test_invitation_link_uses_the_configured_address_not_the_request_host(
    alpha: Workspace, alpha_admin: User, settings
) -> None:
    """An invitation sent from a request on another port links to SITE_SCHEME/SITE_PORT."""
    settings.SITE_SCHEME = "https"
    settings.SITE_PORT = "8443"
    client = sign_in(Client(HTTP_HOST="alpha.localhost:6666"), alpha, alpha_admin)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(
            "/settings/users/invite/", {"email": "newbie@example.com", "role": "rep"}
        )
    assert response.status_code == 302
    assert "https://alpha.localhost:8443/invitations/" in mail.outbox[0].body
    assert ":6666" not in mail.outbox[0].body
