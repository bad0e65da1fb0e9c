"""Sign-in throttling: one failure budget per IP across workspaces, a lockout per account."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from unittest import mock

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from tenants.users.models import User
from tenants.users.throttling import (
    DEVICE_COOKIE_NAME,
    lockout_delay_seconds,
    login_attempt_admit,
    login_attempt_failed,
)
from tests.conftest import Workspace, after_commit
from tests.factories import TEST_PASSWORD

ADMIN = "admin@alpha.example"
ATTACKER_IP = "203.0.113.66"


def _sign_in(
    client: Client, email: str, password: str, *, path: str = "/login/", ip: str = ATTACKER_IP
):
    with after_commit():
        return client.post(path, {"username": email, "password": password}, REMOTE_ADDR=ip)


def _signed_in(response) -> bool:
    return response.status_code == 302 and "_auth_user_id" in response.wsgi_request.session


@pytest.fixture
def lockout(settings) -> None:
    """Lockout after 3 failures: 30 s doubling to at most 15 min, forgotten after an hour.

    The per-IP budget is set out of the way so only the account lockout can bite.
    """
    settings.LOGIN_RATE_LIMIT = "1000/h"
    settings.LOGIN_LOCKOUT_THRESHOLD = 3
    settings.LOGIN_LOCKOUT_BASE_SECONDS = 30
    settings.LOGIN_LOCKOUT_MAX_SECONDS = 15 * 60
    settings.LOGIN_LOCKOUT_DECAY_SECONDS = 60 * 60


@pytest.fixture
def clock() -> Iterator[mock.MagicMock]:
    """Patches ``timezone.now``; ``clock.return_value`` moves time."""
    with mock.patch("django.utils.timezone.now", return_value=timezone.now()) as now:
        yield now


def _advance(clock: mock.MagicMock, seconds: float) -> None:
    start: datetime = clock.return_value
    clock.return_value = start + timedelta(seconds=seconds)


def _fail(client: Client, times: int, email: str = ADMIN, **kwargs) -> None:
    for _ in range(times):
        assert _sign_in(client, email, "wrong-password", **kwargs).status_code == 200


# --- Per IP, across workspaces ------------------------------------------------------------------


def test_failures_from_one_ip_on_two_workspaces_share_one_budget(
    alpha_client: Client, beta_client: Client, settings
) -> None:
    """Failed sign-ins on alpha and on beta draw from the same per-IP budget."""
    settings.LOGIN_RATE_LIMIT = "4/h"
    _fail(alpha_client, 2, email="a@example.com")
    _fail(beta_client, 2, email="b@example.com")
    response = _sign_in(beta_client, "c@example.com", "wrong-password")
    assert response.status_code == 429
    assert b"Too many attempts" in response.content


@pytest.mark.django_db
def test_ops_console_draws_from_the_same_ip_budget(alpha_client: Client, settings) -> None:
    """Failures on a workspace count against the ops console sign-in from that IP too."""
    settings.LOGIN_RATE_LIMIT = "2/h"
    _fail(alpha_client, 2, email="a@example.com")
    response = _sign_in(Client(HTTP_HOST="localhost"), "ops@example.com", "x", path="/ops/login/")
    assert response.status_code == 429


def test_another_ip_keeps_its_own_sign_in_budget(alpha_client: Client, settings) -> None:
    """One IP spending its budget does not hold back sign-ins from another IP."""
    settings.LOGIN_RATE_LIMIT = "2/h"
    _fail(alpha_client, 2, email="a@example.com")
    response = _sign_in(alpha_client, "a@example.com", "wrong-password", ip="198.51.100.9")
    assert response.status_code == 200


def test_successful_sign_ins_do_not_use_up_the_ip_budget(
    alpha_client: Client, alpha_admin: User, settings
) -> None:
    """The per-IP budget counts failures: an office signing in all day is never blocked."""
    settings.LOGIN_RATE_LIMIT = "2/h"
    for _ in range(5):
        assert _signed_in(_sign_in(Client(HTTP_HOST="alpha.localhost"), ADMIN, TEST_PASSWORD))
    assert _sign_in(alpha_client, ADMIN, "wrong-password").status_code == 200


# --- Per account --------------------------------------------------------------------------------


def test_delay_doubles_after_the_threshold_and_stops_at_the_maximum(lockout: None) -> None:
    """No wait below the threshold; 30 s after the 3rd failure, doubling, capped at 15 min."""
    assert [lockout_delay_seconds(n) for n in range(1, 10)] == [
        0, 0, 30, 60, 120, 240, 480, 900, 900,
    ]  # fmt: skip
    assert lockout_delay_seconds(10_000) == 900


@pytest.mark.usefixtures("lockout", "alpha_admin")
def test_account_locks_after_the_threshold_even_for_the_right_password(
    alpha_client: Client, clock: mock.MagicMock
) -> None:
    """Past the threshold the password is not checked: the right one is refused with 429."""
    _fail(alpha_client, 3)
    response = _sign_in(Client(HTTP_HOST="alpha.localhost"), ADMIN, TEST_PASSWORD)
    assert response.status_code == 429
    assert b"Too many failed sign-ins for this account" in response.content
    assert not _signed_in(response)


@pytest.mark.usefixtures("lockout", "alpha_admin")
def test_lockout_expires_after_its_delay(alpha_client: Client, clock: mock.MagicMock) -> None:
    """Once the delay has passed, the right password signs in again."""
    _fail(alpha_client, 3)
    _advance(clock, 31)
    assert _signed_in(_sign_in(alpha_client, ADMIN, TEST_PASSWORD))


@pytest.mark.usefixtures("lockout", "alpha_admin")
def test_each_further_failure_makes_the_next_wait_longer(
    alpha_client: Client, clock: mock.MagicMock
) -> None:
    """After the 3rd failure the wait is 30 s; a 4th failure makes the next one 60 s."""
    _fail(alpha_client, 3)
    _advance(clock, 31)
    _fail(alpha_client, 1)
    _advance(clock, 59)
    assert _sign_in(alpha_client, ADMIN, TEST_PASSWORD).status_code == 429
    _advance(clock, 2)
    assert _signed_in(_sign_in(alpha_client, ADMIN, TEST_PASSWORD))


@pytest.mark.usefixtures("lockout", "alpha_admin")
def test_parallel_attempts_below_the_threshold_cannot_go_past_it(in_alpha: Workspace) -> None:
    """Attempts count as failures when admitted, so a burst gets no more than the threshold."""
    burst = [login_attempt_admit(ip=ATTACKER_IP, email=ADMIN) for _ in range(5)]
    assert [attempt.admitted for attempt in burst] == [True, True, True, False, False]


@pytest.mark.usefixtures("lockout", "alpha_admin")
def test_parallel_attempts_get_one_turn_per_wait(
    in_alpha: Workspace, clock: mock.MagicMock
) -> None:
    """When a wait ends, one attempt is let through; one arriving alongside it waits again."""
    for _ in range(3):
        login_attempt_failed(attempt=login_attempt_admit(ip=ATTACKER_IP, email=ADMIN))
    _advance(clock, 31)
    first = login_attempt_admit(ip=ATTACKER_IP, email=ADMIN)
    second = login_attempt_admit(ip=ATTACKER_IP, email=ADMIN)
    assert first.admitted
    assert not second.admitted


@pytest.mark.usefixtures("lockout", "alpha_admin")
def test_failures_are_forgotten_after_the_decay_period(
    alpha_client: Client, clock: mock.MagicMock
) -> None:
    """Failures older than the decay period no longer count towards a lockout."""
    _fail(alpha_client, 2)
    _advance(clock, 60 * 60)
    _fail(alpha_client, 2)
    assert _signed_in(_sign_in(alpha_client, ADMIN, TEST_PASSWORD))


@pytest.mark.usefixtures("lockout", "alpha_admin")
def test_successful_sign_in_resets_the_failures(alpha_client: Client) -> None:
    """A successful sign-in clears the count: two more failures do not lock the account."""
    _fail(alpha_client, 2)
    assert _signed_in(_sign_in(Client(HTTP_HOST="alpha.localhost"), ADMIN, TEST_PASSWORD))
    _fail(alpha_client, 2)
    assert _signed_in(_sign_in(Client(HTTP_HOST="alpha.localhost"), ADMIN, TEST_PASSWORD))


@pytest.mark.usefixtures("lockout", "alpha_admin")
def test_user_gets_one_email_about_the_lockout(alpha_client: Client, clock: mock.MagicMock) -> None:
    """The lockout is announced once, however many attempts follow, with a reset link."""
    _fail(alpha_client, 3)
    for _ in range(3):
        _advance(clock, 15 * 60)
        _fail(alpha_client, 1)
        _sign_in(alpha_client, ADMIN, "wrong-password")  # held back while locked
    assert [message.to for message in mail.outbox] == [[ADMIN]]
    assert "Alpha Ltd" in mail.outbox[0].body
    assert "http://alpha.localhost:8000/password-reset/" in mail.outbox[0].body


@pytest.mark.usefixtures("lockout")
def test_unknown_address_locks_the_same_and_emails_nobody(
    alpha_client: Client, alpha_admin: User
) -> None:
    """An address without an account locks like any other (nothing to learn) and sends no email."""
    _fail(alpha_client, 3, email="ghost@alpha.example")
    response = _sign_in(alpha_client, "ghost@alpha.example", "wrong-password")
    assert response.status_code == 429
    assert mail.outbox == []


@pytest.mark.usefixtures("lockout")
def test_lockout_is_per_workspace(
    alpha_client: Client, beta_client: Client, beta: Workspace, alpha_admin: User
) -> None:
    """Locking alpha's account does not lock the account with the same address on beta."""
    with schema_context(beta.schema):
        User.objects.create_user(ADMIN, TEST_PASSWORD, full_name="Beta twin")
    _fail(alpha_client, 3)
    assert _signed_in(_sign_in(beta_client, ADMIN, TEST_PASSWORD))


@pytest.mark.usefixtures("lockout", "alpha_admin")
def test_browser_that_signed_in_before_is_not_locked_out(alpha_client: Client) -> None:
    """An attacker's failures cannot keep the user out of a browser they signed in with."""
    users_browser = Client(HTTP_HOST="alpha.localhost")
    assert _signed_in(_sign_in(users_browser, ADMIN, TEST_PASSWORD, ip="198.51.100.20"))
    users_browser.post("/logout/")
    _fail(alpha_client, 3)
    assert _sign_in(alpha_client, ADMIN, TEST_PASSWORD).status_code == 429
    assert _signed_in(_sign_in(users_browser, ADMIN, TEST_PASSWORD, ip="198.51.100.20"))


@pytest.mark.usefixtures("lockout", "alpha_admin")
def test_device_cookie_stops_exempting_after_its_own_failures(alpha_client: Client) -> None:
    """A trusted browser that keeps failing loses its exemption like anyone else."""
    browser = Client(HTTP_HOST="alpha.localhost")
    assert _signed_in(_sign_in(browser, ADMIN, TEST_PASSWORD))
    browser.post("/logout/")
    _fail(alpha_client, 3)
    _fail(browser, 3)
    assert _sign_in(browser, ADMIN, TEST_PASSWORD).status_code == 429


@pytest.mark.usefixtures("lockout")
def test_device_cookie_of_another_account_does_not_exempt(
    alpha_client: Client, alpha_admin: User, alpha_rep: User
) -> None:
    """A device cookie is bound to the account that signed in with it."""
    browser = Client(HTTP_HOST="alpha.localhost")
    assert _signed_in(_sign_in(browser, alpha_rep.email, TEST_PASSWORD))
    assert browser.cookies[DEVICE_COOKIE_NAME].value
    browser.post("/logout/")
    _fail(alpha_client, 3)
    assert _sign_in(browser, ADMIN, TEST_PASSWORD).status_code == 429


@pytest.mark.usefixtures("lockout")
def test_device_cookie_is_http_only(alpha_client: Client, alpha_admin: User) -> None:
    """Scripts on the page cannot read the device cookie."""
    _sign_in(alpha_client, ADMIN, TEST_PASSWORD)
    assert alpha_client.cookies[DEVICE_COOKIE_NAME]["httponly"]


@pytest.mark.usefixtures("lockout", "alpha_admin")
def test_new_password_lifts_the_lockout(alpha_client: Client) -> None:
    """Choosing a new password through the emailed reset link ends the lockout."""
    _fail(alpha_client, 3)
    with after_commit():
        alpha_client.post("/password-reset/", {"email": ADMIN})
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/password-reset/" in line)
    form_url = alpha_client.get(link.split(":8000", 1)[1])["Location"]
    new = "a-fresh-long-passphrase"
    alpha_client.post(form_url, {"new_password1": new, "new_password2": new})
    assert _signed_in(_sign_in(Client(HTTP_HOST="alpha.localhost"), ADMIN, new))


@pytest.mark.django_db
@pytest.mark.usefixtures("lockout")
def test_ops_console_locks_out_and_emails_staff_once() -> None:
    """Staff accounts on the ops console get the same lockout and a single email."""
    User.objects.create_superuser("ops@rapport.example", TEST_PASSWORD, full_name="Olga")
    client = Client(HTTP_HOST="localhost")
    _fail(client, 3, email="ops@rapport.example", path="/ops/login/")
    response = _sign_in(client, "ops@rapport.example", TEST_PASSWORD, path="/ops/login/")
    assert response.status_code == 429
    _sign_in(client, "ops@rapport.example", "wrong-password", path="/ops/login/")
    assert [message.to for message in mail.outbox] == [["ops@rapport.example"]]
    assert "http://localhost:8000/ops/login/" in mail.outbox[0].body
