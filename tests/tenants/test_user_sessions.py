"""Signed-in browsers: recorded on every way in, listed on the profile, signed out on request."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import cache
from django.test import Client, TestCase
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.handoff import handoff_token_issue
from tenants.users import services
from tenants.users.browsers import user_agent_summary
from tenants.users.models import Role, User, UserSession
from tenants.users.services.sessions import session_seen_cache_key
from tests.conftest import Workspace, sign_in
from tests.factories import TEST_PASSWORD, UserFactory

FIREFOX_ON_WINDOWS = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
)
SAFARI_ON_IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1"
)


def _browser(workspace: Workspace, user_agent: str = FIREFOX_ON_WINDOWS, ip: str = "203.0.113.7"):
    return Client(HTTP_HOST=workspace.host, HTTP_USER_AGENT=user_agent, REMOTE_ADDR=ip)


def _sign_in(client: Client, email: str) -> Client:
    response = client.post("/login/", {"username": email, "password": TEST_PASSWORD})
    assert response.status_code == 302, response.content
    return client


def _key(client: Client) -> str:
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def _interval_passes(workspace: Workspace, client: Client) -> None:
    """End the "last seen" interval of this browser's session (its marker in the cache)."""
    with schema_context(workspace.schema):
        cache.delete(session_seen_cache_key(_key(client)))


def _rows(workspace: Workspace, user: User) -> list[UserSession]:
    with schema_context(workspace.schema):
        return list(UserSession.objects.filter(user=user))


@pytest.fixture
def mia(alpha: Workspace) -> User:
    with schema_context(alpha.schema):
        return UserFactory.create(email="mia@alpha.example", role=Role.READ_ONLY)


# --- Recorded on every way in -----------------------------------------------------------------


def test_sign_in_form_records_the_browser(alpha: Workspace, mia: User) -> None:
    """Signing in records the session with its browser, IP and times."""
    client = _sign_in(_browser(alpha), mia.email)
    [row] = _rows(alpha, mia)
    assert row.session_key == _key(client)
    assert (row.user_agent, row.ip_address) == (FIREFOX_ON_WINDOWS, "203.0.113.7")
    assert row.created_at == row.last_seen_at


def test_handoff_sign_in_records_the_browser(alpha: Workspace, mia: User) -> None:
    """The signup handoff is a sign-in like any other."""
    client = _browser(alpha)
    token = handoff_token_issue(tenant=alpha.tenant, user_id=mia.pk)
    assert client.get("/handoff/", {"token": token}).status_code == 302
    assert [row.session_key for row in _rows(alpha, mia)] == [_key(client)]


def test_accepting_an_invitation_records_the_browser(alpha: Workspace, alpha_admin: User) -> None:
    """Joining by invitation signs in, and so records the session."""
    with schema_context(alpha.schema), TestCase.captureOnCommitCallbacks(execute=True):
        services.invitation_create(
            email="joiner@example.com",
            role=Role.REP,
            by=alpha_admin,
            accept_url_template="http://alpha.localhost/invitations/{token}/",
        )
    token = mail.outbox[-1].body.split("/invitations/")[1].split("/")[0]
    client = _browser(alpha)
    response = client.post(
        f"/invitations/{token}/",
        {"full_name": "Jo Iner", "password1": "pw-long-enough-1", "password2": "pw-long-enough-1"},
    )
    assert response.status_code == 302
    with schema_context(alpha.schema):
        joiner = User.objects.get(email="joiner@example.com")
    assert [row.session_key for row in _rows(alpha, joiner)] == [_key(client)]


def test_signing_out_forgets_the_browser(alpha: Workspace, mia: User) -> None:
    """After "Sign out" the browser is no longer listed."""
    client = _sign_in(_browser(alpha), mia.email)
    client.post("/logout/")
    assert _rows(alpha, mia) == []


# --- Listed on the profile --------------------------------------------------------------------


def test_profile_lists_this_users_browsers(alpha: Workspace, mia: User) -> None:
    """Each signed-in browser is listed with a readable name and its IP; this one is marked."""
    here = _sign_in(_browser(alpha), mia.email)
    _sign_in(_browser(alpha, SAFARI_ON_IPHONE, "198.51.100.9"), mia.email)
    content = here.get("/profile/").content.decode()
    assert content.count('data-testid="session-row"') == 2
    assert "Firefox on Windows" in content
    assert "Safari on iOS" in content
    assert "198.51.100.9" in content
    assert content.count('data-current="true"') == 1


def test_profile_does_not_list_other_users_or_expired_sessions(alpha: Workspace, mia: User) -> None:
    """Teammates' sessions and sessions that expired are not listed."""
    with schema_context(alpha.schema):
        teammate = UserFactory.create()
    _sign_in(_browser(alpha, SAFARI_ON_IPHONE), teammate.email)
    old = _sign_in(_browser(alpha, SAFARI_ON_IPHONE), mia.email)
    with schema_context(alpha.schema):
        Session.objects.filter(session_key=_key(old)).update(
            expire_date=timezone.now() - timedelta(seconds=1)
        )
    content = _sign_in(_browser(alpha), mia.email).get("/profile/").content.decode()
    assert content.count('data-testid="session-row"') == 1
    assert "Safari" not in content


def test_last_seen_is_written_at_most_every_few_minutes(alpha: Workspace, mia: User) -> None:
    """Browsing does not write on every request; once the interval passed, the next request
    updates "last seen" and the IP."""
    client = _sign_in(_browser(alpha), mia.email)
    long_ago = timezone.now() - timedelta(hours=1)
    with schema_context(alpha.schema):
        UserSession.objects.update(last_seen_at=long_ago)
    client.get("/profile/", REMOTE_ADDR="192.0.2.1")
    assert _rows(alpha, mia)[0].last_seen_at == long_ago
    _interval_passes(alpha, client)
    client.get("/profile/", REMOTE_ADDR="192.0.2.1")
    [row] = _rows(alpha, mia)
    assert row.last_seen_at > long_ago
    assert row.ip_address == "192.0.2.1"


# --- Signed out on request --------------------------------------------------------------------


def test_sign_out_everywhere_else_keeps_only_this_browser(alpha: Workspace, mia: User) -> None:
    """Other browsers lose their session (they are sent to sign-in); this one stays."""
    here = _sign_in(_browser(alpha), mia.email)
    phone = _sign_in(_browser(alpha, SAFARI_ON_IPHONE), mia.email)
    laptop = _sign_in(_browser(alpha), mia.email)
    response = here.post("/profile/sessions/end-others/", follow=True)
    assert "2 other browsers were signed out." in response.content.decode()
    assert [row.session_key for row in _rows(alpha, mia)] == [_key(here)]
    with schema_context(alpha.schema):
        assert not Session.objects.filter(session_key__in=[_key(phone), _key(laptop)]).exists()
    assert phone.get("/")["Location"].startswith("/login/")
    assert here.get("/").status_code == 200


def test_sign_out_everywhere_else_leaves_teammates_alone(alpha: Workspace, mia: User) -> None:
    """Only this person's other browsers are signed out."""
    with schema_context(alpha.schema):
        teammate = UserFactory.create()
    theirs = _sign_in(_browser(alpha), teammate.email)
    _sign_in(_browser(alpha), mia.email).post("/profile/sessions/end-others/")
    assert theirs.get("/").status_code == 200


def test_sign_out_everywhere_else_reaches_sessions_without_a_record(
    alpha: Workspace, mia: User
) -> None:
    """A browser signed in before sessions were recorded is signed out too."""
    legacy = _sign_in(_browser(alpha), mia.email)
    with schema_context(alpha.schema):
        UserSession.objects.filter(session_key=_key(legacy)).delete()
    _sign_in(_browser(alpha), mia.email).post("/profile/sessions/end-others/")
    assert legacy.get("/")["Location"].startswith("/login/")


def test_a_session_without_a_record_is_listed_once_seen(alpha: Workspace, mia: User) -> None:
    """Sessions from before this feature get their row on their next request."""
    client = _sign_in(_browser(alpha), mia.email)
    with schema_context(alpha.schema):
        UserSession.objects.all().delete()
    _interval_passes(alpha, client)
    client.get("/profile/")
    assert [row.session_key for row in _rows(alpha, mia)] == [_key(client)]


def test_sign_out_one_browser(alpha: Workspace, mia: User) -> None:
    """ "Sign out" on a listed browser ends that session only."""
    here = _sign_in(_browser(alpha), mia.email)
    phone = _sign_in(_browser(alpha, SAFARI_ON_IPHONE), mia.email)
    laptop = _sign_in(_browser(alpha), mia.email)
    with schema_context(alpha.schema):
        phone_row = UserSession.objects.get(session_key=_key(phone))
    response = here.post(f"/profile/sessions/{phone_row.pk}/end/")
    assert response["Location"] == "/profile/#sessions"
    assert phone.get("/")["Location"].startswith("/login/")
    assert laptop.get("/").status_code == 200
    assert here.get("/").status_code == 200


def test_cannot_sign_out_a_teammates_browser(alpha: Workspace, mia: User) -> None:
    """Another user's session id is a 404, and that session survives."""
    with schema_context(alpha.schema):
        teammate = UserFactory.create()
    theirs = _sign_in(_browser(alpha), teammate.email)
    with schema_context(alpha.schema):
        their_row = UserSession.objects.get(session_key=_key(theirs))
    mine = _sign_in(_browser(alpha), mia.email)
    assert mine.post(f"/profile/sessions/{their_row.pk}/end/").status_code == 404
    assert theirs.get("/").status_code == 200


def test_current_browser_is_not_ended_from_the_list(alpha: Workspace, mia: User) -> None:
    """This browser signs out with "Sign out", not from the list (404)."""
    here = _sign_in(_browser(alpha), mia.email)
    [row] = _rows(alpha, mia)
    assert here.post(f"/profile/sessions/{row.pk}/end/").status_code == 404
    assert here.get("/").status_code == 200


def test_force_login_still_works_without_request_details(alpha: Workspace, mia: User) -> None:
    """A sign-in without User-Agent or IP (tests, scripts) is recorded without them."""
    sign_in(Client(HTTP_HOST=alpha.host), alpha, mia)
    [row] = _rows(alpha, mia)
    assert (row.user_agent, row.ip_address) == ("", None)


@pytest.mark.parametrize(
    ("user_agent", "summary"),
    [
        (FIREFOX_ON_WINDOWS, "Firefox on Windows"),
        (SAFARI_ON_IPHONE, "Safari on iOS"),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like "
            "Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on macOS",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) "
            "Chrome/131.0.0.0 Mobile Safari/537.36",
            "Chrome on Android",
        ),
        ("curl/8.5.0", "Unknown browser"),
    ],
)
def test_user_agent_summary(user_agent: str, summary: str) -> None:
    """Browsers are named the way people know them."""
    assert user_agent_summary(user_agent) == summary
