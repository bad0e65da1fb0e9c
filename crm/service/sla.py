"""SLA targets of a case: due and warning moments in business time, pauses, and the timer.

Due moments count from the moment the case was opened: the priority's target plus the
business minutes the case spent waiting on the customer. So a change of priority recomputes
both moments from the start, and a pause pushes them out by exactly the working time it
lasted (a weekend spent waiting costs nothing).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from crm.service.hours import BusinessCalendar
from crm.service.models import (
    CLOCK_RUNNING,
    Case,
    CaseStatus,
    Priority,
    ServiceSettings,
    SlaPolicy,
)

#: Targets (first response, resolution) in business minutes when an admin set none.
DEFAULT_TARGETS: dict[str, tuple[int, int]] = {
    Priority.URGENT: (60, 8 * 60),
    Priority.HIGH: (4 * 60, 2 * 9 * 60),
    Priority.NORMAL: (8 * 60, 5 * 9 * 60),
    Priority.LOW: (2 * 9 * 60, 10 * 9 * 60),
}


def service_settings() -> ServiceSettings:
    """The workspace's service settings (made with the defaults on first use)."""
    row, _created = ServiceSettings.objects.get_or_create(pk=1)
    return row


def calendar_of(settings_row: ServiceSettings, *, time_zone: str, country: str) -> BusinessCalendar:
    return BusinessCalendar(
        time_zone=time_zone,
        work_days=frozenset(settings_row.work_days),
        starts=settings_row.work_starts,
        ends=settings_row.work_ends,
        country=country,
    )


def workspace_calendar() -> BusinessCalendar:
    """Business hours of the workspace the connection is in."""
    from tenants.selectors import current_tenant

    tenant = current_tenant()
    return calendar_of(service_settings(), time_zone=tenant.time_zone, country=tenant.country)


def targets_for(priority: str) -> tuple[int, int]:
    """(first response, resolution) business minutes for a priority."""
    policy = SlaPolicy.objects.filter(priority=priority).first()
    if policy is None:
        return DEFAULT_TARGETS[priority]
    return (policy.first_response_minutes, policy.resolution_minutes)


def sla_schedule(
    case: Case, *, calendar: BusinessCalendar, warning_percent: int, targets: tuple[int, int]
) -> None:
    """Set the case's due and warning moments from its start, targets and pauses (unsaved)."""
    first_response, resolution = targets
    paused = case.paused_business_minutes
    share = min(100, max(1, warning_percent)) / 100
    start = case.created_at
    case.first_response_due_at = calendar.add_minutes(start, first_response + paused)
    case.first_response_warn_at = calendar.add_minutes(start, first_response * share + paused)
    case.resolution_due_at = calendar.add_minutes(start, resolution + paused)
    case.resolution_warn_at = calendar.add_minutes(start, resolution * share + paused)


@dataclass(frozen=True)
class Timer:
    """What the case's SLA clock shows now."""

    target: str  # "first_response", "resolution" or ""
    due_at: datetime.datetime | None
    state: str  # "ok", "warning", "breached", "paused", "met", "none"

    @property
    def seconds_left(self) -> int:
        if self.due_at is None:
            return 0
        from django.utils import timezone

        return int((self.due_at - timezone.now()).total_seconds())


def timer_of(case: Case, *, now: datetime.datetime) -> Timer:
    """The clock that matters now: first response until answered, then resolution."""
    if case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        return Timer("", None, "met" if not case.resolution_breached_at else "breached")
    if case.first_responded_at is None:
        target, due, warn = (
            "first_response",
            case.first_response_due_at,
            case.first_response_warn_at,
        )
    else:
        target, due, warn = "resolution", case.resolution_due_at, case.resolution_warn_at
    if due is None:
        return Timer(target, None, "none")
    if case.status not in CLOCK_RUNNING:
        return Timer(target, due, "paused")
    if now >= due:
        return Timer(target, due, "breached")
    if warn is not None and now >= warn:
        return Timer(target, due, "warning")
    return Timer(target, due, "ok")
