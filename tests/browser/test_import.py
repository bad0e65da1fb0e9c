"""Importing in Chromium: upload a small CSV, check the mapping and preview, start, watch the
progress region (htmx polling) reach done, and see the contacts in the list."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from django_tenants.utils import schema_context

from tenants.models import Tenant
from tenants.services import schema_drop, tenant_create
from tests.factories import TEST_PASSWORD, AdminFactory

pytestmark = pytest.mark.browser

CSV = "姓名,邮箱,公司\n张伟,zhang.wei@jade.cn,玉石贸易\nMary Smith,mary@jade.cn,玉石贸易\n"


@pytest.fixture
def workspace(committed: None) -> Iterator[tuple[Tenant, str]]:
    """A committed workspace with one admin; removed afterwards."""
    slug = f"imp-{uuid.uuid4().hex[:8]}"
    tenant = tenant_create(name="Import Ltd", slug=slug)
    with schema_context(tenant.schema_name):
        admin = AdminFactory.create(email=f"admin@{slug}.example")
    yield tenant, admin.email
    schema_drop(tenant.schema_name)
    tenant.domains.all().delete()
    Tenant.objects.filter(pk=tenant.pk).delete()


def test_a_csv_is_uploaded_mapped_imported_and_its_contacts_listed(
    workspace, live_server_port: int, page
) -> None:
    """The preview shows the rows before anything is written; after Start the progress
    region turns to done by itself, and the contacts are in the list."""
    tenant, email = workspace
    base = f"http://{tenant.slug}.localhost:{live_server_port}"
    page.goto(f"{base}/login/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/**")
    page.goto(f"{base}/imports/new/")
    page.get_by_test_id("upload-file").set_input_files(
        files=[{"name": "客户.csv", "mimeType": "text/csv", "buffer": CSV.encode("gb18030")}]
    )
    page.get_by_test_id("upload-submit").click()
    page.get_by_test_id("mapping-form").wait_for()
    assert "张伟" in page.get_by_test_id("preview").inner_text()
    assert page.get_by_label("姓名").input_value() == "full_name"
    page.get_by_test_id("import-start").click()
    page.locator('[data-testid="import-progress"] [data-status="done"]').wait_for()
    assert page.get_by_test_id("count-created").inner_text() == "2"
    page.get_by_test_id("see-records").click()
    page.wait_for_url(f"{base}/contacts/**")
    listing = page.locator("body").inner_text()
    assert "张伟" in listing
    assert "Smith" in listing
