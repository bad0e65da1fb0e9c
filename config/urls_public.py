"""URLs of the public site on BASE_DOMAIN: marketing, signup, provider operations."""

from django.contrib.auth import views as auth_views
from django.urls import include, path

from onboarding import ops_views as onboarding_ops_views
from onboarding import public_views
from tenants import ops_views
from tenants import views as tenant_views
from tenants.users import views as user_views

urlpatterns = [
    path("", public_views.landing, name="landing"),
    path("", include("core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", tenant_views.health, name="health"),
    path("pricing/", public_views.pricing, name="pricing"),
    path("sign-in/", public_views.workspace_sign_in, name="workspace_sign_in"),
    path("signup/", public_views.signup, name="signup"),
    path("signup/check-address/", public_views.slug_check, name="signup_slug_check"),
    path("signup/<uuid:public_id>/", public_views.signup_progress, name="signup_progress"),
    path("signup/<uuid:public_id>/status/", public_views.signup_status, name="signup_status"),
    path("find-my-workspace/", public_views.workspace_lookup, name="workspace_lookup"),
    path("", include("billing.urls_public")),
    path("ops/", ops_views.ops_home, name="ops_home"),
    path("ops/onboarding/", onboarding_ops_views.ops_onboarding, name="ops_onboarding"),
    path("ops/login/", user_views.OpsLoginView.as_view(), name="ops_login"),
    path("ops/logout/", auth_views.LogoutView.as_view(next_page="ops_login"), name="ops_logout"),
    path("ops/jobs/", ops_views.ops_jobs, name="ops_jobs"),
    path("ops/jobs/<int:job_id>/retry/", ops_views.ops_job_retry, name="ops_job_retry"),
    path("ops/tenants/<int:tenant_id>/", ops_views.ops_tenant_detail, name="ops_tenant_detail"),
    path(
        "ops/tenants/<int:tenant_id>/suspend/",
        ops_views.ops_tenant_suspend,
        name="ops_tenant_suspend",
    ),
    path(
        "ops/tenants/<int:tenant_id>/reactivate/",
        ops_views.ops_tenant_reactivate,
        name="ops_tenant_reactivate",
    ),
    path(
        "ops/tenants/<int:tenant_id>/retry/",
        onboarding_ops_views.ops_tenant_retry,
        name="ops_tenant_retry",
    ),
    path(
        "ops/tenants/<int:tenant_id>/close/request/",
        ops_views.ops_tenant_closure_request,
        name="ops_tenant_closure_request",
    ),
    path(
        "ops/tenants/<int:tenant_id>/close/confirm/",
        ops_views.ops_tenant_closure_confirm,
        name="ops_tenant_closure_confirm",
    ),
    path(
        "ops/tenants/<int:tenant_id>/close/cancel/",
        ops_views.ops_tenant_closure_cancel,
        name="ops_tenant_closure_cancel",
    ),
]
