"""Business time: adding and counting minutes only inside the workspace's working hours.

A working day is one of the workspace's working weekdays that is not a public holiday of its
country (``holidays`` library); on it, the hours from ``starts`` to ``ends`` in the
workspace's time zone count. SLA targets ("first response within 4 business hours") are
measured in these minutes, so a case opened on Friday at 17:00 with a four-hour target is
due on Monday at 12:00 — or on Tuesday if Monday is a public holiday.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import holidays

#: Longest stretch searched for working time (a calendar with no working day ends here).
MAX_DAYS = 3 * 366


@lru_cache(maxsize=128)
def public_holidays(country: str, year: int) -> frozenset[datetime.date]:
    """The public holidays of ``country`` (ISO 3166 alpha-2) in ``year``; none if unknown."""
    if not country:
        return frozenset()
    try:
        return frozenset(holidays.country_holidays(country.upper(), years=year).keys())
    except NotImplementedError:
        return frozenset()


@dataclass(frozen=True)
class BusinessCalendar:
    time_zone: str
    work_days: frozenset[int]
    starts: datetime.time
    ends: datetime.time
    country: str = ""

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.time_zone or "UTC")
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo("UTC")

    def is_working_day(self, day: datetime.date) -> bool:
        return day.weekday() in self.work_days and day not in public_holidays(
            self.country, day.year
        )

    def _windows(
        self, moment: datetime.datetime
    ) -> Iterator[tuple[datetime.datetime, datetime.datetime]]:
        """Working intervals from the day of ``moment`` on (the first may start before it)."""
        zone = self.zone
        day = moment.astimezone(zone).date()
        for _offset in range(MAX_DAYS):
            if self.is_working_day(day):
                yield (
                    datetime.datetime.combine(day, self.starts, tzinfo=zone),
                    datetime.datetime.combine(day, self.ends, tzinfo=zone),
                )
            day += datetime.timedelta(days=1)

    def add_minutes(self, start: datetime.datetime, minutes: float) -> datetime.datetime:
        """The moment ``minutes`` business minutes after ``start``."""
        remaining = datetime.timedelta(minutes=max(0.0, minutes))
        cursor = start
        for opens, closes in self._windows(start):
            cursor = max(cursor, opens)
            if cursor >= closes:
                continue
            available = closes - cursor
            if remaining <= available:
                return (cursor + remaining).astimezone(datetime.UTC)
            remaining -= available
        return (cursor + remaining).astimezone(datetime.UTC)

    def minutes_between(self, start: datetime.datetime, end: datetime.datetime) -> int:
        """Business minutes from ``start`` to ``end`` (negative when ``end`` comes first)."""
        if end < start:
            return -self.minutes_between(end, start)
        total = datetime.timedelta()
        for opens, closes in self._windows(start):
            if opens >= end:
                break
            low, high = max(opens, start), min(closes, end)
            if high > low:
                total += high - low
        return int(total.total_seconds() // 60)
