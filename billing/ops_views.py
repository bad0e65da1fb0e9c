"""Billing in the provider-operations console (public host, staff only)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from billing import ops, selectors
from billing.errors import BillingError
from billing.forms import ComplimentaryGrantForm, PlanForm, SandboxClockForm, TrialExtendForm
from billing.models import Plan, WebhookEvent, WebhookEventStatus
from core.permissions import staff_required
from tenants.models import OpsAction
from tenants.selectors import customer_tenants
from tenants.users.models import User

BILLING_ACTIONS = [
    OpsAction.BILLING_TRIAL_EXTEND,
    OpsAction.BILLING_COMPLIMENTARY_GRANT,
    OpsAction.BILLING_EVENT_RETRY,
    OpsAction.BILLING_SANDBOX_CLOCK,
    OpsAction.BILLING_STATUS_CHANGE,
]


@require_GET
@staff_required
def ops_billing(request: HttpRequest) -> HttpResponse:
    """Revenue, subscriptions by status, trials ending, past due, churn, failed and flagged
    events."""
    return render(
        request,
        "billing/ops/overview.html",
        {
            "revenue": selectors.recurring_revenue(),
            "counts": selectors.subscription_counts(),
            "trials_ending": selectors.trials_ending(within_days=7),
            "expired_trials": selectors.expired_trials()[:50],
            "past_due": selectors.past_due_subscriptions(),
            "churn": selectors.churn(days=30),
            "failed_events": WebhookEvent.objects.filter(
                status=WebhookEventStatus.FAILED
            ).select_related("tenant")[:50],
            "flagged_events": WebhookEvent.objects.filter(
                status=WebhookEventStatus.FLAGGED
            ).select_related("tenant")[:50],
            "recent_events": WebhookEvent.objects.select_related("tenant")[:20],
        },
    )


@require_GET
@staff_required
def ops_billing_tenant(request: HttpRequest, tenant_id: int) -> HttpResponse:
    """One workspace's subscription, event history and billing audit, with the actions."""
    tenant = get_object_or_404(customer_tenants(), pk=tenant_id)
    subscription = selectors.tenant_subscription(tenant)
    return render(
        request,
        "billing/ops/tenant.html",
        {
            "tenant": tenant,
            "subscription": subscription,
            "access": selectors.billing_access(subscription),
            "seats_used": selectors.seats_used(tenant),
            "events": selectors.tenant_billing_events(tenant)[:100],
            "audit": tenant.ops_audit.filter(action__in=BILLING_ACTIONS)[:100],
            "extend_form": TrialExtendForm(initial={"days": 7}),
            "grant_form": ComplimentaryGrantForm(),
            "clock_form": SandboxClockForm(),
        },
    )


def _done(request: HttpRequest, tenant_id: int, error: str = "", success: str = "") -> HttpResponse:
    if error:
        messages.error(request, error)
    else:
        messages.success(request, success)
    return redirect("billing_public:ops_billing_tenant", tenant_id=tenant_id)


def _form_error(form: object) -> str:
    errors = getattr(form, "errors", {})
    return " ".join(str(message) for field in errors.values() for message in field)


@require_POST
@staff_required
def ops_billing_trial_extend(request: HttpRequest, tenant_id: int) -> HttpResponse:
    tenant = get_object_or_404(customer_tenants(), pk=tenant_id)
    form = TrialExtendForm(request.POST)
    if not form.is_valid():
        return _done(request, tenant.pk, error=_form_error(form))
    try:
        ops.trial_extend(
            tenant=tenant,
            by=_staff(request),
            days=form.cleaned_data["days"],
            reason=form.cleaned_data["reason"],
        )
    except BillingError as error:
        return _done(request, tenant.pk, error=str(error))
    return _done(request, tenant.pk, success=_("Trial extended."))


@require_POST
@staff_required
def ops_billing_complimentary(request: HttpRequest, tenant_id: int) -> HttpResponse:
    tenant = get_object_or_404(customer_tenants(), pk=tenant_id)
    form = ComplimentaryGrantForm(request.POST)
    if not form.is_valid():
        return _done(request, tenant.pk, error=_form_error(form))
    try:
        ops.complimentary_grant(
            tenant=tenant,
            by=_staff(request),
            plan=form.cleaned_data["plan"],
            reason=form.cleaned_data["reason"],
        )
    except BillingError as error:
        return _done(request, tenant.pk, error=str(error))
    return _done(request, tenant.pk, success=_("Complimentary plan granted."))


@require_POST
@staff_required
def ops_billing_clock(request: HttpRequest, tenant_id: int) -> HttpResponse:
    tenant = get_object_or_404(customer_tenants(), pk=tenant_id)
    form = SandboxClockForm(request.POST)
    if not form.is_valid():
        return _done(request, tenant.pk, error=_form_error(form))
    try:
        ops.sandbox_clock_advance(
            tenant=tenant,
            by=_staff(request),
            action=form.cleaned_data["action"],
            reason=form.cleaned_data.get("reason") or "",
        )
    except BillingError as error:
        return _done(request, tenant.pk, error=str(error))
    return _done(request, tenant.pk, success=_("Sandbox clock advanced."))


@require_POST
@staff_required
def ops_billing_event_retry(request: HttpRequest, event_id: int) -> HttpResponse:
    event = get_object_or_404(WebhookEvent, pk=event_id)
    try:
        ops.event_retry(event=event, by=_staff(request))
    except BillingError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Event queued for processing again."))
    if event.tenant_id:
        return redirect("billing_public:ops_billing_tenant", tenant_id=event.tenant_id)
    return redirect("billing_public:ops_billing")


@require_POST
@staff_required
def ops_billing_reconcile(request: HttpRequest) -> HttpResponse:
    """Compare every subscription and checkout with the gateway now (as the nightly job does);
    what it changes is audited on each workspace."""
    from billing.tasks import reconcile_enqueue

    reconcile_enqueue()
    messages.success(
        request,
        _("Reconciliation queued. Changes it makes appear in each workspace's billing audit."),
    )
    return redirect("billing_public:ops_billing")


@require_GET
@staff_required
def ops_billing_plans(request: HttpRequest) -> HttpResponse:
    return render(request, "billing/ops/plans.html", {"plans": Plan.objects.all()})


@require_http_methods(["GET", "POST"])
@staff_required
def ops_billing_plan_edit(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Plans are data: ops change prices, seats and features here."""
    plan = get_object_or_404(Plan, pk=plan_id)
    form = PlanForm(request.POST or None, instance=plan)
    if request.method == "POST" and form.is_valid():
        edited = form.save(commit=False)
        edited.features = form.cleaned_data["features"]
        edited.translations = form.translations()
        edited.save()
        messages.success(
            request,
            _("Plan saved. Run billing_sync_plans to publish new prices to the gateway."),
        )
        return redirect("billing_public:ops_billing_plans")
    return render(
        request,
        "billing/ops/plan_form.html",
        {"plan": plan, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _staff(request: HttpRequest) -> User:
    user: User = request.user  # type: ignore[assignment]
    return user
