"""Business time: working hours, weekends and public holidays in the workspace's time zone."""

from __future__ import annotations

import datetime

from crm.service.hours import BusinessCalendar

LONDON = "Europe/London"
UTC = datetime.UTC


def calendar(country: str = "GB") -> BusinessCalendar:
    return BusinessCalendar(
        time_zone=LONDON,
        work_days=frozenset(range(5)),
        starts=datetime.time(9),
        ends=datetime.time(18),
        country=country,
    )


def london(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime.datetime:
    from zoneinfo import ZoneInfo

    return datetime.datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(LONDON))


def test_minutes_within_one_working_day() -> None:
    """Two hours from Monday 10:00 is Monday 12:00."""
    assert calendar().add_minutes(london(2026, 3, 2, 10), 120) == london(2026, 3, 2, 12)


def test_time_outside_hours_starts_at_next_opening() -> None:
    """A request at 20:00 starts counting at 09:00 the next working day."""
    assert calendar().add_minutes(london(2026, 3, 2, 20), 60) == london(2026, 3, 3, 10)


def test_weekend_is_skipped() -> None:
    """Four hours from Friday 16:00: two on Friday, two on Monday morning."""
    assert calendar().add_minutes(london(2026, 3, 6, 16), 240) == london(2026, 3, 9, 11)


def test_public_holiday_is_skipped() -> None:
    """Good Friday 2026 (3 April) is a UK-wide bank holiday: Thursday, then Monday."""
    due = calendar().add_minutes(london(2026, 4, 2, 17), 3 * 60)
    # Thursday 17–18 (1h), Good Friday and the weekend off, Monday 09–11 (2h).
    assert due == london(2026, 4, 6, 11)


def test_holiday_counts_where_the_country_has_none() -> None:
    """Without a country only weekends are skipped: Good Friday is a working day."""
    assert calendar(country="").add_minutes(london(2026, 4, 2, 17), 3 * 60) == london(
        2026, 4, 3, 11
    )


def test_minutes_between_counts_only_working_time() -> None:
    """Friday 17:00 to Monday 10:00 is two business hours."""
    assert calendar().minutes_between(london(2026, 3, 6, 17), london(2026, 3, 9, 10)) == 120


def test_minutes_between_backwards_is_negative() -> None:
    assert calendar().minutes_between(london(2026, 3, 2, 11), london(2026, 3, 2, 10)) == -60
