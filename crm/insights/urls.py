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
    path(
        "insights/customers/look-after/",
        views.look_after_fragment,
        name="insights_look_after",
    ),
    path("insights/customers/refresh/", views.customers_refresh, name="insights_customers_refresh"),
    path("insights/probability/", views.probability, name="insights_probability"),
    path(
        "insights/probability/deal/<int:pk>/",
        views.deal_probability_fragment,
        name="insights_deal_probability",
    ),
    path("insights/service/", views.service, name="insights_service"),
    path("insights/service/summary/", views.service_summary, name="insights_service_summary"),
    path("insights/reports/", views.reports, name="insights_reports"),
    path("insights/reports/save/", views.report_save, name="insights_report_save"),
    path("insights/reports/<int:pk>/delete/", views.report_delete, name="insights_report_delete"),
    path("insights/quotas/", views.quotas, name="insights_quotas"),
    path("insights/quotas/<int:pk>/delete/", views.quota_remove, name="insights_quota_delete"),
]
