"""An agent answers a case and resolves it in Chromium; the customer then rates it once."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest
from django_tenants.utils import schema_context

from crm import services
from crm.models import Activity, AuditEntry, Contact
from crm.service.models import Case
from crm.service.services import case_create
from tenants.models import Tenant
from tenants.users.models import Role, User
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def open_case(committed: None) -> Iterator[tuple[User, Case]]:
    """A committed agent in alpha with one new case of a contact; removed afterwards."""
    schema = Tenant.objects.get(slug="alpha").schema_name
    tag = uuid.uuid4().hex[:8]
    with schema_context(schema):
        user = UserFactory.create(email=f"agent-{tag}@alpha.example", role=Role.MANAGER)
        contact = services.contact_create(
            by=user, fields={"last_name": f"Kunde {tag}", "email": f"kunde-{tag}@example.com"}
        )
        case = case_create(
            by=user, fields={"subject": f"Scanner {tag} offline", "contact": contact}
        )
    yield user, case
    with schema_context(schema):
        Case.objects.filter(pk=case.pk).delete()
        AuditEntry.objects.filter(actor=user).delete()
        # The reply and the CSAT e-mail are on the timeline as the agent's activities.
        Activity.objects.filter(owner=user).delete()
        Contact.objects.filter(owner=user).delete()
        user.delete()


def test_agent_replies_and_resolves_a_case(open_case, live_server_port: int, page) -> None:
    user, case = open_case
    base = f"http://alpha.localhost:{live_server_port}"
    page.goto(f"{base}/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/cases/?q={case.subject.split()[1]}")
    page.get_by_role("link", name=case.subject).click()
    page.wait_for_url(re.compile(rf"/cases/{case.pk}/$"))
    assert page.get_by_test_id("sla-timer").is_visible()

    reply = page.get_by_test_id("reply-form")
    reply.get_by_role("textbox").fill("Please restart the scanner; it should come back.")
    reply.get_by_test_id("reply-send").click()
    page.get_by_test_id("case-timeline").get_by_text("Please restart the scanner").wait_for()
    assert page.get_by_test_id("case-status").inner_text() == "Open"

    status = page.get_by_test_id("status-form")
    status.get_by_role("combobox").select_option("resolved")
    status.get_by_test_id("status-save").click()
    page.get_by_test_id("csat-link").wait_for()
    assert page.get_by_test_id("case-status").inner_text() == "Resolved"
    survey = page.get_by_test_id("csat-link").input_value()

    page.goto(survey.replace("http://alpha.localhost/", f"{base}/"))
    page.get_by_label("4").check()
    page.get_by_role("button", name="Send").click()
    page.get_by_test_id("csat-done").wait_for()
    page.goto(survey.replace("http://alpha.localhost/", f"{base}/"))
    assert page.get_by_test_id("csat-already").is_visible()
    with schema_context(Tenant.objects.get(slug="alpha").schema_name):
        assert Case.objects.get(pk=case.pk).csat_score == 4
