"""The implementation coach's rules: small, pure functions from answers to advice.

Each rule reads a :class:`CoachInput` (the readiness answers, the company profile and what
the workspace's data shows) and returns one :class:`Recommendation` or ``None``. Rules know
nothing of requests or the database, so each is tested by its condition alone. Their
docstrings give the business reason: CRM rollouts fail on people and process, not software —
strategy, then people, then process, then technology — and on timing.

The readiness score starts at 100 and loses each triggered rule's points.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from django.utils.dates import MONTHS
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from onboarding.coach.calendar import days_before_fiscal_year_end, fiscal_year_end, long_break_after
from onboarding.models import Goal

#: The last weeks of a fiscal year belong to closing the books and the year's final sales.
FISCAL_YEAR_END_WEEKS = 4
#: Training followed this soon by a long break is largely forgotten by the time work resumes.
TRAINING_MEMORY_DAYS = 14
#: A break of this many consecutive days off or more counts as long.
LONG_BREAK_DAYS = 5
#: After go-live, a rollout needs about a month of support before habits hold.
SETTLING_IN_DAYS = 30
#: Without a training date, people are assumed to be trained in the weeks before go-live.
DEFAULT_TRAINING_LEAD_DAYS = 28


class Severity:
    """How much a finding threatens the rollout (and the points it costs)."""

    RISK = "risk"
    WARNING = "warning"
    TIP = "tip"


POINTS = {Severity.RISK: 20, Severity.WARNING: 10, Severity.TIP: 5}
SEVERITY_LABELS = {
    Severity.RISK: gettext_lazy("Risk"),
    Severity.WARNING: gettext_lazy("Warning"),
    Severity.TIP: gettext_lazy("Tip"),
}


@dataclass(frozen=True)
class Department:
    """A department's key user and backup, as the readiness step records them."""

    name: str
    key_user: str
    backup: str = ""
    turnover_peak_month: int | None = None


@dataclass(frozen=True)
class CoachInput:
    """Everything the rules read. ``measured_goals`` are the goals the workspace's data can
    already show progress on; ``process_written`` is true when the answer says so or every
    open stage carries its entry criteria."""

    today: datetime.date
    country: str = ""
    language: str = "en"
    fiscal_year_start_month: int = 1
    goals: frozenset[str] = frozenset()
    measured_goals: frozenset[str] = frozenset()
    sponsor: str = ""
    departments: tuple[Department, ...] = ()
    process_written: bool | None = None
    rapid_expansion: bool = False
    newly_founded: bool = False
    turnover_peak_month: int | None = None
    training_on: datetime.date | None = None
    go_live_on: datetime.date | None = None

    @property
    def rollout_first_day(self) -> datetime.date | None:
        """The day people start learning: training, else four weeks before go-live."""
        if self.training_on is not None:
            return self.training_on
        if self.go_live_on is not None:
            return self.go_live_on - datetime.timedelta(days=DEFAULT_TRAINING_LEAD_DAYS)
        return None

    @property
    def rollout_last_day(self) -> datetime.date | None:
        """The end of the month of support after go-live."""
        if self.go_live_on is None:
            return None
        return self.go_live_on + datetime.timedelta(days=SETTLING_IN_DAYS)


@dataclass(frozen=True)
class Recommendation:
    """One piece of advice: what the coach saw, why it matters, and what to do."""

    rule: str
    severity: str
    title: str
    reason: str
    action: str
    points: int = field(default=0)

    def __post_init__(self) -> None:
        if not self.points:
            object.__setattr__(self, "points", POINTS[self.severity])

    @property
    def severity_label(self) -> str:
        return str(SEVERITY_LABELS[self.severity])


Rule = Callable[[CoachInput], Recommendation | None]


def _date(day: datetime.date) -> str:
    return date_format(day, "DATE_FORMAT")


def _month(number: int) -> str:
    return str(MONTHS[number])


def _months_between(first: datetime.date, last: datetime.date) -> Iterator[int]:
    year, month = first.year, first.month
    while (year, month) <= (last.year, last.month):
        yield month
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def _fiscal_year_end_crunch(
    day: datetime.date | None, start_month: int
) -> tuple[int, datetime.date] | None:
    """Days before the fiscal year-end and the year-end, when ``day`` is in its last weeks."""
    if day is None:
        return None
    days = days_before_fiscal_year_end(day, start_month)
    if days >= FISCAL_YEAR_END_WEEKS * 7:
        return None
    return days, fiscal_year_end(day, start_month)


# --- Timing -------------------------------------------------------------------------------------


def go_live_at_fiscal_year_end(answers: CoachInput) -> Recommendation | None:
    """Going live in the last four weeks of the fiscal year competes with closing the books and
    the push for the year's last sales: nobody has time to learn a new way of working, and the
    year's figures end up split between the old tools and the new one."""
    crunch = _fiscal_year_end_crunch(answers.go_live_on, answers.fiscal_year_start_month)
    if crunch is None or answers.go_live_on is None:
        return None
    days, year_end = crunch
    return Recommendation(
        rule="go_live_at_fiscal_year_end",
        severity=Severity.RISK,
        title=_("Go-live falls in the last weeks of your fiscal year"),
        reason=ngettext(
            "Go-live on %(date)s is %(days)d day before your fiscal year ends (%(end)s), when "
            "everyone is closing the books and chasing the year's last sales.",
            "Go-live on %(date)s is %(days)d days before your fiscal year ends (%(end)s), when "
            "everyone is closing the books and chasing the year's last sales.",
            days,
        )
        % {"date": _date(answers.go_live_on), "days": days, "end": _date(year_end)},
        action=_(
            "Go live at the start of the new fiscal year instead, so the new year's figures are "
            "all in Rapport."
        ),
    )


def training_at_fiscal_year_end(answers: CoachInput) -> Recommendation | None:
    """Training in the last four weeks of the fiscal year reaches people who are busy closing
    the year: they skip it or forget it, and the key users cannot give it their attention."""
    crunch = _fiscal_year_end_crunch(answers.training_on, answers.fiscal_year_start_month)
    if crunch is None or answers.training_on is None:
        return None
    days, year_end = crunch
    return Recommendation(
        rule="training_at_fiscal_year_end",
        severity=Severity.WARNING,
        title=_("Training falls in the last weeks of your fiscal year"),
        reason=ngettext(
            "Training on %(date)s is %(days)d day before your fiscal year ends (%(end)s); "
            "people will be busy closing the year.",
            "Training on %(date)s is %(days)d days before your fiscal year ends (%(end)s); "
            "people will be busy closing the year.",
            days,
        )
        % {"date": _date(answers.training_on), "days": days, "end": _date(year_end)},
        action=_("Train earlier, or in the first weeks of the new fiscal year."),
    )


def training_before_long_break(answers: CoachInput) -> Recommendation | None:
    """Training followed within two weeks by a long public holiday break is forgotten over the
    break: after ten days of Spring Festival people come back to the old habits, not to the new
    system. The break is counted in days off (weekends and moved working days included), so a
    three-day holiday that becomes a nine-day break is caught, and a holiday that does not
    stop work for long is not."""
    if answers.training_on is None or not answers.country:
        return None
    run = long_break_after(
        answers.country,
        answers.training_on,
        within_days=TRAINING_MEMORY_DAYS,
        min_days=LONG_BREAK_DAYS,
        language=answers.language,
    )
    if run is None:
        return None
    return Recommendation(
        rule="training_before_long_break",
        severity=Severity.RISK,
        title=_("Training is followed by a long holiday"),
        reason=_(
            "Training on %(date)s is followed by %(days)d days off (%(holidays)s, %(first)s to "
            "%(last)s). Much of what people learn is forgotten over a break that long."
        )
        % {
            "date": _date(answers.training_on),
            "days": run.days,
            "holidays": _(", ").join(run.holiday_names),
            "first": _date(run.first_day),
            "last": _date(run.last_day),
        },
        action=_(
            "Move the training to the weeks after the break, or plan a short refresher on the "
            "first working day after it."
        ),
    )


def go_live_before_long_break(answers: CoachInput) -> Recommendation | None:
    """Going live just before a long public holiday break leaves the first weeks, when new
    habits form and questions come up, without the people to answer them."""
    if answers.go_live_on is None or not answers.country:
        return None
    run = long_break_after(
        answers.country,
        answers.go_live_on,
        within_days=TRAINING_MEMORY_DAYS,
        min_days=LONG_BREAK_DAYS,
        language=answers.language,
    )
    if run is None:
        return None
    return Recommendation(
        rule="go_live_before_long_break",
        severity=Severity.WARNING,
        title=_("Go-live is followed by a long holiday"),
        reason=_(
            "Go-live on %(date)s is followed by %(days)d days off (%(holidays)s, %(first)s to "
            "%(last)s), just when people need help with the new way of working."
        )
        % {
            "date": _date(answers.go_live_on),
            "days": run.days,
            "holidays": _(", ").join(run.holiday_names),
            "first": _date(run.first_day),
            "last": _date(run.last_day),
        },
        action=_("Go live after the break, when everyone is back and the key users can help."),
    )


def training_after_go_live(answers: CoachInput) -> Recommendation | None:
    """People who start using a CRM before they are trained enter data their own way, and
    cleaning it up later costs more than the training would have."""
    if answers.training_on is None or answers.go_live_on is None:
        return None
    if answers.training_on <= answers.go_live_on:
        return None
    return Recommendation(
        rule="training_after_go_live",
        severity=Severity.WARNING,
        title=_("Training is planned after go-live"),
        reason=_("Training on %(training)s comes after go-live on %(go_live)s.")
        % {"training": _date(answers.training_on), "go_live": _date(answers.go_live_on)},
        action=_("Train everyone before go-live; the key users first, in the pilot."),
    )


def no_go_live_date(answers: CoachInput) -> Recommendation | None:
    """A rollout without a date drifts: the old spreadsheets stay in use beside the CRM and
    nobody switches for good."""
    if answers.go_live_on is not None:
        return None
    return Recommendation(
        rule="no_go_live_date",
        severity=Severity.TIP,
        title=_("No go-live date yet"),
        reason=_("Without a date, the old tools stay in use beside the new one."),
        action=_(
            "Choose the day everyone switches to Rapport, and a training date before it, so "
            "the coach can check the timing."
        ),
    )


# --- The company --------------------------------------------------------------------------------


def growing_fast_or_new(answers: CoachInput) -> Recommendation | None:
    """A company that is growing fast or was just founded changes its teams and its process
    every month; a CRM configured for last month's organisation is out of date at go-live."""
    if not (answers.rapid_expansion or answers.newly_founded):
        return None
    return Recommendation(
        rule="growing_fast_or_new",
        severity=Severity.WARNING,
        title=_("Your company is changing fast"),
        reason=_(
            "While a company grows quickly or is brand new, its teams and its sales process "
            "change faster than a CRM configuration can follow."
        ),
        action=_(
            "Start small: one pipeline with few stages and one team. Add the rest once the "
            "organisation settles, or delay the rollout until then."
        ),
    )


# --- People -------------------------------------------------------------------------------------


def no_sponsor(answers: CoachInput) -> Recommendation | None:
    """Without an executive sponsor nobody with authority decides when people disagree, insists
    that the old spreadsheets stop, or protects the time the rollout needs."""
    if answers.sponsor.strip():
        return None
    return Recommendation(
        rule="no_sponsor",
        severity=Severity.RISK,
        title=_("Nobody sponsors the rollout"),
        reason=_(
            "A rollout needs someone with authority who decides, insists that everyone uses "
            "the CRM, and protects the time it takes."
        ),
        action=_("Name an executive sponsor, usually the owner or a director, before you start."),
    )


def no_key_users(answers: CoachInput) -> Recommendation | None:
    """Without a key user per department, nobody close to the daily work learns the CRM first
    and answers colleagues' questions; everything lands on the admin, who has no time."""
    if any(department.key_user for department in answers.departments):
        return None
    return Recommendation(
        rule="no_key_users",
        severity=Severity.RISK,
        title=_("No key users yet"),
        reason=_(
            "Key users learn Rapport first, try it in a pilot and then train their colleagues. "
            "Without them every question lands on you."
        ),
        action=_("Name a key user in each department that will use Rapport, and a backup."),
    )


def department_without_backup(answers: CoachInput) -> Recommendation | None:
    """Key users leave. A department whose only key user leaves loses everything they knew and
    the person who trained newcomers; a backup keeps the knowledge in the company."""
    alone = [d.name for d in answers.departments if d.key_user and not d.backup]
    if not alone:
        return None
    return Recommendation(
        rule="department_without_backup",
        severity=Severity.WARNING,
        title=_("A key user without a backup"),
        reason=_(
            "%(departments)s rely on one key user. When that person leaves, the knowledge "
            "leaves with them."
        )
        % {"departments": _(", ").join(alone)},
        action=_(
            "Name a backup for each key user and include the backup in the pilot and training."
        ),
    )


def key_user_turnover_in_rollout(answers: CoachInput) -> Recommendation | None:
    """Staff turnover peaks in predictable months (after year-end bonuses, after Spring
    Festival). A key user who leaves during the rollout takes the pilot's lessons with them and
    leaves colleagues without a trainer."""
    first, last = answers.rollout_first_day, answers.rollout_last_day
    if first is None or last is None or first > last:
        return None
    months = set(_months_between(first, last))
    affected = [
        department
        for department in answers.departments
        if department.key_user
        and (department.turnover_peak_month or answers.turnover_peak_month) in months
    ]
    if not affected:
        return None
    peaks = {d.turnover_peak_month or answers.turnover_peak_month or 1 for d in affected}
    return Recommendation(
        rule="key_user_turnover_in_rollout",
        severity=Severity.WARNING,
        title=_("Staff turnover peaks during the rollout"),
        reason=_(
            "In %(departments)s staff turnover peaks in %(months)s, while the rollout runs "
            "from %(first)s to %(last)s. A key user who leaves then takes the pilot with them."
        )
        % {
            "departments": _(", ").join(d.name for d in affected),
            "months": _(", ").join(_month(month) for month in sorted(peaks)),
            "first": _date(first),
            "last": _date(last),
        },
        action=_(
            "Make sure those key users' backups take part in the pilot, or move the rollout "
            "out of the turnover season."
        ),
    )


# --- Process and goals --------------------------------------------------------------------------


def process_not_written(answers: CoachInput) -> Recommendation | None:
    """Software configured before the sales process is agreed copies everyone's private habits;
    records imported into undefined stages have to be sorted again by hand."""
    if answers.process_written:
        return None
    return Recommendation(
        rule="process_not_written",
        severity=Severity.RISK,
        title=_("The sales process is not written down"),
        reason=_(
            "Without an agreed process, each person moves deals by their own rules and the "
            "pipeline's figures mean nothing."
        ),
        action=_(
            "Define your stages before importing: write down, for each stage, what must be true "
            "for a deal to enter it (the sales process step does this with you)."
        ),
    )


def no_goals(answers: CoachInput) -> Recommendation | None:
    """Strategy comes first: a CRM introduced without a goal is judged on how it feels, and
    people stop using it at the first inconvenience."""
    if answers.goals:
        return None
    return Recommendation(
        rule="no_goals",
        severity=Severity.WARNING,
        title=_("No goal chosen"),
        reason=_("Without a goal nobody can tell whether the CRM is worth the effort."),
        action=_("Choose what Rapport should achieve for you, and tell the team."),
    )


#: How the workspace can show progress on each goal (what to set up when nothing does).
GOAL_MEASURES = {
    Goal.KEEP_CUSTOMERS: gettext_lazy(
        "Keep our customers: schedule follow-up activities with your existing customers."
    ),
    Goal.GROW_SALES: gettext_lazy("Grow sales: record deals with their amounts on the board."),
    Goal.BETTER_SERVICE: gettext_lazy(
        "Serve customers better: log calls, meetings and e-mails as done."
    ),
    Goal.KNOW_BUSINESS: gettext_lazy(
        "Know how the business is doing: give deals an expected close date."
    ),
}


def goals_not_measured(answers: CoachInput) -> Recommendation | None:
    """A goal that nothing in the workspace measures cannot be shown to be met; after a few
    months the CRM looks like cost without return."""
    unmeasured = [goal for goal in Goal.values if goal in answers.goals]
    unmeasured = [goal for goal in unmeasured if goal not in answers.measured_goals]
    if not unmeasured:
        return None
    return Recommendation(
        rule="goals_not_measured",
        severity=Severity.TIP,
        title=_("Some goals are not measured yet"),
        reason=_("Nothing in the workspace shows progress on: %(goals)s.")
        % {"goals": _(", ").join(str(Goal(goal).label) for goal in unmeasured)},
        action=" ".join(str(GOAL_MEASURES[Goal(goal)]) for goal in unmeasured),
    )


#: Every rule, in the order the coach shows its advice within a severity.
RULES: tuple[Rule, ...] = (
    no_sponsor,
    no_key_users,
    process_not_written,
    go_live_at_fiscal_year_end,
    training_before_long_break,
    growing_fast_or_new,
    department_without_backup,
    key_user_turnover_in_rollout,
    training_at_fiscal_year_end,
    go_live_before_long_break,
    training_after_go_live,
    no_goals,
    goals_not_measured,
    no_go_live_date,
)

_SEVERITY_ORDER = {Severity.RISK: 0, Severity.WARNING: 1, Severity.TIP: 2}


def recommendations(answers: CoachInput) -> list[Recommendation]:
    """The advice of every rule that applies, the gravest first."""
    found = [advice for rule in RULES if (advice := rule(answers)) is not None]
    return sorted(found, key=lambda advice: _SEVERITY_ORDER[advice.severity])


def readiness_score(advice: list[Recommendation]) -> int:
    """100 for a rollout nothing threatens, less each triggered rule's points (at least 0)."""
    return max(0, 100 - sum(item.points for item in advice))
