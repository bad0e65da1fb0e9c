"""URLs of the insights pages on a workspace host."""

from django.urls import path

from crm.insights import views

urlpatterns = [
    path("insights/", views.sales, name="insights_sales"),
]
