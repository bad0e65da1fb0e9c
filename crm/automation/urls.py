"""URLs of workflow rules and care touches on a workspace host (admin settings)."""

from django.urls import path

from crm.automation import views

app_name = "automation"

urlpatterns = [
    path("settings/rules/", views.rule_list, name="rules"),
    path("settings/rules/new/", views.rule_new, name="rule_new"),
    path("settings/rules/<int:pk>/", views.rule_detail, name="rule_detail"),
    path("settings/rules/<int:pk>/edit/", views.rule_edit, name="rule_edit"),
    path("settings/rules/<int:pk>/dry-run/", views.rule_dry_run_view, name="rule_dry_run"),
    path("settings/rules/<int:pk>/secret/", views.rule_secret_renew, name="rule_secret"),
    path("settings/rules/<int:pk>/delete/", views.rule_delete, name="rule_delete"),
    path("settings/care/", views.care_settings, name="care"),
]
