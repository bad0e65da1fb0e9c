"""Background steps of the customer's journey: provisioning a signup, and its sweep."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from core.jobs.models import Job, JobQueue, JobStatus
from core.jobs.registry import job_handler
from core.jobs.services import job_enqueue
from core.jobs.sweeper import Finding, sweep_step
from tenants.tasks import TenantTask

#: A provisioning may clone (~0.5 s) or, without a current template, migrate from scratch.
SIGNUP_PROVISION_TIMEOUT = 300


def signup_provision_key(signup_id: int) -> str:
    return f"onboarding.signup_provision:{signup_id}"


@job_handler(
    "onboarding.signup_provision",
    queue=JobQueue.SIGNUP,
    max_attempts=4,
    timeout=SIGNUP_PROVISION_TIMEOUT,
    atomic=False,
)
def signup_provision_job(*, signup_id: int) -> str:
    """Build the workspace of a signup that found the pool empty (idempotent: a ready signup
    is left alone, a half-made schema is dropped and made again)."""
    from onboarding.provisioning import signup_provision
    from onboarding.signups.models import Signup

    signup = Signup.objects.select_related("tenant").get(pk=signup_id)
    return str(signup_provision(signup=signup).status)


def signup_provision_enqueue(*, signup_id: int) -> Job:
    """Record the provisioning of a signup in the caller's transaction (once per signup)."""
    return signup_provision_job.enqueue(
        signup_id=signup_id, dedupe_key=signup_provision_key(signup_id)
    )


@sweep_step("onboarding.signups")
def stuck_signups_sweep() -> Finding:
    """Signups still waiting for a workspace with no job waiting or running get one."""
    from onboarding.signups.models import Signup, SignupStatus
    from tenants.models import TenantStatus

    cutoff = timezone.now() - timedelta(seconds=settings.JOB_STUCK_AFTER_SECONDS)
    waiting = list(
        Signup.objects.filter(
            status=SignupStatus.WAITING,
            tenant__status=TenantStatus.PROVISIONING,
            created_at__lt=cutoff,
        ).values_list("pk", flat=True)[:500]
    )
    live = set(
        Job.objects.filter(
            dedupe_key__in=[signup_provision_key(pk) for pk in waiting],
            status__in=[JobStatus.PENDING, JobStatus.RUNNING],
        ).values_list("dedupe_key", flat=True)
    )
    stuck = [pk for pk in waiting if signup_provision_key(pk) not in live]
    for signup_id in stuck:
        signup_provision_enqueue(signup_id=signup_id)
    detail = f"signups {', '.join(map(str, stuck[:10]))}" if stuck else ""
    return Finding("onboarding.signups", len(stuck), len(stuck), detail)


@job_handler("onboarding.journey_refresh", queue=JobQueue.DEFAULT, tenant=True)
def journey_refresh_job() -> bool:
    """Copy the workspace's onboarding milestones to the public journey (ops funnel)."""
    from onboarding.services import journey_refresh

    return journey_refresh() is not None


def journey_refresh_enqueue() -> Job:
    """Refresh this workspace's journey soon (one waiting job per workspace at most)."""
    from core.tasks import current_schema

    return job_enqueue(journey_refresh_job, dedupe_key=f"journey:{current_schema()}")


@shared_task(name="onboarding.journeys_refresh_due")
def journeys_refresh_due_task() -> int:
    """Beat: refresh every unfinished journey of a recent signup, each in its own schema."""
    from core.jobs.periodic import periodic_jobs_enqueue
    from onboarding.services import journeys_due

    now = timezone.now()
    window = f"{now:%Y-%m-%dT%H}:{now.minute // 15}"
    return periodic_jobs_enqueue(
        handler=journey_refresh_job, schema_names=journeys_due(), spread_seconds=60, window=window
    )


@job_handler("onboarding.baseline_record", queue=JobQueue.DEFAULT, tenant=True)
def baseline_record_job() -> bool:
    """Record the go-live baseline of the workspace once its go-live day has come (daily,
    through ``tenants.periodic_dispatch``: active, writable workspaces only)."""
    from onboarding.services import baseline_record
    from tenants.selectors import current_tenant

    return baseline_record(currency=str(current_tenant().currency)) is not None


@job_handler("onboarding.return_figures", queue=JobQueue.BULK, tenant=True)
def return_figures_job() -> bool:
    """Precompute the heavy figures of the return-and-adoption page (hourly, through
    ``tenants.periodic_dispatch``; idempotent: each run replaces them)."""
    from onboarding.returns import return_figures_precompute

    return_figures_precompute()
    return True


@shared_task(name="onboarding.search_record", base=TenantTask)
def search_record_task(user_id: int) -> None:
    """Count a person's search for their first steps (in their workspace's schema)."""
    from onboarding.services import search_record

    search_record(user_id=user_id)
