"""URLs every host answers the same way: the icons browsers ask for, and readiness."""

from django.urls import path

from core import views

urlpatterns = [
    path("favicon.ico", views.favicon, name="favicon"),
    path("apple-touch-icon.png", views.apple_touch_icon, name="apple_touch_icon"),
    path("readyz", views.readiness, name="readiness"),
]
