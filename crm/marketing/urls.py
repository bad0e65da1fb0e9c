"""URLs of marketing on a workspace host."""

from django.urls import path

from crm.marketing.views import campaign_public, campaigns, public, segments, telesales, webforms

app_name = "marketing"

urlpatterns = [
    # Public (no sign-in): the hosted form page and its endpoint, the opt-in confirmation.
    path("f/<str:key>/", public.webform_public, name="webform_public"),
    path("f/confirm/<str:token>/", public.webform_confirm, name="webform_confirm"),
    # Public (no sign-in): a campaign recipient's signed links, the mail provider's bounces.
    path("c/o/<str:token>/<str:signature>/", campaign_public.campaign_open, name="campaign_open"),
    path(
        "c/c/<str:token>/<int:link>/<str:signature>/",
        campaign_public.campaign_click,
        name="campaign_click",
    ),
    path(
        "c/u/<str:token>/<str:signature>/",
        campaign_public.campaign_unsubscribe,
        name="campaign_unsubscribe",
    ),
    path("c/inbound/", campaign_public.campaign_inbound, name="campaign_inbound"),
    # Campaigns
    path("marketing/campaigns/", campaigns.campaign_list, name="campaigns"),
    path("marketing/campaigns/export/", campaigns.campaign_export, name="campaign_export"),
    path("marketing/campaigns/new/", campaigns.campaign_edit, name="campaign_create"),
    path("marketing/campaigns/<int:pk>/", campaigns.campaign_detail, name="campaign_detail"),
    path("marketing/campaigns/<int:pk>/edit/", campaigns.campaign_edit, name="campaign_update"),
    path("marketing/campaigns/<int:pk>/test/", campaigns.campaign_test, name="campaign_test"),
    path("marketing/campaigns/<int:pk>/send/", campaigns.campaign_send_view, name="campaign_send"),
    path(
        "marketing/campaigns/<int:pk>/cancel/",
        campaigns.campaign_cancel_view,
        name="campaign_cancel",
    ),
    # Segments
    path("marketing/segments/", segments.segment_list, name="segments"),
    path("marketing/segments/new/", segments.segment_edit, name="segment_create"),
    path("marketing/segments/size/", segments.segment_preview_size, name="segment_preview_size"),
    path("marketing/segments/add/", segments.segment_members_add_view, name="segment_members_add"),
    path("marketing/segments/<int:pk>/", segments.segment_detail, name="segment_detail"),
    path("marketing/segments/<int:pk>/edit/", segments.segment_edit, name="segment_update"),
    path("marketing/segments/<int:pk>/size/", segments.segment_size_view, name="segment_size"),
    path("marketing/segments/<int:pk>/export/", segments.segment_export, name="segment_download"),
    path(
        "marketing/segments/<int:pk>/remove/",
        segments.segment_members_remove_view,
        name="segment_members_remove",
    ),
    path(
        "marketing/segments/<int:pk>/delete/", segments.segment_delete_view, name="segment_delete"
    ),
    # Telesales
    path("marketing/queues/", telesales.queue_list, name="queues"),
    path("marketing/queues/new/", telesales.queue_edit, name="queue_create"),
    path("marketing/queues/<int:pk>/", telesales.queue_detail, name="queue_detail"),
    path("marketing/queues/<int:pk>/edit/", telesales.queue_edit, name="queue_update"),
    path("marketing/queues/<int:pk>/build/", telesales.queue_build, name="queue_build"),
    path("marketing/queues/<int:pk>/delete/", telesales.queue_delete, name="queue_delete"),
    path("marketing/queues/<int:pk>/work/", telesales.queue_work, name="queue_work"),
    path(
        "marketing/queues/<int:pk>/entries/<int:entry_pk>/outcome/",
        telesales.queue_outcome,
        name="queue_outcome",
    ),
    path(
        "marketing/queues/<int:pk>/entries/<int:entry_pk>/release/",
        telesales.queue_release_view,
        name="queue_release",
    ),
    # Web forms (admins)
    path("marketing/forms/", webforms.webform_list, name="webforms"),
    path("marketing/forms/new/", webforms.webform_edit, name="webform_create"),
    path("marketing/forms/<int:pk>/", webforms.webform_detail, name="webform_detail"),
    path("marketing/forms/<int:pk>/edit/", webforms.webform_edit, name="webform_update"),
    path("marketing/forms/<int:pk>/delete/", webforms.webform_delete, name="webform_delete"),
]
