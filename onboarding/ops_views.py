"""Provider operations on the signup journey (ops console on the public host)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.permissions import staff_required
from onboarding import ops
from tenants.ops_forms import OptionalReasonForm
from tenants.ops_views import ops_action


@require_POST
@staff_required
def ops_tenant_retry(request: HttpRequest, tenant_id: int) -> HttpResponse:
    """Queue a failed signup's provisioning again (audited)."""
    return ops_action(
        request,
        tenant_id,
        OptionalReasonForm,
        lambda tenant, by, data: ops.provisioning_retry(
            tenant=tenant, by=by, reason=data.get("reason", "")
        ),
        _("Provisioning queued again."),
    )
