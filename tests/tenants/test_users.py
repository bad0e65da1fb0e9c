"""Workspace users: sign-in, roles on settings pages, invitations, deactivation, resets."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client, TestCase
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.errors import WorkspaceError
from tenants.users import services
from tenants.users.models import Invitation, Role, User
from tests.conftest import Workspace, after_commit, sign_in
from tests.factories import TEST_PASSWORD, UserFactory


def _invite(by: User, email: str = "newbie@example.com", role: str = Role.REP) -> str:
    """Create an invitation and return the token from the emailed link."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        services.invitation_create(
            email=email,
            role=role,
            by=by,
            accept_url_template="http://alpha.localhost/invitations/{token}/",
        )
    return mail.outbox[-1].body.split("/invitations/")[1].split("/")[0]


def test_sign_in_lands_on_the_dashboard(alpha_client: Client, alpha_admin: User) -> None:
    response = alpha_client.post(
        "/login/", {"username": "ADMIN@alpha.example", "password": TEST_PASSWORD}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/"
    assert b'data-testid="dashboard"' in response.content


def test_wrong_password_shows_an_error(alpha_client: Client, alpha_admin: User) -> None:
    response = alpha_client.post("/login/", {"username": "admin@alpha.example", "password": "no"})
    assert response.status_code == 200
    assert b"Please enter a correct" in response.content


def test_anonymous_visitor_is_sent_to_sign_in(alpha_client: Client) -> None:
    response = alpha_client.get("/settings/users/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/settings/users/"


@pytest.mark.parametrize("role", [Role.MANAGER, Role.REP, Role.READ_ONLY])
def test_only_admins_reach_user_settings(
    alpha: Workspace, alpha_client: Client, role: Role
) -> None:
    with schema_context(alpha.schema):
        user = UserFactory(role=role)
    sign_in(alpha_client, alpha, user)
    assert alpha_client.get("/settings/users/").status_code == 403
    assert (
        alpha_client.post("/settings/users/invite/", {"email": "x@example.com"}).status_code == 403
    )


def test_logout_needs_post(signed_in_alpha_admin: Client) -> None:
    assert signed_in_alpha_admin.get("/logout/").status_code == 405
    assert signed_in_alpha_admin.post("/logout/").status_code == 302
    assert signed_in_alpha_admin.get("/").status_code == 302


def test_admin_invites_by_email_with_role(
    signed_in_alpha_admin: Client, in_alpha: Workspace
) -> None:
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = signed_in_alpha_admin.post(
            "/settings/users/invite/", {"email": "Newbie@Example.com", "role": Role.MANAGER}
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert invitation.email == "newbie@example.com"
    assert invitation.role == Role.MANAGER
    assert mail.outbox[0].to == ["newbie@example.com"]
    assert "http://alpha.localhost:8000/invitations/" in mail.outbox[0].body


def test_invite_form_reports_an_invalid_email(signed_in_alpha_admin: Client) -> None:
    response = signed_in_alpha_admin.post(
        "/settings/users/invite/", {"email": "nope", "role": "rep"}
    )
    assert response.status_code == 400
    assert b"Enter a valid email address" in response.content


def test_inviting_an_existing_user_is_refused(in_alpha: Workspace, alpha_admin: User) -> None:
    with pytest.raises(WorkspaceError, match="already has an account"):
        _invite(alpha_admin, email="admin@alpha.example")


def test_invitation_stores_only_a_hash_of_the_token(in_alpha: Workspace, alpha_admin: User) -> None:
    token = _invite(alpha_admin)
    assert not Invitation.objects.filter(token_hash=token).exists()
    assert Invitation.objects.get().token_hash == services.invitation_token_hash(token)


def test_accepting_an_invitation_creates_the_user_and_signs_in(
    in_alpha: Workspace, alpha_admin: User, alpha_client: Client
) -> None:
    token = _invite(alpha_admin, role=Role.MANAGER)
    response = alpha_client.post(
        f"/invitations/{token}/",
        {
            "full_name": "New Person",
            "password1": "a-long-passphrase",
            "password2": "a-long-passphrase",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(email="newbie@example.com")
    assert user.role == Role.MANAGER
    assert alpha_client.get("/").status_code == 200


def test_invitation_link_works_once(in_alpha: Workspace, alpha_admin: User) -> None:
    token = _invite(alpha_admin)
    services.invitation_accept(token=token, full_name="First", password="a-long-passphrase")
    with pytest.raises(WorkspaceError, match="invalid, expired or already used"):
        services.invitation_accept(token=token, full_name="Second", password="a-long-passphrase")


def test_expired_invitation_is_refused(
    in_alpha: Workspace, alpha_admin: User, alpha_client: Client
) -> None:
    token = _invite(alpha_admin)
    Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    response = alpha_client.get(f"/invitations/{token}/")
    assert response.status_code == 404
    assert b"cannot be used" in response.content


def test_revoked_invitation_is_refused(in_alpha: Workspace, alpha_admin: User) -> None:
    token = _invite(alpha_admin)
    services.invitation_revoke(invitation=Invitation.objects.get())
    assert services.invitation_for_token(token) is None


def test_accept_form_applies_password_validators(
    in_alpha: Workspace, alpha_admin: User, alpha_client: Client
) -> None:
    token = _invite(alpha_admin)
    response = alpha_client.post(
        f"/invitations/{token}/", {"full_name": "New", "password1": "123", "password2": "123"}
    )
    assert response.status_code == 200
    assert b"too short" in response.content
    assert not User.objects.filter(email="newbie@example.com").exists()


def test_reinviting_revokes_the_earlier_link(in_alpha: Workspace, alpha_admin: User) -> None:
    first = _invite(alpha_admin)
    _invite(alpha_admin)
    assert services.invitation_for_token(first) is None


def test_deactivated_user_cannot_sign_in(
    in_alpha: Workspace, alpha_admin: User, alpha_rep: User, alpha_client: Client
) -> None:
    services.user_deactivate(user=alpha_rep, by=alpha_admin)
    response = alpha_client.post(
        "/login/", {"username": alpha_rep.email, "password": TEST_PASSWORD}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in alpha_client.session


def test_deactivated_user_loses_an_open_session(
    in_alpha: Workspace, alpha_admin: User, alpha_rep: User, alpha_client: Client
) -> None:
    sign_in(alpha_client, in_alpha, alpha_rep)
    services.user_deactivate(user=alpha_rep, by=alpha_admin)
    assert alpha_client.get("/").status_code == 302


def test_admin_cannot_deactivate_themselves(in_alpha: Workspace, alpha_admin: User) -> None:
    with pytest.raises(WorkspaceError, match="your own account"):
        services.user_deactivate(user=alpha_admin, by=alpha_admin)


def test_last_admin_cannot_be_deactivated(in_alpha: Workspace, alpha_admin: User) -> None:
    manager = UserFactory.create(role=Role.MANAGER)
    with pytest.raises(WorkspaceError, match="at least one active admin"):
        services.user_deactivate(user=alpha_admin, by=manager)


def test_last_admin_keeps_the_admin_role(in_alpha: Workspace, alpha_admin: User) -> None:
    with pytest.raises(WorkspaceError, match="at least one active admin"):
        services.user_change_role(user=alpha_admin, role=Role.REP, by=alpha_admin)


def test_deactivate_view_is_post_only_and_reports(
    signed_in_alpha_admin: Client, alpha_rep: User, in_alpha: Workspace
) -> None:
    url = f"/settings/users/{alpha_rep.pk}/deactivate/"
    assert signed_in_alpha_admin.get(url).status_code == 405
    response = signed_in_alpha_admin.post(url, follow=True)
    assert b"can no longer sign in" in response.content
    alpha_rep.refresh_from_db()
    assert alpha_rep.is_active is False


def test_post_without_csrf_token_is_refused(alpha_admin: User, alpha: Workspace) -> None:
    client = sign_in(Client(HTTP_HOST=alpha.host, enforce_csrf_checks=True), alpha, alpha_admin)
    response = client.post("/settings/users/invite/", {"email": "x@example.com", "role": "rep"})
    assert response.status_code == 403


def test_password_reset_emails_a_link_on_the_workspace_host(
    alpha_client: Client, alpha_admin: User
) -> None:
    with after_commit():
        response = alpha_client.post("/password-reset/", {"email": "admin@alpha.example"})
    assert response.status_code == 302
    assert "http://alpha.localhost:8000/password-reset/" in mail.outbox[0].body


def test_password_reset_link_sets_a_new_password(alpha_client: Client, alpha_admin: User) -> None:
    with after_commit():
        alpha_client.post("/password-reset/", {"email": "admin@alpha.example"})
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line)
    path = link.split("alpha.localhost:8000", 1)[1]
    form_url = alpha_client.get(path)["Location"]  # Django swaps the token for a session marker
    response = alpha_client.post(
        form_url, {"new_password1": "brand-new-passphrase", "new_password2": "brand-new-passphrase"}
    )
    assert response.status_code == 302
    assert alpha_client.login(username="admin@alpha.example", password="brand-new-passphrase")


def test_unknown_address_gets_the_same_reset_answer(alpha_client: Client) -> None:
    response = alpha_client.post("/password-reset/", {"email": "ghost@example.com"})
    assert response.status_code == 302
    assert response["Location"] == "/password-reset/sent/"
    assert mail.outbox == []
