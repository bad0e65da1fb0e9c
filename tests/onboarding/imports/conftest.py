"""Import fixtures: alpha's admin, and helpers that upload bytes and run an import through
the same services a worker runs (the chunk runner is a plain function)."""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import schema_context

from onboarding.imports import services
from onboarding.imports.models import ImportBatch
from tenants.users.models import Role, User
from tests.conftest import Workspace
from tests.factories import UserFactory


@pytest.fixture
def in_alpha(alpha: Workspace) -> Iterator[Workspace]:
    with schema_context(alpha.schema):
        yield alpha


@pytest.fixture
def admin(in_alpha: Workspace) -> User:
    return UserFactory.create(role=Role.ADMIN, full_name="Ada Admin", email="ada@alpha.example")


def upload(by: User, data: bytes, name: str = "people.csv", **options: Any) -> ImportBatch:
    """Upload ``data`` as a file called ``name`` (kind detected unless given)."""
    return services.import_upload(
        by=by, stream=io.BytesIO(data), file_name=name, size=len(data), **options
    )


def run(batch: ImportBatch, **configure: Any) -> ImportBatch:
    """Configure, start and run an import to its end, as the worker would; the fresh row."""
    if configure:
        services.import_configure(batch=batch, by=batch.created_by, **configure)
    services.import_start(batch=batch, by=batch.created_by)
    assert services.import_read(batch.pk)
    services.import_run(batch.pk)
    batch.refresh_from_db()
    return batch


def import_file(by: User, data: bytes, name: str = "people.csv", **options: Any) -> ImportBatch:
    """Upload and import in one go; ``options`` are upload options (kind, encoding, sheet)
    or configure options (dedupe, date_order, mapping)."""
    upload_keys = {"kind", "encoding", "sheet"}
    batch = upload(by, data, name, **{k: v for k, v in options.items() if k in upload_keys})
    return run(batch, **{k: v for k, v in options.items() if k not in upload_keys})
