"""Billing pages on a workspace host (``/billing/``)."""

from django.urls import path

from billing import views

app_name = "billing"

urlpatterns = [
    path("", views.billing_home, name="home"),
    path("checkout/", views.billing_checkout, name="checkout"),
    path("portal/", views.billing_portal, name="portal"),
    path("cancel/", views.billing_cancel, name="cancel"),
    path("resume/", views.billing_resume, name="resume"),
]
