"""The provider-operations console on the public host (staff only)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from core.htmx import HtmxHttpRequest
from core.jobs.models import Job
from core.jobs.selectors import failed_jobs, jobs_overview, recent_sweeps_with_findings
from core.permissions import staff_required
from tenants import ops
from tenants.errors import WorkspaceError
from tenants.models import Tenant
from tenants.ops_forms import ConfirmClosureForm, OptionalReasonForm, ReasonForm, TenantFilterForm
from tenants.selectors import customer_tenants, ops_tenants, workspace_usage
from tenants.users.models import User

OPS_PAGE_SIZE = 25


@require_GET
@staff_required
def ops_home(request: HtmxHttpRequest) -> HttpResponse:
    """Every customer workspace, searchable and filterable, with usage."""
    form = TenantFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    tenants = ops_tenants(
        search=filters.get("q") or "",
        status=filters.get("status") or "",
        plan=filters.get("plan") or "",
        created_from=filters.get("created_from"),
        created_to=filters.get("created_to"),
    )
    page = Paginator(tenants, OPS_PAGE_SIZE).get_page(request.GET.get("page"))
    usage = workspace_usage([tenant.schema_name for tenant in page.object_list])
    rows = [(tenant, usage[tenant.schema_name]) for tenant in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": rows,
        "query": query.urlencode(),
        "jobs": jobs_overview(),
    }
    template = (
        "ops/home.html#tenant-table"
        if request.htmx and not request.htmx.boosted
        else "ops/home.html"
    )
    return render(request, template, context)


@require_GET
@staff_required
def ops_tenant_detail(request: HttpRequest, tenant_id: int) -> HttpResponse:
    tenant = get_object_or_404(customer_tenants().select_related("signup"), pk=tenant_id)
    return render(
        request,
        "ops/tenant_detail.html",
        {
            "tenant": tenant,
            "usage": workspace_usage([tenant.schema_name])[tenant.schema_name],
            "signup": getattr(tenant, "signup", None),
            "audit": tenant.ops_audit.all()[:100],
            "domains": tenant.domains.all(),
            "reason_form": ReasonForm(),
            "note_form": OptionalReasonForm(),
            "confirm_form": ConfirmClosureForm(),
        },
    )


def ops_action(
    request: HttpRequest,
    tenant_id: int,
    form_class: type[ReasonForm] | type[OptionalReasonForm] | type[ConfirmClosureForm],
    action: Callable[[Tenant, User, dict[str, str]], object],
    done_message: str,
) -> HttpResponse:
    tenant = get_object_or_404(customer_tenants(), pk=tenant_id)
    form = form_class(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a reason; it is shown in the audit log."))
    else:
        try:
            action(tenant, request.user, form.cleaned_data)  # type: ignore[arg-type]
        except WorkspaceError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, done_message)
    return redirect("ops_tenant_detail", tenant_id=tenant.pk)


@require_POST
@staff_required
def ops_tenant_suspend(request: HttpRequest, tenant_id: int) -> HttpResponse:
    return ops_action(
        request,
        tenant_id,
        ReasonForm,
        lambda tenant, by, data: ops.tenant_suspend(tenant=tenant, by=by, reason=data["reason"]),
        _("Workspace suspended."),
    )


@require_POST
@staff_required
def ops_tenant_reactivate(request: HttpRequest, tenant_id: int) -> HttpResponse:
    return ops_action(
        request,
        tenant_id,
        ReasonForm,
        lambda tenant, by, data: ops.tenant_reactivate(tenant=tenant, by=by, reason=data["reason"]),
        _("Workspace reactivated."),
    )


@require_POST
@staff_required
def ops_tenant_closure_request(request: HttpRequest, tenant_id: int) -> HttpResponse:
    return ops_action(
        request,
        tenant_id,
        ReasonForm,
        lambda tenant, by, data: ops.closure_request(tenant=tenant, by=by, reason=data["reason"]),
        _("Closure requested. Confirm it to close the workspace."),
    )


@require_POST
@staff_required
def ops_tenant_closure_confirm(request: HttpRequest, tenant_id: int) -> HttpResponse:
    return ops_action(
        request,
        tenant_id,
        ConfirmClosureForm,
        lambda tenant, by, data: ops.closure_confirm(
            tenant=tenant, by=by, typed_slug=data["typed_slug"]
        ),
        _("Workspace closed. Its data is kept for the retention period."),
    )


@require_POST
@staff_required
def ops_tenant_closure_cancel(request: HttpRequest, tenant_id: int) -> HttpResponse:
    return ops_action(
        request,
        tenant_id,
        ReasonForm,
        lambda tenant, by, data: ops.closure_cancel(tenant=tenant, by=by, reason=data["reason"]),
        _("Closure cancelled."),
    )


@require_GET
@staff_required
def ops_jobs(request: HttpRequest) -> HttpResponse:
    """Background work: queue depths, failed jobs with their error and a Retry button, and
    what the sweeper found and did."""
    page = Paginator(failed_jobs(), OPS_PAGE_SIZE).get_page(request.GET.get("page"))
    schemas = {job.workspace or job.schema_name for job in page.object_list}
    names = {
        tenant.schema_name: tenant
        for tenant in Tenant.objects.filter(schema_name__in=schemas).only(
            "pk", "name", "slug", "schema_name", "status"
        )
    }
    rows = [(job, names.get(job.workspace or job.schema_name)) for job in page.object_list]
    return render(
        request,
        "ops/jobs.html",
        {
            "jobs": jobs_overview(),
            "page": page,
            "rows": rows,
            "sweeps": recent_sweeps_with_findings(),
        },
    )


@require_POST
@staff_required
def ops_job_retry(request: HttpRequest, job_id: int) -> HttpResponse:
    """Run a failed job again (audited)."""
    job = get_object_or_404(Job, pk=job_id)
    try:
        ops.job_retry(job=job, by=request.user)  # type: ignore[arg-type]
    except WorkspaceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Job queued to run again."))
    return redirect("ops_jobs")
