"""The profile page: every signed-in person edits their own name, password, language and time
zone, and email notifications."""

from __future__ import annotations

import re

import pytest
from django.conf import settings
from django.test import Client
from django_tenants.utils import schema_context

from tenants.users.models import Role, User, UserSession
from tenants.users.notifications import BILLING_PAYMENT_FAILED, BILLING_RECEIPT
from tests.conftest import Workspace, sign_in
from tests.factories import TEST_PASSWORD, AdminFactory, UserFactory

NEW_PASSWORD = "a-brand-new-passphrase"


def _sign_in_with_form(workspace: Workspace, email: str, password: str = TEST_PASSWORD) -> Client:
    client = Client(HTTP_HOST=workspace.host)
    response = client.post("/login/", {"username": email, "password": password})
    assert response.status_code == 302, response.content
    return client


@pytest.fixture
def reader(alpha: Workspace) -> User:
    with schema_context(alpha.schema):
        return UserFactory.create(
            email="reader@alpha.example", full_name="Rita Reader", role=Role.READ_ONLY
        )


def test_anonymous_visitor_is_sent_to_sign_in(alpha_client: Client) -> None:
    """The profile is for signed-in people only."""
    response = alpha_client.get("/profile/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/profile/"


@pytest.mark.parametrize("role", [Role.ADMIN, Role.MANAGER, Role.REP, Role.READ_ONLY])
def test_every_role_opens_its_own_profile(alpha: Workspace, role: Role) -> None:
    """Admins, managers, reps and read-only users all reach their own profile."""
    with schema_context(alpha.schema):
        user = UserFactory.create(role=role)
    client = sign_in(Client(HTTP_HOST=alpha.host), alpha, user)
    response = client.get("/profile/")
    assert response.status_code == 200
    assert user.email in response.content.decode()


def test_user_menu_change_password_goes_to_the_profile(
    signed_in_alpha_admin: Client,
) -> None:
    """ "Change password" in the user menu opens the profile's password section, not the
    signed-out reset page."""
    content = signed_in_alpha_admin.get("/").content.decode()
    assert 'href="/profile/#password"' in content
    assert 'href="/password-reset/"' not in content


def test_read_only_user_changes_their_own_name(alpha: Workspace, reader: User) -> None:
    """A read-only user may still edit their own profile."""
    client = sign_in(Client(HTTP_HOST=alpha.host), alpha, reader)
    response = client.post("/profile/name/", {"name-full_name": "  Rita Reed "})
    assert response.status_code == 302
    assert response["Location"] == "/profile/#name"
    with schema_context(alpha.schema):
        assert User.objects.get(pk=reader.pk).full_name == "Rita Reed"


def test_empty_name_is_refused_with_a_message(alpha: Workspace, reader: User) -> None:
    """A blank name is refused next to the field, and the stored name stays."""
    client = sign_in(Client(HTTP_HOST=alpha.host), alpha, reader)
    response = client.post("/profile/name/", {"name-full_name": "   "})
    assert response.status_code == 400
    assert "Enter your name." in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    with schema_context(alpha.schema):
        assert User.objects.get(pk=reader.pk).full_name == "Rita Reader"


def test_password_change_needs_the_current_password(alpha: Workspace, alpha_admin: User) -> None:
    """A wrong current password changes nothing and says so."""
    client = _sign_in_with_form(alpha, alpha_admin.email)
    response = client.post(
        "/profile/password/",
        {
            "password-old_password": "not-my-password",
            "password-new_password1": NEW_PASSWORD,
            "password-new_password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 400
    assert "Your old password was entered incorrectly" in response.content.decode()
    with schema_context(alpha.schema):
        assert User.objects.get(pk=alpha_admin.pk).check_password(TEST_PASSWORD)


def test_password_change_keeps_this_browser_and_signs_out_the_others(
    alpha: Workspace, alpha_admin: User
) -> None:
    """After a password change this browser is still signed in, another browser is signed out
    (its session is gone), and the new password signs in."""
    here = _sign_in_with_form(alpha, alpha_admin.email)
    elsewhere = _sign_in_with_form(alpha, alpha_admin.email)
    old_key = here.cookies[settings.SESSION_COOKIE_NAME].value
    elsewhere_key = elsewhere.cookies[settings.SESSION_COOKIE_NAME].value

    response = here.post(
        "/profile/password/",
        {
            "password-old_password": TEST_PASSWORD,
            "password-new_password1": NEW_PASSWORD,
            "password-new_password2": NEW_PASSWORD,
        },
    )

    assert response.status_code == 302
    assert response["Location"] == "/profile/#password"
    assert here.get("/profile/").status_code == 200
    new_key = here.cookies[settings.SESSION_COOKIE_NAME].value
    assert new_key != old_key
    assert elsewhere.get("/profile/")["Location"].startswith("/login/")
    with schema_context(alpha.schema):
        assert list(
            UserSession.objects.filter(user=alpha_admin).values_list("session_key", flat=True)
        ) == [new_key]
        assert not UserSession.objects.filter(session_key=elsewhere_key).exists()
    _sign_in_with_form(alpha, alpha_admin.email, NEW_PASSWORD)


def test_preferences_are_stored(alpha: Workspace, reader: User) -> None:
    """Language and time zone are stored; empty means the workspace's default."""
    client = sign_in(Client(HTTP_HOST=alpha.host), alpha, reader)
    response = client.post(
        "/profile/preferences/",
        {"preferences-language": "en", "preferences-time_zone": "Asia/Tokyo"},
    )
    assert response.status_code == 302
    with schema_context(alpha.schema):
        stored = User.objects.get(pk=reader.pk)
    assert (stored.language, stored.time_zone) == ("en", "Asia/Tokyo")


def test_unknown_time_zone_and_language_are_refused(alpha: Workspace, reader: User) -> None:
    """Only zones this machine knows and configured languages are accepted."""
    client = sign_in(Client(HTTP_HOST=alpha.host), alpha, reader)
    response = client.post(
        "/profile/preferences/",
        {"preferences-language": "xx", "preferences-time_zone": "Mars/Olympus_Mons"},
    )
    assert response.status_code == 400
    assert response.content.decode().count("Select a valid choice.") == 2
    with schema_context(alpha.schema):
        assert User.objects.get(pk=reader.pk).time_zone == ""


def test_pages_show_times_in_the_users_time_zone(alpha: Workspace, reader: User) -> None:
    """A chosen time zone is used for every page of that person; without one, the
    workspace's (``TIME_ZONE``)."""
    client = sign_in(Client(HTTP_HOST=alpha.host), alpha, reader)
    assert re.search(r"\d\d:\d\d UTC</td>", client.get("/profile/").content.decode())
    with schema_context(alpha.schema):
        User.objects.filter(pk=reader.pk).update(time_zone="Asia/Tokyo")
    assert re.search(r"\d\d:\d\d JST</td>", client.get("/profile/").content.decode())


def test_pages_use_the_users_language(alpha: Workspace, reader: User, settings) -> None:
    """A chosen language is activated for that person's requests."""
    settings.LANGUAGES = [("en", "English"), ("de", "Deutsch")]
    with schema_context(alpha.schema):
        User.objects.filter(pk=reader.pk).update(language="de")
    client = sign_in(Client(HTTP_HOST=alpha.host), alpha, reader)
    response = client.get("/profile/", HTTP_ACCEPT_LANGUAGE="en")
    assert response["Content-Language"] == "de"


def test_retired_language_falls_back_to_the_default(alpha: Workspace, reader: User) -> None:
    """A stored language no longer offered is ignored rather than breaking pages."""
    with schema_context(alpha.schema):
        User.objects.filter(pk=reader.pk).update(language="de", time_zone="Nowhere/Gone")
    client = sign_in(Client(HTTP_HOST=alpha.host), alpha, reader)
    response = client.get("/profile/")
    assert response.status_code == 200
    assert response["Content-Language"] == "en"


def test_admin_turns_off_receipts(alpha: Workspace) -> None:
    """An admin can turn receipts off; the choice is stored as an opt-out."""
    with schema_context(alpha.schema):
        admin = AdminFactory.create()
    client = sign_in(Client(HTTP_HOST=alpha.host), alpha, admin)
    response = client.post(
        "/profile/notifications/",
        {
            "notifications-billing.trial_ending": "on",
            "notifications-crm.activity_reminder": "on",
            "notifications-crm.daily_digest": "on",
        },
    )
    assert response.status_code == 302
    with schema_context(alpha.schema):
        assert User.objects.get(pk=admin.pk).notification_settings == {BILLING_RECEIPT: False}


def test_always_on_notifications_cannot_be_turned_off(alpha: Workspace) -> None:
    """Payment failures stay on even when the form leaves them out."""
    with schema_context(alpha.schema):
        admin = AdminFactory.create()
    client = sign_in(Client(HTTP_HOST=alpha.host), alpha, admin)
    client.post("/profile/notifications/", {})
    with schema_context(alpha.schema):
        stored = User.objects.get(pk=admin.pk).notification_settings
    assert BILLING_PAYMENT_FAILED not in stored


def test_non_admins_are_not_offered_billing_emails(alpha: Workspace, reader: User) -> None:
    """Only admins get billing emails, so only they see those switches; everyone sees the
    always-on security emails."""
    client = sign_in(Client(HTTP_HOST=alpha.host), alpha, reader)
    content = client.get("/profile/").content.decode()
    assert "Payment receipts" not in content
    assert "Sign-in paused" in content
