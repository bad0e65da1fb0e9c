"""The case list's "SLA breached" filter and CSAT average are read from their partial indexes.

The test tables are small, so PostgreSQL is told to avoid sequential and bitmap scans: the
plans of a big workspace (50k cases, a few thousand breached or answered).
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from crm.service.models import Case
from crm.service.selectors import cases_filtered
from crm.service.services import case_create
from tests.conftest import Workspace
from tests.crm.conftest import planning_workspace  # noqa: F401 -- the plans' own workspace
from tests.crm.factories import ContactFactory
from tests.factories import AdminFactory


@pytest.fixture
def plans(planning_workspace: Workspace, db: None) -> Iterator[Workspace]:  # noqa: F811
    with schema_context(planning_workspace.schema):
        admin = AdminFactory.create()
        contact = ContactFactory.create(owner=admin)
        for _ in range(3):
            case_create(by=admin, fields={"subject": "Jam", "contact": contact})
        Case.objects.filter(pk=Case.objects.order_by("id").first().pk).update(  # type: ignore[union-attr]
            resolution_breached_at=timezone.now(), csat_score=4
        )
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {Case._meta.db_table}")
        yield planning_workspace


def case_indexes(queryset: Any) -> set[str | None]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        plan = json.loads(queryset.explain(format="json"))[0]["Plan"]

    def nodes(node: dict[str, Any]) -> Iterator[dict[str, Any]]:
        yield node
        for child in node.get("Plans", []):
            yield from nodes(child)

    return {n.get("Index Name") for n in nodes(plan) if n.get("Relation Name") == "service_case"}


def test_the_breached_filter_is_counted_from_its_partial_index(plans: Workspace) -> None:
    rows = cases_filtered(Case.objects.all(), params={"sla": "breached"})
    assert case_indexes(rows.order_by().values("pk")[:10001]) == {"service_case_breached_idx"}


def test_the_breached_filters_first_page_is_read_in_order_from_it(plans: Workspace) -> None:
    rows = cases_filtered(Case.objects.all(), params={"sla": "breached"})
    assert case_indexes(rows.order_by("-number", "-id")[:26]) == {"service_case_breached_idx"}


def test_the_csat_average_reads_only_answered_cases_from_the_index(plans: Workspace) -> None:
    since = timezone.now() - datetime.timedelta(days=90)
    rows = Case.objects.filter(created_at__gte=since, csat_score__isnull=False)
    assert case_indexes(rows.order_by().values("csat_score")) == {"service_case_csat_idx"}
