"""Tenant tasks run in the enqueuing workspace's schema, or fail without one."""

from __future__ import annotations

import pytest
from django.test import TestCase
from django_tenants.utils import schema_context

from core.tasks import enqueue_on_commit
from tenants.tasks import MissingTenantError, workspace_ping
from tests.conftest import Workspace


def test_tenant_task_runs_in_the_enqueuing_schema(alpha: Workspace) -> None:
    with schema_context(alpha.schema):
        result = workspace_ping.apply()
    assert result.get() == alpha.schema


@pytest.mark.django_db
def test_tenant_task_without_a_tenant_raises() -> None:
    with pytest.raises(MissingTenantError, match="needs a workspace"):
        workspace_ping.apply().get()


def test_tenant_task_with_public_schema_header_raises(alpha: Workspace) -> None:
    with pytest.raises(MissingTenantError):
        workspace_ping.apply(headers={"_schema_name": "public"}).get()


def test_enqueue_on_commit_waits_for_commit_and_keeps_the_schema(
    alpha: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    sent: list[dict[str, object]] = []
    monkeypatch.setattr(
        workspace_ping, "apply_async", lambda args, kwargs, headers: sent.append(headers)
    )
    with TestCase.captureOnCommitCallbacks(execute=False) as callbacks:
        with schema_context(alpha.schema):
            enqueue_on_commit(workspace_ping)
        assert sent == []
    callbacks[0]()
    assert sent == [{"_schema_name": alpha.schema}]
