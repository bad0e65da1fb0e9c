"""Email addresses are proven by links: the welcome email after signup, resending a
verification, and changing the address (re-verified at the new address)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client, TestCase
from django.utils import timezone
from django_tenants.utils import schema_context

from onboarding.provisioning import SignupRequest, signup_start
from tenants.pool import pool_tenant_create
from tenants.users import services
from tenants.users.models import EmailConfirmation, Role, User
from tests.conftest import Workspace, sign_in
from tests.factories import TEST_PASSWORD, UserFactory

CONFIRM_LINK = re.compile(r"(https?://[^\s/]+)(/profile/email/confirm/[^\s]+/)")


def _confirm_path(body: object) -> str:
    match = CONFIRM_LINK.search(str(body))
    assert match, body
    return match.group(2)


@pytest.fixture
def mia(alpha: Workspace) -> User:
    with schema_context(alpha.schema):
        return UserFactory.create(email="mia@alpha.example", full_name="Mia Me")


@pytest.fixture
def mia_client(alpha: Workspace, mia: User) -> Client:
    return sign_in(Client(HTTP_HOST=alpha.host), alpha, mia)


def _request_change(client: Client, new_email: str, password: str = TEST_PASSWORD):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(
            "/profile/email/", {"email-email": new_email, "email-current_password": password}
        )


# --- Welcome email at signup ------------------------------------------------------------------


def _signup() -> SignupRequest:
    return SignupRequest(
        company_name="Welcome Ltd",
        slug="welcome-co",
        admin_name="Wanda Welcome",
        admin_email="wanda@welcome.example",
        admin_password="a-long-passphrase",
    )


@pytest.mark.django_db
def test_signup_sends_a_welcome_email_with_address_sign_in_and_verification_link(
    settings,
) -> None:
    """When a signup completes, the admin gets one welcome email with the workspace's address,
    its sign-in link and a verification link, all from the configured site address."""
    settings.SITE_SCHEME, settings.SITE_PORT = "https", "8443"
    pool_tenant_create()
    with TestCase.captureOnCommitCallbacks(execute=True):
        signup_start(_signup())
    assert len(mail.outbox) == 1
    welcome = mail.outbox[0]
    assert welcome.to == ["wanda@welcome.example"]
    assert welcome.subject == "Welcome to Welcome Ltd on Rapport"
    assert "https://welcome-co.localhost:8443/\n" in welcome.body
    assert "https://welcome-co.localhost:8443/login/" in welcome.body
    match = CONFIRM_LINK.search(str(welcome.body))
    assert match
    assert match.group(1) == "https://welcome-co.localhost:8443"


@pytest.mark.django_db
def test_welcome_email_waits_for_the_commit() -> None:
    """Nothing is sent while the signup's transaction is still open."""
    pool_tenant_create()
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        signup_start(_signup())
    assert mail.outbox == []
    assert callbacks


@pytest.mark.django_db
def test_welcome_email_is_sent_once() -> None:
    """A retried welcome task sends nothing more."""
    pool_tenant_create()
    with TestCase.captureOnCommitCallbacks(execute=True):
        signup = signup_start(_signup())
    with schema_context(signup.tenant.schema_name):
        admin = User.objects.get()
        assert services.welcome_email_send(user_id=admin.pk) is False
    assert len(mail.outbox) == 1


@pytest.mark.django_db
def test_signup_admin_is_unverified_until_the_welcome_link_is_opened() -> None:
    """The founding admin's address counts as verified only once they open the link while
    signed in and confirm."""
    pool_tenant_create()
    with TestCase.captureOnCommitCallbacks(execute=True):
        signup = signup_start(_signup())
    workspace = Workspace(signup.tenant, "welcome-co.localhost")
    with schema_context(workspace.schema):
        admin = User.objects.get()
    assert admin.email_verified_at is None
    client = sign_in(Client(HTTP_HOST=workspace.host), workspace, admin)
    path = _confirm_path(mail.outbox[0].body)
    assert client.get(path).status_code == 200
    assert client.post(path).status_code == 302
    with schema_context(workspace.schema):
        assert User.objects.get().email_verified_at is not None


def test_confirmation_link_needs_sign_in(alpha: Workspace, mia: User) -> None:
    """Opening a link signed out leads to sign-in first, and changes nothing."""
    with schema_context(alpha.schema):
        User.objects.filter(pk=mia.pk).update(email_verified_at=None)
        mia.refresh_from_db()
        with TestCase.captureOnCommitCallbacks(execute=True):
            services.email_verification_resend(user=mia)
    path = _confirm_path(mail.outbox[0].body)
    response = Client(HTTP_HOST=alpha.host).post(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")
    with schema_context(alpha.schema):
        assert User.objects.get(pk=mia.pk).email_verified_at is None


def test_invited_user_is_verified(alpha: Workspace, alpha_admin: User) -> None:
    """Accepting an invitation proves the address the invitation was sent to."""
    with schema_context(alpha.schema), TestCase.captureOnCommitCallbacks(execute=True):
        services.invitation_create(
            email="newbie@example.com",
            role=Role.REP,
            by=alpha_admin,
            accept_url_template="http://alpha.localhost/invitations/{token}/",
        )
    token = mail.outbox[-1].body.split("/invitations/")[1].split("/")[0]
    with schema_context(alpha.schema):
        user = services.invitation_accept(
            token=token, full_name="New Bie", password="pw-long-enough-1"
        )
    assert user.email_verified_at is not None


# --- Banner and resend ------------------------------------------------------------------------


@pytest.fixture
def unverified(alpha: Workspace) -> User:
    with schema_context(alpha.schema):
        return UserFactory.create(email="new@alpha.example", email_verified_at=None)


def test_unverified_user_sees_the_banner_on_workspace_pages(
    alpha: Workspace, unverified: User
) -> None:
    """A person whose address is unverified sees the reminder with a resend button."""
    client = sign_in(Client(HTTP_HOST=alpha.host), alpha, unverified)
    content = client.get("/").content.decode()
    assert 'data-testid="verification-banner"' in content
    assert "Resend verification email" in content


def test_verified_user_sees_no_banner(mia_client: Client) -> None:
    """Verified people are not reminded."""
    assert b'data-testid="verification-banner"' not in mia_client.get("/").content


def test_banner_can_be_hidden_for_the_session(alpha: Workspace, unverified: User) -> None:
    """Closing the banner (htmx) hides it on the following pages of this session."""
    client = sign_in(Client(HTTP_HOST=alpha.host), alpha, unverified)
    response = client.post("/profile/email/verify/hide/", HTTP_HX_REQUEST="true")
    assert (response.status_code, response.content) == (200, b"")
    assert b'data-testid="verification-banner"' not in client.get("/").content


def test_resend_emails_a_working_link(alpha: Workspace, unverified: User) -> None:
    """Resend sends a link to the current address that verifies it once confirmed."""
    client = sign_in(Client(HTTP_HOST=alpha.host), alpha, unverified)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/profile/email/verify/", {"next": "/contacts/"})
    assert response["Location"] == "/contacts/"
    assert mail.outbox[0].to == ["new@alpha.example"]
    client.post(_confirm_path(mail.outbox[0].body))
    with schema_context(alpha.schema):
        assert User.objects.get(pk=unverified.pk).email_verified_at is not None


def test_resend_goes_back_only_to_this_host(alpha: Workspace, unverified: User) -> None:
    """A ``next`` pointing elsewhere is ignored."""
    client = sign_in(Client(HTTP_HOST=alpha.host), alpha, unverified)
    response = client.post("/profile/email/verify/", {"next": "https://evil.example/"})
    assert response["Location"] == "/profile/"


def test_resend_is_rate_limited(alpha: Workspace, unverified: User, settings) -> None:
    """Beyond ``EMAIL_CONFIRMATION_RATE_LIMIT`` nothing more is sent and the person is told."""
    settings.EMAIL_CONFIRMATION_RATE_LIMIT = "2/h"
    client = sign_in(Client(HTTP_HOST=alpha.host), alpha, unverified)
    for _ in range(3):
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = client.post("/profile/email/verify/", follow=True)
    assert len(mail.outbox) == 2
    assert "Too many confirmation emails" in response.content.decode()


# --- Changing the address ---------------------------------------------------------------------


def test_change_sends_a_link_to_the_new_address_and_a_note_to_the_old(
    alpha: Workspace, mia: User, mia_client: Client
) -> None:
    """The new address gets the link; the old one is told; the account keeps the old address
    until the link is opened."""
    response = _request_change(mia_client, "Mia.New@Example.com")
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["mia.new@example.com"], ["mia@alpha.example"]]
    assert "/profile/email/confirm/" in mail.outbox[0].body
    assert "/profile/email/confirm/" not in mail.outbox[1].body
    assert "mia.new@example.com" in mail.outbox[1].body
    with schema_context(alpha.schema):
        assert User.objects.get(pk=mia.pk).email == "mia@alpha.example"
    assert b"mia.new@example.com" in mia_client.get("/profile/").content


def test_opening_the_link_changes_the_address(
    alpha: Workspace, mia: User, mia_client: Client
) -> None:
    """Confirming the link while signed in moves the account to the new, verified address."""
    _request_change(mia_client, "mia.new@example.com")
    path = _confirm_path(mail.outbox[0].body)
    page = mia_client.get(path)
    assert page.status_code == 200
    assert "mia.new@example.com" in page.content.decode()
    with schema_context(alpha.schema):
        assert User.objects.get(pk=mia.pk).email == "mia@alpha.example"
    assert mia_client.post(path)["Location"] == "/profile/#email"
    with schema_context(alpha.schema):
        changed = User.objects.get(pk=mia.pk)
    assert changed.email == "mia.new@example.com"
    assert changed.email_verified_at is not None
    assert (
        Client(HTTP_HOST=alpha.host)
        .post("/login/", {"username": "mia.new@example.com", "password": TEST_PASSWORD})
        .status_code
        == 302
    )


def test_link_works_once(mia_client: Client) -> None:
    """A used link is a 404."""
    _request_change(mia_client, "mia.new@example.com")
    path = _confirm_path(mail.outbox[0].body)
    mia_client.post(path)
    assert mia_client.get(path).status_code == 404
    assert mia_client.post(path).status_code == 404


def test_expired_link_is_refused(alpha: Workspace, mia: User, mia_client: Client) -> None:
    """After ``EMAIL_CONFIRMATION_MAX_AGE_DAYS`` the link does nothing."""
    _request_change(mia_client, "mia.new@example.com")
    with schema_context(alpha.schema):
        EmailConfirmation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    assert mia_client.post(_confirm_path(mail.outbox[0].body)).status_code == 404
    with schema_context(alpha.schema):
        assert User.objects.get(pk=mia.pk).email == "mia@alpha.example"


def test_forged_link_is_refused(mia_client: Client) -> None:
    """A token not signed by Rapport is a 404."""
    assert mia_client.get("/profile/email/confirm/not-a-token/").status_code == 404


def test_a_newer_request_voids_the_earlier_link(
    alpha: Workspace, mia: User, mia_client: Client
) -> None:
    """Only the latest requested address can be confirmed."""
    _request_change(mia_client, "first@example.com")
    first = _confirm_path(mail.outbox[0].body)
    _request_change(mia_client, "second@example.com")
    assert mia_client.post(first).status_code == 404
    with schema_context(alpha.schema):
        assert User.objects.get(pk=mia.pk).email == "mia@alpha.example"


def test_canceling_voids_the_link(alpha: Workspace, mia: User, mia_client: Client) -> None:
    """A canceled change cannot be confirmed any more."""
    _request_change(mia_client, "mia.new@example.com")
    mia_client.post("/profile/email/cancel/")
    assert mia_client.post(_confirm_path(mail.outbox[0].body)).status_code == 404


def test_address_taken_in_the_workspace_is_refused_case_insensitively(
    alpha: Workspace, mia: User, mia_client: Client
) -> None:
    """Another account's address, in any case, gets a clear error and no email."""
    with schema_context(alpha.schema):
        UserFactory.create(email="taken@alpha.example")
    response = _request_change(mia_client, "TAKEN@alpha.example")
    assert response.status_code == 400
    assert "already used by another account in this workspace" in response.content.decode()
    assert mail.outbox == []


def test_address_taken_meanwhile_is_refused_at_confirmation(
    alpha: Workspace, mia: User, mia_client: Client
) -> None:
    """If someone else took the address before the link was opened, nothing changes."""
    _request_change(mia_client, "mia.new@example.com")
    with schema_context(alpha.schema):
        UserFactory.create(email="Mia.New@example.com")
    response = mia_client.post(_confirm_path(mail.outbox[0].body), follow=True)
    assert "already used by another account" in response.content.decode()
    with schema_context(alpha.schema):
        assert User.objects.get(pk=mia.pk).email == "mia@alpha.example"


def test_change_needs_the_current_password(mia_client: Client) -> None:
    """A wrong current password sends nothing."""
    response = _request_change(mia_client, "mia.new@example.com", password="wrong")
    assert response.status_code == 400
    assert "current password was entered incorrectly" in response.content.decode()
    assert mail.outbox == []


def test_same_address_is_refused(mia_client: Client) -> None:
    """Asking for the address one already has is explained, not emailed."""
    response = _request_change(mia_client, "MIA@alpha.example")
    assert response.status_code == 400
    assert "This is already your email address." in response.content.decode()


def test_another_user_of_the_workspace_cannot_use_the_link(
    alpha: Workspace, mia: User, mia_client: Client
) -> None:
    """A link works only for the account it was sent for, even in the same workspace."""
    _request_change(mia_client, "mia.new@example.com")
    with schema_context(alpha.schema):
        other = UserFactory.create()
    intruder = sign_in(Client(HTTP_HOST=alpha.host), alpha, other)
    assert intruder.post(_confirm_path(mail.outbox[0].body)).status_code == 404
    with schema_context(alpha.schema):
        assert User.objects.get(pk=mia.pk).email == "mia@alpha.example"
        assert User.objects.get(pk=other.pk).email == other.email
