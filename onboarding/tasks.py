"""Background steps of the customer's journey."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError


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
