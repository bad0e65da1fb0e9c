"""Every sort of every list, for everyone and for a sales rep, is read from an index in order.

Generated from the lists' sort keys (``crm.selectors.lists.SORTS``), so a new sort cannot
ship without the index that keeps its pages fast on 100k rows. The test tables are small, so
PostgreSQL is told to avoid sorting wherever an index could serve (``enable_sort`` and
``enable_seqscan`` off): a plan that still sorts has no index matching the keyset order,
tiebreaker ``id`` and the rep's visibility filter included.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.db import connection, transaction
from django_tenants.utils import schema_context

from crm.selectors import filtered, ordering
from crm.selectors.lists import SORTS
from crm.views.kinds import KINDS
from tests.conftest import Workspace
from tests.crm.factories import (
    ActivityFactory,
    CompanyFactory,
    ContactFactory,
    DealFactory,
    LeadFactory,
)

FACTORIES: dict[str, Any] = {
    "contact": ContactFactory,
    "company": CompanyFactory,
    "lead": LeadFactory,
    "deal": DealFactory,
    "activity": ActivityFactory,
}
#: What the activity list applies when the query names no status.
DEFAULT_PARAMS = {"activity": {"status": "open"}}

CASES = [
    (spec.key, sort, role)
    for spec in KINDS.values()
    for key in SORTS[spec.model]
    for sort in (key, f"-{key}")
    for role in ("admin", "rep")
]


@pytest.fixture
def crm(planning_workspace: Workspace, db: None) -> Iterator[Workspace]:
    """These tests check plans: they run in a workspace of their own (see the fixture)."""
    with schema_context(planning_workspace.schema):
        yield planning_workspace


def page_plan(spec_key: str, sort: str, user: Any) -> dict[str, Any]:
    """The plan of a list's first page, with sorting and sequential scans discouraged."""
    spec = KINDS[spec_key]
    rows = filtered(spec.objects().visible_to(user), params=DEFAULT_PARAMS.get(spec_key, {}))
    page = rows.order_by(*ordering(spec.model, sort))[:26]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        return json.loads(page.explain(format="json"))[0]["Plan"]


def nodes(plan: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def table_scan(plan: dict[str, Any], table: str) -> dict[str, Any]:
    """The node reading ``table`` itself (not a joined table)."""
    return next(n for n in nodes(plan) if n.get("Relation Name") == table)


@pytest.mark.parametrize(("kind", "sort", "role"), CASES, ids=[":".join(c) for c in CASES])
def test_a_list_page_in_each_sort_order_reads_an_index_without_sorting(
    crm, admin, rep, kind, sort, role
) -> None:
    """The first page comes from an index in the list's order (no sort of the table), and a
    rep's page from an index whose first column is the owner (no walk past others' records)."""
    FACTORIES[kind].create_batch(3, owner=rep)
    plan = page_plan(kind, sort, admin if role == "admin" else rep)
    scan = table_scan(plan, KINDS[kind].model._meta.db_table)
    owner_first = "owner_id =" in scan.get("Index Cond", "")
    assert [n["Node Type"] for n in nodes(plan) if "Sort" in n["Node Type"]] == []
    assert owner_first or role == "admin", scan
