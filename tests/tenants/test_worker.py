"""A real Celery worker (consuming from real Redis) keeps tenant context per task."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from celery.contrib.testing.worker import start_worker
from celery.exceptions import TimeoutError as CeleryTimeoutError
from django_tenants.utils import schema_context

from config.celery import app
from tenants.tasks import ping, workspace_ping
from tests.conftest import Workspace

pytestmark = pytest.mark.worker


@pytest.fixture(scope="module")
def celery_worker(django_db_setup: None, django_db_blocker) -> Iterator[None]:
    """An in-thread worker on the test Redis database, with real message round trips."""
    app.conf.task_always_eager = False
    try:
        with (
            django_db_blocker.unblock(),
            start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10),
        ):
            yield
    finally:
        app.conf.task_always_eager = True


def test_worker_answers_ping(celery_worker: None) -> None:
    assert ping.delay().get(timeout=10) == "pong"


def test_worker_runs_tenant_task_in_the_enqueuing_schema(
    celery_worker: None, alpha: Workspace, beta: Workspace
) -> None:
    with schema_context(alpha.schema):
        from_alpha = workspace_ping.delay()
    with schema_context(beta.schema):
        from_beta = workspace_ping.delay()
    assert from_alpha.get(timeout=10) == alpha.schema
    assert from_beta.get(timeout=10) == beta.schema


@pytest.mark.django_db
def test_worker_refuses_tenant_task_without_a_tenant(celery_worker: None) -> None:
    result = workspace_ping.delay()
    with pytest.raises(Exception, match="needs a workspace") as error:
        result.get(timeout=10)
    assert not isinstance(error.value, CeleryTimeoutError)
    assert type(error.value).__name__ == "MissingTenantError"
