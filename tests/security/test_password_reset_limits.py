"""Password reset: limited per address (silently) and per IP (429), links from the settings."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from tenants.users.models import User
from tests.conftest import Workspace, after_commit

pytestmark = pytest.mark.usefixtures("alpha_admin")

ADDRESS = "admin@alpha.example"


def _page(client: Client, url: str) -> bytes:
    """The page at ``url`` without its per-request CSRF token."""
    csrf = re.compile(rb'"X-CSRFToken": "[^"]+"|name="csrfmiddlewaretoken" value="[^"]+"')
    return csrf.sub(b"", client.get(url).content)


def _reset(client: Client, email: str, ip: str = "203.0.113.7"):
    with after_commit():
        return client.post("/password-reset/", {"email": email}, REMOTE_ADDR=ip)


@pytest.fixture
def roomy_ip_limit(settings) -> None:
    """A per-IP limit high enough that only the per-address limit can bite."""
    settings.PASSWORD_RESET_RATE_LIMIT = "1000/h"


@pytest.mark.usefixtures("roomy_ip_limit")
def test_21st_reset_for_one_address_sends_nothing_but_answers_the_same(
    alpha_client: Client, settings
) -> None:
    """Past the per-address limit no email goes out, and the answer does not change."""
    settings.PASSWORD_RESET_ADDRESS_RATE_LIMIT = "20/h"
    answers = [_reset(alpha_client, ADDRESS, ip=f"198.51.100.{n}") for n in range(21)]
    assert len(mail.outbox) == 20
    assert answers[20].status_code == answers[0].status_code == 302
    assert answers[20]["Location"] == answers[0]["Location"] == "/password-reset/sent/"


@pytest.mark.usefixtures("roomy_ip_limit")
def test_address_over_its_limit_answers_like_an_unknown_address(
    alpha_client: Client, settings
) -> None:
    """Over the limit, a known address's page is byte-identical to an unknown address's page."""
    settings.PASSWORD_RESET_ADDRESS_RATE_LIMIT = "1/h"
    _reset(alpha_client, ADDRESS)
    known = _reset(alpha_client, ADDRESS)
    unknown = _reset(alpha_client, "ghost@alpha.example")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert _page(alpha_client, known["Location"]) == _page(alpha_client, unknown["Location"])
    assert len(mail.outbox) == 1


@pytest.mark.usefixtures("roomy_ip_limit")
def test_default_address_limit_is_a_handful_an_hour(alpha_client: Client) -> None:
    """Out of the box one address receives at most five reset emails an hour."""
    for n in range(8):
        _reset(alpha_client, ADDRESS, ip=f"198.51.100.{n}")
    assert len(mail.outbox) == 5


def test_per_ip_reset_limit_answers_with_the_429_page(alpha_client: Client, settings) -> None:
    """One IP asking for too many resets gets the rate-limit page, for any address."""
    settings.PASSWORD_RESET_RATE_LIMIT = "3/h"
    for n in range(3):
        assert _reset(alpha_client, f"someone{n}@example.com").status_code == 302
    response = _reset(alpha_client, "someone-else@example.com")
    assert response.status_code == 429
    assert b"Too many attempts" in response.content


def test_per_ip_reset_limit_is_shared_across_workspaces(
    alpha_client: Client, beta_client: Client, settings
) -> None:
    """Reset requests from one IP count once for all workspaces, not per workspace."""
    settings.PASSWORD_RESET_RATE_LIMIT = "2/h"
    assert _reset(alpha_client, "one@example.com").status_code == 302
    assert _reset(beta_client, "two@example.com").status_code == 302
    assert _reset(beta_client, "three@example.com").status_code == 429


def test_another_ip_keeps_its_own_reset_budget(alpha_client: Client, settings) -> None:
    """The per-IP limit of one client does not hold back another."""
    settings.PASSWORD_RESET_RATE_LIMIT = "1/h"
    _reset(alpha_client, "one@example.com", ip="203.0.113.1")
    assert _reset(alpha_client, "two@example.com", ip="203.0.113.2").status_code == 302


def test_reset_link_uses_the_configured_address_not_the_request_host(
    alpha: Workspace, settings
) -> None:
    """Scheme, host and port of the link come from settings, whatever Host the request named."""
    settings.SITE_SCHEME = "https"
    settings.SITE_PORT = "8443"
    client = Client(HTTP_HOST="alpha.localhost:6666")
    assert _reset(client, ADDRESS).status_code == 302
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password-reset/" in line)
    assert link.startswith("https://alpha.localhost:8443/password-reset/")


def test_reset_link_has_no_port_when_none_is_configured(alpha: Workspace, settings) -> None:
    """With an empty SITE_PORT (production) the link has no port, even if the request had one."""
    settings.SITE_PORT = ""
    _reset(Client(HTTP_HOST="alpha.localhost:8000"), ADDRESS)
    assert "http://alpha.localhost/password-reset/" in mail.outbox[0].body


def test_reset_email_names_the_workspace(alpha_client: Client, alpha_admin: User) -> None:
    """The reset email says which workspace the account belongs to."""
    _reset(alpha_client, ADDRESS)
    assert "Alpha Ltd" in mail.outbox[0].body
    assert mail.outbox[0].subject == "Reset your Rapport password"
