"""The implementation plan: six phases with dates, owners and a status read from data.

Phases follow the order that works for SMEs: analyse (goals, sponsor, process), configure,
convert the data, pilot with the key users (who then train the others), roll out with
training, and support people after go-live. The dates divide the time from the plan's start
to training; each phase's status comes from the workspace's data, never from a box ticked.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

#: Weeks from the plan's start to go-live when no date is chosen (a suggestion, said so).
DEFAULT_WEEKS_TO_GO_LIVE = 8
#: Share of the time before training each preparing phase takes.
PREPARATION_SHARES = (
    ("analysis", 0.2),
    ("configuration", 0.25),
    ("data", 0.2),
    ("pilot", 0.35),
)


class PhaseStatus:
    DONE = "done"
    UNDER_WAY = "under_way"
    LATE = "late"
    UPCOMING = "upcoming"


PHASE_STATUS_LABELS: dict[str, Promise] = {
    PhaseStatus.DONE: _("Done"),
    PhaseStatus.UNDER_WAY: _("Under way"),
    PhaseStatus.LATE: _("Late"),
    PhaseStatus.UPCOMING: pgettext_lazy("plan phase", "Upcoming"),
}
PHASE_NAMES: dict[str, Promise] = {
    "analysis": _("Analysis"),
    "configuration": _("Configuration"),
    "data": _("Data conversion"),
    "pilot": _("Pilot with the key users"),
    "rollout": _("Rollout and training"),
    "support": _("Continuous support"),
}
PHASE_WORK: dict[str, Promise] = {
    "analysis": _("Agree the goals, name the sponsor and key users, write the sales process down."),
    "configuration": _("Set up the pipeline and its stages, fields and users in Rapport."),
    "data": _("Bring in customers, contacts and open deals; check them with the key users."),
    "pilot": _(
        "The key users work in Rapport for real and fix what does not fit before the others start."
    ),
    "rollout": _("The key users train their colleagues; everyone switches on go-live day."),
    "support": _(
        "Key users answer questions; compare the figures with the baseline recorded at go-live."
    ),
}


@dataclass(frozen=True)
class PhaseFacts:
    """What the workspace's data says about the rollout (each fact completes one phase)."""

    readiness_answered: bool
    pipeline_configured: bool
    records_exist: bool
    key_users_active: bool
    everyone_active: bool
    baseline_recorded: bool


@dataclass(frozen=True)
class Phase:
    key: str
    first_day: datetime.date
    last_day: datetime.date | None
    owner: str
    status: str

    @property
    def name(self) -> Promise:
        return PHASE_NAMES[self.key]

    @property
    def work(self) -> Promise:
        return PHASE_WORK[self.key]

    @property
    def status_label(self) -> Promise:
        return PHASE_STATUS_LABELS[self.status]


@dataclass(frozen=True)
class PlanDates:
    started_on: datetime.date
    training_on: datetime.date
    go_live_on: datetime.date
    #: Whether go-live (and so training) is Rapport's suggestion rather than the admin's date.
    suggested: bool


def plan_dates(
    *,
    started_on: datetime.date,
    training_on: datetime.date | None,
    go_live_on: datetime.date | None,
) -> PlanDates:
    """The plan's anchor dates: the admin's, or suggestions when they chose none."""
    suggested = go_live_on is None
    go_live = go_live_on or started_on + datetime.timedelta(weeks=DEFAULT_WEEKS_TO_GO_LIVE)
    training = training_on or go_live - datetime.timedelta(days=7)
    training = max(min(training, go_live), started_on)
    return PlanDates(started_on, training, go_live, suggested)


def _status(
    done: bool, first: datetime.date, last: datetime.date | None, today: datetime.date
) -> str:
    if done:
        return PhaseStatus.DONE
    if last is not None and today > last:
        return PhaseStatus.LATE
    if today >= first:
        return PhaseStatus.UNDER_WAY
    return PhaseStatus.UPCOMING


def plan_phases(
    *,
    dates: PlanDates,
    facts: PhaseFacts,
    today: datetime.date,
    sponsor: str,
    admin: str,
    key_users: str,
) -> list[Phase]:
    """The six phases with their dates, owners and status on ``today``."""
    span = max((dates.training_on - dates.started_on).days, len(PREPARATION_SHARES))
    done = {
        "analysis": facts.readiness_answered,
        "configuration": facts.pipeline_configured,
        "data": facts.records_exist,
        "pilot": facts.key_users_active,
        "rollout": facts.everyone_active and today >= dates.go_live_on,
        "support": False,
    }
    owners = {
        "analysis": sponsor or admin,
        "configuration": admin,
        "data": admin,
        "pilot": key_users or admin,
        "rollout": key_users or admin,
        "support": key_users or admin,
    }
    phases: list[Phase] = []
    first = dates.started_on
    elapsed = 0.0
    for key, share in PREPARATION_SHARES:
        elapsed += share
        last = dates.started_on + datetime.timedelta(days=round(span * elapsed) - 1)
        last = max(min(last, dates.training_on - datetime.timedelta(days=1)), first)
        phases.append(Phase(key, first, last, owners[key], _status(done[key], first, last, today)))
        first = last + datetime.timedelta(days=1)
    rollout_last = max(dates.go_live_on, dates.training_on)
    phases.append(
        Phase(
            "rollout",
            dates.training_on,
            rollout_last,
            owners["rollout"],
            _status(done["rollout"], dates.training_on, rollout_last, today),
        )
    )
    support_status = PhaseStatus.UNDER_WAY if today >= dates.go_live_on else PhaseStatus.UPCOMING
    phases.append(Phase("support", dates.go_live_on, None, owners["support"], support_status))
    return phases
