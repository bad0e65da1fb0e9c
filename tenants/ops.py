"""Provider-operations actions on workspaces. Each one is audited: who, what, when, why."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_tenants.utils import schema_exists

from core.jobs.models import Job
from core.jobs.services import job_retry as core_job_retry
from tenants.errors import WorkspaceError
from tenants.models import OpsAction, OpsAuditEntry, Tenant, TenantStatus
from tenants.services import schema_drop
from tenants.users.models import User

logger = logging.getLogger(__name__)


def ops_audit(*, tenant: Tenant, by: User | None, action: OpsAction, reason: str) -> OpsAuditEntry:
    """Record an ops action on a workspace, with who did it and why."""
    return OpsAuditEntry.objects.create(
        tenant=tenant,
        actor_id=by.pk if by else None,
        actor_email=by.email if by else "",
        action=action,
        reason=reason,
    )


def _require_reason(reason: str) -> str:
    reason = reason.strip()
    if not reason:
        raise WorkspaceError(_("Give a reason; it is shown in the audit log."))
    return reason


@transaction.atomic
def tenant_suspend(*, tenant: Tenant, by: User, reason: str) -> Tenant:
    """Block sign-in to the workspace; its users see the reason. Nothing is deleted."""
    reason = _require_reason(reason)
    if tenant.status != TenantStatus.ACTIVE:
        raise WorkspaceError(_("Only an active workspace can be suspended."))
    tenant.status = TenantStatus.SUSPENDED
    tenant.status_reason = reason
    tenant.save(update_fields=["status", "status_reason", "updated_at"])
    ops_audit(tenant=tenant, by=by, action=OpsAction.SUSPEND, reason=reason)
    return tenant


@transaction.atomic
def tenant_reactivate(*, tenant: Tenant, by: User, reason: str) -> Tenant:
    reason = _require_reason(reason)
    if tenant.status != TenantStatus.SUSPENDED:
        raise WorkspaceError(_("Only a suspended workspace can be reactivated."))
    tenant.status = TenantStatus.ACTIVE
    tenant.status_reason = ""
    tenant.save(update_fields=["status", "status_reason", "updated_at"])
    ops_audit(tenant=tenant, by=by, action=OpsAction.REACTIVATE, reason=reason)
    return tenant


@transaction.atomic
def closure_request(*, tenant: Tenant, by: User, reason: str) -> Tenant:
    """Step one of closing a workspace: nothing changes for its users yet."""
    reason = _require_reason(reason)
    if tenant.status not in (TenantStatus.ACTIVE, TenantStatus.SUSPENDED, TenantStatus.FAILED):
        raise WorkspaceError(_("This workspace cannot be closed in its current state."))
    tenant.closure_requested_at = timezone.now()
    tenant.save(update_fields=["closure_requested_at", "updated_at"])
    ops_audit(tenant=tenant, by=by, action=OpsAction.REQUEST_CLOSURE, reason=reason)
    return tenant


@transaction.atomic
def closure_confirm(*, tenant: Tenant, by: User, typed_slug: str) -> Tenant:
    """Step two: close the workspace. Its schema is kept for the retention period."""
    if tenant.closure_requested_at is None:
        raise WorkspaceError(_("Request the closure first; closing takes two steps."))
    if typed_slug.strip() != (tenant.slug or tenant.schema_name):
        raise WorkspaceError(_("Type the workspace address exactly to confirm."))
    now = timezone.now()
    tenant.status = TenantStatus.CLOSED
    tenant.closed_at = now
    tenant.purge_after = now + timedelta(days=settings.CLOSED_WORKSPACE_RETENTION_DAYS)
    tenant.save(update_fields=["status", "closed_at", "purge_after", "updated_at"])
    ops_audit(
        tenant=tenant,
        by=by,
        action=OpsAction.CONFIRM_CLOSURE,
        reason=f"Schema kept until {tenant.purge_after:%Y-%m-%d}.",
    )
    return tenant


@transaction.atomic
def closure_cancel(*, tenant: Tenant, by: User, reason: str) -> Tenant:
    """Withdraw a closure request, or reopen a closed workspace within its retention."""
    reason = _require_reason(reason)
    if tenant.status == TenantStatus.CLOSED and not schema_exists(tenant.schema_name):
        raise WorkspaceError(
            _("This workspace's data was purged after retention; it cannot reopen.")
        )
    if tenant.status == TenantStatus.CLOSED:
        tenant.status = TenantStatus.ACTIVE
    elif tenant.closure_requested_at is None:
        raise WorkspaceError(_("There is no closure to cancel."))
    tenant.closure_requested_at = None
    tenant.closed_at = None
    tenant.purge_after = None
    tenant.save(
        update_fields=["status", "closure_requested_at", "closed_at", "purge_after", "updated_at"]
    )
    ops_audit(tenant=tenant, by=by, action=OpsAction.CANCEL_CLOSURE, reason=reason)
    return tenant


def closed_workspaces_purge() -> list[str]:
    """Drop the schemas of workspaces closed longer than the retention period."""
    purged = []
    due = Tenant.objects.filter(status=TenantStatus.CLOSED, purge_after__lte=timezone.now())
    for tenant in due:
        with transaction.atomic():
            schema_drop(tenant.schema_name)
            ops_audit(
                tenant=tenant, by=None, action=OpsAction.PURGE, reason="Retention period over."
            )
            tenant.domains.all().delete()
            Tenant.objects.filter(pk=tenant.pk).update(
                status_reason="Purged after retention.", purge_after=None
            )
        purged.append(tenant.schema_name)
        logger.info("Purged closed workspace %s", tenant.schema_name)
    return purged


@transaction.atomic
def job_retry(*, job: Job, by: User) -> Job:
    """Run a failed job again from its first attempt; audited on its workspace (or, for
    platform work, on the public site's row)."""
    from django_tenants.utils import get_public_schema_name

    try:
        retried = core_job_retry(job=job)
    except ValueError as error:
        raise WorkspaceError(
            _("This job cannot be retried now: it has not failed, or the same work is waiting.")
        ) from error
    schema = job.workspace or job.schema_name or get_public_schema_name()
    tenant = Tenant.objects.filter(schema_name=schema).first() or Tenant.objects.get(
        schema_name=get_public_schema_name()
    )
    ops_audit(
        tenant=tenant,
        by=by,
        action=OpsAction.JOB_RETRY,
        reason=(
            f"{job.handler} #{job.pk} ({job.arguments_summary}) after {job.attempts} "
            f"attempts: {job.last_error[:300]}"
        ),
    )
    return retried
