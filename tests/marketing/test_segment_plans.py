"""Segments' activity recency is read from ``crm_activity_last_touch_idx``, not the table.

The test tables are small, so PostgreSQL is told to avoid sequential scans, per-record
loops, merges and bitmaps: the plan of a big workspace, where "no activity for 30 days" over
100k contacts anti-joins a hash of the recent activities.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection, transaction
from django.utils import timezone
from django_tenants.utils import schema_context

from crm.marketing.models import SegmentRecordType
from crm.marketing.selectors import segment_filter_queryset
from crm.models import Activity, Company, Contact
from tests.conftest import Workspace
from tests.crm.conftest import planning_workspace  # noqa: F401 -- the plans' own workspace
from tests.crm.factories import ActivityFactory, CompanyFactory, ContactFactory
from tests.factories import AdminFactory


@pytest.fixture
def plans(planning_workspace: Workspace, db: None) -> Iterator[Workspace]:  # noqa: F811
    with schema_context(planning_workspace.schema):
        yield planning_workspace


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def activity_scans(queryset: Any) -> list[dict[str, Any]]:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute("SET LOCAL enable_mergejoin = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")
        plan = json.loads(queryset.order_by().explain(format="json"))[0]["Plan"]
    return [n for n in nodes(plan) if n.get("Relation Name") == Activity._meta.db_table]


def copy_many(activity_id: int, times: int) -> None:
    """``times`` copies of an activity (a history where the recent ones are few)."""
    table = Activity._meta.db_table
    columns = ", ".join(
        f'"{field.column}"' for field in Activity._meta.concrete_fields if not field.primary_key
    )
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {table}, "  # noqa: S608
            "generate_series(1, %s) WHERE id = %s",
            [times, activity_id],
        )


@pytest.mark.parametrize(
    ("record_type", "model"),
    [(SegmentRecordType.CONTACT, Contact), (SegmentRecordType.COMPANY, Company)],
)
def test_no_activity_for_days_reads_the_last_touch_index_only(
    plans: Workspace, record_type: str, model: Any
) -> None:
    admin = AdminFactory.create()
    contact = ContactFactory.create(owner=admin)
    company = CompanyFactory.create(owner=admin)
    old = ActivityFactory.create(contact=contact, company=company, owner=admin)
    Activity.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=90))
    copy_many(old.pk, 500)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {Activity._meta.db_table}")
    rows = segment_filter_queryset(model.objects.all(), record_type, {"no_activity_days": "30"})
    scans = activity_scans(rows)
    assert [(n["Node Type"], n.get("Index Name")) for n in scans] == [
        ("Index Only Scan", "crm_activity_last_touch_idx")
    ]
