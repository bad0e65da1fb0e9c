"""Guided-start fixtures: alpha as a freshly signed-up workspace (it has a guided start)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client
from django_tenants.utils import schema_context

from onboarding.models import GuidedStart
from tenants.users.models import Role, User
from tests.conftest import Workspace, sign_in
from tests.factories import UserFactory


@pytest.fixture
def in_alpha(alpha: Workspace) -> Iterator[Workspace]:
    with schema_context(alpha.schema):
        yield alpha


@pytest.fixture
def guided(in_alpha: Workspace) -> GuidedStart:
    """Alpha's guided start, as signup creates it."""
    return GuidedStart.objects.create(pk=1)


@pytest.fixture
def admin(in_alpha: Workspace) -> User:
    return UserFactory.create(role=Role.ADMIN, full_name="Ada Admin", email="ada@alpha.example")


@pytest.fixture
def rep(in_alpha: Workspace) -> User:
    return UserFactory.create(role=Role.REP, full_name="Rita Rep", email="rita@alpha.example")


@pytest.fixture
def admin_client(alpha: Workspace, admin: User) -> Client:
    return sign_in(Client(HTTP_HOST=alpha.host), alpha, admin)


@pytest.fixture
def rep_client(alpha: Workspace, rep: User) -> Client:
    return sign_in(Client(HTTP_HOST=alpha.host), alpha, rep)
