"""Each coach rule speaks when its condition holds and stays silent otherwise.

The rules are pure: they take a ``CoachInput`` and return advice or ``None``, so these tests
need no database.
"""

from __future__ import annotations

import datetime
from dataclasses import replace

import pytest

from onboarding.coach import rules
from onboarding.coach.rules import CoachInput, Department, readiness_score, recommendations

D = datetime.date

#: A rollout nothing threatens: sponsor, key users with backups, written process, a goal
#: that is measured, and dates clear of year-ends and long breaks (Germany, May).
CALM = CoachInput(
    today=D(2026, 3, 2),
    country="DE",
    fiscal_year_start_month=1,
    goals=frozenset({"grow_sales"}),
    measured_goals=frozenset({"grow_sales"}),
    sponsor="Ms Li, managing director",
    departments=(Department("Sales", "ada@example.com", "bo@example.com"),),
    process_written=True,
    training_on=D(2026, 5, 18),
    go_live_on=D(2026, 6, 1),
)


def test_a_calm_rollout_gets_no_advice_and_full_marks() -> None:
    assert recommendations(CALM) == []
    assert readiness_score([]) == 100


@pytest.mark.parametrize("rule", rules.RULES, ids=lambda rule: rule.__name__)
def test_every_rule_is_silent_on_a_calm_rollout(rule) -> None:
    assert rule(CALM) is None


@pytest.mark.parametrize("rule", rules.RULES, ids=lambda rule: rule.__name__)
def test_every_rule_states_its_business_reason(rule) -> None:
    assert rule.__doc__
    assert len(rule.__doc__.split()) >= 12


# --- Fiscal year-end ----------------------------------------------------------------------------


def test_go_live_in_the_last_four_weeks_of_the_fiscal_year_is_a_risk() -> None:
    answers = replace(CALM, go_live_on=D(2026, 12, 10), training_on=D(2026, 11, 30))
    advice = rules.go_live_at_fiscal_year_end(answers)
    assert advice is not None
    assert advice.severity == rules.Severity.RISK
    assert "21 days" in advice.reason


def test_go_live_five_weeks_before_the_year_end_is_fine() -> None:
    assert rules.go_live_at_fiscal_year_end(replace(CALM, go_live_on=D(2026, 11, 25))) is None


def test_a_fiscal_year_starting_in_april_ends_in_march() -> None:
    """Hong Kong and Japanese companies often close their books on 31 March: a go-live in
    late March is at their year-end, a go-live in late December is not."""
    april = replace(CALM, fiscal_year_start_month=4)
    assert rules.go_live_at_fiscal_year_end(replace(april, go_live_on=D(2027, 3, 20))) is not None
    assert rules.go_live_at_fiscal_year_end(replace(april, go_live_on=D(2026, 12, 20))) is None
    assert rules.go_live_at_fiscal_year_end(replace(CALM, go_live_on=D(2027, 3, 20))) is None


def test_training_at_the_fiscal_year_end_is_a_warning() -> None:
    answers = replace(CALM, fiscal_year_start_month=7, training_on=D(2026, 6, 20))
    advice = rules.training_at_fiscal_year_end(answers)
    assert advice is not None
    assert advice.severity == rules.Severity.WARNING
    assert rules.training_at_fiscal_year_end(replace(answers, fiscal_year_start_month=1)) is None


# --- Long breaks (lunar new year) ---------------------------------------------------------------


def test_training_before_spring_festival_2025_in_china() -> None:
    """Spring Festival 2025 fell on 29 January: eight days off from 28 January (New Year's
    Eve) to 4 February, with make-up working days on 26 January and 8 February."""
    answers = replace(CALM, country="CN", training_on=D(2025, 1, 20), go_live_on=D(2025, 3, 3))
    advice = rules.training_before_long_break(answers)
    assert advice is not None
    assert "8 days off" in advice.reason
    assert "28 Jan 2025" in advice.reason
    assert "4 Feb 2025" in advice.reason


def test_training_before_spring_festival_2026_in_china() -> None:
    """In 2026 the lunar new year moved to 17 February: the break runs 15 to 23 February
    (nine days), and 14 February, a Saturday, is a working day."""
    answers = replace(CALM, country="CN", training_on=D(2026, 2, 9), go_live_on=D(2026, 3, 16))
    advice = rules.training_before_long_break(answers)
    assert advice is not None
    assert "9 days off" in advice.reason
    assert "15 Feb 2026" in advice.reason
    assert "23 Feb 2026" in advice.reason


def test_the_same_january_date_is_safe_when_the_lunar_new_year_is_late() -> None:
    """20 January was two weeks before Spring Festival in 2025 but four weeks before it in
    2026: the rule follows the lunar calendar, not the month."""
    early = replace(CALM, country="CN", training_on=D(2025, 1, 20), go_live_on=D(2025, 3, 3))
    late = replace(CALM, country="CN", training_on=D(2026, 1, 20), go_live_on=D(2026, 3, 3))
    assert rules.training_before_long_break(early) is not None
    assert rules.training_before_long_break(late) is None


def test_taiwan_counts_its_own_break() -> None:
    answers = replace(CALM, country="TW", training_on=D(2025, 1, 20), go_live_on=D(2025, 3, 3))
    advice = rules.training_before_long_break(answers)
    assert advice is not None
    assert "9 days off" in advice.reason


def test_a_short_lunar_new_year_does_not_count_as_a_long_break() -> None:
    """Hong Kong's 2026 lunar new year is three public holidays, Tuesday to Thursday: work
    goes on around it, so training the week before is fine."""
    answers = replace(CALM, country="HK", training_on=D(2026, 2, 9), go_live_on=D(2026, 3, 16))
    assert rules.training_before_long_break(answers) is None


def test_a_break_more_than_two_weeks_after_training_is_fine() -> None:
    answers = replace(CALM, country="CN", training_on=D(2025, 1, 10), go_live_on=D(2025, 3, 3))
    assert rules.training_before_long_break(answers) is None


def test_holiday_names_follow_the_readers_language() -> None:
    answers = replace(
        CALM, country="CN", language="zh-hans", training_on=D(2025, 1, 20), go_live_on=None
    )
    advice = rules.training_before_long_break(answers)
    assert advice is not None
    assert "春节" in advice.reason


def test_go_live_before_golden_week_is_a_warning() -> None:
    answers = replace(CALM, country="CN", training_on=D(2026, 9, 14), go_live_on=D(2026, 9, 28))
    advice = rules.go_live_before_long_break(answers)
    assert advice is not None
    assert "7 days off" in advice.reason
    assert rules.go_live_before_long_break(replace(answers, go_live_on=D(2026, 10, 19))) is None


def test_a_country_without_a_calendar_has_no_long_breaks() -> None:
    answers = replace(CALM, country="AQ", training_on=D(2025, 1, 20))
    assert rules.training_before_long_break(answers) is None


# --- The company and its people -----------------------------------------------------------------


@pytest.mark.parametrize("change", [{"rapid_expansion": True}, {"newly_founded": True}])
def test_fast_growth_or_a_new_company_suggests_starting_small(change) -> None:
    advice = rules.growing_fast_or_new(replace(CALM, **change))
    assert advice is not None
    assert "one pipeline" in advice.action


def test_no_sponsor_is_a_risk() -> None:
    advice = rules.no_sponsor(replace(CALM, sponsor="  "))
    assert advice is not None
    assert advice.severity == rules.Severity.RISK


def test_no_key_users_is_a_risk() -> None:
    assert rules.no_key_users(replace(CALM, departments=())) is not None


def test_a_department_with_one_key_user_and_no_backup_is_named() -> None:
    answers = replace(
        CALM,
        departments=(
            Department("Sales", "ada@example.com", "bo@example.com"),
            Department("Service", "cy@example.com"),
        ),
    )
    advice = rules.department_without_backup(answers)
    assert advice is not None
    assert "Service" in advice.reason
    assert "Sales" not in advice.reason


def test_a_key_users_turnover_peak_inside_the_rollout_is_a_warning() -> None:
    """Training in February and go-live in March: a department losing people in March puts
    its key user at risk; one losing them in September does not."""
    march = Department("Sales", "ada@example.com", "bo@example.com", turnover_peak_month=3)
    september = Department("Service", "cy@example.com", "di@example.com", turnover_peak_month=9)
    answers = replace(
        CALM, training_on=D(2026, 2, 23), go_live_on=D(2026, 3, 9), departments=(march, september)
    )
    advice = rules.key_user_turnover_in_rollout(answers)
    assert advice is not None
    assert "Sales" in advice.reason
    assert "Service" not in advice.reason
    assert "March" in advice.reason
    calm = replace(answers, departments=(september,))
    assert rules.key_user_turnover_in_rollout(calm) is None


def test_the_company_turnover_month_applies_to_departments_without_their_own() -> None:
    answers = replace(
        CALM, turnover_peak_month=6, training_on=D(2026, 5, 18), go_live_on=D(2026, 6, 1)
    )
    assert rules.key_user_turnover_in_rollout(answers) is not None


# --- Process, goals and dates -------------------------------------------------------------------


@pytest.mark.parametrize("written", [False, None])
def test_an_unwritten_process_means_defining_stages_before_importing(written) -> None:
    advice = rules.process_not_written(replace(CALM, process_written=written))
    assert advice is not None
    assert "before importing" in advice.action


def test_no_goal_is_a_warning() -> None:
    assert rules.no_goals(replace(CALM, goals=frozenset())) is not None


def test_goals_nothing_measures_are_named_with_what_to_set_up() -> None:
    answers = replace(
        CALM,
        goals=frozenset({"grow_sales", "keep_customers"}),
        measured_goals=frozenset({"grow_sales"}),
    )
    advice = rules.goals_not_measured(answers)
    assert advice is not None
    assert "Keep our customers" in advice.reason
    assert "Grow sales" not in advice.reason
    assert "follow-up" in advice.action


def test_training_after_go_live_is_a_warning() -> None:
    answers = replace(CALM, training_on=D(2026, 6, 8), go_live_on=D(2026, 6, 1))
    assert rules.training_after_go_live(answers) is not None


def test_no_go_live_date_is_a_tip() -> None:
    advice = rules.no_go_live_date(replace(CALM, go_live_on=None))
    assert advice is not None
    assert advice.severity == rules.Severity.TIP


# --- Score and order ----------------------------------------------------------------------------


def test_risks_come_first_and_each_costs_its_points() -> None:
    answers = replace(CALM, sponsor="", go_live_on=None, rapid_expansion=True)
    advice = recommendations(answers)
    assert [item.rule for item in advice] == [
        "no_sponsor",
        "growing_fast_or_new",
        "no_go_live_date",
    ]
    assert readiness_score(advice) == 100 - 20 - 10 - 5


def test_the_score_never_goes_below_zero() -> None:
    blank = CoachInput(
        today=D(2026, 1, 5),
        rapid_expansion=True,
        training_on=D(2026, 12, 20),
        go_live_on=D(2026, 12, 22),
    )
    advice = recommendations(blank)
    assert sum(item.points for item in advice) > 100
    assert readiness_score(advice) == 0
