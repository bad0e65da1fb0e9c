"""The coach's calendar (days off, fiscal year-ends) and the plan's phases."""

from __future__ import annotations

import datetime
import itertools

from onboarding.coach.calendar import days_off, fiscal_year_end, long_break_after
from onboarding.coach.plan import PhaseFacts, PhaseStatus, plan_dates, plan_phases

D = datetime.date
NOTHING_DONE = PhaseFacts(False, False, False, False, False, False)


def test_a_break_counts_days_off_and_stops_at_a_make_up_working_day() -> None:
    """Spring Festival 2024: 10–17 February off; Sunday the 18th was a working day, so the
    break is eight days, not the nine a weekend count gives."""
    [run] = [r for r in days_off("CN", D(2024, 2, 1), D(2024, 2, 28)) if r.days >= 5]
    assert (run.first_day, run.last_day, run.days) == (D(2024, 2, 10), D(2024, 2, 17), 8)


def test_weekends_bridging_a_holiday_count_as_days_off() -> None:
    """Taiwan 2025: Saturday 25 January to Sunday 2 February, nine days."""
    run = long_break_after("TW", D(2025, 1, 20), within_days=14, min_days=5)
    assert run is not None
    assert (run.first_day, run.days) == (D(2025, 1, 25), 9)


def test_a_plain_weekend_is_no_break() -> None:
    assert days_off("DE", D(2026, 3, 2), D(2026, 3, 15)) == []


def test_fiscal_year_end() -> None:
    assert fiscal_year_end(D(2026, 3, 20), 4) == D(2026, 3, 31)
    assert fiscal_year_end(D(2026, 4, 1), 4) == D(2027, 3, 31)
    assert fiscal_year_end(D(2026, 3, 20), 1) == D(2026, 12, 31)


def test_plan_dates_suggest_a_go_live_when_none_is_chosen() -> None:
    dates = plan_dates(started_on=D(2026, 3, 2), training_on=None, go_live_on=None)
    assert dates.suggested
    assert dates.go_live_on == D(2026, 4, 27)
    assert dates.training_on == D(2026, 4, 20)


def test_phases_run_in_order_before_training_then_rollout_and_support() -> None:
    dates = plan_dates(
        started_on=D(2026, 3, 2), training_on=D(2026, 4, 1), go_live_on=D(2026, 4, 15)
    )
    phases = plan_phases(
        dates=dates,
        facts=NOTHING_DONE,
        today=D(2026, 3, 2),
        sponsor="Li",
        admin="Ada",
        key_users="Bo",
    )
    assert [p.key for p in phases] == [
        "analysis", "configuration", "data", "pilot", "rollout", "support"
    ]  # fmt: skip
    for before, after in itertools.pairwise(phases[:5]):
        assert before.last_day is not None
        assert after.first_day == before.last_day + datetime.timedelta(days=1)
    assert phases[3].last_day == D(2026, 3, 31)
    assert (phases[4].first_day, phases[4].last_day) == (D(2026, 4, 1), D(2026, 4, 15))
    assert (phases[5].first_day, phases[5].last_day) == (D(2026, 4, 15), None)
    assert [p.owner for p in phases] == ["Li", "Ada", "Ada", "Bo", "Bo", "Bo"]


def test_phase_status_follows_the_data_and_the_calendar() -> None:
    dates = plan_dates(
        started_on=D(2026, 3, 2), training_on=D(2026, 4, 1), go_live_on=D(2026, 4, 15)
    )
    facts = PhaseFacts(
        readiness_answered=True,
        pipeline_configured=False,
        records_exist=True,
        key_users_active=False,
        everyone_active=False,
        baseline_recorded=False,
    )
    phases = {
        p.key: p
        for p in plan_phases(
            dates=dates, facts=facts, today=D(2026, 3, 25), sponsor="", admin="Ada", key_users=""
        )
    }
    assert phases["analysis"].status == PhaseStatus.DONE
    assert phases["configuration"].status == PhaseStatus.LATE
    assert phases["data"].status == PhaseStatus.DONE
    assert phases["pilot"].status == PhaseStatus.UNDER_WAY
    assert phases["rollout"].status == PhaseStatus.UPCOMING
    assert phases["analysis"].owner == "Ada"
