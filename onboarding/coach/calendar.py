"""Calendar facts the coach reasons with: fiscal year-ends and long breaks from work.

A break is counted in days off, not by a holiday's name: consecutive days that are not
working days in the country (weekends, public holidays and the days the government moves
around them), minus the official make-up working days — China's 调休 turns some weekends
into working days, so the Spring Festival break of 2024 is 10–17 February (eight days), not
the nine days a weekend-based count would give. The ``holidays`` library supplies each
country's calendar, including the lunar new year, whose date moves every year, and the
make-up working days it knows (``weekend_workdays``).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from functools import lru_cache

import holidays

#: Rapport's languages as the ``holidays`` library's, most specific first per country.
_HOLIDAY_LANGUAGES = {
    "en": ("en_US",),
    "zh-hans": ("zh_CN",),
    "zh-hant": ("zh_TW", "zh_HK", "zh_MO"),
}


@dataclass(frozen=True)
class DaysOff:
    """Consecutive days without work, at least one of them a public holiday."""

    first_day: datetime.date
    last_day: datetime.date
    holiday_names: tuple[str, ...]

    @property
    def days(self) -> int:
        return (self.last_day - self.first_day).days + 1


def fiscal_year_end(day: datetime.date, start_month: int) -> datetime.date:
    """The last day of the fiscal year ``day`` falls in, for a fiscal year starting on the
    first of ``start_month``."""
    next_start = datetime.date(day.year, start_month, 1)
    if next_start <= day:
        next_start = datetime.date(day.year + 1, start_month, 1)
    return next_start - datetime.timedelta(days=1)


def days_before_fiscal_year_end(day: datetime.date, start_month: int) -> int:
    """How many days ``day`` lies before its fiscal year's last day (0 on the last day)."""
    return (fiscal_year_end(day, start_month) - day).days


def _holiday_language(country: str, language: str, supported: tuple[str, ...]) -> str | None:
    for candidate in _HOLIDAY_LANGUAGES.get(language, ()):
        if candidate in supported:
            return candidate
    return "en_US" if "en_US" in supported else None


@lru_cache(maxsize=64)
def _calendar(country: str, years: tuple[int, ...], language: str) -> holidays.HolidayBase | None:
    """The country's public holidays for ``years`` (``None`` for a country the library does not
    know: only weekends count there)."""
    try:
        plain = holidays.country_holidays(country, years=years)
    except NotImplementedError:
        return None
    name_language = _holiday_language(
        country, language, tuple(getattr(type(plain), "supported_languages", ()))
    )
    if name_language is None:
        return plain
    return holidays.country_holidays(country, years=years, language=name_language)


def days_off(
    country: str, first: datetime.date, last: datetime.date, *, language: str = "en"
) -> list[DaysOff]:
    """Every run of consecutive non-working days between ``first`` and ``last`` that holds a
    public holiday, each extended beyond the range to its real start and end."""
    years = tuple(range(first.year - 1, last.year + 2))
    calendar = _calendar(country.upper(), years, language) if country else None
    english = _calendar(country.upper(), years, "en") if country else None
    if calendar is None or english is None:
        return []

    def off(day: datetime.date) -> bool:
        return not calendar.is_working_day(day)

    runs: list[DaysOff] = []
    day = first
    while day <= last:
        if not off(day):
            day += datetime.timedelta(days=1)
            continue
        start = day
        while off(start - datetime.timedelta(days=1)):
            start -= datetime.timedelta(days=1)
        end = day
        while off(end + datetime.timedelta(days=1)):
            end += datetime.timedelta(days=1)
        names = _holiday_names(calendar, english, start, end)
        if names:
            runs.append(DaysOff(start, end, names))
        day = end + datetime.timedelta(days=1)
    return runs


def _is_substitute(english_name: str) -> bool:
    """A day off moved from elsewhere or observed for a holiday on a weekend: it lengthens a
    break but names no holiday of its own."""
    lowered = english_name.lower()
    return "substituted" in lowered or "observed" in lowered or lowered.startswith("day off")


def _holiday_names(
    calendar: holidays.HolidayBase,
    english: holidays.HolidayBase,
    first: datetime.date,
    last: datetime.date,
) -> tuple[str, ...]:
    """The holidays a break is made of, in the reader's language, without the moved days."""
    names: list[str] = []
    day = first
    while day <= last:
        local, plain = calendar.get_list(day), english.get_list(day)
        pairs = zip(local, plain, strict=False) if len(local) == len(plain) else []
        for name, english_name in pairs:
            if not _is_substitute(english_name) and name not in names:
                names.append(name)
        day += datetime.timedelta(days=1)
    return tuple(names)


def long_break_after(
    country: str,
    day: datetime.date,
    *,
    within_days: int,
    min_days: int,
    language: str = "en",
) -> DaysOff | None:
    """The first break of at least ``min_days`` days off that starts within ``within_days``
    after ``day`` (or is under way on it), if any."""
    horizon = day + datetime.timedelta(days=within_days)
    for run in days_off(country, day, horizon, language=language):
        if run.days >= min_days and run.first_day <= horizon and run.last_day >= day:
            return run
    return None
