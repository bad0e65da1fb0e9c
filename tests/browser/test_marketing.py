"""A visitor submits a web form; a rep works three calls of a queue, one click each; a manager
writes a campaign to a list, tests it, sends it and sees it counted."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django_tenants.utils import schema_context

from crm.marketing.models import (
    CallQueue,
    Campaign,
    QueueCall,
    Segment,
    SegmentKind,
    SegmentMember,
    WebForm,
)
from crm.marketing.services.telesales import call_queue_build
from crm.marketing.webforms import form_key
from crm.models import Activity, AuditEntry, Contact, Deal, DealContact, Lead, StageTransition
from tenants.models import Tenant
from tenants.users.models import Role, User
from tests.crm.factories import ContactFactory
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def caller(committed: None) -> Iterator[tuple[User, WebForm, CallQueue, str]]:
    """A committed admin in alpha with a web form and a queue of three callable contacts."""
    schema = Tenant.objects.get(slug="alpha").schema_name
    tag = uuid.uuid4().hex[:8]
    with schema_context(schema):
        user = UserFactory.create(email=f"caller-{tag}@alpha.example", role=Role.ADMIN)
        contacts = [
            ContactFactory.create(owner=user, full_name=f"Callee {tag} {i}", phone="+442079460958")
            for i in range(3)
        ]
        segment = Segment.objects.create(name=f"List {tag}", kind=SegmentKind.STATIC, owner=user)
        SegmentMember.objects.bulk_create(
            SegmentMember(segment=segment, contact=contact) for contact in contacts
        )
        queue = CallQueue.objects.create(name=f"Queue {tag}", segment=segment, owner=user)
        call_queue_build(queue=queue)
        form = WebForm.objects.create(
            name=f"Form {tag}",
            owner=user,
            thank_you_message="Thanks, we call you back.",
            fields=[
                {"key": "name", "required": True, "labels": {"en": "Your name"}},
                {"key": "email", "required": True, "labels": {}},
            ],
        )
        key = form_key(form)
    yield user, form, queue, key
    with schema_context(schema):
        QueueCall.objects.filter(rep=user).delete()
        queue.delete()
        form.delete()
        segment.delete()
        deals = Deal.objects.filter(owner=user)
        StageTransition.objects.filter(deal__in=deals).delete()
        DealContact.objects.filter(deal__in=deals).delete()
        deals.delete()
        Activity.objects.filter(owner=user).delete()
        Lead.objects.filter(owner=user).delete()
        Contact.objects.filter(owner=user).delete()
        AuditEntry.objects.filter(actor=user).delete()
        user.delete()


def test_web_form_and_three_calls(caller, live_server_port: int, page) -> None:
    user, form, queue, key = caller
    base = f"http://alpha.localhost:{live_server_port}"
    visitor = f"visitor-{uuid.uuid4().hex[:6]}@example.com"

    page.goto(f"{base}/f/{key}/?utm_source=browser")
    page.get_by_label("Your name").fill("Browser Visitor")
    page.get_by_label("Email").fill(visitor)
    page.get_by_test_id("webform-submit").click()
    page.get_by_test_id("webform-thanks").wait_for()
    assert "Thanks, we call you back." in page.content()
    with schema_context(Tenant.objects.get(slug="alpha").schema_name):
        lead = Lead.objects.get(email=visitor)
        assert lead.owner == user
        assert form.submissions.get().utm_source == "browser"

    page.goto(f"{base}/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/marketing/queues/{queue.pk}/")
    page.get_by_test_id("queue-start").click()
    seen = []
    for outcome in ("not_interested", "busy", "interested"):
        work = page.get_by_test_id("queue-work")
        work.wait_for()
        seen.append(work.get_attribute("data-contact"))
        assert page.get_by_test_id("queue-tel").get_attribute("href") == "tel:+442079460958"
        with page.expect_navigation():
            page.get_by_test_id(f"outcome-{outcome}").click()
    page.get_by_text("The queue is empty for now").wait_for()
    assert len(set(seen)) == 3
    with schema_context(Tenant.objects.get(slug="alpha").schema_name):
        assert QueueCall.objects.filter(queue=queue, rep=user).count() == 3
        assert Deal.objects.filter(owner=user).count() == 1


@pytest.fixture
def marketer(committed: None) -> Iterator[tuple[User, Segment, list[Contact]]]:
    """A committed manager in alpha with a static list of three contacts with addresses."""
    schema = Tenant.objects.get(slug="alpha").schema_name
    tag = uuid.uuid4().hex[:8]
    with schema_context(schema):
        user = UserFactory.create(email=f"marketer-{tag}@alpha.example", role=Role.MANAGER)
        contacts = [
            ContactFactory.create(
                owner=user, first_name=f"Reader{i}", email=f"reader{i}-{tag}@example.com"
            )
            for i in range(3)
        ]
        segment = Segment.objects.create(name=f"Readers {tag}", kind=SegmentKind.STATIC, owner=user)
        SegmentMember.objects.bulk_create(
            SegmentMember(segment=segment, contact=contact) for contact in contacts
        )
    yield user, segment, contacts
    with schema_context(schema):
        Campaign.objects.filter(sender=user).delete()
        segment.delete()
        Activity.objects.filter(owner=user).delete()
        Contact.objects.filter(owner=user).delete()
        AuditEntry.objects.filter(actor=user).delete()
        user.delete()


def test_a_campaign_from_a_segment_is_tested_sent_and_counted(
    marketer, live_server_port: int, page
) -> None:
    from django.core import mail

    user, segment, contacts = marketer
    base = f"http://alpha.localhost:{live_server_port}"
    page.goto(f"{base}/login/")
    page.get_by_label("Email").fill(user.email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")

    page.goto(f"{base}/marketing/campaigns/")
    page.get_by_test_id("campaign-new").click()
    form = page.get_by_test_id("campaign-form")
    form.get_by_label("Name").fill("Browser spring")
    form.get_by_label("Segment or list").select_option(label=segment.name)
    form.get_by_label("Subject").fill("Hello {{ contact.first_name }}")
    form.get_by_label("Message").fill("Our news: https://shop.example/spring")
    with page.expect_navigation():
        page.get_by_test_id("campaign-save").click()

    with page.expect_navigation():
        page.get_by_test_id("campaign-test").click()
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert mail.outbox[0].subject == "[Test] Hello "

    with page.expect_navigation():
        page.get_by_test_id("campaign-send").click()
    assert page.get_by_test_id("stat-sent").inner_text() == "3"
    assert page.get_by_test_id("campaign-status").inner_text() == "Sent"
    sent = sorted(address for m in mail.outbox[1:] for address in m.to)
    assert sent == sorted(contact.email for contact in contacts)
