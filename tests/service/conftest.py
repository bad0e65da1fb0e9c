"""Customer-service fixtures: alpha's CRM users (tests/crm) plus cases and a fixed clock."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from unittest import mock

import pytest

from crm.service.models import Case
from crm.service.services import case_create
from tenants.models import Tenant
from tests.conftest import Workspace
from tests.crm.conftest import admin, client_as, crm, manager, reader, rep  # noqa: F401 -- shared fixtures
from tests.crm.factories import ContactFactory

UTC = datetime.UTC


@pytest.fixture
def workspace_in_london(crm: Workspace) -> Workspace:  # noqa: F811 -- the shared fixture
    """Alpha in Europe/London with the United Kingdom's public holidays."""
    Tenant.objects.filter(pk=crm.tenant.pk).update(time_zone="Europe/London", country="GB")
    return crm


@pytest.fixture
def clock() -> Iterator[Callable[[datetime.datetime], None]]:
    """``clock(moment)`` sets what ``timezone.now()`` answers from then on."""
    current = {"now": datetime.datetime(2026, 3, 2, 9, 0, tzinfo=UTC)}
    with mock.patch("django.utils.timezone.now", side_effect=lambda: current["now"]):

        def set_now(moment: datetime.datetime) -> None:
            current["now"] = moment

        yield set_now


@pytest.fixture
def contact(crm: Workspace, admin):  # noqa: F811 -- the shared fixture
    return ContactFactory.create(owner=admin, email="carol@customer.example")


@pytest.fixture
def make_case(crm: Workspace, admin, contact) -> Callable[..., Case]:  # noqa: F811
    def make(**fields: object) -> Case:
        values = {"subject": "Printer jams", "contact": contact, "priority": "normal", **fields}
        return case_create(by=admin, fields=values)

    return make
