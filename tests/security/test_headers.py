"""Attack: inject script into a page, or read a signed-in page from a cache afterwards.

Every page carries a Content-Security-Policy that refuses inline script (a nonce is the only
way in), signed-in pages are ``private, no-store``, and no template may reintroduce inline
script or event handlers, which the policy would break anyway.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
#: ``onclick=``, ``onsubmit=``... and ``javascript:`` URLs: blocked by the policy, so banned.
INLINE_HANDLER = re.compile(r"""\son[a-z]+\s*=\s*["']|javascript:""", re.IGNORECASE)
#: A <script> without src= must carry the request's nonce.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*nonce=)[^>]*>", re.IGNORECASE)


def _directives(header: str) -> dict[str, list[str]]:
    parts = (part.strip().split() for part in header.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


def test_signed_in_page_refuses_inline_script(signed_in_alpha_admin: Client) -> None:
    """The workspace's pages allow scripts from Rapport's own origin (and a nonce) only."""
    response = signed_in_alpha_admin.get("/")
    policy = _directives(response["Content-Security-Policy"])
    assert "'unsafe-inline'" not in policy["script-src"]
    assert "'unsafe-eval'" not in policy["script-src"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_public_pages_carry_the_policy_too() -> None:
    """The public site (signup, sandbox checkout) is under the same policy."""
    response = Client(HTTP_HOST="localhost").get("/signup/")
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_signed_in_pages_are_not_stored(signed_in_alpha_admin: Client) -> None:
    """A signed-in page is ``private, no-store``: no proxy or browser disk keeps it."""
    cache_control = signed_in_alpha_admin.get("/contacts/")["Cache-Control"]
    assert "no-store" in cache_control
    assert "private" in cache_control


@pytest.mark.django_db
def test_public_pages_stay_cacheable() -> None:
    """The public landing page is not forced to no-store (it holds nobody's data)."""
    response = Client(HTTP_HOST="localhost").get("/")
    assert "no-store" not in response.get("Cache-Control", "")


@pytest.mark.parametrize(
    "template", sorted(TEMPLATES.rglob("*.html")), ids=lambda path: str(path.relative_to(TEMPLATES))
)
def test_templates_hold_no_inline_script_or_handlers(template: Path) -> None:
    """No template has an inline event handler, a javascript: URL or a nonce-less script."""
    text = template.read_text(encoding="utf-8")
    assert not INLINE_HANDLER.search(text)
    assert not INLINE_SCRIPT.search(text)
