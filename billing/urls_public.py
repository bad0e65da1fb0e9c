"""Billing on the public host: the webhook endpoint, the sandbox's hosted pages, ops pages."""

from django.urls import path

from billing import ops_views, public_views
from billing.sandbox import views as sandbox_views

app_name = "billing_public"

urlpatterns = [
    path("billing/webhook/", public_views.webhook, name="webhook"),
    path(
        "billing/sandbox/checkout/<str:session_id>/",
        sandbox_views.sandbox_checkout,
        name="sandbox_checkout",
    ),
    path(
        "billing/sandbox/portal/<str:session_id>/",
        sandbox_views.sandbox_portal,
        name="sandbox_portal",
    ),
    path("ops/billing/", ops_views.ops_billing, name="ops_billing"),
    path("ops/billing/plans/", ops_views.ops_billing_plans, name="ops_billing_plans"),
    path("ops/billing/reconcile/", ops_views.ops_billing_reconcile, name="ops_billing_reconcile"),
    path(
        "ops/billing/plans/<int:plan_id>/",
        ops_views.ops_billing_plan_edit,
        name="ops_billing_plan_edit",
    ),
    path(
        "ops/billing/tenants/<int:tenant_id>/",
        ops_views.ops_billing_tenant,
        name="ops_billing_tenant",
    ),
    path(
        "ops/billing/tenants/<int:tenant_id>/extend-trial/",
        ops_views.ops_billing_trial_extend,
        name="ops_billing_trial_extend",
    ),
    path(
        "ops/billing/tenants/<int:tenant_id>/complimentary/",
        ops_views.ops_billing_complimentary,
        name="ops_billing_complimentary",
    ),
    path(
        "ops/billing/tenants/<int:tenant_id>/clock/",
        ops_views.ops_billing_clock,
        name="ops_billing_clock",
    ),
    path(
        "ops/billing/events/<int:event_id>/retry/",
        ops_views.ops_billing_event_retry,
        name="ops_billing_event_retry",
    ),
]
