"""URLs of the public site on BASE_DOMAIN: marketing, signup, provider operations."""

from django.contrib.auth import views as auth_views
from django.urls import path

from tenants import views as tenant_views
from tenants.users import views as user_views

urlpatterns = [
    path("", tenant_views.landing, name="landing"),
    path("healthz", tenant_views.health, name="health"),
    path("ops/", tenant_views.ops_home, name="ops_home"),
    path("ops/login/", user_views.OpsLoginView.as_view(), name="ops_login"),
    path("ops/logout/", auth_views.LogoutView.as_view(next_page="ops_login"), name="ops_logout"),
]
