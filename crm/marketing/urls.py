"""URLs of marketing on a workspace host."""

from django.urls import path

from crm.marketing.views import public, webforms

app_name = "marketing"

urlpatterns = [
    # Public (no sign-in): the hosted form page and its endpoint, the opt-in confirmation.
    path("f/<str:key>/", public.webform_public, name="webform_public"),
    path("f/confirm/<str:token>/", public.webform_confirm, name="webform_confirm"),
    # Admin pages
    path("marketing/forms/", webforms.webform_list, name="webforms"),
    path("marketing/forms/new/", webforms.webform_edit, name="webform_create"),
    path("marketing/forms/<int:pk>/", webforms.webform_detail, name="webform_detail"),
    path("marketing/forms/<int:pk>/edit/", webforms.webform_edit, name="webform_update"),
    path("marketing/forms/<int:pk>/delete/", webforms.webform_delete, name="webform_delete"),
]
