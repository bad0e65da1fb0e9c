"""Service KPIs of the insights dashboard: case volume, first-response and resolution times in
business hours, SLA breaches and CSAT, for the cases opened in the period (and assigned to the
owner chosen).

Times are counted in the workspace's business hours, as the SLA counts them
(``crm.service.hours.BusinessCalendar``: working days and hours, public holidays skipped).
Instead of walking the calendar per case, the page passes the calendar to SQL as arrays with
one entry per day — the business minutes before that day, its opening, its working minutes —
so a case's business time is ``B(end) - B(start)`` with ``B(t)`` = minutes before ``t``'s day +
the part of its window before ``t``, the day being an index into the arrays (no join).
Medians (``percentile_cont``) and means, per priority and overall (``GROUPING SETS``),
come from one query, kept ``SERVICE_CACHE_SECONDS`` in Redis. A resolution's time leaves out
the business time the case spent waiting on the customer (the SLA clock's pause). Every
member sees every case (the desk is shared work), so the figures do not depend on record visibility.
"""

from __future__ import annotations

import datetime
import hashlib
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.db import connection
from django.urls import reverse
from django.utils import timezone

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
    computed_at: datetime.datetime | None = None

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


@dataclass(frozen=True)
class CalendarArrays:
    """The business calendar from ``first`` on, one entry per day: business minutes before the
    day, the day's opening (epoch seconds) and its working minutes (0 on a day off)."""

    first: datetime.date
    before: list[float]
    opens: list[float]
    minutes: list[float]


def calendar_arrays(
    calendar: BusinessCalendar, first: datetime.date, last: datetime.date
) -> CalendarArrays:
    zone = calendar.zone
    before, opens, minutes = [], [], []
    running = 0.0
    day = first
    while day <= last:
        start = datetime.datetime.combine(day, calendar.starts, tzinfo=zone)
        length = 0.0
        if calendar.is_working_day(day):
            end = datetime.datetime.combine(day, calendar.ends, tzinfo=zone)
            length = max(0.0, (end - start).total_seconds() / 60)
        before.append(running)
        opens.append(start.timestamp())
        minutes.append(length)
        running += length
        day += datetime.timedelta(days=1)
    return CalendarArrays(first=first, before=before, opens=opens, minutes=minutes)


def _day_sql(moment: str) -> str:
    """SQL: the index of ``moment``'s local day in the calendar arrays (1 = the first day)."""
    return f"(({moment} AT TIME ZONE %(zone)s)::date - %(first)s::date + 1)"


def _business_minutes_sql(epoch: str, day: str) -> str:
    """SQL: business minutes from the calendar's first day to a moment given as epoch seconds
    and day index (NULL outside the calendar): the minutes before its day, plus the part of
    the day's window before it."""
    return (
        f"(cal.before[{day}] + LEAST(GREATEST(({epoch} - cal.opens[{day}]) / 60, 0),"
        f" cal.minutes[{day}]))"
    )


# Each level is materialised so that its values are computed once per case (an inlined
# subquery would repeat them in every expression that uses them).
_KPI_SQL = """
    WITH cal AS MATERIALIZED (
        SELECT %(before)s::float8[] AS before, %(opens)s::float8[] AS opens,
               %(minutes)s::float8[] AS minutes
    ),
    picked AS MATERIALIZED (
        SELECT c.priority, c.status, c.resolved_at, c.csat_score, c.paused_business_minutes,
               (c.first_response_breached_at IS NOT NULL
                OR c.resolution_breached_at IS NOT NULL) AS breached,
               EXTRACT(EPOCH FROM c.created_at) AS opened, {opened_day} AS opened_day,
               EXTRACT(EPOCH FROM c.first_responded_at) AS answered, {answered_day} AS answered_day,
               EXTRACT(EPOCH FROM c.resolved_at) AS solved, {solved_day} AS solved_day
        FROM {case_table} c
        WHERE c.created_at >= %(since)s AND c.created_at < %(until)s {owner}
    ),
    timed AS MATERIALIZED (
        SELECT priority, status, resolved_at, csat_score, paused_business_minutes, breached,
               {opened} AS opened, {answered} AS answered, {solved} AS solved
        FROM picked CROSS JOIN cal
    ),
    spans AS (
        SELECT priority, status, resolved_at, csat_score, breached,
               answered - opened AS first_response,
               GREATEST(solved - opened - paused_business_minutes, 0) AS resolution
        FROM timed
    )
    SELECT priority, GROUPING(priority) AS overall,
           COUNT(*), COUNT(resolved_at), COUNT(*) FILTER (WHERE breached),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY first_response), AVG(first_response),
           percentile_cont(0.5) WITHIN GROUP (ORDER BY resolution)
               FILTER (WHERE resolved_at IS NOT NULL),
           AVG(resolution) FILTER (WHERE resolved_at IS NOT NULL),
           AVG(csat_score), COUNT(csat_score),
           COUNT(*) FILTER (WHERE status IN ('new', 'open', 'waiting'))
    FROM spans
    GROUP BY GROUPING SETS ((priority), ())
"""


def _hours(minutes: Any) -> float | None:
    return None if minutes is None else round(float(minutes) / 60, 1)


#: Seconds computed service figures are served again (the page says when they were computed).
SERVICE_CACHE_SECONDS = 300


def service_kpis(scope: Scope) -> ServiceBoard:
    """The service figures of the cases opened in the scope's period: one query, run at most
    every ``SERVICE_CACHE_SECONDS`` for the same period, owner and business hours (the cache
    key carries the schema)."""
    calendar = business_calendar()
    hours = hashlib.sha256(
        f"{calendar.zone}|{calendar.country}|{sorted(calendar.work_days)}|{calendar.starts}|"
        f"{calendar.ends}|{scope.since.isoformat()}|{scope.until.isoformat()}".encode()
    ).hexdigest()[:24]
    key = f"insights:service:{scope.start}:{scope.end}:{scope.owner_id or 0}:{hours}"
    cached = cache.get(key)
    if isinstance(cached, tuple) and len(cached) == 2:
        rows, computed_at = cached
    else:
        rows, computed_at = _service_rows(scope, calendar), timezone.now()
        cache.set(key, (rows, computed_at), SERVICE_CACHE_SECONDS)
    return _service_board(scope, calendar, rows, computed_at)


def _service_rows(scope: Scope, calendar: BusinessCalendar) -> list[tuple[Any, ...]]:
    today = datetime.datetime.now(tz=calendar.zone).date()
    first = min(scope.start, today) - datetime.timedelta(days=1)
    arrays = calendar_arrays(calendar, first, today + datetime.timedelta(days=1))
    sql = _KPI_SQL.format(
        case_table=Case._meta.db_table,
        opened_day=_day_sql("c.created_at"),
        answered_day=_day_sql("c.first_responded_at"),
        solved_day=_day_sql("c.resolved_at"),
        opened=_business_minutes_sql("opened", "opened_day"),
        answered=_business_minutes_sql("answered", "answered_day"),
        solved=_business_minutes_sql("solved", "solved_day"),
        owner="AND c.assignee_id = %(owner)s" if scope.owner_id else "",
    )
    params: dict[str, Any] = {
        "before": arrays.before,
        "opens": arrays.opens,
        "minutes": arrays.minutes,
        "first": arrays.first,
        "zone": str(calendar.zone),
        "since": scope.since,
        "until": scope.until,
        "owner": scope.owner_id,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def _service_board(
    scope: Scope,
    calendar: BusinessCalendar,
    rows: list[tuple[Any, ...]],
    computed_at: datetime.datetime,
) -> ServiceBoard:
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
        computed_at=computed_at,
    )
