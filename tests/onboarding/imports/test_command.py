"""``manage.py import_records``: the same import for ops and scripts, with a JSON summary."""

from __future__ import annotations

import json
from io import StringIO

from django.core.management import call_command
from django_tenants.utils import schema_context

from crm.models import Contact
from tests.conftest import Workspace
from tests.factories import AdminFactory

DATA = (
    b"Name,Email,Birthday\nMary Smith,mary@acme.example,1985-03-07\n"
    b"John Doe,john(at)acme,\nMary Smith,mary@acme.example,\n"
)


def _run(workspace: Workspace, tmp_path, *args: str) -> dict:
    path = tmp_path / "people.csv"
    path.write_bytes(DATA)
    out = StringIO()
    call_command(
        "import_records", "--schema", workspace.schema, "--file", str(path), *args, stdout=out
    )
    return json.loads(out.getvalue())


def test_the_command_imports_and_prints_a_json_summary(alpha: Workspace, tmp_path) -> None:
    """Data rows, created, merged duplicates and each error with line, column and reason."""
    with schema_context(alpha.schema):
        AdminFactory(email="ops-import@alpha.example")
    summary = _run(alpha, tmp_path, "--kind", "contacts")
    assert (summary["data_rows"], summary["created"], summary["merged_duplicates"]) == (3, 1, 1)
    assert summary["errors"][0]["line"] == 3
    assert summary["errors"][0]["column"] == "Email"
    with schema_context(alpha.schema):
        assert Contact.objects.count() == 1


def test_a_dry_run_reports_the_same_and_writes_nothing(alpha: Workspace, tmp_path) -> None:
    """--dry-run: the summary of what would happen; no contact, no import left behind."""
    with schema_context(alpha.schema):
        AdminFactory(email="ops-import@alpha.example")
    summary = _run(alpha, tmp_path, "--dry-run")
    assert (summary["dry_run"], summary["created"], len(summary["errors"])) == (True, 1, 1)
    with schema_context(alpha.schema):
        assert not Contact.objects.exists()


def test_the_dedupe_mode_is_an_option(alpha: Workspace, tmp_path) -> None:
    """--dedupe create makes the duplicate row a second contact."""
    with schema_context(alpha.schema):
        AdminFactory(email="ops-import@alpha.example")
    summary = _run(alpha, tmp_path, "--dedupe", "create")
    assert summary["created"] == 2
