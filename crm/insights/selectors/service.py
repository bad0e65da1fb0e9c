"""Service KPIs of the insights dashboard: case volume, first-response and resolution times in
business hours, SLA breaches and CSAT, for the cases opened in the period (and assigned to the
owner chosen).

Times are counted in the workspace's business hours, as the SLA counts them
(``crm.service.hours.BusinessCalendar``: working days and hours, public holidays skipped).
Instead of walking the calendar per case, the page passes the calendar to SQL as one row per
day — the business minutes before that day and its working window — so a case's business time
is ``B(end) - B(start)`` with ``B(t)`` = minutes before ``t``'s day + the part of its window
before ``t``. Medians (``percentile_cont``) and means, per priority and overall
(``GROUPING SETS``), come from one query. A resolution's time leaves out the business time the
case spent waiting on the customer (the SLA clock's pause). Every member sees every case
(the desk is shared work), so the figures do not depend on record visibility.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db import connection
from django.urls import reverse

from crm.insights.selectors.scope import Scope
from crm.service.hours import BusinessCalendar
from crm.service.models import Case, Priority, ServiceSettings
from crm.service.sla import calendar_of


@dataclass(frozen=True)
class ServiceRow:
    """Figures of the cases of one priority, or of all (``priority`` empty)."""

    priority: str
    label: str
    cases: int
    resolved: int
    breached: int
    first_response_median: float | None
    first_response_mean: float | None
    resolution_median: float | None
    resolution_mean: float | None
    csat: float | None
    csat_answers: int
    #: The case list showing these cases.
    url: str = ""

    @property
    def breach_rate(self) -> float | None:
        return round(100 * self.breached / self.cases, 1) if self.cases else None


@dataclass(frozen=True)
class ServiceBoard:
    scope: Scope
    total: ServiceRow
    priorities: list[ServiceRow]
    active: int
    calendar: BusinessCalendar

    def case_list_url(self, **params: Any) -> str:
        return case_list_url(self.scope, **params)

    @property
    def cases_url(self) -> str:
        return self.case_list_url()

    @property
    def breached_url(self) -> str:
        return self.case_list_url(sla="breached")

    @property
    def active_url(self) -> str:
        return self.case_list_url(status="active")

    @property
    def resolved_url(self) -> str:
        return self.case_list_url(status="resolved")


def case_list_url(scope: Scope, **params: Any) -> str:
    """The case list filtered like the figures (opened in the period, the assignee) and by
    ``params``: the cases behind a figure."""
    query: dict[str, Any] = {
        "opened_from": scope.start.isoformat(),
        "opened_to": scope.end.isoformat(),
    }
    if scope.owner_id:
        query["assignee"] = scope.owner_id
    query.update({key: value for key, value in params.items() if value not in (None, "")})
    return f"{reverse('service_cases')}?{urlencode(query)}"


def business_calendar() -> BusinessCalendar:
    """The workspace's business hours, as the SLA reads them (the defaults when unset; a GET
    writes nothing)."""
    from tenants.selectors import current_tenant

    tenant = current_tenant()
    row = ServiceSettings.objects.filter(pk=1).first() or ServiceSettings()
    return calendar_of(row, time_zone=tenant.time_zone, country=tenant.country)


def calendar_days(
    calendar: BusinessCalendar, first: datetime.date, last: datetime.date
) -> tuple[list[datetime.date], list[float], list[datetime.datetime], list[datetime.datetime]]:
    """Per day from ``first`` to ``last``: the business minutes before it (from ``first``), and
    its working window (an empty one, opening and closing at midnight, on a day off)."""
    zone = calendar.zone
    days, before, opens, closes = [], [], [], []
    running = 0.0
    day = first
    while day <= last:
        if calendar.is_working_day(day):
            start = datetime.datetime.combine(day, calendar.starts, tzinfo=zone)
            end = datetime.datetime.combine(day, calendar.ends, tzinfo=zone)
        else:
            start = end = datetime.datetime.combine(day, datetime.time(), tzinfo=zone)
        days.append(day)
        before.append(running)
        opens.append(start)
        closes.append(end)
        running += max(0.0, (end - start).total_seconds() / 60)
        day += datetime.timedelta(days=1)
    return days, before, opens, closes


def _business_minutes_sql(moment: str, alias: str) -> str:
    """SQL: business minutes from the calendar's first day to ``moment`` (NULL outside it)."""
    return (
        f"({alias}.before + LEAST(GREATEST(EXTRACT(EPOCH FROM ({moment} - {alias}.opens)) / 60, 0),"
        f" EXTRACT(EPOCH FROM ({alias}.closes - {alias}.opens)) / 60))"
    )


_KPI_SQL = """
    WITH cal AS (
        SELECT * FROM unnest(%(days)s::date[], %(before)s::float8[],
                             %(opens)s::timestamptz[], %(closes)s::timestamptz[])
            AS c(day, before, opens, closes)
    ),
    picked AS (
        SELECT c.priority, c.status, c.resolved_at, c.csat_score,
               (c.first_response_breached_at IS NOT NULL
                OR c.resolution_breached_at IS NOT NULL) AS breached,
               {fr_end} - {start} AS first_response,
               GREATEST({res_end} - {start} - c.paused_business_minutes, 0) AS resolution
        FROM {case_table} c
        JOIN cal cs ON cs.day = (c.created_at AT TIME ZONE %(zone)s)::date
        LEFT JOIN cal cf ON cf.day = (c.first_responded_at AT TIME ZONE %(zone)s)::date
        LEFT JOIN cal cr ON cr.day = (c.resolved_at AT TIME ZONE %(zone)s)::date
        WHERE c.created_at >= %(since)s AND c.created_at < %(until)s {owner}
    )
    SELECT priority, GROUPING(priority) AS overall,
           COUNT(*), COUNT(resolved_at), COUNT(*) FILTER (WHERE breached),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY first_response), AVG(first_response),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY resolution)
               FILTER (WHERE resolved_at IS NOT NULL),
           AVG(resolution) FILTER (WHERE resolved_at IS NOT NULL),
           AVG(csat_score), COUNT(csat_score),
           COUNT(*) FILTER (WHERE status IN ('new', 'open', 'waiting'))
    FROM picked
    GROUP BY GROUPING SETS ((priority), ())
"""


def _hours(minutes: Any) -> float | None:
    return None if minutes is None else round(float(minutes) / 60, 1)


def service_kpis(scope: Scope) -> ServiceBoard:
    """The service figures of the cases opened in the scope's period (one query)."""
    calendar = business_calendar()
    today = datetime.datetime.now(tz=calendar.zone).date()
    first = min(scope.start, today) - datetime.timedelta(days=1)
    days, before, opens, closes = calendar_days(calendar, first, today + datetime.timedelta(days=1))
    sql = _KPI_SQL.format(
        case_table=Case._meta.db_table,
        start=_business_minutes_sql("c.created_at", "cs"),
        fr_end=_business_minutes_sql("c.first_responded_at", "cf"),
        res_end=_business_minutes_sql("c.resolved_at", "cr"),
        owner="AND c.assignee_id = %(owner)s" if scope.owner_id else "",
    )
    params: dict[str, Any] = {
        "days": days,
        "before": before,
        "opens": opens,
        "closes": closes,
        "zone": str(calendar.zone),
        "since": scope.since,
        "until": scope.until,
        "owner": scope.owner_id,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    labels = dict(Priority.choices)
    found: dict[str, ServiceRow] = {}
    total: ServiceRow | None = None
    active = 0
    for priority, overall, *figures in rows:
        row = ServiceRow(
            priority="" if overall else priority,
            label="" if overall else str(labels.get(priority, priority)),
            cases=figures[0],
            resolved=figures[1],
            breached=figures[2],
            first_response_median=_hours(figures[3]),
            first_response_mean=_hours(figures[4]),
            resolution_median=_hours(figures[5]),
            resolution_mean=_hours(figures[6]),
            csat=round(float(figures[7]), 2) if figures[7] is not None else None,
            csat_answers=figures[8],
            url=case_list_url(scope, priority="" if overall else priority),
        )
        if overall:
            total, active = row, figures[9]
        else:
            found[priority] = row
    empty = ServiceRow("", "", 0, 0, 0, None, None, None, None, None, 0)
    ordered = [Priority.URGENT, Priority.HIGH, Priority.NORMAL, Priority.LOW]
    return ServiceBoard(
        scope=scope,
        total=total or empty,
        priorities=[found[str(p)] for p in ordered if str(p) in found],
        active=active,
        calendar=calendar,
    )
