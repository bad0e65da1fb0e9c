"""Background steps of the customer's journey: provisioning a signup, and its sweep."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from core.jobs.models import Job, JobQueue, JobStatus
from core.jobs.registry import job_handler
from core.jobs.sweeper import Finding, sweep_step

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
