"""Background steps of the customer's journey."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from tenants.tasks import TenantTask


@shared_task(
    # The name predates the move to onboarding; routes and queued messages use it.
    name="tenants.signup_provision",
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
)
def signup_provision_task(signup_id: int) -> str:
    """Build the workspace of a signup that found the pool empty."""
    from onboarding.provisioning import signup_provision
    from onboarding.signups.models import Signup

    signup = Signup.objects.select_related("tenant").get(pk=signup_id)
    return str(signup_provision(signup=signup).status)


@shared_task(name="onboarding.journey_refresh", base=TenantTask)
def journey_refresh_task() -> bool:
    """Copy the workspace's onboarding milestones to the public journey (ops funnel)."""
    from onboarding.services import journey_refresh

    return journey_refresh() is not None


@shared_task(name="onboarding.journeys_refresh_due")
def journeys_refresh_due_task() -> int:
    """Refresh every unfinished journey of a recent signup, each in its own schema."""
    from onboarding.services import journeys_due

    schemas = journeys_due()
    for schema in schemas:
        journey_refresh_task.apply_async(headers={"_schema_name": schema})
    return len(schemas)


@shared_task(name="onboarding.baseline_record", base=TenantTask)
def baseline_record_task() -> bool:
    """Record the go-live baseline of the workspace once its go-live day has come."""
    from onboarding.services import baseline_record
    from tenants.selectors import current_tenant

    return baseline_record(currency=str(current_tenant().currency)) is not None


@shared_task(name="onboarding.baselines_dispatch")
def baselines_dispatch_task() -> int:
    """Once a day, ask every active workspace to record its go-live baseline if due."""
    from tenants.models import TenantStatus
    from tenants.selectors import customer_tenants

    schemas = list(
        customer_tenants().filter(status=TenantStatus.ACTIVE).values_list("schema_name", flat=True)
    )
    for schema in schemas:
        baseline_record_task.apply_async(headers={"_schema_name": schema})
    return len(schemas)


@shared_task(name="onboarding.search_record", base=TenantTask)
def search_record_task(user_id: int) -> None:
    """Count a person's search for their first steps (in their workspace's schema)."""
    from onboarding.services import search_record

    search_record(user_id=user_id)
