"""The signup journey: a customer's request becomes a workspace they are signed in to.

A signup never waits for DDL when the pool has a schema: it claims one (see
:mod:`tenants.pool`), names it, creates the admin and is usable at once. With an empty pool
the signup's tenant row waits in ``provisioning`` while a worker clones the template (or
migrates, when the template is missing or behind).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_context, schema_exists

from billing.services import subscription_start_trial
from core.jobs.services import current_job
from core.locales import country_currency, country_time_zone
from crm.services.pipelines import pipeline_defaults_localize
from onboarding.services import guided_start_create
from onboarding.signups.models import Journey, Signup, SignupStatus
from tenants.errors import WorkspaceError
from tenants.handoff import handoff_lock, handoff_token_issue, handoff_tokens_void, handoff_used
from tenants.models import Domain, Tenant, TenantStatus
from tenants.pool import pool_claim
from tenants.selectors import workspace_hostname
from tenants.services import generate_schema_name, schema_drop, schema_populate
from tenants.users.models import Role, User, normalize_email
from tenants.users.services import welcome_email_enqueue

logger = logging.getLogger(__name__)

#: How long after the workspace became ready the signup's browser may get another handoff
#: (a reload, a redirect lost on the way), as long as none has been used.
SIGNUP_HANDOFF_WINDOW = timedelta(minutes=5)


@dataclass(frozen=True)
class SignupRequest:
    company_name: str
    slug: str
    admin_name: str
    admin_email: str
    admin_password: str
    plan_slug: str = ""
    #: The workspace's default language and its country (which suggests the base currency
    #: and time zone; the admin can change all of them later).
    language: str = "en"
    country: str = ""


def _locale_apply(tenant: Tenant, request: SignupRequest) -> None:
    """Set the new workspace's language, country, base currency and time zone."""
    country = request.country.upper()
    tenant.language = request.language or "en"
    tenant.country = country
    tenant.currency = country_currency(country) or "USD"
    tenant.time_zone = country_time_zone(country)


def signup_start(request: SignupRequest) -> Signup:
    """Record a signup and give it a workspace: claimed from the pool, or queued for a worker.

    Raises :class:`WorkspaceError` when the address was taken meanwhile.
    """
    from onboarding.tasks import signup_provision_enqueue
    from tenants.tasks import pool_refill_enqueue

    try:
        with transaction.atomic():
            signup, claimed = _signup_reserve(request)
            if not claimed:
                # Recorded with the signup: if Redis or a worker is away, the sweeper finds it.
                signup_provision_enqueue(signup_id=signup.pk)
    except IntegrityError as error:
        raise WorkspaceError(_("This address was just taken. Please choose another.")) from error
    if claimed:
        with transaction.atomic():
            signup_complete(signup=signup, method="pool")
            pool_refill_enqueue()
    return signup


def _signup_reserve(request: SignupRequest) -> tuple[Signup, bool]:
    pooled = pool_claim()
    if pooled is not None:
        tenant = pooled
        tenant.name = request.company_name
        tenant.slug = request.slug
        tenant.plan_slug = request.plan_slug
        tenant.status = TenantStatus.PROVISIONING
    else:
        tenant = Tenant(
            schema_name=generate_schema_name(),
            name=request.company_name,
            slug=request.slug,
            plan_slug=request.plan_slug,
            status=TenantStatus.PROVISIONING,
        )
    _locale_apply(tenant, request)
    tenant.save()
    Domain.objects.create(domain=workspace_hostname(request.slug), tenant=tenant, is_primary=True)
    signup = Signup.objects.create(
        tenant=tenant,
        admin_name=request.admin_name,
        admin_email=normalize_email(request.admin_email),
        admin_password_hash=make_password(request.admin_password),
        plan_slug=request.plan_slug,
    )
    return signup, pooled is not None


def signup_provision(*, signup: Signup) -> Signup:
    """Worker side of a signup with an empty pool: build the schema, then complete it.

    A failure is retried with backoff while the job has attempts left (the signup keeps
    waiting); the last one marks tenant and signup ``failed`` with the reason, and ops can
    retry.
    """
    tenant = signup.tenant
    if signup.status == SignupStatus.READY:
        return signup
    Signup.objects.filter(pk=signup.pk).update(attempts=signup.attempts + 1, error="")
    try:
        if schema_exists(tenant.schema_name) and not _schema_is_complete(tenant.schema_name):
            schema_drop(tenant.schema_name)
        method = "existing" if schema_exists(tenant.schema_name) else schema_populate(tenant=tenant)
        return signup_complete(signup=signup, method=method)
    except Exception as error:
        job = current_job()
        if job is None or job.is_last_attempt:
            logger.exception("Provisioning failed for %s", tenant)
            signup_fail(signup=signup, reason=f"{type(error).__name__}: {error}")
        raise


def _schema_is_complete(schema_name: str) -> bool:
    from tenants.schema_state import schemas_behind

    return not schemas_behind([schema_name])


def signup_fail(*, signup: Signup, reason: str) -> None:
    Tenant.objects.filter(pk=signup.tenant_id).update(
        status=TenantStatus.FAILED, status_reason=reason, updated_at=timezone.now()
    )
    Signup.objects.filter(pk=signup.pk).update(status=SignupStatus.FAILED, error=reason)


def signup_complete(*, signup: Signup, method: str) -> Signup:
    """Create the admin in the workspace, seed defaults, and open the workspace.

    The admin starts with an unverified address; the welcome email (sent after commit) carries
    the link that verifies it.
    """
    tenant = signup.tenant
    with transaction.atomic():
        with schema_context(tenant.schema_name):
            if not User.objects.filter(email__iexact=signup.admin_email).exists():
                admin = User(
                    email=signup.admin_email,
                    full_name=signup.admin_name,
                    role=Role.ADMIN,
                    password=signup.admin_password_hash,
                )
                admin.save()
                welcome_email_enqueue(user=admin)
            # The workspace's defaults in its own language (the template holds them in English).
            pipeline_defaults_localize(language=tenant.language)
            # The admin's first visit opens the guided start.
            guided_start_create()
        tenant.status = TenantStatus.ACTIVE
        tenant.status_reason = ""
        tenant.save(update_fields=["status", "status_reason", "updated_at"])
        subscription_start_trial(tenant=tenant)
        signup.status = SignupStatus.READY
        signup.provisioning_method = method
        signup.ready_at = timezone.now()
        signup.error = ""
        signup.save(update_fields=["status", "provisioning_method", "ready_at", "error"])
        Journey.objects.get_or_create(signup=signup)
    return signup


def signup_admin_user_id(signup: Signup) -> int:
    """The id of the workspace admin the signup created (inside the workspace's schema)."""
    with schema_context(signup.tenant.schema_name):
        return int(User.objects.get(email__iexact=signup.admin_email).pk)


def signup_handoff_offered(signup: Signup, *, now: datetime) -> bool:
    """Whether the progress page may still hand the browser into the workspace signed in."""
    return (
        signup.status == SignupStatus.READY
        and signup.ready_at is not None
        and now < signup.ready_at + SIGNUP_HANDOFF_WINDOW
        and not handoff_used(tenant=signup.tenant)
    )


@transaction.atomic
def signup_handoff_issue(*, signup: Signup) -> str | None:
    """A handoff token for the browser that signed up, or ``None`` once the handoff is spent.

    The progress page hands off once. Until a handoff is used, and only within
    ``SIGNUP_HANDOFF_WINDOW`` of the workspace becoming ready, it may issue another (each new
    token voids the earlier unused ones, so at most one link is live). After that the browser
    signs in like everyone else: the public session lives for weeks, and a page that kept
    minting admin sign-ins would outlive the admin's sign-out or password reset.
    """
    handoff_lock(tenant=signup.tenant)
    current = Signup.objects.select_related("tenant").get(pk=signup.pk)
    if not signup_handoff_offered(current, now=timezone.now()):
        return None
    handoff_tokens_void(tenant=current.tenant)
    return handoff_token_issue(tenant=current.tenant, user_id=signup_admin_user_id(current))
