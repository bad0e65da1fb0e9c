"""'Find my workspace' emails the links and answers identically for any address."""

from __future__ import annotations

import re

from django.core import mail
from django.test import Client, TestCase

from tenants.users.models import User
from tests.conftest import Workspace


def _lookup(email: str) -> bytes:
    client = Client(HTTP_HOST="localhost")
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/find-my-workspace/", {"email": email}, follow=True)
    assert response.status_code == 200
    return response.content


def test_known_address_receives_links_to_its_workspaces(
    alpha: Workspace, alpha_admin: User
) -> None:
    _lookup("ADMIN@alpha.example")
    assert mail.outbox[0].to == ["ADMIN@alpha.example"]
    assert "http://alpha.localhost:8000/login/" in mail.outbox[0].body
    assert "beta.localhost" not in mail.outbox[0].body


def test_page_response_is_identical_for_known_and_unknown_addresses(
    alpha: Workspace, alpha_admin: User
) -> None:
    known = _lookup("admin@alpha.example")
    unknown = _lookup("nobody@nowhere.example")
    assert _normalised(known, "admin@alpha.example") == _normalised(
        unknown, "nobody@nowhere.example"
    )


def _normalised(html: bytes, email: str) -> bytes:
    """The page without the per-request CSRF token and the address the visitor typed."""
    csrf = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]+"|"X-CSRFToken": "[^"]+"')
    return csrf.sub(b"", html.replace(email.encode(), b""))


def test_unknown_address_gets_a_none_found_email(alpha: Workspace) -> None:
    _lookup("nobody@nowhere.example")
    assert "could not find" in mail.outbox[0].body


def test_deactivated_account_is_not_listed(alpha: Workspace, alpha_rep: User) -> None:
    from django_tenants.utils import schema_context

    with schema_context(alpha.schema):
        User.objects.filter(pk=alpha_rep.pk).update(is_active=False)
    _lookup(alpha_rep.email)
    assert "alpha.localhost" not in mail.outbox[0].body
