"""Nothing of one workspace is reachable from another: sessions, users, cache, links.

Each test uses two real workspaces (``alpha`` and ``beta``, separate PostgreSQL schemas
cloned from the template) and tries to cross from one to the other.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django_tenants.utils import schema_context

from tenants.users.models import User
from tenants.users.services import invitation_create
from tests.conftest import Workspace
from tests.factories import TEST_PASSWORD


def test_session_cookie_of_one_workspace_is_not_a_login_on_another(
    signed_in_alpha_admin: Client, beta_client: Client
) -> None:
    session_id = signed_in_alpha_admin.cookies[settings.SESSION_COOKIE_NAME].value
    assert signed_in_alpha_admin.get("/").status_code == 200
    beta_client.cookies[settings.SESSION_COOKIE_NAME] = session_id
    response = beta_client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith("/login/")


def test_session_cookie_is_host_only(signed_in_alpha_admin: Client) -> None:
    morsel = signed_in_alpha_admin.cookies[settings.SESSION_COOKIE_NAME]
    assert morsel["domain"] == ""
    assert morsel["httponly"] is True


def test_credentials_of_one_workspace_do_not_sign_in_on_another(
    alpha_admin: User, beta_client: Client
) -> None:
    response = beta_client.post(
        "/login/", {"username": "admin@alpha.example", "password": TEST_PASSWORD}
    )
    assert response.status_code == 200
    assert b"Please enter a correct" in response.content
    assert "_auth_user_id" not in beta_client.session


def test_same_email_is_two_separate_accounts(alpha: Workspace, beta: Workspace) -> None:
    with schema_context(alpha.schema):
        User.objects.create_user("same@example.com", "alpha-pass-123", full_name="In Alpha")
    with schema_context(beta.schema):
        assert not User.objects.filter(email="same@example.com").exists()
        User.objects.create_user("same@example.com", "beta-pass-123", full_name="In Beta")
    response = Client(HTTP_HOST=beta.host).post(
        "/login/", {"username": "same@example.com", "password": "alpha-pass-123"}
    )
    assert response.status_code == 200


def test_cache_entries_are_scoped_to_their_schema(
    alpha: Workspace, beta: Workspace, clear_cache: None
) -> None:
    with schema_context(alpha.schema):
        cache.set("dashboard-totals", "alpha's numbers")
    with schema_context(beta.schema):
        assert cache.get("dashboard-totals") is None
    with schema_context(alpha.schema):
        assert cache.get("dashboard-totals") == "alpha's numbers"


def test_users_page_lists_only_the_workspace_own_users(
    signed_in_alpha_admin: Client, beta_admin: User
) -> None:
    response = signed_in_alpha_admin.get("/settings/users/")
    assert b"admin@alpha.example" in response.content
    assert b"admin@beta.example" not in response.content


def test_invitation_link_of_one_workspace_does_not_work_on_another(
    alpha: Workspace, alpha_admin: User, beta_client: Client, django_capture_on_commit_callbacks
) -> None:
    with (
        schema_context(alpha.schema),
        django_capture_on_commit_callbacks(execute=True),
    ):
        invitation_create(
            email="newbie@example.com",
            role="rep",
            by=alpha_admin,
            accept_url_template="http://alpha.localhost/invitations/{token}/",
        )
    token = mail.outbox[0].body.split("/invitations/")[1].split("/")[0]
    assert Client(HTTP_HOST=alpha.host).get(f"/invitations/{token}/").status_code == 200
    assert beta_client.get(f"/invitations/{token}/").status_code == 404


def test_password_reset_on_another_workspace_sends_nothing(
    alpha_admin: User, beta_client: Client
) -> None:
    response = beta_client.post("/password-reset/", {"email": "admin@alpha.example"})
    assert response.status_code == 302
    assert mail.outbox == []


@pytest.mark.django_db
def test_workspace_users_cannot_sign_in_on_the_public_ops_console(alpha_admin: User) -> None:
    response = Client(HTTP_HOST="localhost").post(
        "/ops/login/", {"username": "admin@alpha.example", "password": TEST_PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in response.wsgi_request.session
