"""URLs of the insights pages on a workspace host."""

from django.urls import path

from crm.insights import views

urlpatterns = [
    path("insights/", views.sales, name="insights_sales"),
    path("insights/reps/", views.reps, name="insights_reps"),
    path("insights/customers/", views.customers, name="insights_customers"),
    path(
        "insights/customers/<str:kind>/<int:pk>/value/",
        views.customer_value_fragment,
        name="insights_customer_value",
    ),
    path("insights/customers/refresh/", views.customers_refresh, name="insights_customers_refresh"),
    path("insights/probability/", views.probability, name="insights_probability"),
    path("insights/reports/", views.reports, name="insights_reports"),
    path("insights/reports/save/", views.report_save, name="insights_report_save"),
    path("insights/reports/<int:pk>/delete/", views.report_delete, name="insights_report_delete"),
    path("insights/quotas/", views.quotas, name="insights_quotas"),
    path("insights/quotas/<int:pk>/delete/", views.quota_remove, name="insights_quota_delete"),
]
