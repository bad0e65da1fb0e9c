"""A read-only workspace in Chromium: Save is disabled with the reason, and a form sent from a
tab opened before the trial ended shows the typed text back instead of losing it."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from billing.models import Subscription
from billing.services import subscription_start_trial
from crm.models import Contact
from tenants.models import Tenant
from tenants.services import schema_drop, tenant_create
from tenants.users.models import User
from tests.factories import TEST_PASSWORD, AdminFactory

pytestmark = pytest.mark.browser


@pytest.fixture
def trial_workspace(committed: None) -> Iterator[tuple[Tenant, str]]:
    """A committed workspace on a free trial with one admin; removed afterwards."""
    slug = f"ro-{uuid.uuid4().hex[:8]}"
    tenant = tenant_create(name="Read Only Ltd", slug=slug)
    subscription_start_trial(tenant=tenant)
    with schema_context(tenant.schema_name):
        admin = AdminFactory.create(email=f"admin@{slug}.example")
    yield tenant, admin.email
    Subscription.objects.filter(tenant=tenant).delete()
    schema_drop(tenant.schema_name)
    tenant.domains.all().delete()
    Tenant.objects.filter(pk=tenant.pk).delete()


def _end_trial(tenant: Tenant) -> None:
    Subscription.objects.filter(tenant=tenant).update(
        trial_ends_at=timezone.now() - timedelta(minutes=1)
    )


def _sign_in(page, base: str, email: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


def test_a_read_only_workspace_shows_save_disabled_with_the_reason(
    trial_workspace, live_server_port: int, page
) -> None:
    tenant, email = trial_workspace
    base = f"http://{tenant.slug}.localhost:{live_server_port}"
    _sign_in(page, base, email)
    _end_trial(tenant)

    page.goto(f"{base}/contacts/new/")
    save = page.get_by_role("button", name="Save")
    assert save.is_disabled()
    assert page.get_by_label("Family name").is_disabled()
    note = page.get_by_test_id("write-lock-note")
    assert note.is_visible()
    assert "The free trial has ended." in note.inner_text()
    note.get_by_role("link", name="Go to billing").click()
    page.wait_for_url(f"{base}/billing/")


def test_a_form_from_an_old_tab_shows_the_typed_text_back(
    trial_workspace, live_server_port: int, page
) -> None:
    tenant, email = trial_workspace
    base = f"http://{tenant.slug}.localhost:{live_server_port}"
    _sign_in(page, base, email)
    page.goto(f"{base}/contacts/new/")  # opened while the trial still runs
    page.get_by_label("Name", exact=True).fill("Grace Hopper")
    page.get_by_label("Given name").fill("Grace")
    page.get_by_label("Address").fill("1 Harbour Street, long enough to matter")
    _end_trial(tenant)

    page.get_by_role("button", name="Save").click()
    page.get_by_test_id("submitted-values").wait_for()
    shown = {
        value.get_attribute("data-label"): value.input_value()
        for value in page.get_by_test_id("submitted-value").all()
    }
    assert shown["Full name"] == "Grace Hopper"
    assert shown["First name"] == "Grace"
    assert shown["Address"] == "1 Harbour Street, long enough to matter"
    assert not any("csrf" in label.lower() for label in shown)
    assert page.get_by_role("link", name="Go to billing").is_visible()
    assert page.get_by_role("button", name="Copy everything").is_visible()
    with schema_context(tenant.schema_name):
        assert not Contact.objects.exists()


def test_an_htmx_note_from_an_old_tab_is_shown_back_over_the_page(
    trial_workspace, live_server_port: int, page
) -> None:
    tenant, email = trial_workspace
    base = f"http://{tenant.slug}.localhost:{live_server_port}"
    with schema_context(tenant.schema_name):
        contact = Contact.objects.create(last_name="Lovelace", owner=User.objects.get(email=email))
    _sign_in(page, base, email)
    page.goto(f"{base}/contacts/{contact.pk}/")
    quick_add = page.get_by_test_id("quick-add")
    quick_add.get_by_placeholder("What happened or needs doing?").fill(
        "Promised the analytical engine"
    )
    _end_trial(tenant)

    quick_add.get_by_role("button", name="Add").click()
    dialog = page.get_by_test_id("read-only-dialog")
    dialog.wait_for()
    assert dialog.get_by_role("textbox", name="Subject").input_value() == (
        "Promised the analytical engine"
    )
    # The page underneath keeps the text too.
    assert quick_add.get_by_placeholder("What happened or needs doing?").input_value() == (
        "Promised the analytical engine"
    )
    dialog.get_by_role("button", name="Close").click()
    assert page.get_by_test_id("read-only-dialog").count() == 0
