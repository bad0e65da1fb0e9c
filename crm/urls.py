from django.urls import path

from crm import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    *[
        path(f"{module}/", views.upcoming_module, {"module": module}, name=module)
        for module in views.UPCOMING_MODULES
    ],
]
