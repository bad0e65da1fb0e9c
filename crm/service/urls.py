"""URLs of customer service on a workspace host."""

from django.urls import path

from crm.service import public_views, views

urlpatterns = [
    path("cases/", views.case_list, name="service_cases"),
    path("cases/export/", views.case_export, name="service_case_export"),
    path("cases/new/", views.case_form, name="service_case_create"),
    path("cases/suggest/", views.article_suggest, name="service_article_suggest"),
    path("cases/report/", views.breach_report, name="service_breach_report"),
    path("cases/<int:pk>/", views.case_detail, name="service_case_detail"),
    path("cases/<int:pk>/edit/", views.case_form, name="service_case_update"),
    path("cases/<int:pk>/reply/", views.case_reply, name="service_case_reply"),
    path("cases/<int:pk>/status/", views.case_status, name="service_case_status"),
    path("settings/service/", views.service_settings_page, name="service_settings"),
    path("articles/", views.article_list, name="service_articles"),
    path("articles/new/", views.article_form, name="service_article_create"),
    path("articles/<int:pk>/", views.article_detail, name="service_article_detail"),
    path("articles/<int:pk>/edit/", views.article_form, name="service_article_update"),
    path("articles/<int:pk>/delete/", views.article_delete, name="service_article_delete"),
    # Public pages of the workspace's customers (no sign-in).
    path("help/", public_views.help_center, name="service_help"),
    path("help/<int:pk>/", public_views.help_article, name="service_help_article"),
    path("support/new/", public_views.web_case_form, name="service_web_form"),
    path("support/csat/<str:token>/", public_views.csat, name="service_csat"),
]
