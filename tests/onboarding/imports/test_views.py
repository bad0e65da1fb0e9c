"""The importer's pages: upload, map with a preview, start, progress, results; who may use
them; limits with clear messages; and isolation between workspaces."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django_tenants.utils import schema_context

from crm.models import Contact
from onboarding.imports.models import ImportBatch, ImportStatus
from tenants.users.models import Role
from tests.conftest import Workspace, sign_in
from tests.factories import UserFactory
from tests.onboarding.imports.conftest import import_file, upload

CSV = "姓名,邮箱,公司\n张伟,zhang@jade.cn,玉石贸易\n李娜,li@jade.cn,玉石贸易\n".encode("gb18030")


def _client(workspace: Workspace, user) -> Client:
    return sign_in(Client(HTTP_HOST=workspace.host), workspace, user)


def test_an_upload_lands_on_the_mapping_with_a_preview(alpha: Workspace, admin) -> None:
    """The file's columns are mapped and the first rows shown as they would import."""
    client = _client(alpha, admin)
    response = client.post(
        "/imports/new/", {"file": SimpleUploadedFile("客户.csv", CSV), "kind": "auto"}
    )
    assert response.status_code == 302
    page = client.get(response["Location"])
    html = page.content.decode()
    assert 'data-testid="preview"' in html
    assert "张伟" in html
    assert "gb18030" in html
    assert not Contact.objects.exists()  # a preview writes nothing


def test_starting_runs_the_import_and_the_progress_region_shows_the_result(
    alpha: Workspace, admin, django_capture_on_commit_callbacks
) -> None:
    """Start queues the import (the worker runs eagerly here); the polled region says done."""
    client = _client(alpha, admin)
    batch = upload(admin, CSV)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/imports/{batch.pk}/mapping/",
            {
                "kind": "contacts",
                "encoding": batch.encoding,
                "dedupe": "merge",
                "date_order": "dmy",
                "col_0": "full_name",
                "col_1": "email",
                "col_2": "company",
                "action": "start",
            },
        )
    assert response.status_code == 302
    progress = client.get(f"/imports/{batch.pk}/progress/", HTTP_HX_REQUEST="true")
    assert 'data-status="done"' in progress.content.decode()
    assert "hx-trigger" not in progress.content.decode()  # polling stops once done
    assert Contact.objects.count() == 2


def test_a_running_import_keeps_polling(alpha: Workspace, admin) -> None:
    """While a worker has it, the progress region asks again every two seconds."""
    batch = upload(admin, CSV)
    ImportBatch.objects.filter(pk=batch.pk).update(status=ImportStatus.RUNNING, rows_total=2)
    html = _client(alpha, admin).get(f"/imports/{batch.pk}/").content.decode()
    assert 'hx-trigger="every 2s"' in html


def test_a_file_over_the_size_limit_gets_a_clear_message(alpha: Workspace, admin, settings) -> None:
    """Past IMPORT_MAX_UPLOAD_MB the form says so (400), never a server error."""
    settings.IMPORT_MAX_UPLOAD_MB = 1
    big = SimpleUploadedFile("big.csv", b"Name\n" + b"x" * (1024 * 1024 + 10))
    response = _client(alpha, admin).post("/imports/new/", {"file": big, "kind": "auto"})
    assert response.status_code == 400
    assert "larger than 1 MB" in response.content.decode()


def test_a_file_that_is_not_a_spreadsheet_gets_a_clear_message(alpha: Workspace, admin) -> None:
    """A ZIP that is no workbook is refused with what to do."""
    response = _client(alpha, admin).post(
        "/imports/new/",
        {"file": SimpleUploadedFile("x.xlsx", b"PK\x03\x04garbage"), "kind": "auto"},
    )
    assert response.status_code == 400
    assert "Excel workbook" in response.content.decode()


def test_a_sales_rep_cannot_import(alpha: Workspace, in_alpha) -> None:
    """Importing is for admins and managers (403 for a rep)."""
    rep = UserFactory(email="rep-import@alpha.example", role=Role.REP)
    assert _client(alpha, rep).get("/imports/new/").status_code == 403


def test_a_manager_can_import(alpha: Workspace, in_alpha) -> None:
    """Managers bring data in too."""
    manager = UserFactory(email="manager-import@alpha.example", role=Role.MANAGER)
    assert _client(alpha, manager).get("/imports/new/").status_code == 200


def test_the_guided_start_data_step_offers_the_importer(alpha: Workspace, admin) -> None:
    """ "Bring your data" in the wizard links to the upload."""
    html = _client(alpha, admin).get("/start/data/").content.decode()
    assert 'data-testid="bring-your-data"' in html
    assert 'href="/imports/new/"' in html


def test_another_workspace_cannot_see_an_import_its_errors_or_undo_it(
    alpha: Workspace, beta: Workspace, admin
) -> None:
    """Alpha's import, its error file and its undo are 404 on beta's host, and not listed."""
    batch = import_file(admin, b"Name,Email\nMary Smith,bad\n")
    with schema_context(beta.schema):
        beta_admin = UserFactory.create(email="admin-import@beta.example", role=Role.ADMIN)
        assert not ImportBatch.objects.filter(pk=batch.pk).exists()
    client = _client(beta, beta_admin)
    for path in (
        f"/imports/{batch.pk}/",
        f"/imports/{batch.pk}/errors.csv",
        f"/imports/{batch.pk}/progress/",
    ):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/imports/{batch.pk}/undo/").status_code == 404
    assert batch.file_name not in client.get("/imports/").content.decode()


def test_records_imported_in_one_workspace_never_match_another_workspaces(
    alpha: Workspace, beta: Workspace, admin
) -> None:
    """The same file imported in beta creates beta's own contacts: nothing of alpha matches."""
    import_file(admin, b"Name,Email\nMary Smith,mary@acme.example\n")
    with schema_context(beta.schema):
        beta_admin = UserFactory.create(email="admin-import2@beta.example", role=Role.ADMIN)
        batch = import_file(beta_admin, b"Name,Email\nMary Smith,mary@acme.example\n")
        assert (batch.created_count, batch.duplicate_count) == (1, 0)
