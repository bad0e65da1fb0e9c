"""A rep presses Ctrl-K, types the initials ``cdw`` and opens 陳大文 from the palette."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from django_tenants.utils import schema_context

from crm import services
from crm.models import AuditEntry, Contact
from tenants.models import Tenant
from tenants.users.models import Role, User
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def chen(committed: None) -> Iterator[tuple[User, Contact]]:
    """A committed rep in alpha with the contact 陳大文, removed afterwards."""
    schema = Tenant.objects.get(slug="alpha").schema_name
    with schema_context(schema):
        user = UserFactory.create(
            email=f"palette-{uuid.uuid4().hex[:8]}@alpha.example", role=Role.REP
        )
        contact = services.contact_create(
            by=user, fields={"last_name": "陳大文", "email": "dawen@harbour.example.hk"}
        )
    yield user, contact
    with schema_context(schema):
        AuditEntry.objects.filter(actor=user).delete()
        Contact.objects.filter(owner=user).delete()
        user.delete()


def test_typing_pinyin_initials_in_the_palette_finds_the_chinese_name(
    chen, live_server_port: int, page
) -> None:
    """Ctrl-K, ``cdw``: 陳大文 is listed, and Enter on it opens the contact."""
    user, contact = chen
    base = f"http://alpha.localhost:{live_server_port}"
    page.goto(f"{base}/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")

    page.keyboard.press("Control+k")
    palette = page.get_by_test_id("palette")
    palette.get_by_role("searchbox").type("cdw")
    result = palette.locator("[data-search-result]", has_text="陳大文")
    result.wait_for()
    assert result.get_attribute("href") == contact.get_absolute_url()

    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/contacts/{contact.pk}/$"))
