"""The public site: pricing in words, and signing in by workspace address."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.conftest import Workspace


@pytest.fixture
def public() -> Client:
    return Client(HTTP_HOST="localhost")


@pytest.mark.django_db
def test_pricing_page_lists_features_in_words(public: Client) -> None:
    """Plan cards name features by label, never by internal key."""
    content = public.get("/pricing/").content.decode()
    visible = re.sub(r"<[^>]+>", " ", content)
    assert "Custom fields" in visible
    assert "custom_fields" not in visible
    assert 'data-testid="public-plan-growth"' in content


@pytest.mark.django_db
def test_header_offers_pricing_sign_in_and_find_my_workspace(public: Client) -> None:
    """A returning customer finds the way in from the landing page's header."""
    content = public.get("/").content.decode()
    for link in ('href="/pricing/"', 'href="/sign-in/"', 'href="/find-my-workspace/"'):
        assert link in content


def test_sign_in_sends_the_browser_to_the_workspace(alpha: Workspace, public: Client) -> None:
    """Typing the address (or the whole host) leads to that workspace's sign-in page."""
    for typed in ("alpha", "Alpha.localhost"):
        response = public.post("/sign-in/", {"slug": typed})
        assert response.status_code == 302
        assert response["Location"] == "http://alpha.localhost:8000/login/"


@pytest.mark.django_db
def test_unknown_address_is_explained(public: Client) -> None:
    """An address with no workspace gets a message and a way to find it by e-mail."""
    response = public.post("/sign-in/", {"slug": "nobody-here"})
    assert response.status_code == 400
    assert b"No workspace has this address" in response.content
