"""Service KPIs of the insights dashboard, against business hours worked out by hand.

The workspace works Monday to Friday, 09:00–18:00 UTC, with no public holidays (no country).
``M`` is a Monday at least two weeks back.

Case  priority  opened       first response   resolved           paused  breached
A     high      M 17:00      M+1 10:00 → 2 h   M+2 12:00 → 13 h    —       —
B     normal    M+4 16:00    M+7 09:30 → 2.5 h —                   —       first response
C     normal    M+5 10:00    M+5 11:00 → 0 h   M+7 10:00 → 0.5 h  30 min  —   (CSAT 4)

A resolution: Monday 1 h + Tuesday 9 h + Wednesday 3 h = 13 h. C opened and answered on a
Saturday (no business time); resolved Monday 10:00 = 1 h, less 30 minutes paused = 0.5 h.
First response: median of 2, 2.5, 0 = 2 h; mean 1.5 h. Resolution: median and mean of 13 and
0.5 = 6.75 h → 6.8. One breach in three cases: 33.3 %. CSAT 4.0 from one answer.
"""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone
from django_tenants.utils import schema_context

from crm.insights.selectors.scope import Scope
from crm.insights.selectors.service import service_kpis
from crm.service.models import Case
from crm.service.services import case_create
from tenants.models import Tenant
from tests.crm.conftest import fresh

UTC = datetime.UTC


@pytest.fixture(autouse=True)
def _business_hours_in_utc(alpha) -> None:
    with schema_context("public"):
        Tenant.objects.filter(pk=alpha.tenant.pk).update(time_zone="UTC", country="")


def _monday() -> datetime.date:
    today = timezone.localdate()
    return today - datetime.timedelta(days=today.weekday() + 14)


def _at(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=UTC)


def _case(by: Any, **fields: Any) -> Case:
    priority = fields.pop("priority", "normal")
    case = case_create(by=by, fields={"subject": "Help", "priority": priority})
    Case.objects.filter(pk=case.pk).update(**fields)
    case.refresh_from_db()
    return case


def _cases(admin: Any, *, assignee: Any = None) -> dict[str, Case]:
    m = _monday()
    day = datetime.timedelta(days=1)
    a = _case(
        admin,
        priority="high",
        created_at=_at(m, 17),
        first_responded_at=_at(m + day, 10),
        resolved_at=_at(m + 2 * day, 12),
        status="resolved",
        assignee=assignee,
    )
    b = _case(
        admin,
        created_at=_at(m + 4 * day, 16),
        first_responded_at=_at(m + 7 * day, 9, 30),
        first_response_breached_at=_at(m + 7 * day, 9),
        status="open",
    )
    c = _case(
        admin,
        created_at=_at(m + 5 * day, 10),
        first_responded_at=_at(m + 5 * day, 11),
        resolved_at=_at(m + 7 * day, 10),
        paused_business_minutes=30,
        status="resolved",
        csat_score=4,
    )
    return {"A": a, "B": b, "C": c}


def _scope(user: Any, **kwargs: Any) -> Scope:
    m = _monday()
    return Scope(user=fresh(user), start=m, end=m + datetime.timedelta(days=8), **kwargs)


def test_volume_times_in_business_hours_breaches_and_csat(crm, admin) -> None:
    _cases(admin)
    _case(admin, created_at=_at(_monday() - datetime.timedelta(days=30), 10))  # before the period
    board = service_kpis(_scope(admin))
    total = board.total
    assert (total.cases, total.resolved, board.active) == (3, 2, 1)
    assert (total.first_response_median, total.first_response_mean) == (2.0, 1.5)
    assert (total.resolution_median, total.resolution_mean) == (6.8, 6.8)
    assert (total.breached, total.breach_rate) == (1, 33.3)
    assert (total.csat, total.csat_answers) == (4.0, 1)


def test_figures_per_priority(crm, admin) -> None:
    _cases(admin)
    rows = {row.priority: row for row in service_kpis(_scope(admin)).priorities}
    assert list(rows) == ["high", "normal"]
    assert (rows["high"].cases, rows["high"].resolution_median) == (1, 13.0)
    assert (rows["normal"].cases, rows["normal"].first_response_median) == (2, 1.2)


def test_the_owner_filter_picks_the_assignees_cases(crm, admin, rep) -> None:
    _cases(admin, assignee=rep)
    board = service_kpis(_scope(admin, owner_id=rep.pk))
    assert (board.total.cases, board.total.resolution_median) == (1, 13.0)


def test_a_holiday_is_not_business_time(crm, admin) -> None:
    """With Tuesday not a working day, a first response from Monday 17:00 to Tuesday 10:00
    counts Monday's last hour only: 1 h."""
    from crm.service.models import ServiceSettings

    ServiceSettings.objects.update_or_create(pk=1, defaults={"work_days": [0, 2, 3, 4]})
    m = _monday()
    _case(admin, created_at=_at(m, 17), first_responded_at=_at(m + datetime.timedelta(days=1), 10))
    assert service_kpis(_scope(admin)).total.first_response_median == 1.0


def test_drill_down_links_filter_the_case_list(crm, admin, client_as) -> None:
    cases = _cases(admin)
    old = _case(admin, created_at=_at(_monday() - datetime.timedelta(days=30), 10))
    board = service_kpis(_scope(admin))
    client = client_as(admin)
    listed = client.get(board.cases_url).content.decode()
    assert all(f"/cases/{case.pk}/" in listed for case in cases.values())
    assert f"/cases/{old.pk}/" not in listed
    breached = client.get(board.breached_url).content.decode()
    assert f"/cases/{cases['B'].pk}/" in breached
    assert f"/cases/{cases['A'].pk}/" not in breached


def test_the_service_page_and_the_dashboard_card(
    crm, admin, client_as, django_assert_max_num_queries
) -> None:
    _cases(admin)
    m = _monday()
    query = f"start={m.isoformat()}&end={(m + datetime.timedelta(days=8)).isoformat()}"
    client = client_as(admin)
    client.get("/")
    with django_assert_max_num_queries(15):
        page = client.get(f"/insights/service/?{query}").content.decode()
    assert 'data-testid="kpi-breaches"' in page
    assert "2.0" in page
    sales = client.get(f"/insights/?{query}").content.decode()
    assert "/insights/service/summary/?" in sales
    card = client.get(f"/insights/service/summary/?{query}").content.decode()
    assert 'data-testid="service-summary"' in card
    assert "opened_from=" in card


def test_a_bad_period_is_a_400(crm, admin, client_as) -> None:
    response = client_as(admin).get("/insights/service/?start=2026-02-30")
    assert response.status_code == 400


def test_service_figures_are_isolated(crm, admin, beta) -> None:
    _cases(admin)
    with schema_context(beta.schema):
        from tests.factories import AdminFactory

        assert service_kpis(_scope(AdminFactory.create())).total.cases == 0


def test_figures_are_reused_for_five_minutes_and_say_when_computed(crm, admin) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _cases(admin)
    first = service_kpis(_scope(admin))
    with CaptureQueriesContext(connection) as queries:
        again = service_kpis(_scope(admin))
    assert not any("percentile_cont" in q["sql"] for q in queries.captured_queries)
    assert (again.total, again.computed_at) == (first.total, first.computed_at)
