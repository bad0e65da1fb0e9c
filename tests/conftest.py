"""Test harness: real PostgreSQL and Redis, two workspaces cloned once per session.

``alpha`` and ``beta`` are created once, before any test, by cloning the migrated template
schema, exactly as production creates workspaces. Each test runs inside a transaction that is
rolled back (pytest-django's ``db``), so tests share the workspaces without seeing each
other's rows. The connection's schema is reset to public after every test.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client, TestCase
from django_tenants.utils import schema_context

from tenants.connection import use_public_schema
from tenants.models import Tenant
from tenants.services import public_tenant_ensure, template_ensure, tenant_create
from tests.factories import TEST_PASSWORD, AdminFactory, UserFactory


@dataclass(frozen=True)
class Workspace:
    tenant: Tenant
    host: str

    @property
    def schema(self) -> str:
        return str(self.tenant.schema_name)


@pytest.fixture(scope="session")
def django_db_setup(
    request: pytest.FixtureRequest,
    django_test_environment: None,
    django_db_blocker,
    django_db_keepdb: bool,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    """Create the test database, then the template plus two workspaces, once per session.

    Unlike pytest-django's default, the test database is always set up when any test needs
    the database, whatever its markers: no test can ever reach the development database.
    """
    from django.test.utils import setup_databases, teardown_databases

    with django_db_blocker.unblock():
        db_config = setup_databases(
            verbosity=request.config.option.verbose,
            interactive=False,
            keepdb=django_db_keepdb,
            aliases={"default"},  # type: ignore[arg-type]  # Django takes any container; stub says Mapping
        )
        public_tenant_ensure()
        template_ensure()
        for slug in ("alpha", "beta"):
            if not Tenant.objects.filter(slug=slug).exists():
                tenant_create(name=f"{slug.title()} Ltd", slug=slug)
    yield
    if not django_db_keepdb:
        with django_db_blocker.unblock():
            _disconnect_other_sessions()
            teardown_databases(db_config, verbosity=request.config.option.verbose)


def _disconnect_other_sessions() -> None:
    """End connections that server threads may still be closing, so the DB can be dropped.

    The live server's daemon handler threads close their connection after the response is
    sent; at session end one may still be doing so.
    """
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.fixture(autouse=True)
def _public_schema_after_test() -> Iterator[None]:
    yield
    use_public_schema()


@pytest.fixture(autouse=True)
def _english_and_utc_by_default() -> Iterator[None]:
    """Each test starts in the default language and time zone: a request in another
    language (the locale middleware activates it for the thread) does not leak into the next."""
    from django.utils import timezone, translation

    translation.activate(settings.LANGUAGE_CODE)
    timezone.deactivate()
    yield
    translation.activate(settings.LANGUAGE_CODE)
    timezone.deactivate()


@pytest.fixture
def alpha(db: None) -> Workspace:
    return Workspace(Tenant.objects.get(slug="alpha"), "alpha.localhost")


@pytest.fixture
def beta(db: None) -> Workspace:
    return Workspace(Tenant.objects.get(slug="beta"), "beta.localhost")


@pytest.fixture
def in_alpha(alpha: Workspace) -> Iterator[Workspace]:
    """Run the test body with the connection in alpha's schema."""
    with schema_context(alpha.schema):
        yield alpha


@pytest.fixture
def alpha_client(alpha: Workspace) -> Client:
    return Client(HTTP_HOST=alpha.host)


@pytest.fixture
def beta_client(beta: Workspace) -> Client:
    return Client(HTTP_HOST=beta.host)


@pytest.fixture
def alpha_admin(alpha: Workspace):
    with schema_context(alpha.schema):
        return AdminFactory(email="admin@alpha.example")


@pytest.fixture
def alpha_rep(alpha: Workspace):
    with schema_context(alpha.schema):
        return UserFactory(email="rep@alpha.example")


@pytest.fixture
def beta_admin(beta: Workspace):
    with schema_context(beta.schema):
        return AdminFactory(email="admin@beta.example")


@pytest.fixture
def signed_in_alpha_admin(alpha_client: Client, alpha_admin: object) -> Client:
    """A client on alpha's host, signed in through the real login form."""
    response = alpha_client.post(
        "/login/", {"username": "admin@alpha.example", "password": TEST_PASSWORD}
    )
    assert response.status_code == 302, response.content
    return alpha_client


@pytest.fixture
def committed(django_db_setup: None, django_db_blocker) -> Iterator[None]:
    """Database access without a wrapping transaction, so other threads see the test's rows.

    Tests using it create their rows under unique names and clean up what they leave.
    """
    with django_db_blocker.unblock():
        yield


@pytest.fixture(autouse=True)
def clear_cache() -> None:
    """Every test starts with an empty cache (rate-limit counters included).

    Only this run's keys are deleted (they share a per-run prefix), so a concurrent run on
    the same Redis keeps its own.
    """
    client = cache._cache.get_client(write=True)  # type: ignore[attr-defined]
    keys = list(client.scan_iter(match=f"*{settings.CACHES['default']['KEY_PREFIX']}:*"))
    if keys:
        client.delete(*keys)


def after_commit() -> Any:
    """Run what commits would trigger (job dispatch, e-mails) at the end of the block.

    Tests run inside a transaction that never commits; jobs are dispatched after commit, so
    a test that wants an enqueued job to run (eagerly) wraps the request in this.
    """
    return TestCase.captureOnCommitCallbacks(execute=True)


def sign_in(client: Client, workspace: Workspace, user: object) -> Client:
    """``force_login`` inside the workspace's schema, where its sessions table lives."""
    with schema_context(workspace.schema):
        client.force_login(user)  # type: ignore[arg-type]
    return client
