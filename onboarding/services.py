"""Writes of the guided start: answers, the sales process, sample data, skips, the baseline.

CRM records and configuration are written through the CRM's own services (audited, checked
like any other change); teammates are invited through the users services, where the plan's
seat limit is enforced.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from crm import services as crm
from crm.models import (
    Activity,
    ContactCompany,
    Deal,
    DealContact,
    Lead,
    ObjectType,
    Pipeline,
    Stage,
    StageKind,
    Tag,
)
from crm.services.common import ensure_admin
from onboarding.errors import OnboardingError
from onboarding.models import GoLiveBaseline, GuidedStart, KeyUser, SampleRecord, Step, UserStart
from onboarding.samples import sample_set
from onboarding.selectors import (
    BASELINE_DAYS,
    RECORD_MODELS,
    STEP_ORDER,
    guided_start,
    guided_start_finished,
    milestones,
    sales_figures,
    sample_ids,
    step_states,
)
from onboarding.signups.models import Journey, Signup, SignupStatus
from tenants.models import Tenant, TenantStatus
from tenants.services import tenant_locale_update
from tenants.users import services as users
from tenants.users.models import Invitation, Role, User

#: Fields of the readiness answers a form may set.
READINESS_FIELDS = (
    "goals",
    "sponsor",
    "process_written",
    "rapid_expansion",
    "newly_founded",
    "turnover_peak_month",
    "training_on",
    "go_live_on",
)


def _start_for_update() -> GuidedStart:
    start, _created = GuidedStart.objects.select_for_update().get_or_create(pk=1)
    return start


def _journey_refresh_later() -> None:
    from onboarding.tasks import journey_refresh_enqueue

    journey_refresh_enqueue()


def _advance(start: GuidedStart, step: Step) -> None:
    """Resume after ``step`` next time (the last step resumes on itself)."""
    index = STEP_ORDER.index(step)
    start.resume_step = STEP_ORDER[min(index + 1, len(STEP_ORDER) - 1)].value


def guided_start_create() -> GuidedStart:
    """The guided start of a newly signed-up workspace (idempotent)."""
    start, _created = GuidedStart.objects.get_or_create(pk=1)
    return start


@transaction.atomic
def profile_save(
    *,
    by: User,
    tenant: Tenant,
    industry: str,
    headcount: str,
    fiscal_year_start_month: int,
    language: str,
    time_zone: str,
    country: str,
    currency: str,
) -> GuidedStart:
    """The company profile: the workspace's locale on the workspace row, the rest here."""
    ensure_admin(by)
    tenant_locale_update(
        tenant=tenant, language=language, time_zone=time_zone, country=country, currency=currency
    )
    start = _start_for_update()
    start.industry, start.headcount = industry, headcount
    start.fiscal_year_start_month = fiscal_year_start_month
    start.profile_saved_at = start.profile_saved_at or timezone.now()
    _advance(start, Step.PROFILE)
    start.full_clean()
    start.save()
    _journey_refresh_later()
    return start


@dataclass(frozen=True)
class DepartmentAnswer:
    department: str
    email: str
    backup_email: str = ""
    turnover_peak_month: int | None = None


@transaction.atomic
def readiness_save(
    *, by: User, answers: Mapping[str, Any], departments: Sequence[DepartmentAnswer]
) -> GuidedStart:
    """Goals, sponsor, key users per department and the planned dates."""
    ensure_admin(by)
    unknown = set(answers) - set(READINESS_FIELDS)
    if unknown:
        raise OnboardingError(
            _("Unknown answers: %(names)s") % {"names": ", ".join(sorted(unknown))}
        )
    start = _start_for_update()
    for name, value in answers.items():
        setattr(start, name, value)
    start.full_clean()
    start.readiness_saved_at = timezone.now()
    start.plan_started_on = start.plan_started_on or timezone.localdate()
    _advance(start, Step.READINESS)
    start.save()
    KeyUser.objects.all().delete()
    KeyUser.objects.bulk_create(
        KeyUser(
            department=answer.department.strip(),
            email=answer.email.strip().lower(),
            backup_email=answer.backup_email.strip().lower(),
            turnover_peak_month=answer.turnover_peak_month,
            position=index,
        )
        for index, answer in enumerate(departments)
        if answer.department.strip() and answer.email.strip()
    )
    return start


@dataclass(frozen=True)
class StageSpec:
    """A stage as the sales process step edits it."""

    name: str
    probability: int
    kind: str
    guidance: str = ""
    colour: str = "blue"


@dataclass(frozen=True)
class ProcessResult:
    pipeline: Pipeline
    #: Stages the template had no place for but that still hold deals: kept, never deleted.
    kept: tuple[Stage, ...]


def _ordered(stages: Iterable[Stage], kind: str) -> list[Stage]:
    return [stage for stage in stages if stage.kind == kind]


@transaction.atomic
def process_apply(*, by: User, name: str, stages: Sequence[StageSpec]) -> ProcessResult:
    """Shape the main pipeline as ``stages`` (in order), through the CRM's services.

    Existing stages are renamed and reconfigured in place, open ones in order, then won and
    lost, so deals stay where they are; missing stages are added; stages left over are
    deleted when empty and kept when deals are in them.
    """
    ensure_admin(by)
    opening = [spec for spec in stages if spec.kind == StageKind.OPEN]
    if not opening:
        raise OnboardingError(_("A sales process needs at least one open stage."))
    if sum(spec.kind == StageKind.WON for spec in stages) != 1:
        raise OnboardingError(_("A sales process needs exactly one won stage."))
    if sum(spec.kind == StageKind.LOST for spec in stages) != 1:
        raise OnboardingError(_("A sales process needs exactly one lost stage."))
    pipeline = crm.default_pipeline()
    if name.strip() and name.strip() != pipeline.name:
        crm.pipeline_rename(pipeline=pipeline, name=name.strip(), by=by)
    current = list(pipeline.stages.order_by("position", "id"))
    ordered: list[Stage] = []
    leftovers: list[Stage] = []
    for kind in (StageKind.OPEN, StageKind.WON, StageKind.LOST):
        existing = _ordered(current, kind)
        for index, spec in enumerate(s for s in stages if s.kind == kind):
            fields = {
                "name": spec.name.strip(),
                "probability": spec.probability,
                "kind": spec.kind,
                "guidance": spec.guidance.strip(),
                "colour": spec.colour,
            }
            if index < len(existing):
                ordered.append(crm.stage_update(stage=existing[index], by=by, fields=fields))
            else:
                ordered.append(crm.stage_create(pipeline=pipeline, by=by, fields=fields))
        leftovers += existing[len([s for s in stages if s.kind == kind]) :]
    kept = []
    for stage in leftovers:
        if stage.deals.exists():
            kept.append(stage)
        else:
            crm.stage_delete(stage=stage, by=by)
    open_count = len(opening)
    order = (
        [s.pk for s in ordered[:open_count]]
        + [s.pk for s in kept]
        + [s.pk for s in ordered[open_count:]]
    )
    crm.stages_reorder(pipeline=pipeline, stage_ids=order, by=by)
    start = _start_for_update()
    _advance(start, Step.PROCESS)
    start.save(update_fields=["resume_step", "updated_at"])
    return ProcessResult(pipeline=pipeline, kept=tuple(kept))


@transaction.atomic
def step_skip(*, by: User, step: Step) -> GuidedStart:
    """Skip a step for now; it stays reachable, and its data still completes it."""
    ensure_admin(by)
    start = _start_for_update()
    skipped = list(start.skipped_steps or [])
    if step.value not in skipped:
        skipped.append(step.value)
    start.skipped_steps = skipped
    _advance(start, step)
    start.save(update_fields=["skipped_steps", "resume_step", "updated_at"])
    guided_start_completion_check(by=by)
    return start


@transaction.atomic
def guided_start_dismiss(*, by: User) -> GuidedStart:
    """Put the setup card away; the guided start stays in the settings menu."""
    ensure_admin(by)
    start = _start_for_update()
    start.dismissed_at = timezone.now()
    start.save(update_fields=["dismissed_at", "updated_at"])
    return start


@transaction.atomic
def guided_start_reopen(*, by: User) -> GuidedStart:
    ensure_admin(by)
    start = _start_for_update()
    start.dismissed_at = None
    start.save(update_fields=["dismissed_at", "updated_at"])
    return start


def guided_start_completion_check(*, by: User | None = None) -> bool:
    """Record when every step is done or skipped (once); returns whether it is."""
    start = guided_start()
    if start is None:
        return False
    if start.completed_at is not None:
        return True
    admins = [by] if by is not None else list(User.objects.filter(role=Role.ADMIN, is_active=True))
    if any(guided_start_finished(step_states(start, user=admin)) for admin in admins):
        GuidedStart.objects.filter(pk=start.pk, completed_at__isnull=True).update(
            completed_at=timezone.now()
        )
        _journey_refresh_later()
        return True
    return False


# --- Teammates ---------------------------------------------------------------------------------


@transaction.atomic
def teammate_invite(*, by: User, email: str, role: str, accept_url_template: str) -> Invitation:
    """Invite a teammate through the users services (seat limits apply there)."""
    ensure_admin(by)
    invitation = users.invitation_create(
        email=email, role=role, by=by, accept_url_template=accept_url_template
    )
    start = _start_for_update()
    _advance(start, Step.TEAM)
    start.save(update_fields=["resume_step", "updated_at"])
    _journey_refresh_later()
    return invitation


# --- Sample data -------------------------------------------------------------------------------


def _register(object_type: str, records: Iterable[Any]) -> None:
    SampleRecord.objects.bulk_create(
        SampleRecord(object_type=object_type, object_id=record.pk) for record in records
    )


@transaction.atomic
def sample_data_add(*, by: User, language: str) -> int:
    """Sample companies, contacts, deals, activities and leads in ``language``, each tagged and
    registered so they can be removed later without touching anything else. Returns how many
    records were created."""
    ensure_admin(by)
    if SampleRecord.objects.filter(removed_at__isnull=True).exists():
        raise OnboardingError(_("The sample data is already in the workspace."))
    data = sample_set(language)
    tag_is_new = not Tag.objects.filter(name__iexact=data.tag).exists()
    tag = crm.tag_get_or_create(name=data.tag, by=by)
    currency = _base_currency()
    companies = [
        crm.company_create(
            by=by,
            fields={"name": name, "domain": domain, "industry": industry, "city": city},
            tags=[tag],
        )
        for name, domain, industry, city in data.companies
    ]
    contacts = [
        crm.contact_create(
            by=by,
            fields={"first_name": first, "last_name": last, "title": title},
            company=companies[company],
            tags=[tag],
        )
        for first, last, title, company in data.contacts
    ]
    pipeline = crm.default_pipeline()
    open_stages = list(pipeline.stages.filter(kind=StageKind.OPEN).order_by("position", "id"))
    won_stage = pipeline.stages.filter(kind=StageKind.WON).order_by("position", "id").first()
    today = timezone.localdate()
    deals = []
    for index, (title, company, amount, stage_index, people) in enumerate(data.deals):
        stage = (
            won_stage if stage_index < 0 else open_stages[min(stage_index, len(open_stages) - 1)]
        )
        fields: dict[str, Any] = {
            "title": title,
            "company": companies[company],
            "amount": Decimal(amount),
            "currency": currency,
        }
        if stage is not None and stage.kind == StageKind.OPEN:
            fields["expected_close_on"] = today + datetime.timedelta(days=21 * (index + 1))
        deals.append(
            crm.deal_create(
                by=by,
                fields=fields,
                stage=stage,
                tags=[tag],
                contacts=[contacts[person] for person in people],
            )
        )
    now = timezone.now()
    activities = []
    for kind, subject, days, contact, deal, done in data.activities:
        moment = now + datetime.timedelta(days=days)
        fields = {"kind": kind, "subject": subject, "contact": contacts[contact]}
        if deal >= 0:
            fields["deal"] = deals[deal]
        if done:
            fields["done_at"] = min(moment, now)
            if kind != "note":
                fields["due_at"] = min(moment, now)
        else:
            fields["due_at"] = moment
        activities.append(crm.activity_create(by=by, fields=fields))
    leads = [
        crm.lead_create(
            by=by,
            fields={"name": name, "company_name": company_name, "source": source},
            tags=[tag],
        )
        for name, company_name, source in data.leads
    ]
    for object_type, records in (
        (ObjectType.COMPANY, companies),
        (ObjectType.CONTACT, contacts),
        (ObjectType.DEAL, deals),
        (ObjectType.ACTIVITY, activities),
        (ObjectType.LEAD, leads),
    ):
        _register(object_type, records)
    if tag_is_new:
        _register("tag", [tag])
    return len(companies) + len(contacts) + len(deals) + len(activities) + len(leads)


def _base_currency() -> str:
    from tenants.selectors import current_tenant

    try:
        return str(current_tenant().currency)
    except Tenant.DoesNotExist:
        return "EUR"


@dataclass(frozen=True)
class SampleRemoval:
    removed: int
    #: Sample records kept because records of the customer's own refer to them.
    kept: int


def _kept_samples(samples: dict[str, set[int]]) -> dict[str, set[int]]:
    """Sample records a real record refers to: removing them would change that record (an
    activity would lose its deal, a deal its company), so they stay."""
    companies = samples.get(ObjectType.COMPANY, set())
    contacts = samples.get(ObjectType.CONTACT, set())
    deals = samples.get(ObjectType.DEAL, set())
    leads = samples.get(ObjectType.LEAD, set())
    real_activities = Activity.objects.exclude(pk__in=samples.get(ObjectType.ACTIVITY, set()))
    real_deals = Deal.objects.exclude(pk__in=deals)
    real_leads = Lead.objects.exclude(pk__in=leads)
    kept: dict[str, set[int]] = {
        ObjectType.COMPANY: set(
            real_activities.filter(company_id__in=companies).values_list("company_id", flat=True)
        )
        | set(real_deals.filter(company_id__in=companies).values_list("company_id", flat=True))
        | set(
            ContactCompany.objects.filter(company_id__in=companies)
            .exclude(contact_id__in=contacts)
            .values_list("company_id", flat=True)
        )
        | set(
            real_leads.filter(converted_company_id__in=companies).values_list(
                "converted_company_id", flat=True
            )
        ),
        ObjectType.CONTACT: set(
            real_activities.filter(contact_id__in=contacts).values_list("contact_id", flat=True)
        )
        | set(
            DealContact.objects.filter(contact_id__in=contacts)
            .exclude(deal_id__in=deals)
            .values_list("contact_id", flat=True)
        )
        | set(
            real_leads.filter(converted_contact_id__in=contacts).values_list(
                "converted_contact_id", flat=True
            )
        ),
        ObjectType.DEAL: set(
            real_activities.filter(deal_id__in=deals).values_list("deal_id", flat=True)
        )
        | set(
            real_leads.filter(converted_deal_id__in=deals).values_list(
                "converted_deal_id", flat=True
            )
        ),
        ObjectType.LEAD: set(
            real_activities.filter(lead_id__in=leads).values_list("lead_id", flat=True)
        ),
    }
    return kept


@transaction.atomic
def sample_data_remove(*, by: User) -> SampleRemoval:
    """Delete exactly the sample records (through the CRM's services, audited), except those
    a record of the customer's own refers to; those stay, tagged, for the admin to handle."""
    ensure_admin(by)
    samples = sample_ids()
    kept = _kept_samples(samples)
    removed = 0
    for object_type in (
        ObjectType.ACTIVITY,
        ObjectType.DEAL,
        ObjectType.LEAD,
        ObjectType.CONTACT,
        ObjectType.COMPANY,
    ):
        ids = samples.get(object_type, set()) - kept.get(object_type, set())
        if not ids:
            continue
        model = RECORD_MODELS[object_type]
        removed += crm.records_delete(
            queryset=model.objects.filter(pk__in=ids), object_type=ObjectType(object_type), by=by
        )
        SampleRecord.objects.filter(object_type=object_type, object_id__in=ids).update(
            removed_at=timezone.now()
        )
    kept_count = sum(len(ids) for ids in kept.values())
    tag_ids = samples.get("tag", set())
    unused = Tag.objects.filter(pk__in=tag_ids).filter(
        companies=None, contacts=None, leads=None, deals=None
    )
    if unused.exists():
        unused.delete()
        SampleRecord.objects.filter(object_type="tag", object_id__in=tag_ids).update(
            removed_at=timezone.now()
        )
    return SampleRemoval(removed=removed, kept=kept_count)


# --- Per person --------------------------------------------------------------------------------


def _user_start(user: User) -> UserStart:
    try:
        with transaction.atomic():
            start, _created = UserStart.objects.get_or_create(user=user)
    except IntegrityError:
        start = UserStart.objects.get(user=user)
    return start


def search_record(*, user_id: int) -> None:
    """Count a search for the person's first steps (callers limit it to once a minute):
    one statement, whether or not the person has a row yet."""
    table = connection.ops.quote_name(UserStart._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (user_id, searches, last_searched_at) "  # noqa: S608 -- the table name is the model's own, quoted
            "VALUES (%s, 1, %s) ON CONFLICT (user_id) DO UPDATE "
            f"SET searches = {table}.searches + 1, last_searched_at = EXCLUDED.last_searched_at",
            [user_id, timezone.now()],
        )


def first_steps_dismiss(*, user: User) -> None:
    """Put one's first-steps card away."""
    _user_start(user)
    UserStart.objects.filter(user=user).update(first_steps_dismissed_at=timezone.now())


# --- Go-live baseline --------------------------------------------------------------------------


def baseline_record(*, currency: str, today: datetime.date | None = None) -> GoLiveBaseline | None:
    """Record the sales figures of the ``BASELINE_DAYS`` days before go-live, once, on or after
    go-live day. Returns the baseline (new or earlier), or ``None`` before go-live."""
    start = guided_start()
    today = today or timezone.localdate()
    if start is None or start.go_live_on is None or today < start.go_live_on:
        return None
    existing = GoLiveBaseline.objects.filter(go_live_on=start.go_live_on).first()
    if existing is not None:
        return existing
    figures = sales_figures(
        first_day=start.go_live_on - datetime.timedelta(days=BASELINE_DAYS),
        last_day=start.go_live_on - datetime.timedelta(days=1),
        currency=currency,
    )
    return GoLiveBaseline.objects.create(
        go_live_on=start.go_live_on,
        period_days=BASELINE_DAYS,
        currency=currency,
        won_deals=figures.won_deals,
        lost_deals=figures.lost_deals,
        win_rate=figures.win_rate,
        average_sales_cycle_days=figures.average_sales_cycle_days,
        sellers=figures.sellers,
        activities_per_seller=figures.activities_per_seller,
        revenue_per_seller=figures.revenue_per_seller,
    )


# --- The journey, for the ops console ------------------------------------------------------------

JOURNEY_FIELDS = (
    "profile_done_at",
    "data_in_at",
    "team_invited_at",
    "first_value_at",
    "guided_start_completed_at",
)


def journey_refresh() -> Journey | None:
    """Copy the current workspace's milestones to its signup's public journey row.

    Runs in the workspace's schema (a tenant task); the public tables are reached through the
    schema search path. Each time is the earliest the data shows, kept once known.
    """
    from tenants.selectors import current_tenant

    signup = Signup.objects.filter(tenant=current_tenant()).first()
    if signup is None:
        return None
    guided_start_completion_check()
    found = milestones()
    journey, _created = Journey.objects.get_or_create(signup=signup)
    for name in JOURNEY_FIELDS:
        if getattr(journey, name) is None and getattr(found, name) is not None:
            setattr(journey, name, getattr(found, name))
    journey.refreshed_at = timezone.now()
    journey.save()
    return journey


def journeys_due(*, now: datetime.datetime | None = None) -> list[str]:
    """Schemas of active, signed-up workspaces whose journey is still unfinished, within
    ``ONBOARDING_JOURNEY_DAYS`` of their signup (public schema)."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=settings.ONBOARDING_JOURNEY_DAYS)
    unfinished = Q(journey__isnull=True) | Q(journey__first_value_at__isnull=True)
    unfinished |= Q(journey__guided_start_completed_at__isnull=True)
    return list(
        Signup.objects.filter(
            unfinished,
            status=SignupStatus.READY,
            created_at__gte=since,
            tenant__status=TenantStatus.ACTIVE,
        ).values_list("tenant__schema_name", flat=True)
    )
