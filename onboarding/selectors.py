"""Reads of the guided start: each step's status, first steps, the coach's inputs, adoption.

Statuses come from the workspace's data wherever it can tell (a pipeline configured,
records, teammates, a first deal): a step done outside the wizard is done in it too. Sample
records never count as the customer's own.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Avg, Count, Exists, F, Min, OuterRef, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise

from crm.models import (
    Activity,
    ActivityKind,
    AuditAction,
    AuditEntry,
    Company,
    Contact,
    Deal,
    Lead,
    ObjectType,
    Pipeline,
    Stage,
    StageKind,
)
from onboarding.coach.plan import PhaseFacts
from onboarding.coach.rules import CoachInput, Department
from onboarding.models import (
    Goal,
    GoLiveBaseline,
    GuidedStart,
    KeyUser,
    SampleRecord,
    Step,
    UserStart,
)
from tenants.models import Tenant
from tenants.users.models import Invitation, Role, User

#: The record types the CRM's own data is made of, with their models.
RECORD_MODELS: dict[str, Any] = {
    ObjectType.COMPANY: Company,
    ObjectType.CONTACT: Contact,
    ObjectType.LEAD: Lead,
    ObjectType.DEAL: Deal,
    ObjectType.ACTIVITY: Activity,
}
#: Days before go-live whose sales figures make the baseline.
BASELINE_DAYS = 90
#: Adoption counts records created and updated over this many days.
ADOPTION_DAYS = 30

STEP_ORDER: tuple[Step, ...] = tuple(Step)
STEP_URLS = {
    Step.PROFILE: "guided_profile",
    Step.READINESS: "guided_readiness",
    Step.PROCESS: "guided_process",
    Step.DATA: "guided_data",
    Step.TEAM: "guided_team",
    Step.FIRST_STEPS: "guided_first_steps",
}


def guided_start() -> GuidedStart | None:
    """The workspace's guided start, if it has one (workspaces signed up for have)."""
    return GuidedStart.objects.filter(pk=1).first()


def guided_start_or_new() -> GuidedStart:
    """The guided start, or an unsaved blank one to show (saved by the first answer)."""
    return guided_start() or GuidedStart(pk=1)


# --- Sample records ------------------------------------------------------------------------------


def sample_ids(*, including_removed: bool = False) -> dict[str, set[int]]:
    """The ids of sample records per record type."""
    rows = SampleRecord.objects.all()
    if not including_removed:
        rows = rows.filter(removed_at__isnull=True)
    ids: dict[str, set[int]] = defaultdict(set)
    for object_type, object_id in rows.values_list("object_type", "object_id"):
        ids[object_type].add(int(object_id))
    return ids


def sample_data_loaded() -> bool:
    return SampleRecord.objects.filter(removed_at__isnull=True).exists()


def real(object_type: str, queryset: QuerySet[Any], samples: dict[str, set[int]]) -> QuerySet[Any]:
    """``queryset`` without the sample records of ``object_type``."""
    ids = samples.get(object_type)
    return queryset.exclude(pk__in=ids) if ids else queryset


def _not_sample_entries(samples: dict[str, set[int]]) -> Q:
    """Audit entries that are not about a sample record."""
    condition = Q()
    for object_type, ids in samples.items():
        condition &= ~Q(object_type=object_type, object_id__in=ids)
    return condition


# --- Facts the steps and phases read -------------------------------------------------------------


def real_records_exist(samples: dict[str, set[int]] | None = None) -> bool:
    """Whether the workspace holds any record of the customer's own (not a sample)."""
    samples = sample_ids() if samples is None else samples
    return any(
        real(object_type, RECORD_MODELS[object_type].objects.all(), samples).exists()
        for object_type in (
            ObjectType.COMPANY,
            ObjectType.CONTACT,
            ObjectType.LEAD,
            ObjectType.DEAL,
        )
    )


def pipeline_configured() -> bool:
    """Whether an admin has shaped the sales process: changed a pipeline or a stage, or
    written a stage's entry criteria (the default pipeline as shipped does not count)."""
    changed = AuditEntry.objects.filter(object_type__in=[ObjectType.PIPELINE, ObjectType.STAGE])
    return changed.exists() or Stage.objects.exclude(guidance="").exists()


def process_written_in_workspace() -> bool:
    """Every open stage of the main pipeline says what must be true to enter it."""
    pipeline = Pipeline.objects.order_by("position", "id").first()
    if pipeline is None:
        return False
    open_stages = pipeline.stages.filter(kind=StageKind.OPEN)
    return open_stages.exists() and not open_stages.filter(guidance="").exists()


def team_invited() -> bool:
    """Someone besides the first admin was invited or has an account."""
    return (
        Invitation.objects.filter(revoked_at__isnull=True).exists()
        or User.objects.filter(is_active=True).count() > 1
    )


def key_user_emails() -> set[str]:
    """Addresses named as key users or backups (lower case)."""
    emails: set[str] = set()
    for email, backup in KeyUser.objects.values_list("email", "backup_email"):
        emails.update(address.lower() for address in (email, backup) if address)
    return emails


def key_users_active() -> bool:
    """Every named key user has an account and has signed in."""
    emails = {email.lower() for email in KeyUser.objects.values_list("email", flat=True)}
    if not emails:
        return False
    signed_in = {
        email.lower()
        for email in User.objects.filter(is_active=True, last_login__isnull=False).values_list(
            "email", flat=True
        )
    }
    return emails <= signed_in


def everyone_active() -> bool:
    """Every active user has signed in and no invitation is still waiting."""
    return (
        not User.objects.filter(is_active=True, last_login__isnull=True).exists()
        and not Invitation.objects.pending().exists()
    )


# --- First steps, per person ---------------------------------------------------------------------


@dataclass(frozen=True)
class FirstSteps:
    """One person's first steps, each ticked by doing it."""

    deal_created: bool
    call_logged: bool
    follow_up_scheduled: bool
    searched: bool

    @property
    def done(self) -> int:
        return sum((self.deal_created, self.call_logged, self.follow_up_scheduled, self.searched))

    @property
    def total(self) -> int:
        return 4

    @property
    def complete(self) -> bool:
        return self.done == self.total


def first_steps_of(users: list[User]) -> dict[int, FirstSteps]:
    """The first steps of ``users``, in one query whatever their number: each step is an
    ``EXISTS`` per user that stops at the user's first matching record (an owner index)."""
    ids = [user.pk for user in users]
    samples = sample_ids()
    deals = real(ObjectType.DEAL, Deal.objects.order_by(), samples)
    activities = real(ObjectType.ACTIVITY, Activity.objects.order_by(), samples)
    mine = {"owner_id": OuterRef("pk")}
    rows = (
        User.objects.filter(pk__in=ids)
        .order_by()
        .annotate(
            deal_created=Exists(deals.filter(**mine)),
            call_logged=Exists(
                activities.filter(kind=ActivityKind.CALL, done_at__isnull=False, **mine)
            ),
            follow_up_scheduled=Exists(activities.filter(due_at__gt=F("created_at"), **mine)),
            searched=Exists(UserStart.objects.filter(user_id=OuterRef("pk"), searches__gt=0)),
        )
        .values_list("pk", "deal_created", "call_logged", "follow_up_scheduled", "searched")
    )
    found = {pk: FirstSteps(*steps) for pk, *steps in rows}
    return {pk: found.get(pk, FirstSteps(False, False, False, False)) for pk in ids}


def first_steps(user: User) -> FirstSteps:
    return first_steps_of([user])[user.pk]


def first_steps_dismissed(user: User) -> bool:
    return UserStart.objects.filter(user=user, first_steps_dismissed_at__isnull=False).exists()


# --- The wizard's steps --------------------------------------------------------------------------


class StepStatus:
    DONE = "done"
    SKIPPED = "skipped"
    TODO = "todo"


@dataclass(frozen=True)
class StepState:
    step: Step
    status: str
    number: int

    @property
    def label(self) -> Promise:
        return self.step.label

    @property
    def url(self) -> str:
        return reverse(STEP_URLS[self.step])

    @property
    def is_done(self) -> bool:
        return self.status == StepStatus.DONE

    @property
    def is_open(self) -> bool:
        return self.status == StepStatus.TODO


def step_states(start: GuidedStart, *, user: User) -> list[StepState]:
    """Each step's status: done when the data says so, else skipped if the admin skipped it."""
    samples = sample_ids()
    done = {
        Step.PROFILE: start.profile_saved_at is not None,
        Step.READINESS: start.readiness_saved_at is not None,
        Step.PROCESS: pipeline_configured(),
        Step.DATA: real_records_exist(samples),
        Step.TEAM: team_invited(),
        Step.FIRST_STEPS: first_steps(user).complete,
    }
    skipped = set(start.skipped_steps or [])
    states = []
    for number, step in enumerate(STEP_ORDER, start=1):
        if done[step]:
            status = StepStatus.DONE
        elif step.value in skipped:
            status = StepStatus.SKIPPED
        else:
            status = StepStatus.TODO
        states.append(StepState(step, status, number))
    return states


def resume_step(start: GuidedStart, states: list[StepState]) -> Step | None:
    """Where "continue" goes: the first open step from where the admin left off, else the
    first open step at all, else ``None`` (everything is done or skipped)."""
    open_steps = [state.step for state in states if state.is_open]
    if not open_steps:
        return None
    if start.resume_step:
        after = STEP_ORDER[STEP_ORDER.index(Step(start.resume_step)) :]
        for step in after:
            if step in open_steps:
                return step
    return open_steps[0]


def guided_start_finished(states: list[StepState]) -> bool:
    return not any(state.is_open for state in states)


# --- The coach -----------------------------------------------------------------------------------


def measured_goals() -> frozenset[str]:
    """Goals the workspace's own data can already show progress on."""
    samples = sample_ids()
    deals = real(ObjectType.DEAL, Deal.objects.all(), samples)
    activities = real(ObjectType.ACTIVITY, Activity.objects.all(), samples)
    measured = set()
    if deals.filter(amount__gt=0).exists():
        measured.add(Goal.GROW_SALES.value)
    if deals.filter(expected_close_on__isnull=False).exists():
        measured.add(Goal.KNOW_BUSINESS.value)
    if activities.filter(
        done_at__isnull=False,
        kind__in=[ActivityKind.CALL, ActivityKind.MEETING, ActivityKind.EMAIL],
    ).exists():
        measured.add(Goal.BETTER_SERVICE.value)
    if (
        activities.filter(done_at__isnull=True, due_at__gt=timezone.now())
        .filter(Q(company__isnull=False) | Q(contact__isnull=False))
        .exists()
    ):
        measured.add(Goal.KEEP_CUSTOMERS.value)
    return frozenset(measured)


def _people_names() -> dict[str, str]:
    """Account names by lower-case address, to show key users by name once they have one."""
    return {email.lower(): name for email, name in User.objects.values_list("email", "full_name")}


def person_label(email: str, names: dict[str, str]) -> str:
    return names.get(email.lower()) or email


def departments(names: dict[str, str] | None = None) -> tuple[Department, ...]:
    names = _people_names() if names is None else names
    return tuple(
        Department(
            name=row.department,
            key_user=person_label(row.email, names) if row.email else "",
            backup=person_label(row.backup_email, names) if row.backup_email else "",
            turnover_peak_month=row.turnover_peak_month,
        )
        for row in KeyUser.objects.all()
    )


def coach_input(start: GuidedStart, *, tenant: Tenant, language: str) -> CoachInput:
    """The readiness answers, the company profile and what the data shows, for the rules."""
    return CoachInput(
        today=timezone.localdate(),
        country=str(tenant.country or ""),
        language=language,
        fiscal_year_start_month=start.fiscal_year_start_month,
        goals=frozenset(start.goals or []),
        measured_goals=measured_goals(),
        sponsor=start.sponsor,
        departments=departments(),
        process_written=bool(start.process_written) or process_written_in_workspace(),
        rapid_expansion=start.rapid_expansion,
        newly_founded=start.newly_founded,
        turnover_peak_month=start.turnover_peak_month,
        training_on=start.training_on,
        go_live_on=start.go_live_on,
    )


def phase_facts(start: GuidedStart) -> PhaseFacts:
    return PhaseFacts(
        readiness_answered=start.readiness_saved_at is not None,
        pipeline_configured=pipeline_configured(),
        records_exist=real_records_exist(),
        key_users_active=key_users_active(),
        everyone_active=everyone_active(),
        baseline_recorded=GoLiveBaseline.objects.exists(),
    )


def baseline() -> GoLiveBaseline | None:
    return GoLiveBaseline.objects.order_by("-recorded_at").first()


# --- Sales figures (baseline and now) ------------------------------------------------------------


@dataclass(frozen=True)
class SalesFigures:
    """Sales over a period, the measures the return on the CRM is shown with."""

    first_day: datetime.date
    last_day: datetime.date
    currency: str
    won_deals: int
    lost_deals: int
    win_rate: Decimal | None
    average_sales_cycle_days: Decimal | None
    sellers: int
    activities_per_seller: Decimal
    revenue_per_seller: Decimal


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def sales_figures(
    *, first_day: datetime.date, last_day: datetime.date, currency: str
) -> SalesFigures:
    """Win rate, average sales cycle, activities and revenue per person selling, for deals
    closed and activities created from ``first_day`` to ``last_day`` (sample records left out).

    Revenue counts deals in ``currency`` (the workspace's base currency); the page says so.
    People selling are those who owned a deal or an activity in the period (at least one).
    """
    start, end = _day_start(first_day), _day_start(last_day + datetime.timedelta(days=1))
    samples = sample_ids(including_removed=True)
    deals = real(ObjectType.DEAL, Deal.objects.all(), samples)
    won = deals.filter(stage__kind=StageKind.WON, won_at__gte=start, won_at__lt=end)
    lost = deals.filter(stage__kind=StageKind.LOST, lost_at__gte=start, lost_at__lt=end)
    won_count, lost_count = won.count(), lost.count()
    cycle = won.aggregate(cycle=Avg(F("won_at") - F("created_at")))["cycle"]
    revenue = won.filter(currency=currency).aggregate(total=Sum("amount"))["total"] or Decimal(0)
    activities = real(
        ObjectType.ACTIVITY,
        Activity.objects.filter(created_at__gte=start, created_at__lt=end),
        samples,
    )
    # ``order_by()``: the default ordering would add its columns to the DISTINCT.
    sellers = set(activities.order_by().values_list("owner_id", flat=True).distinct())
    sellers |= set(
        deals.filter(Q(created_at__gte=start, created_at__lt=end) | Q(pk__in=won) | Q(pk__in=lost))
        .order_by()
        .values_list("owner_id", flat=True)
        .distinct()
    )
    people = max(len(sellers), 1)
    closed = won_count + lost_count
    return SalesFigures(
        first_day=first_day,
        last_day=last_day,
        currency=currency,
        won_deals=won_count,
        lost_deals=lost_count,
        win_rate=(Decimal(won_count * 100) / closed).quantize(Decimal("0.1")) if closed else None,
        average_sales_cycle_days=(
            Decimal(cycle.total_seconds() / 86400).quantize(Decimal("0.1")) if cycle else None
        ),
        sellers=len(sellers),
        activities_per_seller=(Decimal(activities.count()) / people).quantize(Decimal("0.1")),
        revenue_per_seller=(revenue / people).quantize(Decimal("0.01")),
    )


# --- Adoption ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AdoptionRow:
    user: User
    last_sign_in: datetime.datetime | None
    created: int
    updated: int
    activities_this_week: int
    first_steps: FirstSteps
    key_user: bool


def week_start(today: datetime.date) -> datetime.datetime:
    """Monday 00:00 of ``today``'s week, in the active time zone."""
    return _day_start(today - datetime.timedelta(days=today.weekday()))


def adoption_rows() -> list[AdoptionRow]:
    """Each active user's use of Rapport: last sign-in, records created and updated over the
    last ``ADOPTION_DAYS`` days (from the audit log, samples left out), activities logged this
    week, first steps, and whether they are a key user or backup."""
    users = list(
        User.objects.filter(is_active=True).exclude(role=Role.READ_ONLY).order_by("full_name")
    )
    users += list(User.objects.filter(is_active=True, role=Role.READ_ONLY).order_by("full_name"))
    samples = sample_ids(including_removed=True)
    since = timezone.now() - datetime.timedelta(days=ADOPTION_DAYS)
    entries = AuditEntry.objects.filter(
        _not_sample_entries(samples),
        created_at__gte=since,
        action__in=[AuditAction.CREATE, AuditAction.UPDATE],
        object_type__in=list(RECORD_MODELS),
    )
    counts: dict[tuple[int, str], int] = {
        (row["actor_id"], row["action"]): row["n"]
        for row in entries.values("actor_id", "action").annotate(n=Count("id"))
    }
    weekly = {
        row["actor_id"]: row["n"]
        for row in AuditEntry.objects.filter(
            _not_sample_entries(samples),
            object_type=ObjectType.ACTIVITY,
            action=AuditAction.CREATE,
            created_at__gte=week_start(timezone.localdate()),
        )
        .values("actor_id")
        .annotate(n=Count("id"))
    }
    steps = first_steps_of(users)
    key_people = key_user_emails()
    return [
        AdoptionRow(
            user=user,
            last_sign_in=user.last_login,
            created=counts.get((user.pk, AuditAction.CREATE), 0),
            updated=counts.get((user.pk, AuditAction.UPDATE), 0),
            activities_this_week=weekly.get(user.pk, 0),
            first_steps=steps[user.pk],
            key_user=user.email.lower() in key_people,
        )
        for user in users
    ]


# --- The journey (copied to the public schema for the ops console) -------------------------------


@dataclass(frozen=True)
class Milestones:
    profile_done_at: datetime.datetime | None
    data_in_at: datetime.datetime | None
    team_invited_at: datetime.datetime | None
    first_value_at: datetime.datetime | None
    guided_start_completed_at: datetime.datetime | None


def _earliest(*moments: datetime.datetime | None) -> datetime.datetime | None:
    known = [moment for moment in moments if moment is not None]
    return min(known) if known else None


def milestones() -> Milestones:
    """When the workspace reached each milestone, read from its data (samples left out)."""
    start = guided_start()
    samples = sample_ids(including_removed=True)
    data_in = _earliest(
        *(
            real(object_type, RECORD_MODELS[object_type].objects.all(), samples).aggregate(
                first=Min("created_at")
            )["first"]
            for object_type in (
                ObjectType.COMPANY,
                ObjectType.CONTACT,
                ObjectType.LEAD,
                ObjectType.DEAL,
            )
        )
    )
    first_admin = User.objects.filter(role=Role.ADMIN).order_by("date_joined").first()
    teammates = User.objects.exclude(pk=first_admin.pk) if first_admin else User.objects.none()
    team = _earliest(
        Invitation.objects.aggregate(first=Min("created_at"))["first"],
        teammates.aggregate(first=Min("date_joined"))["first"],
    )
    # The first deal with an activity: the later of the two creation times, earliest over all.
    pairs = real(
        ObjectType.ACTIVITY,
        Activity.objects.filter(deal__isnull=False).exclude(
            deal_id__in=samples.get(ObjectType.DEAL, set())
        ),
        samples,
    ).values_list("created_at", "deal__created_at")
    first_value = _earliest(
        *(max(activity, deal) for activity, deal in pairs.order_by("created_at")[:200])
    )
    return Milestones(
        profile_done_at=start.profile_saved_at if start else None,
        data_in_at=data_in,
        team_invited_at=team,
        first_value_at=first_value,
        guided_start_completed_at=start.completed_at if start else None,
    )
