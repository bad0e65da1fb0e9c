"""The signup's progress page hands the new admin into the workspace once, then sends to sign-in.

A session on the public site lives for weeks; the progress page must not keep minting admin
sign-in links for that long (they would outlive a sign-out or a password reset).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from unittest import mock
from urllib.parse import urlsplit

import pytest
from django.test import Client
from django.utils import timezone

from onboarding.signups.models import Signup
from tenants.pool import pool_tenant_create

pytestmark = pytest.mark.django_db

SIGNUP = {
    "company_name": "Handoff Works",
    "slug": "handoff-works",
    "admin_name": "Hana Admin",
    "email": "hana@handoff.example",
    "password": "a-long-passphrase",
    "plan": "growth",
    "country": "DE",
    "language": "en",
}
WORKSPACE_HOST = "handoff-works.localhost"
SIGN_IN_URL = "http://handoff-works.localhost:8000/login/"


@pytest.fixture
def public() -> Client:
    return Client(HTTP_HOST="localhost")


@pytest.fixture
def progress_url(public: Client) -> str:
    """A signup that claimed a pooled schema, so its workspace is ready at once."""
    pool_tenant_create()
    response = public.post("/signup/", SIGNUP)
    assert response.status_code == 302
    return str(response["Location"])


def _onward(public: Client, progress_url: str) -> str:
    """Where the progress page sends the browser once the workspace is ready."""
    response = public.get(progress_url)
    assert response.status_code == 302
    return str(response["Location"])


def _redeem(url: str) -> int:
    """Follow a handoff link in a fresh browser on the workspace host; returns the status."""
    parts = urlsplit(url)
    return Client(HTTP_HOST=WORKSPACE_HOST).get(f"{parts.path}?{parts.query}").status_code


@pytest.fixture
def later() -> Iterator[mock.MagicMock]:
    """Patches the clock; set ``return_value`` to move time on."""
    with mock.patch("django.utils.timezone.now", return_value=timezone.now()) as now:
        yield now


def test_first_visit_hands_off_into_the_workspace(public: Client, progress_url: str) -> None:
    """The first visit once the workspace is ready signs the admin in through a handoff link."""
    onward = _onward(public, progress_url)
    assert "/handoff/?token=" in onward
    assert _redeem(onward) == 302


def test_visit_after_the_handoff_was_used_goes_to_sign_in(
    public: Client, progress_url: str
) -> None:
    """Once a handoff was used, revisiting the progress page leads to the sign-in page."""
    assert _redeem(_onward(public, progress_url)) == 302
    assert _onward(public, progress_url) == SIGN_IN_URL


def test_status_poll_after_the_handoff_was_used_goes_to_sign_in(
    public: Client, progress_url: str
) -> None:
    """The htmx status endpoint sends a used signup to sign-in too, not to a new handoff."""
    assert _redeem(_onward(public, progress_url)) == 302
    response = public.get(progress_url + "status/", HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"] == SIGN_IN_URL


def test_revisit_after_the_window_goes_to_sign_in_even_if_never_used(
    public: Client, progress_url: str, later: mock.MagicMock
) -> None:
    """Five minutes after the workspace became ready, an unused signup no longer hands off."""
    ready_at = Signup.objects.get(tenant__slug="handoff-works").ready_at
    assert ready_at is not None
    later.return_value = ready_at + timedelta(minutes=5, seconds=1)
    assert _onward(public, progress_url) == SIGN_IN_URL


def test_retry_within_the_window_when_unused_hands_off_again(
    public: Client, progress_url: str, later: mock.MagicMock
) -> None:
    """A reload within the window, before any handoff was used, gets a working handoff."""
    _onward(public, progress_url)
    later.return_value = timezone.now() + timedelta(minutes=4)
    retry = _onward(public, progress_url)
    assert "/handoff/?token=" in retry
    assert _redeem(retry) == 302


def test_token_from_an_earlier_visit_is_void_once_a_new_one_is_issued(
    public: Client, progress_url: str
) -> None:
    """Issuing a handoff again voids the unused one from the earlier visit: one live link."""
    first = _onward(public, progress_url)
    second = _onward(public, progress_url)
    assert _redeem(first) == 403
    assert _redeem(second) == 302


def test_token_from_an_earlier_visit_stays_single_use(public: Client, progress_url: str) -> None:
    """A handoff link works once; replaying it after use is refused."""
    first = _onward(public, progress_url)
    assert _redeem(first) == 302
    assert _redeem(first) == 403
