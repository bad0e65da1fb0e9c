"""The profile never crosses workspaces: links of alpha do nothing on beta, and sessions of
one workspace are never listed or signed out from another.

Both workspaces have an account with the same address, so nothing can tell them apart but the
schema.
"""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client, TestCase
from django_tenants.utils import schema_context

from tenants.users import services
from tenants.users.models import User, UserSession
from tests.conftest import Workspace
from tests.factories import TEST_PASSWORD, UserFactory

SHARED_EMAIL = "sam@shared.example"
CONFIRM_PATH = re.compile(r"/profile/email/confirm/[^\s]+/")


def _confirm_path() -> str:
    """The confirmation link's path in the first email sent."""
    match = CONFIRM_PATH.search(str(mail.outbox[0].body))
    assert match, mail.outbox[0].body
    return match.group(0)


def _signed_in(workspace: Workspace, user_agent: str = "Firefox/133.0") -> Client:
    client = Client(HTTP_HOST=workspace.host, HTTP_USER_AGENT=user_agent)
    response = client.post("/login/", {"username": SHARED_EMAIL, "password": TEST_PASSWORD})
    assert response.status_code == 302
    return client


@pytest.fixture
def sam_alpha(alpha: Workspace) -> User:
    with schema_context(alpha.schema):
        return UserFactory.create(email=SHARED_EMAIL, email_verified_at=None)


@pytest.fixture
def sam_beta(beta: Workspace) -> User:
    with schema_context(beta.schema):
        return UserFactory.create(email=SHARED_EMAIL, email_verified_at=None)


def test_email_change_link_of_alpha_is_a_404_on_beta(
    alpha: Workspace, beta: Workspace, sam_alpha: User, sam_beta: User
) -> None:
    """Opened on beta by the same address's beta account, alpha's link is a 404 and changes
    neither account."""
    alpha_client = _signed_in(alpha)
    with TestCase.captureOnCommitCallbacks(execute=True):
        alpha_client.post(
            "/profile/email/",
            {"email-email": "sam.new@example.com", "email-current_password": TEST_PASSWORD},
        )
    path = _confirm_path()
    beta_client = _signed_in(beta)
    assert beta_client.get(path).status_code == 404
    assert beta_client.post(path).status_code == 404
    with schema_context(alpha.schema):
        assert User.objects.get(pk=sam_alpha.pk).email == SHARED_EMAIL
    with schema_context(beta.schema):
        assert User.objects.get(pk=sam_beta.pk).email == SHARED_EMAIL
    assert alpha_client.post(path).status_code == 302


def test_verification_link_of_alpha_does_not_verify_on_beta(
    alpha: Workspace, beta: Workspace, sam_alpha: User, sam_beta: User
) -> None:
    """A verification link of alpha neither verifies beta's account nor alpha's when opened
    on beta."""
    with schema_context(alpha.schema), TestCase.captureOnCommitCallbacks(execute=True):
        services.email_verification_resend(user=sam_alpha)
    path = _confirm_path()
    assert _signed_in(beta).post(path).status_code == 404
    with schema_context(beta.schema):
        assert User.objects.get(pk=sam_beta.pk).email_verified_at is None
    with schema_context(alpha.schema):
        assert User.objects.get(pk=sam_alpha.pk).email_verified_at is None


def test_link_of_alpha_on_beta_signed_out_leads_only_to_betas_sign_in(
    alpha: Workspace, beta: Workspace, sam_alpha: User
) -> None:
    """Signed out, beta's host asks for beta's sign-in and nothing else happens."""
    with schema_context(alpha.schema), TestCase.captureOnCommitCallbacks(execute=True):
        services.email_verification_resend(user=sam_alpha)
    path = _confirm_path()
    response = Client(HTTP_HOST=beta.host).post(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_sessions_list_shows_only_this_workspaces_sessions(
    alpha: Workspace, beta: Workspace, sam_alpha: User, sam_beta: User
) -> None:
    """The same address signed in on alpha twice and on beta once: beta lists one browser."""
    _signed_in(alpha, "Edg/131.0")
    _signed_in(alpha, "Edg/131.0")
    content = _signed_in(beta).get("/profile/").content.decode()
    assert content.count('data-testid="session-row"') == 1
    assert "Edge" not in content


def test_sign_out_everywhere_else_on_beta_leaves_alpha_signed_in(
    alpha: Workspace, beta: Workspace, sam_alpha: User, sam_beta: User
) -> None:
    """Signing out other browsers on beta never touches alpha's sessions."""
    alpha_client = _signed_in(alpha)
    _signed_in(beta).post("/profile/sessions/end-others/")
    assert alpha_client.get("/").status_code == 200


def test_alpha_session_id_cannot_be_ended_from_beta(
    alpha: Workspace, beta: Workspace, sam_alpha: User, sam_beta: User
) -> None:
    """Posting alpha's session row id on beta's host is a 404; alpha's browser stays in."""
    alpha_client = _signed_in(alpha)
    with schema_context(alpha.schema):
        alpha_row = UserSession.objects.get(
            session_key=alpha_client.cookies[settings.SESSION_COOKIE_NAME].value
        )
    beta_client = _signed_in(beta)
    assert beta_client.post(f"/profile/sessions/{alpha_row.pk}/end/").status_code == 404
    assert alpha_client.get("/").status_code == 200
