"""A person changes their name and password on the profile, signs out, and signs in with the
new password, in Chromium."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django.contrib.sessions.models import Session
from django_tenants.utils import schema_context

from tenants.models import Tenant
from tenants.users.models import Role, User, UserSession
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.browser

NEW_PASSWORD = "profile-browser-new-passphrase"


@pytest.fixture
def profile_user(committed: None) -> Iterator[tuple[str, User]]:
    """A committed read-only user in alpha (unique per run), removed with their sessions."""
    schema = Tenant.objects.get(slug="alpha").schema_name
    with schema_context(schema):
        user = UserFactory.create(
            email=f"profile-{uuid.uuid4().hex[:8]}@alpha.example",
            full_name="Pat Before",
            role=Role.READ_ONLY,
        )
    yield schema, user
    with schema_context(schema):
        keys = UserSession.objects.filter(user=user).values_list("session_key", flat=True)
        Session.objects.filter(session_key__in=list(keys)).delete()
        user.delete()


def _sign_in(page, base: str, email: str, password: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def test_change_name_and_password_then_sign_in_with_the_new_password(
    profile_user, live_server_port: int, page
) -> None:
    """The user menu's "Change password" opens the profile; a new name shows in the menu at
    once; after signing out, only the new password signs in."""
    schema, user = profile_user
    base = f"http://alpha.localhost:{live_server_port}"
    _sign_in(page, base, user.email, TEST_PASSWORD)

    page.get_by_test_id("user-menu").click()
    page.get_by_role("link", name="Change password").click()
    page.wait_for_url(f"{base}/profile/#password")

    page.get_by_label("Full name").fill("Pat After")
    page.get_by_role("button", name="Save name").click()
    page.wait_for_url(f"{base}/profile/#name")
    assert page.get_by_role("alert").filter(has_text="Your name was saved.").is_visible()
    assert page.get_by_test_id("user-menu").inner_text().startswith("P\nPat After")

    password = page.locator("#password")
    password.get_by_label("Current password").fill(TEST_PASSWORD)
    password.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    password.get_by_label("New password confirmation").fill(NEW_PASSWORD)
    password.get_by_label("New password confirmation").press("Enter")
    page.wait_for_url(f"{base}/profile/#password")
    assert page.get_by_role("alert").filter(has_text="Your password was changed.").is_visible()

    page.get_by_test_id("user-menu").click()
    page.locator(".dropdown-menu").get_by_role("button", name="Sign out").click()
    page.wait_for_url(f"{base}/login/")

    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_text("Please enter a correct").wait_for()
    assert page.url == f"{base}/login/"

    _sign_in(page, base, user.email, NEW_PASSWORD)
    assert "Pat After" in page.get_by_test_id("user-menu").inner_text()
    with schema_context(schema):
        assert User.objects.get(pk=user.pk).full_name == "Pat After"
