"""Provider operations on the signup journey."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from onboarding.signups.models import Signup, SignupStatus
from tenants.errors import WorkspaceError
from tenants.models import OpsAction, Tenant, TenantStatus
from tenants.ops import ops_audit
from tenants.users.models import User


@transaction.atomic
def provisioning_retry(*, tenant: Tenant, by: User, reason: str = "") -> Tenant:
    """Queue a failed signup's provisioning again."""
    signup = Signup.objects.filter(tenant=tenant).first()
    if tenant.status != TenantStatus.FAILED or signup is None:
        raise WorkspaceError(_("Only a failed signup can be retried."))
    tenant.status = TenantStatus.PROVISIONING
    tenant.save(update_fields=["status", "updated_at"])
    Signup.objects.filter(pk=signup.pk).update(status=SignupStatus.WAITING)
    ops_audit(tenant=tenant, by=by, action=OpsAction.RETRY_PROVISIONING, reason=reason.strip())
    from onboarding.tasks import signup_provision_enqueue

    signup_provision_enqueue(signup_id=signup.pk)
    return tenant
