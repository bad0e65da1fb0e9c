"""URLs of a workspace host (<slug>.BASE_DOMAIN): the CRM."""

from django.urls import include, path

from tenants import views as tenant_views
from tenants import workspace_settings

urlpatterns = [
    path("", include("core.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("healthz", tenant_views.health, name="health"),
    path("handoff/", tenant_views.handoff, name="handoff"),
    path("settings/workspace/", workspace_settings.workspace_settings, name="workspace_settings"),
    path("", include("tenants.users.urls")),
    path("billing/", include("billing.urls")),
    path("", include("onboarding.urls")),
    path("", include("onboarding.imports.urls")),
    path("", include("crm.notifications.urls")),
    path("", include("crm.mailing.urls")),
    path("", include("crm.automation.urls")),
    path("", include("crm.sales.urls")),
    path("", include("crm.service.urls")),
    path("", include("crm.marketing.urls")),
    path("", include("crm.urls")),
    path("", include("crm.insights.urls")),
]
