"""The go-live baseline, the public journey each workspace's milestones are copied to, and
the ops console's funnel across workspaces."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone
from django_tenants.utils import schema_context

from crm import services as crm
from crm.models import ActivityKind, Deal, StageKind
from onboarding.models import GoLiveBaseline, GuidedStart
from onboarding.selectors import milestones
from onboarding.services import baseline_record, journey_refresh, sample_data_add
from onboarding.signups.models import Journey, Signup, SignupStatus
from onboarding.signups.selectors import journey_funnel
from tenants.users.models import User
from tests.conftest import Workspace


def _won_deal(by: User, amount: str, created_days_ago: int, won_days_ago: int) -> Deal:
    pipeline = crm.default_pipeline()
    won = pipeline.stages.get(kind=StageKind.WON)
    deal = crm.deal_create(
        by=by, fields={"title": "Won", "amount": Decimal(amount), "currency": "EUR"}, stage=won
    )
    now = timezone.now()
    Deal.objects.filter(pk=deal.pk).update(
        created_at=now - datetime.timedelta(days=created_days_ago),
        won_at=now - datetime.timedelta(days=won_days_ago),
    )
    return deal


# --- Baseline ------------------------------------------------------------------------------------


def test_no_baseline_before_go_live(guided) -> None:
    GuidedStart.objects.filter(pk=1).update(
        go_live_on=timezone.localdate() + datetime.timedelta(days=1)
    )
    assert baseline_record(currency="EUR") is None
    assert not GoLiveBaseline.objects.exists()


def test_the_baseline_measures_the_ninety_days_before_go_live_once(guided, admin, rep) -> None:
    today = timezone.localdate()
    GuidedStart.objects.filter(pk=1).update(go_live_on=today)
    _won_deal(rep, "1000", created_days_ago=30, won_days_ago=10)
    _won_deal(admin, "3000", created_days_ago=20, won_days_ago=10)
    _won_deal(rep, "999", created_days_ago=200, won_days_ago=120)  # before the period
    lost_stage = crm.default_pipeline().stages.get(kind=StageKind.LOST)
    lost = crm.deal_create(by=rep, fields={"title": "Lost"}, stage=lost_stage)
    Deal.objects.filter(pk=lost.pk).update(lost_at=timezone.now() - datetime.timedelta(days=5))
    baseline = baseline_record(currency="EUR")
    assert baseline is not None
    assert (baseline.won_deals, baseline.lost_deals, baseline.sellers) == (2, 1, 2)
    assert baseline.win_rate == Decimal("66.7")
    assert baseline.average_sales_cycle_days == Decimal("15.0")
    assert baseline.revenue_per_seller == Decimal("2000.00")
    assert baseline_record(currency="EUR") == baseline
    assert GoLiveBaseline.objects.count() == 1


def test_the_baseline_leaves_sample_records_out(guided, admin) -> None:
    sample_data_add(by=admin, language="en")
    GuidedStart.objects.filter(pk=1).update(go_live_on=timezone.localdate())
    Deal.objects.update(won_at=timezone.now() - datetime.timedelta(days=3))
    baseline = baseline_record(currency="EUR")
    assert baseline is not None
    assert (baseline.won_deals, baseline.revenue_per_seller) == (0, Decimal("0.00"))


def test_the_coach_records_the_baseline_after_go_live_and_shows_it(guided, admin_client) -> None:
    GuidedStart.objects.filter(pk=1).update(
        go_live_on=timezone.localdate() - datetime.timedelta(days=2)
    )
    page = admin_client.get("/coach/").content
    assert b'data-testid="baseline-record"' in page
    admin_client.post("/coach/baseline/")
    assert GoLiveBaseline.objects.exists()
    assert b"Before go-live" in admin_client.get("/coach/").content


def test_the_daily_job_records_the_baseline_in_each_workspace(guided, alpha: Workspace) -> None:
    from core.jobs.models import Job
    from core.jobs.services import job_run
    from tenants.periodic import periodic_dispatch

    GuidedStart.objects.filter(pk=1).update(go_live_on=timezone.localdate())
    with schema_context("public"):
        periodic_dispatch(handler="onboarding.baseline_record", writes=True, spread_seconds=0)
        job = Job.objects.get(handler="onboarding.baseline_record", workspace=alpha.schema)
        job_run(job_id=job.pk)
    assert GoLiveBaseline.objects.count() == 1


# --- Milestones and the journey ---------------------------------------------------------------


@pytest.fixture
def signup(alpha: Workspace) -> Signup:
    with schema_context("public"):
        signup = Signup.objects.create(
            tenant=alpha.tenant,
            admin_name="Ada",
            admin_email="ada@alpha.example",
            admin_password_hash="!",
            status=SignupStatus.READY,
        )
        Signup.objects.filter(pk=signup.pk).update(
            created_at=timezone.now() - datetime.timedelta(days=2)
        )
        return Signup.objects.get(pk=signup.pk)


def test_first_value_is_the_first_deal_with_an_activity(guided, admin) -> None:
    crm.deal_create(by=admin, fields={"title": "Lonely"})
    assert milestones().first_value_at is None
    deal = crm.deal_create(by=admin, fields={"title": "Real"})
    call = crm.activity_create(
        by=admin, fields={"kind": ActivityKind.CALL, "subject": "Hi", "deal": deal}
    )
    assert milestones().first_value_at == call.created_at


def test_sample_deals_are_no_first_value(guided, admin) -> None:
    sample_data_add(by=admin, language="en")
    found = milestones()
    assert (found.first_value_at, found.data_in_at) == (None, None)


def test_the_journey_copies_each_milestone_once(guided, admin, signup) -> None:
    deal = crm.deal_create(by=admin, fields={"title": "Real"})
    crm.activity_create(by=admin, fields={"kind": ActivityKind.CALL, "subject": "Hi", "deal": deal})
    journey = journey_refresh()
    assert journey is not None
    assert journey.data_in_at == deal.created_at
    assert journey.first_value_at is not None
    assert journey.profile_done_at is None
    first = journey.first_value_at
    journey_refresh()
    assert Journey.objects.get(signup=signup).first_value_at == first


def test_a_workspace_without_a_signup_has_no_journey(guided) -> None:
    assert journey_refresh() is None


def test_the_periodic_job_refreshes_unfinished_journeys_in_their_schema(
    guided, admin, signup
) -> None:
    from core.jobs.models import Job
    from core.jobs.services import job_run
    from onboarding.tasks import journeys_refresh_due_task

    crm.company_create(by=admin, fields={"name": "Real Co"})
    with schema_context("public"):
        assert journeys_refresh_due_task.delay().get() == 1
        job = Job.objects.get(handler="onboarding.journey_refresh")
        Job.objects.filter(pk=job.pk).update(available_at=timezone.now())  # due now
        assert job_run(job_id=job.pk) == "done"
        assert Journey.objects.get(signup=signup).data_in_at is not None


def test_completing_the_guided_start_is_recorded(guided, admin, signup, admin_client) -> None:
    from onboarding.models import Step

    for step in Step:
        admin_client.post("/start/skip/", {"step": step.value})
    assert GuidedStart.objects.get(pk=1).completed_at is not None
    journey_refresh()
    assert Journey.objects.get(signup=signup).guided_start_completed_at is not None


def test_the_funnel_counts_signups_reaching_each_milestone(signup) -> None:
    now = timezone.now()
    with schema_context("public"):
        Journey.objects.create(
            signup=signup,
            profile_done_at=now,
            data_in_at=now,
            first_value_at=signup.created_at + datetime.timedelta(hours=5),
        )
        funnel = journey_funnel(days=30)
    counts = {step.key: step.count for step in funnel.steps}
    assert counts["signed_up"] >= 1
    assert counts["first_value_at"] >= 1
    mine = journey_funnel(days=30)
    assert mine.median_time_to_first_value is not None


def test_the_ops_console_shows_the_funnel_and_time_to_first_value(
    signup, django_user_model
) -> None:
    with schema_context("public"):
        Journey.objects.create(
            signup=signup, first_value_at=signup.created_at + datetime.timedelta(hours=5)
        )
        staff = django_user_model.objects.create_user(
            "ops-funnel@rapport.example", "x", is_staff=True
        )
    client = Client(HTTP_HOST="localhost")
    client.force_login(staff)
    page = client.get("/ops/onboarding/").content.decode()
    assert 'data-testid="ops-funnel"' in page
    assert "5\xa0hours" in page
    detail = client.get(f"/ops/tenants/{signup.tenant_id}/").content.decode()
    assert 'data-testid="ops-time-to-first-value"' in detail
    assert client.get("/ops/onboarding/?days=abc").status_code == 200
