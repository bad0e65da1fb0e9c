"""CRM test fixtures: one user per role in alpha, with the test body in alpha's schema."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django_tenants.utils import schema_context

from tenants.users.models import Role, User
from tests.conftest import Workspace
from tests.crm.search_people import people, searcher  # noqa: F401 -- fixtures of the search tests
from tests.factories import UserFactory


@pytest.fixture
def crm(alpha: Workspace) -> Iterator[Workspace]:
    """Run the test body in alpha's schema (alias of ``in_alpha`` with the CRM's users)."""
    with schema_context(alpha.schema):
        yield alpha


@pytest.fixture
def admin(crm: Workspace) -> User:
    return UserFactory.create(role=Role.ADMIN, full_name="Ada Admin")


@pytest.fixture
def manager(crm: Workspace) -> User:
    return UserFactory.create(role=Role.MANAGER, full_name="Max Manager")


@pytest.fixture
def rep(crm: Workspace) -> User:
    return UserFactory.create(role=Role.REP, full_name="Rita Rep")


@pytest.fixture
def other_rep(crm: Workspace) -> User:
    return UserFactory.create(role=Role.REP, full_name="Otto Otherrep")


@pytest.fixture
def reader(crm: Workspace) -> User:
    return UserFactory.create(role=Role.READ_ONLY, full_name="Rey Reader")


def fresh(user: User) -> User:
    """The same user as a new object, as a new request would load it (no memoised policy)."""
    return User.objects.get(pk=user.pk)


@pytest.fixture
def client_as(alpha: Workspace):
    """``client_as(user)``: a client on alpha's host signed in as ``user``."""
    from django.test import Client

    from tests.conftest import sign_in

    def make(user: User) -> Client:
        return sign_in(Client(HTTP_HOST=alpha.host), alpha, user)

    return make


@pytest.fixture(scope="module")
def planning_workspace(django_db_setup: None, django_db_blocker: Any) -> Iterator[Workspace]:
    """A workspace of its own for tests that check query plans: its tables hold only their
    rows. The shared workspaces' tables grow with every rolled-back insert of the run, which
    changes the planner's estimates (and so the plans) depending on what ran before."""
    import uuid

    from tenants.models import Tenant
    from tenants.services import schema_drop, tenant_create

    slug = f"plans-{uuid.uuid4().hex[:8]}"
    with django_db_blocker.unblock():
        tenant = tenant_create(name="Plans Ltd", slug=slug)
    yield Workspace(tenant, f"{slug}.localhost")
    with django_db_blocker.unblock():
        schema_drop(tenant.schema_name)
        tenant.domains.all().delete()
        Tenant.objects.filter(pk=tenant.pk).delete()
